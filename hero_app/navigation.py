"""Which pages exist, at which URL path, and who may open them: one table, read top to bottom.

A page's gate is a permission action from `hero_core.permissions.MATRIX` (None: everyone who is logged in),
so the menu, the page's own check and the service's check all ask the same question.
The URL paths are a contract (bookmarks, links in notifications, browser tests): do not rename them.
"""

from __future__ import annotations

from dataclasses import dataclass

from hero_core import permissions
from hero_core.permissions import Actor


@dataclass(frozen=True)
class PageSpec:
    url_path: str
    file: str  # relative to the entry script (the repo root)
    title: str
    icon: str
    permission: str | None = None  # None: everyone who is logged in
    section: str = "Ideas"
    in_menu: bool = True


PAGES: tuple[PageSpec, ...] = (
    PageSpec("home", "hero_app/pages/home.py", "Home", ":material/home:", section="Start"),
    PageSpec("account", "hero_app/pages/account.py", "Your account", ":material/manage_accounts:", section="Start"),
    PageSpec("submit", "hero_app/pages/submit.py", "Propose an idea", ":material/lightbulb:"),
    PageSpec("my-ideas", "hero_app/pages/my_ideas.py", "My ideas", ":material/person:"),
    PageSpec("ideas", "hero_app/pages/ideas.py", "Browse ideas", ":material/search:"),
    PageSpec("campaigns", "hero_app/pages/campaigns.py", "Campaigns", ":material/campaign:"),
    PageSpec("idea", "hero_app/pages/idea.py", "Idea", ":material/description:", in_menu=False),
    PageSpec("inbox", "hero_app/pages/inbox.py", "Notifications", ":material/notifications:"),
    PageSpec("help", "hero_app/pages/help.py", "Ask for help", ":material/support:", section="Help"),
    PageSpec("known-answers", "hero_app/pages/known_answers.py", "Known answers", ":material/menu_book:",
             section="Help"),
    PageSpec("job-aids", "hero_app/pages/job_aids.py", "Job aids", ":material/checklist:", section="Help"),
    PageSpec("help-request", "hero_app/pages/help_request.py", "Help request", ":material/forum:", section="Help",
             in_menu=False),
    PageSpec("ecoach", "hero_app/pages/ecoach.py", "E-coach queue", ":material/support_agent:",
             permission="view_help_queue", section="Help"),
    PageSpec("roadblocks", "hero_app/pages/help_roadblocks.py", "Recurring roadblocks", ":material/repeat:",
             permission="view_roadblocks", section="Help"),
    PageSpec("heroes", "hero_app/pages/heroes.py", "Hall of HEROs", ":material/military_tech:", section="Community"),
    PageSpec("pulse", "hero_app/pages/pulse.py", "HERO Index pulse", ":material/favorite:", section="Community"),
    PageSpec("review", "hero_app/pages/review.py", "Review queue", ":material/fact_check:",
             permission="view_review_queue", section="Work"),
    PageSpec("it-board", "hero_app/pages/it_board.py", "IT board", ":material/view_kanban:",
             permission="view_it_board", section="Work"),
    PageSpec("impact", "hero_app/pages/impact.py", "Impact", ":material/monitoring:",
             permission="view_impact", section="Work"),
    PageSpec("scorecard", "hero_app/pages/scorecard.py", "Compact scorecard", ":material/scoreboard:",
             permission="view_scorecard", section="Work"),
    PageSpec("erosion", "hero_app/pages/erosion.py", "Erosion board", ":material/trending_down:",
             permission="view_erosion", section="Work"),
    PageSpec("touchpoints", "hero_app/pages/touchpoints.py", "Touch-point plan", ":material/hub:",
             permission="view_touchpoint_plan", section="Work"),
    PageSpec("adoption", "hero_app/pages/adoption.py", "Adoption", ":material/groups:",
             permission="view_erosion", section="Work"),
    PageSpec("admin", "hero_app/pages/admin.py", "Administration", ":material/admin_panel_settings:",
             permission="manage_users", section="Organisation"),
    PageSpec("help-catalog", "hero_app/pages/help_catalog.py", "Help catalog and e-coaches", ":material/category:",
             permission="manage_help_catalog", section="Organisation"),
)

BY_PATH: dict[str, PageSpec] = {p.url_path: p for p in PAGES}
HOME = "home"


def may_open(actor: Actor, spec: PageSpec) -> bool:
    """True when the permission matrix lets this person use the page."""
    return spec.permission is None or permissions.allowed(actor, spec.permission)


def pages_for(actor: Actor) -> list[PageSpec]:
    """The pages this person's navigation offers, in menu order."""
    return [p for p in PAGES if may_open(actor, p)]


def who_may_open(spec: PageSpec) -> str:
    """The matrix's words for who may use a page ("managers", "admins"...)."""
    if spec.permission is None:
        return "everyone who is logged in"
    return permissions.MATRIX[spec.permission][1]
