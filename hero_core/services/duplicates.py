"""Duplicates: similar ideas suggested while someone proposes, and a manager merging a duplicate into its original.

Suggestions come from a TF-IDF index over title (counted three times), roadblock and proposal of every visible idea
(not drafts, not merged duplicates), kept in memory per Database and keyed on the data version (hero_core.cache;
every change of an idea also bumps the idea's own version, and a full check of those runs every few minutes).
When the version moves, only
the ideas changed since the last look are re-read and go into a small "fresh" part of the index; the large
part is a sparse matrix rebuilt only when the fresh part grows big. The best TF-IDF candidates are re-ranked
with rapidfuzz so near-identical wording scores highest, on their title and roadblock read from the database
then: the index keeps only compact term counts and their weights and no texts (measured:
docs/measurements.md).

A merge moves the duplicate's supporters, followers and comments to the original (nobody supports twice), credits
both submitters, takes the duplicate out of the live queues, and records exactly what moved so an admin can undo it.
"""

from __future__ import annotations

import json
import re
import threading
import time
from array import array
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from rapidfuzz import fuzz
from scipy import sparse
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from hero_core import cache, permissions
from hero_core.db import Database
from hero_core.errors import InvalidInput, MissingInformation, NotFound, StaleIdea, TransitionNotAllowed
from hero_core.infra import indexes, memory
from hero_core.models import Comment, Idea, IdeaFollow, IdeaMerge, IdeaSupport, Team, User
from hero_core.services import notifications
from hero_core.services.common import clean_text, load_actor
from hero_core.services.social import _audit, idea_facts, load_visible, may_merge_idea, notify_followers
from hero_core.vocab import State

# ---- text to terms -----------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP = frozenset("""a an and are as at be been but by can could do does for from had has have he her his how i if in
into is it its just me more most my no not of on or our out over she so some than that the their them then there
these they this those to too up us was we were what when where which who why will with would you your""".split())  # noqa: SIM905 (a word list reads better as words)


def _stem(word: str) -> str:
    # Light and predictable: plural and common verb endings, so "calls/call/calling" meet.
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: len(word) - len(suffix)] + keep
    return word


_TERM_OF: dict[str, str] = {}  # word -> term ("" for a stop word); words repeat, so each is worked out once


def _term(word: str) -> str:
    term = _TERM_OF.get(word)
    if term is None:
        term = "" if word in _STOP or (len(word) == 1 and not word.isdigit()) else _stem(word)
        if len(_TERM_OF) < 500_000:
            _TERM_OF[word] = term
    return term


def terms(text: str) -> list[str]:
    get = _TERM_OF.get
    out = []
    for w in _WORD.findall(text.lower()):
        t = get(w)
        if t is None:
            t = _term(w)
        if t:
            out.append(t)
    return out


def _doc_counts(title: str, roadblock: str, proposal: str) -> Counter:
    title_terms = terms(title)
    # A title says what the idea is about most densely: its words count three times.
    return Counter(terms(roadblock) + terms(proposal) + title_terms * 3)


# ---- the index ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimilarIdea:
    id: int
    title: str
    state: str
    team_code: str
    score: int  # 0..100


REBUILD_AFTER = 2_000  # fresh documents before the matrix is rebuilt
RECONCILE_SECONDS = 300.0  # how often the full (slower) check of every idea's version runs
MIN_SCORE = 20
LOAD_BATCH = 1_000  # ideas whose words the first load holds as Python objects at once
BUILD_BATCH = 2_048  # rows weighted or moved at once (bounds the temporaries of a build)
MAX_COUNT = 65_535  # counts are kept as uint16: a term of one idea (texts of up to 10,000 characters) stays below


def _counts_array(values, n: int) -> np.ndarray:
    return np.minimum(np.fromiter(values, dtype=np.int64, count=n), MAX_COUNT).astype(np.uint16)


class _Versions:
    """Idea id -> version seen, for every idea (drafts too). The first load's ideas sit in two sorted arrays (a dict
    of that many Python ints weighs far more; measured: docs/measurements.md); ideas first seen later go into
    a small dict."""

    def __init__(self, ids=(), versions=()) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        order = np.argsort(ids, kind="stable")
        self.ids = ids[order]
        self.values = np.asarray(versions, dtype=np.int64)[order]
        self.later: dict[int, int] = {}

    def _at(self, idea_id: int) -> int:
        i = int(np.searchsorted(self.ids, idea_id))
        return i if i < len(self.ids) and self.ids[i] == idea_id else -1

    def get(self, idea_id: int) -> int | None:
        i = self._at(idea_id)
        return int(self.values[i]) if i >= 0 else self.later.get(idea_id)

    def __setitem__(self, idea_id: int, version: int) -> None:
        i = self._at(idea_id)
        if i >= 0:
            self.values[i] = version
        else:
            self.later[idea_id] = version

    def __len__(self) -> int:
        return len(self.ids) + len(self.later)

    def total(self) -> int:
        return int(self.values.sum()) + sum(self.later.values())


class SimilarityIndex:
    """In-memory TF-IDF index of one database's visible ideas (see the module docstring).

    Every visible idea's raw term counts stay in memory so that a rebuild needs no re-read: those of the matrix rows
    as one CSR (int32 columns, uint16 counts) whose columns are also the weighted matrix's, those of ideas changed
    since in `loose`. No titles or texts are kept: a search reads its few candidates' current ones from the
    database.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rebuilds = 0
        self.reconcile_seconds = RECONCILE_SECONDS
        self._reset()

    def _reset(self) -> None:
        self.version: tuple | None = None  # hero_core.cache.data_version when the index last caught up
        self.size = (0, 0)  # (ideas, highest id) then
        self.watermark: datetime | None = None
        self.reconciled_at = 0.0
        self.versions = _Versions()  # every idea (drafts too) -> version seen
        self.vocab: dict[str, int] = {}
        self.df = np.zeros(1024, dtype=np.int64)  # documents per term column
        self.matrix: sparse.csr_matrix | None = None  # rows: self.row_ids; tf-idf, L2-normalised
        self.row_ids = np.zeros(0, dtype=np.int64)  # ascending once the matrix is built
        self.row_alive = np.zeros(0, dtype=bool)
        self.alive = 0  # rows still alive
        # Row r's term columns and counts: cols[indptr[r]:indptr[r + 1]] and tfs[indptr[r]:indptr[r + 1]].
        self.indptr = np.zeros(1, dtype=np.int64)
        self.cols = np.zeros(0, dtype=np.int32)
        self.tfs = np.zeros(0, dtype=np.uint16)
        self.loose: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # idea id -> (cols, counts), not in the matrix
        self.fresh: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # the same ideas -> (cols, weights), for searches

    # -- weights
    def _idf(self, cols: np.ndarray) -> np.ndarray:
        n = max(1, self.alive + len(self.loose))
        return np.log((1.0 + n) / (1.0 + self.df[cols])) + 1.0

    def _weighted(self, cols: np.ndarray, tfs: np.ndarray) -> np.ndarray:
        w = (1.0 + np.log(tfs.astype(np.float64))) * self._idf(cols)
        norm = float(np.sqrt(np.dot(w, w))) or 1.0
        return (w / norm).astype(np.float32)

    def _columns(self, counts: Counter) -> tuple[np.ndarray, np.ndarray]:
        vocab = self.vocab
        cols = np.empty(len(counts), dtype=np.int32)
        for i, term in enumerate(counts):
            col = vocab.get(term)
            if col is None:
                col = vocab[term] = len(vocab)
            cols[i] = col
        if len(vocab) > len(self.df):
            self.df = np.concatenate([self.df, np.zeros(max(len(vocab), len(self.df)), dtype=np.int64)])
        return cols, _counts_array(counts.values(), len(counts))

    # -- keeping up with the database
    def _size(self, s: Session) -> tuple[int, int]:
        """(how many ideas, highest id): an incremental catch-up is only right while neither went down."""
        count, max_id = s.execute(select(
            select(func.count()).select_from(Idea).scalar_subquery(),
            select(func.max(Idea.id)).scalar_subquery(),
        )).one()
        return int(count or 0), int(max_id or 0)

    def _versions_agree(self, s: Session) -> bool:
        total = s.execute(select(func.count(), func.sum(Idea.version))).one()
        return (len(self.versions), self.versions.total()) == (total[0], total[1] or 0)

    def _rows(self, s: Session, since: datetime | None):
        # In id order, the matrix's row order: a first build then needs no reordered copy of its counts
        # (measured: docs/measurements.md). The order also fixes the term columns, and so the last bit of
        # every weight and score.
        stmt = (select(Idea.id, Idea.version, Idea.state, Idea.merged_into_id, Idea.title, Idea.roadblock,
                       Idea.proposal, Idea.updated_at).order_by(Idea.id))
        if since is not None:
            stmt = stmt.where(Idea.updated_at >= since)
        return s.execute(stmt.execution_options(yield_per=5_000))

    def _row(self, idea_id: int) -> int | None:
        """The matrix row of an idea still alive in it."""
        i = int(np.searchsorted(self.row_ids, idea_id))
        return i if i < len(self.row_ids) and self.row_ids[i] == idea_id and self.row_alive[i] else None

    def _put(self, row, *, counting: bool) -> bool:
        """Take in one idea row; True when it is a visible idea whose text was (re)read."""
        idea_id, version, state, merged_into, title, roadblock, proposal, updated_at = row
        if self.watermark is None or updated_at > self.watermark:
            self.watermark = updated_at
        if self.versions.get(idea_id) == version:
            return False  # seen as it is (a row at the watermark instant comes back on every look)
        self.versions[idea_id] = version
        self._drop(idea_id)
        if state == State.DRAFT.value or merged_into is not None:
            return False
        cols, counts = self._columns(_doc_counts(title, roadblock, proposal))
        self.loose[idea_id] = (cols, counts)
        if counting:
            self.df[cols] += 1
        return True

    def _bulk_load(self, s: Session) -> None:
        """Read every idea once, a batch at a time: words become term columns through one cache and a batch's counts
        come from one sort, so only one batch's words are ever Python objects (all at once they took many
        times the memory; measured: docs/measurements.md). The rows stay in reading order: _build_matrix puts
        them in id order."""
        vocab = self.vocab
        col_of = _WordColumns(vocab).__getitem__
        every_id, every_version, ids = array("q"), array("q"), array("q")
        # Grown in place (a big block is remapped, not copied), so no per-batch pieces are left to fragment the heap.
        pairs, all_cols, all_tfs = array("q"), array("i"), array("H")  # per idea: how many (column, count) pairs
        batch: list[int] = []
        lengths: list[int] = []

        def count_batch() -> None:
            for buffer, part in zip((pairs, all_cols, all_tfs), _batch_counts(batch, lengths, max(1, len(vocab))),
                                    strict=True):
                buffer.frombytes(memoryview(part).cast("B"))

        for row in self._rows(s, None):
            idea_id, version, state, merged_into, title, roadblock, proposal, updated_at = row
            every_id.append(idea_id)
            every_version.append(version)
            if self.watermark is None or updated_at > self.watermark:
                self.watermark = updated_at
            if state == State.DRAFT.value or merged_into is not None:
                continue
            ids.append(idea_id)
            before = len(batch)
            # The title three times: it says what the idea is about most densely.
            batch += map(col_of, _WORD.findall(f"{title} {title} {title} {roadblock} {proposal}".lower()))
            lengths.append(len(batch) - before)
            if len(lengths) == LOAD_BATCH:
                count_batch()
                batch, lengths = [], []
        count_batch()
        self.versions = _Versions(every_id, every_version)
        self.row_ids = np.asarray(ids, dtype=np.int64)
        self.row_alive = np.ones(len(ids), dtype=bool)
        self.alive = len(ids)
        self.indptr = np.concatenate([[0], np.cumsum(np.frombuffer(pairs, dtype=np.int64))]).astype(np.int64)
        self.cols = np.frombuffer(all_cols, dtype=np.int32)
        self.tfs = np.frombuffer(all_tfs, dtype=np.uint16)
        self.df = np.zeros(max(1024, 2 * len(vocab)), dtype=np.int64)  # _build_matrix counts them

    def _drop(self, idea_id: int) -> None:
        loose = self.loose.pop(idea_id, None)
        if loose is not None:
            self.df[loose[0]] -= 1
            self.fresh.pop(idea_id, None)
            return
        row = self._row(idea_id)
        if row is not None:
            self.df[self.cols[self.indptr[row]:self.indptr[row + 1]]] -= 1
            self.row_alive[row] = False
            self.alive -= 1

    def _in_id_order(self) -> None:
        """Gather the raw counts of every visible idea (alive rows and loose ideas) into one CSR in idea-id order, a
        batch of rows at a time."""
        keep = np.flatnonzero(self.row_alive)
        loose = list(self.loose.values())
        ids = np.concatenate([self.row_ids[keep], np.fromiter(self.loose, dtype=np.int64, count=len(loose))])
        if not loose and len(keep) == len(self.row_ids) and bool(np.all(ids[1:] > ids[:-1])):
            return  # so already
        loose_lengths = np.fromiter((len(c) for c, _ in loose), dtype=np.int64, count=len(loose))
        loose_cols = np.concatenate([c for c, _ in loose] + [np.zeros(0, dtype=np.int32)])
        loose_tfs = np.concatenate([t for _, t in loose] + [np.zeros(0, dtype=np.uint16)])
        starts = np.concatenate([self.indptr[keep], np.cumsum(loose_lengths) - loose_lengths])
        lengths = np.concatenate([np.diff(self.indptr)[keep], loose_lengths])
        order = np.argsort(ids, kind="stable")
        ids, starts, lengths, from_rows = ids[order], starts[order], lengths[order], order < len(keep)
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        cols = np.empty(int(indptr[-1]), dtype=np.int32)
        tfs = np.empty(int(indptr[-1]), dtype=np.uint16)
        for r0 in range(0, len(ids), BUILD_BATCH):
            r1 = min(len(ids), r0 + BUILD_BATCH)
            lo, hi = int(indptr[r0]), int(indptr[r1])
            at = np.repeat(starts[r0:r1] - (indptr[r0:r1] - lo), lengths[r0:r1]) + np.arange(hi - lo)  # source
            mine = np.repeat(from_rows[r0:r1], lengths[r0:r1])  # from the old rows (else from `loose`)
            c, t = cols[lo:hi], tfs[lo:hi]
            c[mine], t[mine] = self.cols[at[mine]], self.tfs[at[mine]]
            c[~mine], t[~mine] = loose_cols[at[~mine]], loose_tfs[at[~mine]]
        self.row_ids, self.indptr, self.cols, self.tfs = ids, indptr, cols, tfs
        self.row_alive = np.ones(len(ids), dtype=bool)
        self.alive = len(ids)
        self.loose = {}

    def _build_matrix(self) -> None:
        """Weight every visible idea's counts into a new row-major matrix, a batch of rows at a time. Its column
        indices are the raw counts' own term columns (one array for both), so the matrix adds only its
        weights; a column-major copy would double that for a barely faster search (measured:
        docs/measurements.md)."""
        self.matrix = None  # its memory goes to the new one (searches wait for the lock meanwhile)
        self._in_id_order()
        indptr, cols, n, width = self.indptr, self.cols, len(self.row_ids), max(1, len(self.vocab))
        self.df = np.bincount(cols, minlength=len(self.df)).astype(np.int64)
        data = np.empty(len(cols), dtype=np.float32)
        for r0 in range(0, n, BUILD_BATCH):
            r1 = min(n, r0 + BUILD_BATCH)
            a, b = int(indptr[r0]), int(indptr[r1])
            if a == b:
                continue
            w = (1.0 + np.log(self.tfs[a:b].astype(np.float64))) * self._idf(cols[a:b])
            lengths = np.diff(indptr[r0:r1 + 1])
            norms = np.ones(r1 - r0)
            norms[lengths > 0] = np.sqrt(np.add.reduceat(w * w, indptr[r0:r1][lengths > 0] - a))
            data[a:b] = w / np.repeat(norms, lengths)
        self.matrix = sparse.csr_matrix((data, cols, indptr), shape=(n, width))
        self.cols = self.matrix.indices  # the same array unless scipy had to change its type
        self.fresh = {}
        self.rebuilds += 1

    def refresh(self, s: Session) -> None:
        """Bring the index up to the database's data version (hero_core.cache: incrementally when it can)."""
        version = cache.data_version(s)
        due = time.monotonic() - self.reconciled_at >= self.reconcile_seconds
        if version == self.version and not due:
            return
        try:
            self._catch_up(s, version, due)
        except BaseException:
            self._reset()  # half taken in: the next look starts over
            raise

    def _catch_up(self, s: Session, version: tuple, due: bool) -> None:
        size = self._size(s)
        incremental = (self.version is not None and self.watermark is not None
                       and size[0] >= self.size[0] and size[1] >= self.size[1])
        changed: list[int] = []
        if incremental:
            changed = [row[0] for row in self._rows(s, self.watermark) if self._put(row, counting=True)]
            if due:
                # A change stamped before the watermark (a clock set back) is invisible above: this finds it.
                incremental = self._versions_agree(s)
                self.reconciled_at = time.monotonic()
        if not incremental:
            self._reset()
            self._bulk_load(s)
            self._build_matrix()
            self.reconciled_at = time.monotonic()
            memory.collect_garbage()  # now, at the end of a build of seconds, not in the next keystroke
        elif len(self.fresh) + len(changed) > REBUILD_AFTER:
            self._build_matrix()
        else:
            for idea_id in changed:
                cols, tfs = self.loose[idea_id]
                self.fresh[idea_id] = (cols, self._weighted(cols, tfs))
        self.version, self.size = version, size

    # -- asking
    def search(self, s: Session, text: str, *, limit: int, exclude: set[int]) -> list[SimilarIdea]:
        """The visible ideas most like `text`, best first. The best TF-IDF candidates are re-ranked on their title
        and roadblock as they are now, read in one query (the index keeps no texts)."""
        qcounts = Counter(terms(text))
        known = Counter({t: n for t, n in qcounts.items() if t in self.vocab})
        if not known:
            return []
        qcols = np.fromiter((self.vocab[t] for t in known), dtype=np.int64, count=len(known))
        qw = self._weighted(qcols, np.fromiter(known.values(), dtype=np.float64, count=len(known)))
        pool = max(limit * 6, 30)
        candidates: list[tuple[float, int]] = []
        if self.matrix is not None and self.matrix.shape[0]:
            inside = qcols < self.matrix.shape[1]
            if inside.any():
                dense = np.zeros(self.matrix.shape[1], dtype=np.float32)
                dense[qcols[inside]] = qw[inside]
                scores = self.matrix @ dense
                scores[~self.row_alive] = 0.0
                k = min(pool, len(scores))
                top = np.argpartition(-scores, k - 1)[:k]
                candidates.extend((float(scores[i]), int(self.row_ids[i])) for i in top if scores[i] > 0)
        if self.fresh:
            query = dict(zip(qcols.tolist(), qw.tolist(), strict=True))
            for idea_id, (cols, weights) in self.fresh.items():
                score = sum(query.get(c, 0.0) * w for c, w in zip(cols.tolist(), weights.tolist(), strict=True))
                if score > 0:
                    candidates.append((score, idea_id))
        candidates.sort(reverse=True)
        picked = [(score, idea_id) for score, idea_id in candidates[:pool] if idea_id not in exclude]
        if not picked:
            return []
        current = {row[0]: row for row in s.execute(_CANDIDATES, {"ids": [idea_id for _, idea_id in picked]})}
        query_text = " ".join(qcounts)
        out: list[tuple[float, int]] = []
        for score, idea_id in picked:
            if idea_id not in current:
                continue  # deleted since the index looked
            _, title, roadblock, _, _ = current[idea_id]
            wording = fuzz.token_set_ratio(query_text, " ".join(terms(f"{title} {roadblock[:300]}"))) / 100.0
            out.append((0.75 * score + 0.25 * wording, idea_id))
        out.sort(reverse=True)
        results = []
        for score, idea_id in out:
            pct = min(100, round(score * 100))
            if pct < MIN_SCORE or len(results) >= limit:
                break
            _, title, _, state, team_code = current[idea_id]
            results.append(SimilarIdea(idea_id, title, state, team_code, pct))
        return results


_CANDIDATES = (select(Idea.id, Idea.title, Idea.roadblock, Idea.state, Team.code).join(Team, Team.id == Idea.team_id)
               .where(Idea.id.in_(bindparam("ids", expanding=True))))


class _WordColumns(dict):
    """Word -> term column (-1: a stop word), each worked out on first sight."""

    def __init__(self, vocab: dict[str, int]) -> None:
        super().__init__()
        self.vocab = vocab

    def __missing__(self, word: str) -> int:
        term = _term(word)
        col = self[word] = -1 if not term else self.vocab.setdefault(term, len(self.vocab))
        return col


def _batch_counts(cols: list[int], lengths: list[int], width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One batch of ideas' words as term columns (-1: a stop word) -> (pairs per idea, columns, counts), the
    columns ascending within an idea, from one sort."""
    cols_arr = np.fromiter(cols, dtype=np.int32, count=len(cols))
    idea = np.repeat(np.arange(len(lengths), dtype=np.int64), np.asarray(lengths, dtype=np.int64))
    keep = cols_arr >= 0
    keys, counts = np.unique(idea[keep] * width + cols_arr[keep], return_counts=True)
    per_idea = np.bincount(keys // width, minlength=len(lengths)).astype(np.int64)
    return per_idea, (keys % width).astype(np.int32), np.minimum(counts, MAX_COUNT).astype(np.uint16)


#: The similarity index of each Database (hero_core.infra.indexes).
index_for: indexes.PerDatabase[Database, SimilarityIndex] = indexes.PerDatabase(SimilarityIndex)
_INDEXES = index_for.values  # the old name of the same mapping (a test drops an index through it)


#: The longest text suggest_similar compares: an idea's own title and two texts (200 + 2 x 10,000 characters) and
#: the search box's 200, with room to spare. A longer text is refused, not cut: each character costs time.
SEARCH_MAX_CHARS = 21_000


def suggest_similar(db: Database, text: str, *, limit: int = 5, exclude_ids=()) -> list[SimilarIdea]:
    """Existing ideas (not drafts, not merged duplicates) most like `text`, best first, each scored 0-100.

    Fast enough to run as a person types: the index lives in memory and is refreshed incrementally. A text
    longer than SEARCH_MAX_CHARS is refused (InvalidInput).
    """
    if not isinstance(text, str) or not text.strip():
        return []
    if len(text) > SEARCH_MAX_CHARS:
        raise InvalidInput(f"The text to look for similar ideas is too long ({len(text):,} characters): at most "
                           f"{SEARCH_MAX_CHARS:,} are compared. Shorten it and look again.")
    limit = max(1, min(int(limit), 50))
    index = index_for(db)
    with index.lock, db.read() as s:
        index.refresh(s)
        return index.search(s, text, limit=limit, exclude={int(i) for i in exclude_ids})


WARM_THREAD = "hero-similarity-index"  # the background build's thread


def warm(db: Database) -> None:
    """Build the index in the background if it has never been built (the first build of a large database takes
    seconds; a person starting to describe an idea gives it that time). Returns at once."""
    index = index_for(db)
    if index.version is not None:
        return

    def build() -> None:
        with index.lock:
            if index.version is None:
                with db.read() as s:
                    index.refresh(s)

    indexes.start_build(WARM_THREAD, index.lock, build)


# ---- merging -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeView:
    id: int
    duplicate_id: int
    duplicate_title: str
    original_id: int
    original_title: str
    merged_by_email: str
    merged_at: datetime
    reason: str
    undone_at: datetime | None
    moved: dict
    merged_by_name: str = ""  # what people read


def _iso(dt: datetime) -> str:
    return dt.isoformat()


def _from_iso(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _for_update(s: Session, idea_id: int) -> Idea:
    stmt = select(Idea).where(Idea.id == idea_id)
    if s.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Idea)
    idea = s.execute(stmt).unique().scalar()
    if idea is None:
        raise NotFound(f"There is no idea #{idea_id}.")
    return idea


def _touch(idea: Idea, now: datetime) -> None:
    idea.updated_at = now
    flag_modified(idea, "updated_at")  # the version moves on even when the clock has not


def merge_duplicate(db: Database, *, actor_id: int, duplicate_id: int, original_id: int, reason: str,
                    expected_version: int | None = None) -> int:
    """A manager of the duplicate's team merges it into the original, saying why (the reason goes in the audit
    trail and the merge history, and both submitters read it). Returns the merge's id."""
    reason, problem = clean_text(reason, "reason", required=False, max_len=2_000)
    if problem:
        raise InvalidInput(problem, fields={"reason": problem})
    if not reason:
        raise MissingInformation(f"A reason is required to merge idea #{duplicate_id} into idea #{original_id}: "
                                 "say what makes it the same idea.")
    with db.write() as s:
        actor = load_actor(s, actor_id)
        dup_view = load_visible(s, actor, duplicate_id)
        if original_id == duplicate_id:
            raise InvalidInput(f"idea #{duplicate_id} cannot be merged into itself; choose the original it repeats",
                               fields={"original_id": "same idea"})
        orig_view = load_visible(s, actor, original_id)
        permissions.require(actor, "merge_duplicate", idea_facts(dup_view))
        # Lock in id order so two merges touching the same pair cannot deadlock.
        locked = {i: _for_update(s, i) for i in sorted((dup_view.id, orig_view.id))}
        dup, orig = locked[dup_view.id], locked[orig_view.id]
        if expected_version is not None and dup.version != expected_version:
            raise StaleIdea(dup.id)
        if dup.merged_into_id is not None:
            raise TransitionNotAllowed(f"Idea #{dup.id} was already merged into idea #{dup.merged_into_id}.")
        if orig.state == State.DRAFT.value:
            raise TransitionNotAllowed(f"Idea #{orig.id} is a draft; only submitted ideas can take in duplicates.")
        if orig.merged_into_id is not None:
            raise TransitionNotAllowed(
                f"Idea #{orig.id} is itself a duplicate merged into idea #{orig.merged_into_id}; "
                f"merge into #{orig.merged_into_id} instead.")
        now = db.now()
        moved: dict = {"supports_moved": [], "supports_dropped": [], "support_added": [],
                       "follows_moved": [], "follows_dropped": [], "follow_added": [], "comments": []}
        orig_supporters = set(s.execute(select(IdeaSupport.user_id).where(IdeaSupport.idea_id == orig.id)).scalars())
        for row in s.execute(select(IdeaSupport).where(IdeaSupport.idea_id == dup.id)).scalars().all():
            keep = row.user_id not in orig_supporters and row.user_id != orig.submitter_id
            moved["supports_moved" if keep else "supports_dropped"].append([row.user_id, _iso(row.created_at)])
            s.delete(row)
            if keep:
                orig_supporters.add(row.user_id)
        s.flush()
        for user_id, created in moved["supports_moved"]:
            s.add(IdeaSupport(idea_id=orig.id, user_id=user_id, created_at=_from_iso(created)))
        if dup.submitter_id not in orig_supporters and dup.submitter_id != orig.submitter_id:
            # The duplicate's author hit the same roadblock: that is exactly what a support says.
            s.add(IdeaSupport(idea_id=orig.id, user_id=dup.submitter_id, created_at=now))
            moved["support_added"].append(dup.submitter_id)
        orig_followers = set(s.execute(select(IdeaFollow.user_id).where(IdeaFollow.idea_id == orig.id)).scalars())
        for row in s.execute(select(IdeaFollow).where(IdeaFollow.idea_id == dup.id)).scalars().all():
            keep = row.user_id not in orig_followers
            moved["follows_moved" if keep else "follows_dropped"].append([row.user_id, _iso(row.created_at)])
            s.delete(row)
            orig_followers.add(row.user_id)
        s.flush()
        for user_id, created in moved["follows_moved"]:
            s.add(IdeaFollow(idea_id=orig.id, user_id=user_id, created_at=_from_iso(created)))
        if dup.submitter_id not in orig_followers:
            s.add(IdeaFollow(idea_id=orig.id, user_id=dup.submitter_id, created_at=now))
            moved["follow_added"].append(dup.submitter_id)
        for comment in s.execute(select(Comment).where(Comment.idea_id == dup.id)).scalars():
            comment.idea_id = orig.id
            moved["comments"].append(comment.id)
        dup.merged_into_id = orig.id
        _touch(dup, now)
        merge = IdeaMerge(duplicate_id=dup.id, original_id=orig.id, merged_by=actor.id, merged_at=now,
                          reason=reason, moved_json=json.dumps(moved, sort_keys=True))
        s.add(merge)
        s.flush()
        summary = {"merge_id": merge.id, "supports_moved": len(moved["supports_moved"]),
                   "supports_dropped_as_double": len(moved["supports_dropped"]),
                   "comments_moved": len(moved["comments"]), "follows_moved": len(moved["follows_moved"])}
        _audit(s, db, actor, "merged_into", "idea", dup.id, {"merged_into": None, "version": dup.version - 1},
               {"merged_into": orig.id, "version": dup.version, **summary}, reason)
        _audit(s, db, actor, "absorbed_duplicate", "idea", orig.id, None, {"duplicate": dup.id, **summary}, reason)
        _notify_merge(s, db, actor, dup, orig, undone=False, reason=reason)
        return merge.id


def undo_merge(db: Database, *, actor_id: int, merge_id: int, reason: str = "") -> None:
    """An admin puts a merged duplicate back exactly as it was: its supporters, followers and comments return."""
    reason, problem = clean_text(reason, "reason", required=False, max_len=2_000)
    if problem:
        raise InvalidInput(problem, fields={"reason": problem})
    with db.write() as s:
        actor = load_actor(s, actor_id)
        permissions.require(actor, "undo_merge")
        merge = s.get(IdeaMerge, merge_id) if isinstance(merge_id, int) else None
        if merge is None:
            raise NotFound(f"There is no merge #{merge_id}.")
        if merge.undone_at is not None:
            raise TransitionNotAllowed(
                f"Merge #{merge.id} was undone already, on {merge.undone_at:%Y-%m-%d %H:%M} UTC.")
        locked = {i: _for_update(s, i) for i in sorted((merge.duplicate_id, merge.original_id))}
        dup, orig = locked[merge.duplicate_id], locked[merge.original_id]
        if dup.merged_into_id != orig.id:
            raise TransitionNotAllowed(f"Idea #{dup.id} is no longer merged into idea #{orig.id}.")
        moved = json.loads(merge.moved_json or "{}")
        back_supports = [u for u, _ in moved.get("supports_moved", [])] + list(moved.get("support_added", []))
        for user_id in back_supports:
            row = s.get(IdeaSupport, (orig.id, user_id))
            if row is not None:
                s.delete(row)
        back_follows = [u for u, _ in moved.get("follows_moved", [])] + list(moved.get("follow_added", []))
        for user_id in back_follows:
            row = s.get(IdeaFollow, (orig.id, user_id))
            if row is not None:
                s.delete(row)
        s.flush()
        for user_id, created in moved.get("supports_moved", []) + moved.get("supports_dropped", []):
            if s.get(IdeaSupport, (dup.id, user_id)) is None:
                s.add(IdeaSupport(idea_id=dup.id, user_id=user_id, created_at=_from_iso(created)))
        for user_id, created in moved.get("follows_moved", []) + moved.get("follows_dropped", []):
            if s.get(IdeaFollow, (dup.id, user_id)) is None:
                s.add(IdeaFollow(idea_id=dup.id, user_id=user_id, created_at=_from_iso(created)))
        for comment_id in moved.get("comments", []):
            comment = s.get(Comment, comment_id)
            if comment is not None and comment.idea_id == orig.id:
                comment.idea_id = dup.id
        now = db.now()
        dup.merged_into_id = None
        _touch(dup, now)
        merge.undone_by = actor.id
        merge.undone_at = now
        s.flush()
        _audit(s, db, actor, "merge_undone", "idea", dup.id, {"merged_into": orig.id},
               {"merged_into": None, "merge_id": merge.id, "version": dup.version}, reason)
        _audit(s, db, actor, "duplicate_restored", "idea", orig.id, {"duplicate": dup.id},
               {"duplicate": None, "merge_id": merge.id}, reason)
        _notify_merge(s, db, actor, dup, orig, undone=True)


def _notify_merge(s: Session, db: Database, actor, dup: Idea, orig: Idea, *, undone: bool, reason: str = "") -> None:
    if undone:
        to_dup = f"Your idea #{dup.id} “{dup.title}” is its own idea again: an admin undid its merge into #{orig.id}."
        to_orig = f"Idea #{dup.id} “{dup.title}” was separated again from your idea #{orig.id}."
        to_followers = f"Idea #{dup.id} was separated again from idea #{orig.id} “{orig.title}”."
    else:
        to_dup = (f"Your idea #{dup.id} “{dup.title}” repeats idea #{orig.id} “{orig.title}” and was merged into it. "
                  "You are credited on the original and follow it now." + (f" Reason: {reason}" if reason else ""))
        to_orig = (f"Idea #{dup.id} “{dup.title}” by {dup.submitter.name} was merged into your idea #{orig.id}: "
                   "its supporters and comments are yours now, and its author is credited beside you.")
        to_followers = f"Idea #{dup.id} was merged into idea #{orig.id} “{orig.title}” as a duplicate."
    for user_id, message in ((dup.submitter_id, to_dup), (orig.submitter_id, to_orig)):
        if user_id != actor.id:
            notifications.notify(s, db, user_ids=[user_id], idea_id=orig.id if not undone else dup.id,
                                 kind="merge", message=message)
    skip = [dup.submitter_id, orig.submitter_id]
    notify_followers(s, db, actor_id=actor.id, idea=orig, message=to_followers, skip=skip)
    if undone:
        notify_followers(s, db, actor_id=actor.id, idea=dup, message=to_followers, skip=skip)


def merges(db: Database, *, actor_id: int, idea_id: int) -> list[MergeView]:
    """Merges this idea took part in (as duplicate or original), newest first."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        idea = load_visible(s, actor, idea_id)
        rows = s.execute(select(IdeaMerge)
                         .where((IdeaMerge.duplicate_id == idea.id) | (IdeaMerge.original_id == idea.id))
                         .order_by(IdeaMerge.merged_at.desc(), IdeaMerge.id.desc())).scalars().all()
        out = []
        for m in rows:
            by = s.get(User, m.merged_by)
            out.append(MergeView(m.id, m.duplicate_id, s.get(Idea, m.duplicate_id).title, m.original_id,
                                 s.get(Idea, m.original_id).title, by.email if by else "?", m.merged_at, m.reason,
                                 m.undone_at, json.loads(m.moved_json or "{}"),
                                 merged_by_name=(by.name or by.email) if by else "?"))
        return out


def may_merge(db: Database, *, actor_id: int, idea_id: int) -> bool:
    """True when this person may merge this idea into another as a duplicate (for showing the form)."""
    with db.read() as s:
        actor = load_actor(s, actor_id)
        return may_merge_idea(actor, load_visible(s, actor, idea_id))
