"""Text similarity for help: which known answers fit a question, which help requests say the same thing.

Words become terms exactly as for duplicate ideas (hero_core.services.duplicates.terms: same stop words, same light
stemming), so "calls/call/calling" meet here too. Terms are hashed into a fixed number of columns instead of a
vocabulary dict, and a document keeps only which terms it has (not how often): a known answer costs a few int32
per term, so the index of hundreds of thousands of known answers stays a few tens of megabytes
(docs/performance.md, "help"). The best candidates are re-ranked with rapidfuzz on their wording, as for ideas.
"""

from __future__ import annotations

import threading
import weakref
import zlib
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from rapidfuzz import fuzz
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hero_core.db import Database
from hero_core.models import KnownAnswer
from hero_core.services.duplicates import terms

COLUMNS = 1 << 20  # hashed term columns: collisions between real terms are rare at this width
ANSWER_CHARS = 300  # the start of an answer says what it is about; the rest is steps
REBUILD_AFTER = 2_000  # known answers added since the last build before the inverted index is rebuilt
MIN_SCORE = 25


def term_columns(text: str) -> np.ndarray:
    """The distinct hashed term columns of a text, ascending (int32)."""
    cols = {zlib.crc32(t.encode("utf-8")) & (COLUMNS - 1) for t in terms(text)}
    return np.fromiter(sorted(cols), dtype=np.int32, count=len(cols))


def known_answer_text(question: str, answer: str) -> str:
    # The question twice: it says most densely what the answer is about.
    return f"{question} {question} {answer[:ANSWER_CHARS]}"


# ---- grouping requests that say the same thing ------------------------------------------------------------------


def similar_groups(texts: list[str], *, threshold: float = 0.5, chunk: int = 1_000) -> list[list[int]]:
    """Positions of `texts` grouped by similar wording (cosine of their term sets ≥ threshold, linked
    transitively); each group ascending, groups in order of their first position. Singletons included."""
    n = len(texts)
    if n == 0:
        return []
    rows, cols = [], []
    for i, text in enumerate(texts):
        c = term_columns(text)
        rows.append(np.full(len(c), i, dtype=np.int64))
        cols.append(c)
    r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int32)
    lengths = np.bincount(r, minlength=n).astype(np.float64)
    weights = 1.0 / np.sqrt(np.maximum(lengths, 1.0))
    x = sparse.csr_matrix((weights[r].astype(np.float32), (r, c)), shape=(n, COLUMNS))
    xt = x.T.tocsr()
    edges_r, edges_c = [], []
    for start in range(0, n, chunk):
        sims = (x[start:start + chunk] @ xt).tocoo()
        keep = sims.data >= threshold
        edges_r.append(sims.row[keep] + start)
        edges_c.append(sims.col[keep])
    graph = sparse.csr_matrix(
        (np.ones(sum(len(e) for e in edges_r), dtype=np.int8), (np.concatenate(edges_r), np.concatenate(edges_c))),
        shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    groups: dict[int, list[int]] = {}
    for position, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(position)
    return sorted(groups.values(), key=lambda g: g[0])


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


# ---- the known-answer index -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    id: int
    score: int  # 0..100


class KnownAnswerIndex:
    """Every known answer's hashed terms, as an inverted index (term column -> known answer rows), kept per Database
    in memory and brought up to date on each search from the rows changed since the last look (updated_at)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.builds = 0
        self._reset()

    def _reset(self) -> None:
        self.version: tuple | None = None
        self.watermark: datetime | None = None
        self.row_ids = np.zeros(0, dtype=np.int64)  # ascending
        self.outdated = np.zeros(0, dtype=bool)
        self.norms = np.zeros(0, dtype=np.float32)
        self.postings: sparse.csc_matrix | None = None  # rows x COLUMNS, binary
        self.df = np.zeros(COLUMNS, dtype=np.int32)
        self.fresh: dict[int, tuple[np.ndarray, bool]] = {}  # id -> (columns, outdated), not in the postings yet

    def _data_version(self, s: Session) -> tuple:
        return tuple(s.execute(select(
            select(func.count()).select_from(KnownAnswer).scalar_subquery(),
            select(func.max(KnownAnswer.id)).scalar_subquery(),
            select(func.max(KnownAnswer.updated_at)).scalar_subquery(),
        )).one())

    def _rows(self, s: Session, since: datetime | None):
        stmt = select(KnownAnswer.id, KnownAnswer.question, KnownAnswer.answer, KnownAnswer.outdated_at,
                      KnownAnswer.updated_at).order_by(KnownAnswer.id)
        if since is not None:
            stmt = stmt.where(KnownAnswer.updated_at >= since)
        return s.execute(stmt.execution_options(yield_per=5_000))

    def refresh(self, s: Session) -> None:
        version = self._data_version(s)
        if version == self.version:
            return
        if self.version is None or version[0] < (self.version[0] or 0):
            self._build(s)
        else:
            for kid, question, answer, outdated_at, updated_at in self._rows(s, self.watermark):
                self.watermark = max(self.watermark, updated_at) if self.watermark else updated_at
                row = self._row(kid)
                if row is not None:
                    self.outdated[row] = outdated_at is not None
                else:
                    self.fresh[kid] = (term_columns(known_answer_text(question, answer)), outdated_at is not None)
            if len(self.fresh) > REBUILD_AFTER:
                self._build(s)
        self.version = self._data_version(s)

    def _row(self, kid: int) -> int | None:
        i = int(np.searchsorted(self.row_ids, kid))
        return i if i < len(self.row_ids) and self.row_ids[i] == kid else None

    def _build(self, s: Session) -> None:
        self._reset()
        ids, outdated, pieces, lengths = [], [], [], []
        for kid, question, answer, outdated_at, updated_at in self._rows(s, None):
            if self.watermark is None or updated_at > self.watermark:
                self.watermark = updated_at
            cols = term_columns(known_answer_text(question, answer))
            ids.append(kid)
            outdated.append(outdated_at is not None)
            pieces.append(cols)
            lengths.append(len(cols))
        n = len(ids)
        self.row_ids = np.asarray(ids, dtype=np.int64)
        self.outdated = np.asarray(outdated, dtype=bool)
        cols = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int32)
        rows = np.repeat(np.arange(n, dtype=np.int32), np.asarray(lengths, dtype=np.int64))
        self.postings = sparse.csc_matrix((np.ones(len(cols), dtype=np.int8), (rows, cols)), shape=(n, COLUMNS))
        self.df = np.diff(self.postings.indptr).astype(np.int32)
        self.norms = np.sqrt(np.maximum(np.asarray(lengths, dtype=np.float32), 1.0))
        self.builds += 1

    def search(self, text: str, *, limit: int, include_outdated: bool) -> list[tuple[int, float]]:
        """(known answer id, cosine-like score 0..1) of the best `limit` candidates."""
        q = term_columns(text)
        if len(q) == 0:
            return []
        n = len(self.row_ids) + len(self.fresh)
        idf = np.log((1.0 + n) / (1.0 + self.df[q])) + 1.0
        qnorm = float(np.sqrt(np.dot(idf, idf))) or 1.0
        out: list[tuple[int, float]] = []
        if self.postings is not None and len(self.row_ids):
            indptr, indices = self.postings.indptr, self.postings.indices
            starts, ends = indptr[q], indptr[q + 1]
            hit_rows = np.concatenate([indices[a:b] for a, b in zip(starts, ends, strict=True)])
            hit_weights = np.repeat(idf, ends - starts)
            if len(hit_rows):
                scores = np.bincount(hit_rows, weights=hit_weights, minlength=len(self.row_ids))
                scores = scores / (self.norms * qnorm)
                if not include_outdated:
                    scores[self.outdated] = 0.0
                top = np.argpartition(-scores, min(limit, len(scores) - 1))[:limit]
                out += [(int(self.row_ids[r]), float(scores[r])) for r in top if scores[r] > 0]
        for kid, (cols, outdated) in self.fresh.items():
            if outdated and not include_outdated:
                continue
            shared = np.isin(q, cols, assume_unique=True)
            if shared.any():
                out.append((kid, float(idf[shared].sum()) / (np.sqrt(max(len(cols), 1)) * qnorm)))
        out.sort(key=lambda p: (-p[1], -p[0]))
        return out[:limit]


_INDEXES: weakref.WeakKeyDictionary[Database, KnownAnswerIndex] = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def index_for(db: Database) -> KnownAnswerIndex:
    with _INDEXES_LOCK:
        index = _INDEXES.get(db)
        if index is None:
            index = _INDEXES[db] = KnownAnswerIndex()
        return index


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
