"""Risk assessment and Forrester's HERO effort-value evaluation: pure rules, no storage.

A manager rates each risk category for likelihood (1-5) and impact (1-5); a category's score is their
product and the overall risk is the highest score. Overall >= HIGH_RISK_THRESHOLD needs a second approver,
and within one review round the highest assessment governs (approvals_needed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

HIGH_RISK_THRESHOLD = 15

CATEGORIES: dict[str, str] = {
    "customer_brand": "Customer / brand",
    "legal_compliance": "Legal / compliance",
    "data_privacy": "Data security / privacy",
    "operational": "Operational",
    "financial": "Financial",
}

LIKELIHOOD_LABELS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT_LABELS = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}


@dataclass(frozen=True)
class Rating:
    category: str
    likelihood: int
    impact: int
    mitigation: str = ""

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


def band(score: int) -> str:
    """Name a likelihood x impact score the way risk registers do."""
    if score >= HIGH_RISK_THRESHOLD:
        return "high"
    if score >= 8:
        return "medium"
    return "low"


def validate_ratings(ratings: list[Rating]) -> list[str]:
    """Problems with a set of ratings, each naming the category and field; empty when all is well."""
    problems: list[str] = []
    seen: set[str] = set()
    for r in ratings:
        label = CATEGORIES.get(r.category)
        if label is None:
            problems.append(f"risk category {r.category!r} is unknown; use one of {', '.join(CATEGORIES)}")
            continue
        if r.category in seen:
            problems.append(f"{label} is rated twice")
        seen.add(r.category)
        for field_name, value in (("likelihood", r.likelihood), ("impact", r.impact)):
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
                problems.append(f"Rate the {field_name} of {label} from 1 to 5")
        if len(r.mitigation) > 4000:
            problems.append(f"{label}: mitigation is longer than 4,000 characters (it has {len(r.mitigation):,})")
    missing = [CATEGORIES[c] for c in CATEGORIES if c not in seen]
    if missing:
        problems.append("Every category needs a rating; missing: " + ", ".join(missing))
    return problems


def overall(ratings: list[Rating]) -> int:
    return max((r.score for r in ratings), default=0)


def is_high(overall_score: int) -> bool:
    return overall_score >= HIGH_RISK_THRESHOLD


def approvals_needed(round_overalls: Iterable[int]) -> int:
    """How many different approvers an idea needs: within one review round the highest risk assessed governs,
    so lowering the ratings after a high assessment never removes the need for a second approver."""
    return 2 if any(is_high(score) for score in round_overalls) else 1


# ---- HERO effort-value evaluation -------------------------------------------------------------------------

BUDGET_CHOICES = {"none": 0, "under_5k": 1, "5k_50k": 2, "over_50k": 3}
BUDGET_LABELS = {"none": "No budget", "under_5k": "Under 5k", "5k_50k": "5k - 50k", "over_50k": "Over 50k"}
REACH_CHOICES = {"few": 0, "one_team": 1, "many_teams": 2, "all_customers": 3}
REACH_LABELS = {
    "few": "A few customers",
    "one_team": "Customers of one team",
    "many_teams": "Customers of many teams",
    "all_customers": "All our customers",
}
CHANGE_CHOICES = {"none": 0, "small": 1, "clear": 2, "large": 3}
CHANGE_LABELS = {"none": "None expected", "small": "Small", "clear": "Clear", "large": "Large"}
FIT_CHOICES = {"low": 0, "some": 1, "strong": 2, "core": 3}
FIT_LABELS = {"low": "Low", "some": "Some", "strong": "Strong", "core": "Core to our strategy"}

EV_CATEGORIES: dict[str, str] = {
    "no_brainer": "No-brainer: little effort, clear value. Approve it and let the HERO run with it.",
    "quick_experiment": "Quick experiment: little effort, modest value. Let the team try it and measure.",
    "sponsored_project": "Sponsored project: real effort for real value. Needs a sponsor and an IT champion.",
    "shadow_it": "Shadow IT risk: effort and exposure outweigh the value. Rethink it with IT before anyone builds it.",
}
EV_LABELS = {
    "no_brainer": "No-brainer",
    "quick_experiment": "Quick experiment",
    "sponsored_project": "Sponsored project",
    "shadow_it": "Shadow IT risk",
}


@dataclass(frozen=True)
class EffortValue:
    needs_it: bool
    needs_legal: bool
    budget: str
    people_systems_touched: int
    customers_reached: str
    expected_change: str
    strategic_fit: str

    def problems(self) -> list[str]:
        out = []
        for name, value, labels in (
            ("Budget", self.budget, BUDGET_LABELS),
            ("Customers reached", self.customers_reached, REACH_LABELS),
            ("Expected metric change", self.expected_change, CHANGE_LABELS),
            ("Strategic fit", self.strategic_fit, FIT_LABELS),
        ):
            if not isinstance(value, str) or value not in labels:
                choices = list(labels.values())
                out.append(f"{name}: choose {', '.join(choices[:-1])} or {choices[-1]}")
        touched = self.people_systems_touched
        if not isinstance(touched, int) or isinstance(touched, bool) or not 0 <= touched <= 100_000:
            out.append("People and systems touched: enter a whole number from 0 to 100,000")
        return out

    @property
    def effort_score(self) -> int:
        """0 (trivial) .. 10 (major programme)."""
        touched = self.people_systems_touched
        touched_points = 0 if touched <= 2 else 1 if touched <= 10 else 2 if touched <= 50 else 3
        return 2 * self.needs_it + 2 * self.needs_legal + BUDGET_CHOICES[self.budget] + touched_points

    @property
    def value_score(self) -> int:
        """0 (none) .. 9 (transformational)."""
        return (
            REACH_CHOICES[self.customers_reached]
            + CHANGE_CHOICES[self.expected_change]
            + FIT_CHOICES[self.strategic_fit]
        )

    @property
    def category(self) -> str:
        low_effort = self.effort_score <= 4
        high_value = self.value_score >= 5
        if low_effort:
            return "no_brainer" if high_value else "quick_experiment"
        return "sponsored_project" if high_value else "shadow_it"
