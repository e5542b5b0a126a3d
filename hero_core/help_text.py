"""Text similarity for help: which known answers fit a question, which help requests say the same thing.

Words become terms exactly as for duplicate ideas (hero_core.services.duplicates.terms: same stop words, same light
stemming), so "calls/call/calling" meet here too. Terms are hashed (no vocabulary to keep) and a document keeps
only which terms it has, not how often. Known answers' terms live in the database (known_answer_terms), an
inverted index a search reads for the question's rarest terms, so no index sits in the app's memory (the 400 MB
budget per process has no room for one at 500,000 help requests). The best candidates are re-ranked with
rapidfuzz on their wording, as for ideas. Recurring roadblocks group requests by the same terms, in memory, one
system (or touch point) at a time.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from scipy import sparse

from hero_core.services.duplicates import terms

COLUMNS = 1 << 20  # hashed term columns: collisions between real terms are rare at this width
ANSWER_CHARS = 300  # the start of an answer says what it is about; the rest is steps
MIN_SCORE = 25


def term_columns(text: str) -> np.ndarray:
    """The distinct hashed term columns of a text, ascending (int32)."""
    cols = {zlib.crc32(t.encode("utf-8")) & (COLUMNS - 1) for t in terms(text)}
    return np.fromiter(sorted(cols), dtype=np.int32, count=len(cols))


def known_answer_text(question: str, answer: str) -> str:
    # The question twice: it says most densely what the answer is about.
    return f"{question} {question} {answer[:ANSWER_CHARS]}"


# ---- grouping requests that say the same thing ------------------------------------------------------------------


def _weights(lengths: np.ndarray) -> np.ndarray:
    """1/sqrt(distinct terms) in float32: a text's term weight in the cosine."""
    return np.float32(1.0) / np.sqrt(np.maximum(lengths.astype(np.float32), np.float32(1.0)))


def min_shared(max_len: int, threshold: float) -> np.ndarray:
    """M[a, b]: the fewest shared terms that make texts of a and b distinct terms alike, i.e. their cosine
    m / sqrt(a b) ≥ threshold, the cosine summed exactly as a float32 sparse product sums it (m additions of
    w_a·w_b, checked against scipy in tests/unit/test_help_text.py); max_len + 1 where no overlap does."""
    size = max_len + 1
    w = _weights(np.arange(size))
    product = np.multiply.outer(w, w)  # float32
    shortest = np.minimum.outer(np.arange(size), np.arange(size))
    out = np.full((size, size), size, dtype=np.int32)
    acc = np.zeros((size, size), dtype=np.float32)
    for m in range(1, size):
        acc = acc + product
        out[(acc >= threshold) & (out == size) & (m <= shortest)] = m
    return out


def similar_groups(texts: list[str], *, threshold: float = 0.5, chunk: int = 128,
                   min_size: int = 1) -> list[list[int]]:
    """Positions of `texts` grouped by similar wording: group_term_sets on their terms."""
    return group_term_sets([term_columns(t) for t in texts], threshold=threshold, chunk=chunk, min_size=min_size)


def group_term_sets(sets: list[np.ndarray], *, threshold: float = 0.5, chunk: int = 128,
                    min_size: int = 1) -> list[list[int]]:
    """Positions of texts, given their distinct term columns (term_columns), grouped by similar wording (cosine of
    their term sets ≥ threshold), by star clustering: the text alike to the most others (ties: the earliest) is a
    group's centre and its neighbours not taken yet are the group, then the next best-connected text left. Unlike
    linking transitively (connected components), this never chains a long series of slightly different questions
    into one giant group. Groups smaller than `min_size` are left out (texts alike to fewer than min_size - 1 others
    are never centres).

    Texts with the same terms are alike to exactly the same texts, so they are counted once with their number
    (a "unit"): the same degrees, the same centres in the same order, the same groups as comparing every text
    with every other (tests/unit/test_help_text.py compares both on random wordings). Degrees come from the same
    float32 products as before, a chunk of units at a time over the scope's own columns (memory in proportion to
    the texts); a centre's neighbours from counting its shared terms against min_shared, the same test."""
    n = len(sets)
    if n == 0:
        return []
    lengths = np.fromiter((len(c) for c in sets), dtype=np.int64, count=n)
    need = min_shared(int(lengths.max()), threshold)
    merge = (lengths > 0) & (need[lengths, lengths] <= lengths)  # alike to itself, so to its copies
    unit_of = np.empty(n, dtype=np.int64)
    keys: dict[bytes, int] = {}
    unit_sets: list[np.ndarray] = []
    for i, c in enumerate(sets):
        if merge[i]:
            u = keys.setdefault(c.tobytes(), len(unit_sets))
            if u == len(unit_sets):
                unit_sets.append(c)
        else:
            u = len(unit_sets)
            unit_sets.append(c)
        unit_of[i] = u
    units = len(unit_sets)
    counts = np.bincount(unit_of, minlength=units)
    first = np.full(units, n, dtype=np.int64)
    np.minimum.at(first, unit_of, np.arange(n))
    unit_len = np.fromiter((len(c) for c in unit_sets), dtype=np.int64, count=units)
    flat = np.concatenate(unit_sets) if unit_len.sum() else np.zeros(0, dtype=np.int32)
    _, local = np.unique(flat, return_inverse=True)  # the scope's own columns, few
    rows = np.repeat(np.arange(units), unit_len)
    # Weighted as the cosine needs (each term 1/sqrt(terms) in float32): a chunk's product is the similarities, the
    # very float32 sums of comparing each text with each other.
    x = sparse.csr_matrix((_weights(unit_len)[rows], (rows, local.ravel())),
                          shape=(units, int(local.max(initial=-1)) + 1), dtype=np.float32)
    xt = x.T.tocsr()
    del flat, local, rows
    degree = _degrees(x, xt, counts, threshold=threshold, chunk=chunk)
    taken = np.zeros(units, dtype=bool)
    centres = []  # (centre unit, member units)
    for centre in np.lexsort((first, -degree)).tolist():
        if degree[centre] < min_size:
            break
        if taken[centre]:
            continue
        cols = x.indices[x.indptr[centre]:x.indptr[centre + 1]]
        overlap = np.bincount(np.concatenate([xt.indices[xt.indptr[c]:xt.indptr[c + 1]] for c in cols.tolist()]),
                              minlength=units) if len(cols) else np.zeros(units, dtype=np.int64)
        members = np.flatnonzero((overlap > 0) & (overlap >= need[unit_len[centre], unit_len]) & ~taken)
        size = int(counts[members].sum()) + (0 if centre in members else 1)
        if size >= min_size:
            taken[members] = True
            taken[centre] = True
            centres.append((centre, members))
    positions: list[list[int]] = [[] for _ in range(units)]
    for i, u in enumerate(unit_of.tolist()):
        positions[u].append(i)
    groups = []
    for centre, members in centres:
        group = {first[centre].item()}
        for u in members.tolist():
            group.update(positions[u])
        groups.append(sorted(group))
    if min_size <= 1:
        groups += [[i] for u in np.flatnonzero(~taken).tolist() for i in positions[u]]
    return sorted(groups, key=lambda g: g[0])


class ScopeGrouping:
    """group_term_sets kept up to date for one scope whose texts come and go (new requests arrive, old ones leave
    the window): the same groups, exactly (tests/unit/test_help_text.py checks it against group_term_sets after
    random arrivals and departures), at the cost of what changed. A unit's degree is the number of texts alike to
    it, so a unit whose number of texts changes by d moves the degree of each unit alike to it by d: one row of
    shared terms per changed unit instead of every pair again; then the centres are chosen again. Units no text
    has any more are dropped when they outnumber the rest."""

    def __init__(self, *, threshold: float, min_size: int, chunk: int = 128):
        self.threshold, self.min_size, self.chunk = threshold, min_size, chunk
        self._reset()

    def _reset(self) -> None:
        self.unit_of: dict[bytes, int] = {}
        self.units = 0
        self.pending: list[np.ndarray] = []  # the term columns of units not in x yet
        self.column_of: dict[int, int] = {}
        self.count = np.zeros(0, dtype=np.int64)
        self.degree = np.zeros(0, dtype=np.int64)
        self.lengths = np.zeros(0, dtype=np.int64)
        self.need = min_shared(0, self.threshold)
        self.x = self.xt = None

    def _build(self) -> None:
        """The pending units' rows added to x (weighted as for the cosine, over the scope's own columns)."""
        new, self.pending = self.pending, []
        lengths = np.fromiter((len(c) for c in new), dtype=np.int64, count=len(new))
        for c in new:
            for col in c.tolist():
                self.column_of.setdefault(col, len(self.column_of))
        local = np.fromiter((self.column_of[col] for c in new for col in c.tolist()), dtype=np.int64,
                            count=int(lengths.sum()))
        rows = np.repeat(np.arange(len(new)), lengths)
        part = sparse.csr_matrix((_weights(lengths)[rows], (rows, local)),
                                 shape=(len(new), len(self.column_of)), dtype=np.float32)
        if self.x is None:
            self.x = part
        else:
            self.x.resize((self.x.shape[0], len(self.column_of)))
            self.x = sparse.vstack([self.x, part], format="csr")
        self.lengths = np.concatenate([self.lengths, lengths])
        self.xt = self.x.T.tocsr()

    def _alike(self, u: int) -> np.ndarray:
        """The units alike to unit u (itself included)."""
        cols = self.x.indices[self.x.indptr[u]:self.x.indptr[u + 1]].tolist()
        if not cols:
            return np.zeros(0, dtype=np.int64)
        overlap = np.bincount(np.concatenate([self.xt.indices[self.xt.indptr[c]:self.xt.indptr[c + 1]]
                                              for c in cols]), minlength=self.units)
        return np.flatnonzero((overlap > 0) & (overlap >= self.need[self.lengths[u], self.lengths]))

    def groups(self, sets: list[np.ndarray]) -> list[list[int]]:
        """Positions of `sets` grouped as group_term_sets(sets, ...) groups them."""
        n = len(sets)
        lengths = np.fromiter((len(c) for c in sets), dtype=np.int64, count=n)
        longest = int(lengths.max(initial=0))
        if longest >= self.need.shape[0]:
            self.need = min_shared(longest, self.threshold)  # the same entries, for longer texts too
        self_alike = self.need[lengths, lengths] <= lengths
        if self.min_size < 2 or not self_alike[lengths > 0].all():  # singletons, or copies not alike: as before
            return group_term_sets(sets, threshold=self.threshold, chunk=self.chunk, min_size=self.min_size)
        before = self.units
        unit_of = np.empty(n, dtype=np.int64)
        for i, c in enumerate(sets):
            u = self.unit_of.setdefault(c.tobytes(), self.units)
            if u == self.units:
                self.pending.append(c)
                self.units += 1
            unit_of[i] = u
        units = self.units
        count = np.bincount(unit_of, minlength=units)
        old = np.zeros(units, dtype=np.int64)
        old[:before] = self.count
        if units > before:
            self._build()
        degree = np.zeros(units, dtype=np.int64)
        degree[:before] = self.degree
        changed = np.flatnonzero(count != old)
        if len(changed) > units // 4:  # much changed: every unit's degree from the chunked products
            degree = _degrees(self.x, self.xt, count, threshold=self.threshold, chunk=self.chunk)
        else:
            for u in range(before, units):
                degree[u] = old[self._alike(u)].sum()
            for v in changed.tolist():
                degree[self._alike(v)] += count[v] - old[v]
        self.count, self.degree = count, degree
        first = np.full(units, n, dtype=np.int64)
        np.minimum.at(first, unit_of, np.arange(n))
        live = count > 0
        taken = ~live
        centres = []
        for centre in np.lexsort((first, -degree)).tolist():
            if degree[centre] < self.min_size:
                break
            if taken[centre]:
                continue
            members = self._alike(centre)
            members = members[~taken[members]]
            if int(count[members].sum()) >= self.min_size:
                taken[members] = True
                centres.append(members)
        if 2 * int(live.sum()) < units:  # mostly units no text has any more: start again small
            self._reset()
        positions: list[list[int]] = [[] for _ in range(units)]
        for i, u in enumerate(unit_of.tolist()):
            positions[u].append(i)
        return sorted((sorted(i for u in members.tolist() for i in positions[u]) for members in centres),
                      key=lambda g: g[0])


def _degrees(x, xt, counts: np.ndarray, *, threshold: float, chunk: int) -> np.ndarray:
    """Each unit's degree: the texts (counts) of the units whose float32 cosine with it is ≥ threshold."""
    units = x.shape[0]
    degree = np.zeros(units, dtype=np.int64)
    for start in range(0, units, chunk):
        sims = (x[start:start + chunk] @ xt).tocsr()
        above = np.flatnonzero(sims.data >= threshold)  # few of the products: rows found for these only
        row_of = np.searchsorted(sims.indptr, above, side="right") - 1
        degree[start:start + sims.shape[0]] = np.bincount(row_of, weights=counts[sims.indices[above]],
                                                          minlength=sims.shape[0]).astype(np.int64)
    return degree


def central_of_sets(sets: list[np.ndarray]) -> int:
    """The position of the term set that shares the most terms with the others (the group's most typical
    wording): central on texts already turned into term columns."""
    if len(sets) <= 2:
        return 0
    counts: dict[int, int] = {}
    lists = [s.tolist() for s in sets]
    for s in lists:
        for col in s:
            counts[col] = counts.get(col, 0) + 1
    scores = [sum(counts[c] for c in s) / (len(s) ** 0.5 or 1) for s in lists]
    return int(np.argmax(scores))


def central(texts: list[str]) -> int:
    """The position of the text that shares the most terms with the others (the group's most typical wording)."""
    return central_of_sets([term_columns(t) for t in texts]) if len(texts) > 2 else 0


# ---- the known answers' terms, kept by the database (known_answer_terms) -----------------------------------------


def term_hashes(text: str) -> np.ndarray:
    """The distinct terms of a text as 31-bit hashes, ascending (int64): what known_answer_terms stores."""
    hashed = {zlib.crc32(t.encode("utf-8")) & 0x7FFFFFFF for t in terms(text)}
    return np.fromiter(sorted(hashed), dtype=np.int64, count=len(hashed))


def known_answer_terms(known_answer_id: int, question: str, answer: str) -> list[dict]:
    """The known_answer_terms rows of one known answer."""
    return [{"term": int(t), "known_answer_id": known_answer_id}
            for t in term_hashes(known_answer_text(question, answer))]


MAX_POSTINGS = 6_000  # term rows a search reads at most: the rarest terms of the question, as many as fit


def choose_terms(df: dict[int, int]) -> list[int]:
    """The rarest terms whose postings together stay within MAX_POSTINGS (at least the rarest one)."""
    chosen, total = [], 0
    for term, count in sorted(df.items(), key=lambda kv: (kv[1], kv[0])):
        if chosen and total + count > MAX_POSTINGS:
            break
        chosen.append(term)
        total += count
    return chosen


@dataclass(frozen=True)
class Hit:
    id: int
    score: int  # 0..100


def rerank(text: str, candidates: list[tuple[int, float, str]]) -> list[Hit]:
    """Blend the index's score with rapidfuzz's on the question's wording; 0..100, best first."""
    hits = []
    for kid, score, question in candidates:
        wording = fuzz.token_set_ratio(text.lower(), question.lower()) / 100.0
        blended = round(100 * min(1.0, 0.6 * min(score, 1.0) + 0.4 * wording))
        if blended >= MIN_SCORE:
            hits.append(Hit(kid, blended))
    hits.sort(key=lambda h: (-h.score, -h.id))
    return hits
