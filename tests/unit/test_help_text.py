"""The help text rules, pure: grouping similar questions without chaining, business hours, rarest terms first."""

from __future__ import annotations

from hero_core.help_text import choose_terms, known_answer_terms, similar_groups, term_hashes


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
