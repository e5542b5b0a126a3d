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


def similar_groups(texts: list[str], *, threshold: float = 0.5, chunk: int = 128,
                   min_size: int = 1) -> list[list[int]]:
    """Positions of `texts` grouped by similar wording (cosine of their term sets ≥ threshold), by star clustering:
    the text alike to the most others is a group's centre and its neighbours not taken yet are the group, then the
    next best-connected text left. Unlike linking transitively (connected components), this never chains a long
    series of slightly different questions into one giant group. Groups smaller than `min_size` are left out
    (texts alike to fewer than min_size - 1 others are never centres). Memory stays in proportion to the texts:
    the similarities are counted a chunk of rows at a time, and only a centre's own row is computed again."""
    n = len(texts)
    if n == 0:
        return []
    rows, cols = [], []
    for i, text in enumerate(texts):
        c = term_columns(text)
        rows.append(np.full(len(c), i, dtype=np.int32))
        cols.append(c)
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    del rows, cols
    lengths = np.bincount(r, minlength=n).astype(np.float32)
    weights = 1.0 / np.sqrt(np.maximum(lengths, 1.0))
    x = sparse.csr_matrix((weights[r], (r, c)), shape=(n, COLUMNS), dtype=np.float32)
    del r, c
    xt = x.T.tocsr()
    degree = np.zeros(n, dtype=np.int64)
    for start in range(0, n, chunk):
        sims = (x[start:start + chunk] @ xt).tocsr()
        above = sims.data >= threshold
        row_of = np.repeat(np.arange(sims.shape[0]), np.diff(sims.indptr))
        degree[start:start + sims.shape[0]] = np.bincount(row_of[above], minlength=sims.shape[0])
    taken = np.zeros(n, dtype=bool)
    groups = []
    for centre in np.argsort(-degree, kind="stable").tolist():
        if degree[centre] < min_size:
            break
        if taken[centre]:
            continue
        sims = (x[centre] @ xt).tocsr()
        members = sims.indices[sims.data >= threshold]
        members = members[~taken[members]]
        group = sorted({centre, *members.tolist()})
        if len(group) >= min_size:
            taken[group] = True
            groups.append(group)
    if min_size <= 1:
        groups += [[i] for i in np.flatnonzero(~taken).tolist()]
    return sorted(groups, key=lambda g: g[0])


def central(texts: list[str]) -> int:
    """The position of the text that shares the most terms with the others (the group's most typical wording)."""
    if len(texts) <= 2:
        return 0
    sets = [set(term_columns(t).tolist()) for t in texts]
    counts: dict[int, int] = {}
    for s in sets:
        for col in s:
            counts[col] = counts.get(col, 0) + 1
    scores = [sum(counts[c] for c in s) / (len(s) ** 0.5 or 1) for s in sets]
    return int(np.argmax(scores))


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
