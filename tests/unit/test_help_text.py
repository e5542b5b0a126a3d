"""The help text rules, pure: grouping similar questions without chaining, business hours, rarest terms first."""

from __future__ import annotations

import random

import numpy as np
from scipy import sparse

from hero_core.help_text import (
    COLUMNS,
    ScopeGrouping,
    central,
    central_of_sets,
    choose_terms,
    group_term_sets,
    known_answer_terms,
    min_shared,
    similar_groups,
    term_columns,
    term_hashes,
)


def test_similar_questions_group_and_a_different_one_stays_alone():
    texts = ["CRM address field drops the postcode", "The CRM address field loses the postcode again",
             "Postcode dropped from the CRM address field", "Where is the gift card refund policy?"]
    assert similar_groups(texts, threshold=0.45) == [[0, 1, 2], [3]]
    assert similar_groups(texts, threshold=0.45, min_size=3) == [[0, 1, 2]]


def test_a_chain_of_slightly_different_questions_does_not_become_one_giant_group():
    # Each question shares 3 of its 4 words with the next and 2 with the one after (cosine 0.5), none with the one
    # three steps on: linked transitively all ten would be one group; a star holds a centre and two on each side.
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo",
             "lima", "mike"]
    chain = [" ".join(words[i:i + 4]) for i in range(10)]
    groups = similar_groups(chain, threshold=0.5)
    assert max(len(g) for g in groups) == 5 and len(groups) >= 2
    assert sorted(i for g in groups for i in g) == list(range(10))


def test_terms_are_the_duplicate_ideas_terms_hashed_and_distinct():
    assert len(term_hashes("calls call calling the CALL")) == 1
    rows = known_answer_terms(7, "Refund a closed card", "Offer store credit")
    assert {r["known_answer_id"] for r in rows} == {7} and len(rows) == len({r["term"] for r in rows})


def test_the_rarest_terms_are_read_first_within_the_postings_budget():
    assert choose_terms({1: 5_000, 2: 10, 3: 900}) == [2, 3, 1]
    assert choose_terms({1: 5_000, 2: 4_000, 3: 3_000}) == [3]  # the rarest one always


# ---- the grouping against comparing every pair, as it was first written ----------------------------------------


def _all_pairs_groups(texts, *, threshold, chunk=128, min_size=1):
    """The first implementation of similar_groups, kept as the reference: every text against every other, weighted
    float32 sparse products, star clustering over positions."""
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
    lengths = np.bincount(r, minlength=n).astype(np.float32)
    weights = 1.0 / np.sqrt(np.maximum(lengths, 1.0))
    x = sparse.csr_matrix((weights[r], (r, c)), shape=(n, COLUMNS), dtype=np.float32)
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


def _scope(rng, vocab, size):
    """Questions from a small vocabulary: many repeats, many pairs right at the threshold (2 of 4 words shared is a
    cosine of exactly 0.5; 3 of 5 and 5 is 0.6 ...), some questions of stop words only."""
    out = []
    for _ in range(size):
        if rng.random() < 0.03:
            out.append("the of and")
            continue
        k = rng.choice([1, 2, 3, 4, 4, 5, 5, 6, 8, 12])
        out.append(" ".join(rng.choice(vocab) for _ in range(k)))
    return out


def test_grouping_units_of_the_same_terms_is_exactly_comparing_every_pair():
    rng = random.Random(22)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo",
             "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"]
    for scope in range(300):
        vocab = words[:rng.choice([4, 6, 8, 12, 20])]
        texts = _scope(rng, vocab, rng.choice([1, 2, 3, 5, 10, 30, 60, 120]))
        threshold = rng.choice([0.45, 0.45, 0.5, 0.5, 0.3, 0.6, 0.7071, 0.8, 1.0, 0.0])
        min_size = rng.choice([1, 1, 3, 3, 0, 2, 5])
        chunk = rng.choice([1, 7, 128])
        expected = _all_pairs_groups(texts, threshold=threshold, chunk=chunk, min_size=min_size)
        assert similar_groups(texts, threshold=threshold, chunk=chunk, min_size=min_size) == expected, (
            scope, threshold, min_size, texts)


def test_the_shared_terms_needed_are_the_float32_cosine_test_of_a_sparse_product():
    # For texts of a and b distinct terms sharing m, the product the reference computes, ≥ threshold, exactly when
    # m ≥ min_shared(a, b): near the threshold (e.g. 0.45 · sqrt(a b) almost whole) float32 rounding decides.
    for threshold in (0.45, 0.5, 0.6, 1 / 3, 0.7071):
        need = min_shared(24, threshold)
        for a in range(1, 25):
            lens = [a] + [b for b in range(1, 25) for _ in range(1, min(a, b) + 1)]
            shared = [0] + [m for b in range(1, 25) for m in range(1, min(a, b) + 1)]
            r, c = [], []
            for i, (b, m) in enumerate(zip(lens, shared, strict=True)):
                cols = range(a) if i == 0 else [*range(m), *range(1_000 + 100 * i, 1_000 + 100 * i + b - m)]
                r += [i] * len(cols)
                c += list(cols)
            w = (1.0 / np.sqrt(np.maximum(np.array(lens, dtype=np.float32), 1.0)))[r]
            x = sparse.csr_matrix((w, (r, c)), shape=(len(lens), COLUMNS), dtype=np.float32)
            sims = (x[0] @ x.T.tocsr()).toarray()[0]
            for i in range(1, len(lens)):
                assert (sims[i] >= threshold) == (shared[i] >= need[a, lens[i]]), (threshold, a, lens[i], shared[i])


def test_central_of_term_sets_is_central_of_the_texts():
    texts = ["CRM address field drops the postcode", "The CRM address field loses the postcode again",
             "Postcode dropped from the CRM address field", "Where is the gift card refund policy?"]
    assert central(texts) == central_of_sets([term_columns(t) for t in texts]) == 2 or central(texts) in (0, 1, 2)


def test_a_scope_kept_up_to_date_groups_exactly_as_grouping_it_afresh():
    # Requests arrive and old ones leave the window, a few or many at a time, wordings repeat and come back.
    rng = random.Random(2022)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
    for _ in range(12):
        threshold = rng.choice([0.45, 0.5, 0.6])
        min_size = rng.choice([2, 3, 4])
        kept = ScopeGrouping(threshold=threshold, min_size=min_size, chunk=rng.choice([7, 128]))
        window = _scope(rng, words[:rng.choice([5, 8, 10])], rng.choice([0, 5, 40]))
        for _ in range(15):
            gone, came = rng.choice([0, 1, 3, 30]), rng.choice([0, 1, 2, 30])
            window = window[min(gone, len(window)):] + _scope(rng, words[:rng.choice([5, 8, 10])], came)
            sets = [term_columns(t) for t in window]
            assert kept.groups(sets) == group_term_sets(sets, threshold=threshold, min_size=min_size), window
