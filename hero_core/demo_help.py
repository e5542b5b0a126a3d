"""The demo organisation's help traffic: roadblocks asked over the last four months, answered by e-coaches and
colleagues, most of them solved into known answers; a few recurring roadblocks, one of them promoted to an idea.

Every step goes through hero_core.services.help (audited, notified as usual) on the database clock set to when it
happened. The wording varies the way people write, so the recurring roadblocks are found by similarity, not by
identical text.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from hero_core import help_io
from hero_core.db import Database
from hero_core.services import help

SYSTEMS = (
    ("CRM", "Customer CRM", "system"),
    ("BILLING", "Billing system", "system"),
    ("POS", "Store till", "system"),
    ("PORTAL", "Self-service portal admin", "system"),
    ("RETURNS", "Returns and refunds policy", "document"),
    ("PRODUCTS", "Product guide", "document"),
)

#: e-coach email -> (systems, touch points) they answer for
ECOACHES = {
    "grace.adeyemi@hero.example": (("CRM", "BILLING"), ("call_centre",)),
    "hannah.fletcher@hero.example": (("POS", "RETURNS"), ("face_to_face",)),
    "yuki.tanaka@hero.example": (("PORTAL", "PRODUCTS"), ("website", "self_service_portal")),
}

CC = ("CC-BIL", "CC-TEC", "CC-SAL", "CC-RET")
STORES = ("ST-NTH", "ST-RIV", "ST-HAR", "ST-MKT")

#: Recurring roadblocks: (system, touch point, teams that hit it, questions as people wrote them, the answer).
RECURRING = (
    ("CRM", "call_centre", (*CC, "DIG"), (
        "CRM address field drops the postcode when I save",
        "The CRM address field loses the postcode again",
        "Postcode disappears from the CRM address field after saving",
        "CRM address field drops postcode on save, customer waiting",
        "Customer's postcode dropped from the CRM address field",
        "Why does the CRM address field lose the postcode?",
        "CRM address field keeps dropping the postcode for UK addresses",
        "Postcode lost in CRM address field when saving the contact",
        "CRM address field drops the postcode, what do I do",
        "Saving the address in the CRM drops the postcode field",
        "CRM address: postcode field empties after save",
        "Again the CRM address field drops the postcode",
    ), "Known CRM fault: type the postcode at the end of address line 2 as well, then save. The delivery label "
       "reads line 2, so the parcel still arrives. IT has the bug."),
    ("RETURNS", "face_to_face", STORES, (
        "Refund to a closed card: what do I do?",
        "Customer's card is closed, how do I refund the return?",
        "Refund for a return when the original card was cancelled",
        "How to refund a return if the customer's bank card is closed",
        "Closed card refund at the till for a returned item",
        "Refund a return to a card that no longer exists",
        "Customer cancelled the card they paid with: refund how?",
        "Returned item, refund to closed card not possible?",
    ), "Offer store credit or a bank transfer: the Returns and refunds policy, section 4.2. For a bank transfer "
       "fill in the refund form on the till (Menu > Refunds > Transfer) and give the customer the receipt copy."),
    ("BILLING", "call_centre", ("CC-BIL", "CC-RET"), (
        "How do I change the direct debit date in the billing system?",
        "Customer wants a different direct debit date, where do I change it?",
        "Change the direct debit collection date in billing",
        "Moving a customer's direct debit date in the billing system",
        "Direct debit date change: billing system will not let me",
        "Where is the direct debit date in the billing system?",
        "Billing system: change the date of the direct debit",
    ), "Account > Payments > Direct debit > Edit schedule. A new date applies from the next bill; if the next "
       "collection is under 10 days away, tell the customer it moves the month after."),
)

#: One-off roadblocks: (system or "", touch point, question, answer or "").
ONE_OFFS = (
    ("POS", "face_to_face", "Till will not scan gift cards bought online", "Key the 19-digit number by hand: "
     "Payments > Gift card > Manual entry."),
    ("PRODUCTS", "call_centre", "Does the new fibre plan include a static IP address?", "Only the Business tier; "
     "the Product guide page 12 lists what each tier includes."),
    ("PORTAL", "self_service_portal", "Customer locked out of the portal after three password attempts",
     "Portal admin > Users > Unlock; the customer then gets a reset link by email."),
    ("CRM", "call_centre", "How do I merge two CRM records for the same customer?", "Open the newer record, "
     "More > Merge into..., pick the older one. Notes and orders move across."),
    ("", "social_media", "Customer complains on social media about a late delivery: can I offer a voucher?",
     "Yes, up to 10 pounds without asking; more needs your manager. Reply in private messages, never with "
     "order details in public."),
    ("BILLING", "call_centre", "Customer was charged twice this month", "Check Payments > History; if both "
     "collections went through, raise a refund of the second one (Billing > Adjust > Refund) the same day."),
    ("PRODUCTS", "face_to_face", "Which phones support eSIM in the current range?", "Product guide, the eSIM "
     "table on page 4; every model from this year does."),
    ("POS", "face_to_face", "Till crashed in the middle of a sale, customer waiting", ""),
    ("", "website", "Where is the delivery tracking link for store orders?", ""),
)

#: Everyday questions, each asked twice over the months by different people (twice is not yet recurring).
ROUTINE = (
    ("CRM", "call_centre", "How do I add a second contact person to an account?",
     "Contact card > People > Add; tick 'may discuss the account' only with the holder's consent."),
    ("CRM", "call_centre", "Where do I log a complaint so it reaches the complaints team?",
     "Case > New > Complaint; choose the product, the team sees it within the hour."),
    ("BILLING", "call_centre", "How do I explain the pro-rata charge on a first bill?",
     "First bills charge from the start date to the bill date; Billing > Bill > Explain shows the days."),
    ("BILLING", "call_centre", "Can I waive a late payment fee?", "Once a year per customer: Billing > Adjust > "
     "Waive fee, reason 'goodwill'."),
    ("POS", "face_to_face", "How do I reprint a receipt from yesterday?", "Till > Journal > find the sale > Reprint."),
    ("POS", "face_to_face", "Till asks for a manager code for a price override", "Any shift lead's code works; "
     "overrides over 20 pounds need the store manager."),
    ("RETURNS", "face_to_face", "Can a customer return an opened phone after 20 days?", "Within 30 days if it is "
     "undamaged and complete; the policy's section 2.1."),
    ("RETURNS", "website", "Customer wants to return an online order in store", "Yes: scan the order's QR code at "
     "the till; the refund goes to the original payment."),
    ("PORTAL", "self_service_portal", "Portal shows the wrong plan name to the customer", "The name updates "
     "overnight after a plan change; the price shown is already right."),
    ("PORTAL", "website", "Customer cannot find the download of their contract", "Portal > Documents; contracts "
     "older than two years are sent by email on request."),
    ("PRODUCTS", "call_centre", "What is the notice period on the basic broadband plan?", "30 days, no exit fee "
     "after the first 12 months (Product guide, page 7)."),
    ("PRODUCTS", "face_to_face", "Does the tablet insurance cover a cracked screen?", "Yes, one claim a year with "
     "a 25 pound excess; the Product guide's insurance page."),
)


def _work_moment(rng: random.Random, day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=UTC) + timedelta(minutes=rng.randint(0, 7 * 60))


def build_help(db: Database, *, today: date, seed: int = 7, people_by_team: dict[str, list[int]],
               ids: dict[str, int], promoter_email: str) -> tuple[int, int, int | None]:
    """Add the help catalog, e-coaches and help traffic; returns (requests, known answers, promoted idea id)."""
    rng = random.Random(seed * 7919 + 22)
    admin = None  # the system acts for the admin: catalog set-up is configuration, not a person's step

    def at(moment: datetime) -> None:
        db.clock = lambda: moment

    at(datetime.combine(today - timedelta(days=130), time(8), tzinfo=UTC))
    for code, name, kind in SYSTEMS:
        help.add_system(db, actor_id=admin, code=code, name=name, kind=kind)
    for email, (systems, touchpoints) in ECOACHES.items():
        for code in systems:
            help.assign_ecoach(db, actor_id=admin, email=email, system=code)
        for tp in touchpoints:
            help.assign_ecoach(db, actor_id=admin, email=email, touchpoint=tp)
    coach_for = {}
    for email, (systems, touchpoints) in ECOACHES.items():
        for key in systems + touchpoints:
            coach_for[key] = ids[email]
    everyone = [u for members in people_by_team.values() for u in members]

    # (asked, asker, system, touch point, question, answer, stays open)
    plan: list[tuple[datetime, int, str, str, str, str, bool]] = []
    for system, tp, teams, questions, answer in RECURRING:
        for question in questions:
            day = today - timedelta(days=rng.randint(2, 80))
            plan.append((_work_moment(rng, day), rng.choice(people_by_team[rng.choice(teams)]), system, tp, question,
                         answer, False))
    for i, (system, tp, question, answer) in enumerate(ONE_OFFS):
        recent = not answer
        day = today - timedelta(days=0 if recent else rng.randint(3, 110))
        if recent:  # waiting in the queue right now: asked in the last hours
            asked = datetime.combine(today, time(8), tzinfo=UTC) - timedelta(hours=3 + 5 * i % 7)
        else:
            asked = _work_moment(rng, day)
        plan.append((asked, rng.choice(everyone), system, tp, question, answer, recent))
    for system, tp, question, answer in ROUTINE:
        teams = CC if tp == "call_centre" else STORES if tp == "face_to_face" else (*CC, "DIG")
        for _ in range(2):
            day = today - timedelta(days=rng.randint(2, 120))
            plan.append((_work_moment(rng, day), rng.choice(people_by_team[rng.choice(teams)]), system, tp, question,
                         answer, False))
    plan.sort(key=lambda p: p[0])
    requests = known = 0
    for asked, asker, system, tp, question, answer, stays_open in plan:
        at(asked)
        waiting = rng.random() < 0.25 or "customer waiting" in question
        rid = help.ask(db, actor_id=asker, data=help.HelpInput(question=question, touchpoint=tp, system=system,
                                                               customer_waiting=waiting))
        requests += 1
        if stays_open:
            continue
        coach = coach_for.get(system) or coach_for.get(tp)
        colleague = rng.choice([u for u in everyone if u != asker])
        answerer = coach if coach and coach != asker and rng.random() < 0.75 else colleague
        answered = asked + timedelta(minutes=rng.choice((12, 25, 40, 70, 150, 300, 600)))
        at(answered)
        aid = help.answer(db, actor_id=answerer, request_id=rid, body=answer)
        if rng.random() < 0.8:
            at(answered + timedelta(minutes=rng.randint(5, 120)))
            help.mark_solved(db, actor_id=asker, request_id=rid, answer_id=aid)
            known += 1
    # The policy changed: the closed-card answer from before it is outdated.
    at(datetime.combine(today - timedelta(days=1), time(10), tzinfo=UTC))
    old = help.search_known(db, actor_id=ids["hannah.fletcher@hero.example"], text="refund closed card", limit=1)
    if old:
        help.mark_outdated(db, actor_id=ids["hannah.fletcher@hero.example"], known_answer_id=old[0].id,
                           reason="Since this month refunds to closed cards go by bank transfer only; no store "
                                  "credit without the customer asking for it.")
    # The loop closes: help requests about each system per team and day, as metrics an idea can target.
    at(datetime.combine(today, time(6), tzinfo=UTC))
    help_io.count_help_metrics(db, actor_id=None)
    at(datetime.combine(today - timedelta(days=1), time(11), tzinfo=UTC))
    idea_id = None
    promoter = ids[promoter_email]
    for rb in help.recurring_roadblocks(db, actor_id=promoter, days=90):
        if rb.system == "CRM":
            idea_id = help.promote_roadblock(
                db, actor_id=promoter, request_ids=rb.request_ids, title="Keep the postcode in the CRM address",
                proposal="Fix the CRM address form so it saves the postcode field; until then, show the line-2 "
                         "workaround on the form itself.",
                category="crm_lms_entry", involves_technology=True, target_metrics=("help_crm", "aht"))
            break
    return requests, known, idea_id
