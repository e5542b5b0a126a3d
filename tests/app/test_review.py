"""The review queue: SLA order and status, the risk matrix and effort-value evaluation, decisions with reasons."""

from __future__ import annotations

from datetime import timedelta

import pyarrow as pa
from sqlalchemy import update

from hero_app import risk_grid
from hero_core import risk
from hero_core.models import Idea
from hero_core.services import ideas, notifications, social
from tests.app.conftest import (
    all_text,
    as_role,
    assert_clean,
    button,
    errors,
    in_review,
    login,
    make_idea,
    open_page,
    plain,
    successes,
    table,
)


def assess_in_page(at, idea_id: int, likelihood: int, impact: int, *, where: str = "review"):
    k = f"{where}_assess_{idea_id}"
    for code in risk.CATEGORIES:  # one click on the cell of the category's 5 × 5 grid
        at.segmented_control(key=risk_grid.cell_key(k, code)).select((likelihood, impact))
        at.text_input(key=f"{k}_{code}_mitigation").input(f"Check {code} with the team lead first.")
    at.selectbox(key=f"{k}_budget").select("under_5k")
    at.number_input(key=f"{k}_touched").set_value(4)
    at.selectbox(key=f"{k}_reach").select("many_teams")
    at.selectbox(key=f"{k}_change").select("clear")
    at.selectbox(key=f"{k}_fit").select("strong")
    return at.run()


def test_the_queue_lists_my_teams_ideas_by_due_date_with_waiting_time_and_sla_status(org):
    late = make_idea(org, title="An idea that waited too long")
    fresh = make_idea(org, title="A fresh idea")
    make_idea(org, submitter=org.other_frontline, title="Another team's idea")
    with org.db.write() as s:
        s.execute(update(Idea).where(Idea.id == late).values(
            submitted_at=org.db.now() - timedelta(days=14), review_start_due=org.db.now() - timedelta(days=7)))
    at = open_page(as_role("manager"), "review")
    assert_clean(at)
    queue = table(at, "SLA", "Waiting (business days)")
    assert list(queue["#"]) == [late, fresh], "my team's ideas only, most urgent first"
    assert queue["SLA"][0].lower() == "overdue" and queue["SLA"][1] == "on time"
    assert queue["Waiting (business days)"][0] >= 9
    assert {m.label: m.value for m in at.metric}["Overdue"] == "1"


def test_a_manager_starts_the_review_assesses_risk_and_effort_value_and_approves(org):
    idea_id = make_idea(org, tech=True, title="Chatbot answer for opening hours")
    at = open_page(as_role("manager"), "review")
    button(at, "Start review").click().run()
    assert_clean(at)
    assert "Review of idea" in successes(at)[0]
    at = assess_in_page(at, idea_id, 2, 3)
    assert "Preview: overall risk 6 (low)" in all_text(at)
    assert at.get("vega_lite_chart"), "the heat map previews the ratings"
    button(at, "Save assessment").click().run()
    assert_clean(at)
    assert not errors(at)
    view = ideas.get_idea(org.db, actor_id=org.manager, idea_id=idea_id)
    assert view.assessment.overall == 6 and view.assessment.ev_category == "no_brainer"
    text = all_text(at)
    assert "Effort-value evaluation: No-brainer" in text
    assert risk.EV_CATEGORIES["no_brainer"] in text
    assert not [t for t in at.dataframe if "Mitigation" in t.value.columns], "the matrix is drawn on demand"
    at.session_state["review_assessment_matrix_open"] = True  # what opening "Risk matrix and ..." sets
    at.run()
    ratings = table(at, "Category", "Mitigation")
    assert len(ratings) == len(risk.CATEGORIES) and set(ratings["Band"]) == {"low"}
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert "Risk matrix" in spec
    button(at, "Approve").click().run()
    assert_clean(at)
    assert "approved" in successes(at)[0]
    assert ideas.get_idea(org.db, actor_id=org.manager, idea_id=idea_id).state == "awaiting_it"
    assert any("was approved" in n.message for n in notifications.inbox(org.db, actor_id=org.frontline))
    assert any(n.idea_id == idea_id for n in notifications.inbox(org.db, actor_id=org.it))


def test_a_high_risk_idea_visibly_waits_for_its_second_approver(org):
    idea_id = make_idea(org, title="Refund without receipt up to 50")
    in_review(org, idea_id, assessed=4)  # 16: high
    at = open_page(as_role("manager"), "review")
    assert "needed" not in " ".join(table(at, "Second approver")["Second approver"])
    button(at, "Approve").click().run()
    assert_clean(at)
    assert "waits for a second approver" in successes(at)[0]
    assert ideas.get_idea(org.db, actor_id=org.manager, idea_id=idea_id).state == "in_review"
    assert not [b for b in at.button if b.label.startswith("Approve")], "the first approver cannot approve twice"
    assert "waits for its second approver" in all_text(at)

    second = open_page(login("max@example.com"), "review")
    assert_clean(second)
    queue = table(second, "Second approver")
    assert "needed (first: Mia)" in list(queue["Second approver"]), "the first approver by name, not email"
    assert "waits for its second approver" in all_text(second)
    assert "approved by Mia;" in all_text(second) and "mia@example.com" not in all_text(second)
    button(second, "Approve as second approver").click().run()
    assert_clean(second)
    assert errors(second) == ["A reason is required to approve as second approver: say why the risk is acceptable."]
    assert ideas.get_idea(org.db, actor_id=org.manager, idea_id=idea_id).state == "in_review"
    second.text_area(key=f"review_decide_{idea_id}_reason").input("The refund limit keeps the loss small.")
    button(second, "Approve as second approver").click().run()
    assert_clean(second)
    assert ideas.get_idea(org.db, actor_id=org.manager, idea_id=idea_id).state == "approved"


def test_an_admin_gives_the_second_approval_from_their_own_review_queue(org):
    idea_id = make_idea(org, title="Refund without receipt up to 50")
    in_review(org, idea_id, assessed=4)  # 16: high
    ideas.approve(org.db, actor_id=org.manager, idea_id=idea_id)
    at = open_page(as_role("admin"), "review")
    assert_clean(at)
    assert list(table(at, "Second approver")["#"]) == [idea_id]
    assert "another manager or an admin who did not propose it" in all_text(at)
    at.text_area(key=f"review_decide_{idea_id}_reason").input("Legal checked the refund wording.")
    button(at, "Approve as second approver").click().run()
    assert_clean(at)
    assert ideas.get_idea(org.db, actor_id=org.manager, idea_id=idea_id).state == "approved"


def test_a_manager_s_own_idea_is_not_in_her_queue_and_her_idea_page_says_who_reviews_it(org):
    idea_id = make_idea(org, submitter=org.manager, title="Shorter hold music for callers")
    at = open_page(as_role("manager"), "review")
    assert_clean(at)
    assert "Nothing waits for your review right now." in all_text(at)
    page = open_page(as_role("manager"), "idea", id=idea_id)
    assert_clean(page)
    assert ("You proposed this idea, so someone else reviews it: an admin, since Contact centre has no other "
            "manager.") in all_text(page).replace("\\", "")  # the page escapes Markdown
    assert not [b for b in page.button if b.label in ("Start review", "Approve", "Decline")]
    admin = open_page(as_role("admin"), "review")
    assert list(table(admin, "SLA")["#"]) == [idea_id]
    button(admin, "Start review").click().run()
    assert_clean(admin)
    assert ideas.get_idea(org.db, actor_id=org.admin, idea_id=idea_id).state == "in_review"


def test_asking_for_changes_needs_a_reason_and_reaches_the_submitters_inbox(org):
    idea_id = make_idea(org)
    in_review(org, idea_id)
    at = open_page(as_role("manager"), "review")
    button(at, "Ask for changes").click().run()
    assert_clean(at)
    assert errors(at) == ["A reason is required to ask for changes."]
    assert ideas.get_idea(org.db, actor_id=org.manager, idea_id=idea_id).state == "in_review"
    at.text_area(key=f"review_decide_{idea_id}_reason").input("Which form version do you mean?")
    button(at, "Ask for changes").click().run()
    assert_clean(at)
    assert ideas.get_idea(org.db, actor_id=org.manager, idea_id=idea_id).state == "needs_changes"
    inbox = notifications.inbox(org.db, actor_id=org.frontline)
    assert any("needs changes" in n.message and "Which form version" in n.message for n in inbox)


def test_declining_with_a_reason_reaches_the_submitter(org):
    idea_id = make_idea(org)
    in_review(org, idea_id)
    at = open_page(as_role("manager"), "review")
    at.text_area(key=f"review_decide_{idea_id}_reason").input("We retire this form next month.")
    button(at, "Decline").click().run()
    assert_clean(at)
    assert ideas.get_idea(org.db, actor_id=org.manager, idea_id=idea_id).state == "declined"
    assert any("declined" in n.message for n in notifications.inbox(org.db, actor_id=org.frontline))
    assert "Nothing waits for your review right now." in all_text(at)


def test_approving_without_an_assessment_shows_what_is_missing(org):
    idea_id = make_idea(org)
    in_review(org, idea_id)
    at = open_page(as_role("manager"), "review")
    button(at, "Approve").click().run()
    assert_clean(at)
    assert "needs a risk assessment" in errors(at)[0]


def test_a_concurrent_change_shows_a_friendly_message_and_reload_brings_the_latest_version(org):
    idea_id = make_idea(org)
    in_review(org, idea_id, assessed=2)
    at = open_page(as_role("manager"), "review")
    # Someone else re-assesses the idea after the page showed it: the version the page holds is now stale.
    ideas.assess_risk(org.db, actor_id=org.manager, idea_id=idea_id, assessment=ideas.AssessmentInput(
        ratings=[risk.Rating(c, 1, 1) for c in risk.CATEGORIES],
        effort_value=ideas.get_idea(org.db, actor_id=org.manager, idea_id=idea_id).assessment.effort_value))
    button(at, "Approve").click().run()
    assert_clean(at)
    assert any("changed since you opened it" in w.value for w in at.warning)
    assert ideas.get_idea(org.db, actor_id=org.manager, idea_id=idea_id).state == "in_review"
    button(at, "Reload").click().run()
    assert not any("changed since you opened it" in w.value for w in at.warning)
    button(at, "Approve").click().run()
    assert_clean(at)
    assert ideas.get_idea(org.db, actor_id=org.manager, idea_id=idea_id).state == "approved"


def test_the_assessment_form_stays_closed_until_asked_for_and_start_review_opens_it(org):
    """Thirty fields cost most of a queue click in the browser: they are drawn only when the expander is open."""
    idea_id = make_idea(org, title="Callback slot picker")
    at = open_page(as_role("manager"), "review")
    assert_clean(at)
    form_field = f"review_assess_{idea_id}_budget"
    assert not [s for s in at.selectbox if s.key == form_field]
    button(at, "Start review").click().run()
    assert_clean(at)
    assert [s for s in at.selectbox if s.key == form_field], "starting the review opens the assessment"

    other = make_idea(org, title="Queue-jump for repeat callers")
    in_review(org, other)
    at = open_page(as_role("manager"), "idea", id=other)
    assert "Assess risk and effort-value (not assessed yet)" in [e.label for e in at.expander]
    assert not [s for s in at.selectbox if s.key == f"idea_assess_{other}_budget"], "not drawn while closed"
    at.session_state[f"idea_assess_open_{other}"] = True  # what opening the expander sets
    at.run()
    assert [s for s in at.selectbox if s.key == f"idea_assess_{other}_budget"]


def test_the_review_shows_the_expected_benefit_the_target_metrics_by_name_and_the_supporters(org):
    idea_id = make_idea(org, title="Pre-filled direct debit form", expected_benefit="Two fewer calls per customer.",
                        target_metrics=["aht", "fcr"])
    social.set_support(org.db, actor_id=org.other_frontline, idea_id=idea_id, supported=True)
    social.set_support(org.db, actor_id=org.it, idea_id=idea_id, supported=True)
    bare = make_idea(org, title="Plain idea with nothing else")
    at = open_page(as_role("manager"), "review")
    at.selectbox(key="review_choice").select(idea_id).run()
    assert_clean(at)
    text = plain(all_text(at)).replace("**", "")
    assert "Two fewer calls per customer." in [t.value for t in at.text]
    assert "Customer metrics it should move: Average handle time, First-contact resolution" in text
    assert "aht" not in text.split("Customer metrics it should move:")[1].splitlines()[0], "names, not codes"
    assert "Support: 2 colleagues support this idea" in text
    at.selectbox(key="review_choice").select(bare).run()
    text = plain(all_text(at)).replace("**", "")
    assert "The submitter did not say what benefit they expect." in text
    assert "Customer metrics it should move: none chosen" in text
    assert "Support: nobody has supported it yet" in text
    assert "None" not in text


def test_the_reason_box_empties_after_a_decision_and_keeps_its_text_when_refused(org):
    idea_id = make_idea(org, title="Refund without receipt up to 50")
    in_review(org, idea_id, assessed=4)  # 16: high, so the idea stays in the queue after the first approval
    at = open_page(as_role("manager"), "review")
    reason = f"review_decide_{idea_id}_reason"
    at.text_area(key=reason).input("The refund limit keeps the loss small.")
    button(at, "Approve").click().run()
    assert_clean(at)
    assert "first approval recorded" in successes(at)[0]
    assert at.text_area(key=reason).value == "", "the reason typed for the first approval is gone"

    # A refused decision keeps what was typed; a successful one empties the box for the idea's next round.
    sent_back = make_idea(org, title="Callback slot picker")
    in_review(org, sent_back)
    at.run()
    at.selectbox(key="review_choice").select(sent_back).run()
    other_reason = f"review_decide_{sent_back}_reason"
    at.text_area(key=other_reason).input("Which callback slots do you mean?")
    button(at, "Approve").click().run()  # refused: no assessment yet
    assert "needs a risk assessment" in errors(at)[0]
    assert at.text_area(key=other_reason).value == "Which callback slots do you mean?"
    button(at, "Ask for changes").click().run()
    assert_clean(at)
    assert ideas.get_idea(org.db, actor_id=org.manager, idea_id=sent_back).state == "needs_changes"
    ideas.resubmit(org.db, actor_id=org.frontline, idea_id=sent_back)
    at.run()
    at.selectbox(key="review_choice").select(sent_back).run()
    ideas.start_review(org.db, actor_id=org.manager, idea_id=sent_back)
    at.run()
    assert [t for t in at.text_area if t.key == other_reason], "the idea is back in the queue, in review"
    assert at.text_area(key=other_reason).value == ""


def test_risk_is_rated_by_clicking_cells_while_the_heat_map_of_every_category_follows(org):
    """Issue 21: one click per category on its 5 × 5 grid (rows: likelihood 5 at the top … 1, columns: impact
    1 … 5) instead of ten dropdowns; the heat map is drawn from the first click on and shows each category where
    it was put."""
    idea_id = make_idea(org, title="Callback slot picker")
    at = open_page(as_role("manager"), "review")
    button(at, "Start review").click().run()
    k = f"review_assess_{idea_id}"
    assert not [s for s in at.selectbox if s.key.endswith(("_likelihood", "_impact"))], "no dropdowns for risk"
    grids = [g for g in at.segmented_control if g.key.startswith(k)]
    assert [g.key for g in grids] == [risk_grid.cell_key(k, code) for code in risk.CATEGORIES]
    assert [g.label for g in grids] == [f"{label}: risk" for label in risk.CATEGORIES.values()]
    assert all(g.value is None and len(g.options) == 25 for g in grids)
    # Reading order: the top row is likelihood 5, impact 1 … 5; each cell shows its score and says its words.
    assert grids[0].options[:5] == [risk_grid.cell_label((5, im)) for im in range(1, 6)]
    assert grids[0].options[0] == "5 *likelihood 5 Almost certain, impact 1 Negligible: score 5, low*"
    assert grids[0].options[-1] == "5 *likelihood 1 Rare, impact 5 Severe: score 5, low*"
    assert "Risk matrix" in at.get("vega_lite_chart")[0].proto.spec, "the heat map shows before any rating"
    assert "0 of 5 categories rated." in all_text(at)

    at.segmented_control(key=risk_grid.cell_key(k, "operational")).select((4, 5)).run()  # one click: both numbers
    assert_clean(at)
    text = all_text(at)
    assert "**Operational** :red-badge[Likely × severe = 20 · high]" in text, "the cell's words, score and band"
    assert "1 of 5 categories rated." in text and "Preview" not in text
    chart = at.get("vega_lite_chart")[0]
    rows = [row for ds in chart.proto.datasets for row in pa.ipc.open_stream(ds.data.data).read_all().to_pylist()]
    assert {(r["likelihood"], r["impact"]) for r in rows if r.get("categories") == "Operational"} == {(4, 5)}

    at = assess_in_page(at, idea_id, 4, 5)  # every category in the same high cell
    assert "Preview: overall risk 20 (high)" in all_text(at)
    button(at, "Save assessment").click().run()
    assert_clean(at)
    saved = ideas.get_idea(org.db, actor_id=org.manager, idea_id=idea_id).assessment
    assert saved.overall == 20 and {(r.likelihood, r.impact) for r in saved.ratings} == {(4, 5)}
    assert {r.mitigation for r in saved.ratings} == {f"Check {c} with the team lead first." for c in risk.CATEGORIES}


def test_a_second_click_on_the_picked_cell_clears_it_and_saving_then_names_what_is_missing(org):
    idea_id = make_idea(org, title="Callback slot picker")
    at = open_page(as_role("manager"), "review")
    button(at, "Start review").click().run()
    at = assess_in_page(at, idea_id, 2, 3)
    k = f"review_assess_{idea_id}"
    at.segmented_control(key=risk_grid.cell_key(k, "financial")).set_value(None).run()
    assert "**Financial** :gray-badge[not rated yet]" in all_text(at)
    assert "4 of 5 categories rated." in all_text(at)
    button(at, "Save assessment").click().run()
    said = " ".join(errors(at))
    assert "Rate the likelihood of Financial from 1 to 5" in said and "None" not in said
    assert ideas.get_idea(org.db, actor_id=org.manager, idea_id=idea_id).assessment is None


def test_re_assessing_starts_from_the_cells_picked_last_time(org):
    idea_id = make_idea(org, title="Queue-jump for repeat callers")
    in_review(org, idea_id, assessed=2)
    at = open_page(as_role("manager"), "idea", id=idea_id)
    at.session_state[f"idea_assess_open_{idea_id}"] = True  # what opening "Re-assess ..." sets
    at.run()
    assert_clean(at)
    k = f"idea_assess_{idea_id}"
    assert {at.segmented_control(key=risk_grid.cell_key(k, c)).value for c in risk.CATEGORIES} == {(2, 2)}
    assert {at.text_input(key=f"{k}_{c}_mitigation").value for c in risk.CATEGORIES} == {"watch it"}
    assert "Preview: overall risk 4 (low)" in all_text(at)
