"""Content of the demo organisation: a broadband, TV and mobile provider with a contact centre and
four stores.

Plain data only. The demo builder (hero_core.demo) turns it into people, ideas, assessments, IT plans and
campaigns. Ideas describe believable roadblocks that customers and frontline staff hit every day, and the
fixes those staff propose; a few of them carry real risk and are marked "risky".
"""

from __future__ import annotations

IDEAS: list[dict] = [
    # ------------------------------------------------------------------ contact centre: billing
    {
        "title": "Pre-fill the direct-debit change form from the CRM record",
        "roadblock": (
            "When a customer changes bank account, the agent re-types their name, billing address and "
            "account number from the CRM into the separate direct-debit mandate form. Roughly one mandate in "
            "twelve is rejected by the bank because of a typo in the sort code or account holder name. Each "
            "rejection triggers a missed-payment letter and almost always a second, annoyed call."
        ),
        "proposal": (
            "Open the mandate form from the customer record with name, billing address and account reference "
            "already filled in, so the agent only types the new bank details. Check the sort code against "
            "the bank directory before the form can be submitted. Mask the account number on screen once "
            "entered."
        ),
        "benefit": (
            "Fewer rejected mandates, shorter calls and far fewer missed-payment letters sent in error."
        ),
        "touchpoint": "call_centre",
        "category": "complex_form",
        "tech": True,
        "metrics": ["error_rate", "aht", "complaints"],
        "team": "CC-BIL",
        "risky": True,
    },
    {
        "title": "Laminated guide to reading the new itemised bill",
        "roadblock": (
            "Since the bill layout changed in spring, customers ring to ask why there are two 'part-month' "
            "lines after an upgrade. Newer agents are not sure either and read the bill line by line with "
            "the customer, which turns a two-minute question into a ten-minute call. The team leader "
            "estimates 60 of these calls a day."
        ),
        "proposal": (
            "Print a one-page annotated example bill, with each section numbered and a plain explanation of "
            "part-month charges, discounts and one-off fees. Laminate it and keep a copy on every billing "
            "desk. Refresh it whenever the bill template changes."
        ),
        "benefit": (
            "Agents explain the bill with confidence in a couple of minutes instead of working it out live."
        ),
        "touchpoint": "call_centre",
        "category": "other",
        "tech": False,
        "metrics": ["aht", "fcr"],
        "team": "CC-BIL",
    },
    {
        "title": "Turn the late-payment fee waiver policy into a decision table",
        "roadblock": (
            "The fee waiver policy is nine pages long in the policy library and mixes rules for hardship, "
            "bereavement and first-time late payers. Agents are unsure whether a second waiver inside twelve "
            "months is allowed, so they put the customer on hold to ask a team leader. The floor logs around "
            "forty of these holds every day."
        ),
        "proposal": (
            "Condense the policy into a single decision table: situation, how many waivers allowed, who can "
            "approve and what to note on the account. Have the billing policy owner sign it off and pin it "
            "at the top of the policy library page."
        ),
        "benefit": "Consistent waiver decisions on the first call without a hold for a team leader.",
        "touchpoint": "call_centre",
        "category": "policy_question",
        "tech": False,
        "metrics": ["fcr", "aht", "complaints"],
        "team": "CC-BIL",
    },
    {
        "title": "Let billing agents give goodwill credits up to 15 pounds without sign-off",
        "roadblock": (
            "Any goodwill credit, even five pounds for a late engineer, needs a team leader to approve it in "
            "the billing system. Customers wait on hold while the agent finds someone free, and at busy "
            "times the credit is promised but never applied. Promised-but-missing credits are the third most "
            "common reason for a repeat billing call."
        ),
        "proposal": (
            "Give trained billing agents authority to apply a goodwill credit of up to 15 pounds per "
            "customer per quarter themselves. The system records the reason code and the agent, and team "
            "leaders review a weekly report of all such credits for patterns."
        ),
        "benefit": (
            "Customers get the credit while they are still on the call, and it actually lands on the bill."
        ),
        "touchpoint": "call_centre",
        "category": "policy_question",
        "tech": False,
        "metrics": ["fcr", "csat", "aht"],
        "team": "CC-BIL",
        "risky": True,
    },
    {
        "title": "Suggest the wrap-up code for billing calls in the CRM",
        "roadblock": (
            "At the end of each call agents pick one of 47 wrap-up codes from a flat drop-down list. Most "
            "pick 'General billing enquiry' because it is near the top, so the weekly report cannot tell "
            "refunds from payment plans. Quality checks found a wrong code on about a third of sampled "
            "calls."
        ),
        "proposal": (
            "Have the CRM suggest the three most likely wrap-up codes based on the screens the agent opened "
            "during the call. The agent confirms one with a click or searches the full list if none fit."
        ),
        "benefit": "Accurate call reasons for planning and a few seconds saved on every call.",
        "touchpoint": "call_centre",
        "category": "crm_lms_entry",
        "tech": True,
        "metrics": ["error_rate", "aht"],
        "team": "CC-BIL",
    },
    {
        "title": "Weekly 'known billing glitches' whiteboard at the team pod",
        "roadblock": (
            "When a batch of bills goes out wrong, for example a price rise applied twice, agents find out "
            "one call at a time. Each agent investigates the same account pattern separately and some give "
            "different answers to customers. The official notice from the billing operations team often "
            "arrives a day later."
        ),
        "proposal": (
            "Put a whiteboard next to the team leaders' desks listing current known glitches, what to tell "
            "the customer and whether a fix is coming. Whoever spots a new pattern writes it up, and the "
            "team leader confirms or rubs it out at the morning huddle."
        ),
        "benefit": (
            "The whole floor gives the same correct answer about a billing problem within hours, not days."
        ),
        "touchpoint": "call_centre",
        "category": "other",
        "tech": False,
        "metrics": ["fcr", "complaints"],
        "team": "CC-BIL",
    },
    {
        "title": "Cut the payment-arrangement form from 23 fields to 9",
        "roadblock": (
            "Setting up a payment arrangement for a customer in arrears means filling in a 23-field form, "
            "many of which (such as employer name) are never used by the collections team. Agents skip "
            "fields or enter 'N/A', and the form is rejected by validation two or three times before it goes "
            "through. A typical arrangement takes twelve minutes of a call that is already stressful for the "
            "customer."
        ),
        "proposal": (
            "Work with collections to agree the nine fields they actually use and hide the rest. Pre-fill "
            "the outstanding balance and next bill date from the account, and show a calculated instalment "
            "amount the agent can read out."
        ),
        "benefit": "Payment arrangements set up in half the time with fewer rejected submissions.",
        "touchpoint": "call_centre",
        "category": "complex_form",
        "tech": True,
        "metrics": ["aht", "error_rate"],
        "team": "CC-BIL",
    },
    # ------------------------------------------------------------------ contact centre: technical support
    {
        "title": "Guided router reset script inside the CRM call screen",
        "roadblock": (
            "Agents talking a customer through a HomeHub router reset flip between the CRM, a PDF guide and "
            "the line-test tool. The PDF covers three router models in one document, so agents sometimes "
            "give the factory-reset steps when only a restart was needed, wiping the customer's Wi-Fi "
            "settings. Around one in five router calls ends with the customer needing to call back."
        ),
        "proposal": (
            "Add a step-by-step reset script to the call screen that picks the router model from the "
            "customer's equipment record. Each step has a 'did it work?' button, and the script only offers "
            "a factory reset after a restart and line test have failed."
        ),
        "benefit": "Fewer unnecessary factory resets and more router problems fixed on the first call.",
        "touchpoint": "call_centre",
        "category": "equipment_setup",
        "tech": True,
        "metrics": ["fcr", "aht"],
        "team": "CC-TEC",
    },
    {
        "title": "Let customers text a photo of their router lights during the call",
        "roadblock": (
            "Customers struggle to describe the router lights: 'the orange one is blinking' can mean four "
            "different faults depending on the model. Agents spend several minutes asking questions to work "
            "out which light is which. Misread lights lead to engineers being booked for faults the customer "
            "could have fixed at home."
        ),
        "proposal": (
            "Send the customer a one-time SMS link where they can upload a photo of the router front. The "
            "photo appears in the agent's call screen and is deleted automatically after seven days."
        ),
        "benefit": "Faster, more accurate diagnosis and fewer engineer visits booked for nothing.",
        "touchpoint": "call_centre",
        "category": "equipment_setup",
        "tech": True,
        "metrics": ["fcr", "aht"],
        "team": "CC-TEC",
    },
    {
        "title": "Peer buddy for new technical agents in their first six weeks",
        "roadblock": (
            "New technical agents leave the classroom knowing the theory but freeze on their first live "
            "no-signal call. They raise their hand for a team leader, who may be on another call, so the "
            "customer waits on hold. New starters take about four months to reach the team's average fix "
            "rate."
        ),
        "proposal": (
            "Pair every new starter with an experienced agent who sits next to them for the first six weeks "
            "and takes their questions on a chat side-channel. Buddies get an hour a week off the phones for "
            "this, and both meet the team leader every fortnight to review progress."
        ),
        "benefit": "New agents get an answer in seconds from a peer and reach full competence sooner.",
        "touchpoint": "call_centre",
        "category": "other",
        "tech": False,
        "metrics": ["time_to_mastery", "fcr"],
        "team": "CC-TEC",
    },
    {
        "title": "Fault-code card for the HomeHub 3 and HomeHub 4 routers",
        "roadblock": (
            "The HomeHub 4 shows error codes such as E-21 on its display, but the code list is buried on "
            "page 38 of the technical manual. Agents search the intranet during the call and often find the "
            "HomeHub 3 list instead, where the same codes mean something else. This happens several times "
            "per agent per shift."
        ),
        "proposal": (
            "Make a two-sided laminated card: HomeHub 3 codes on one side, HomeHub 4 on the other, each with "
            "the meaning and the first fix to try. Put one on every technical desk and a copy in the team "
            "channel."
        ),
        "benefit": (
            "Agents read the right meaning of an error code in seconds instead of searching the manual."
        ),
        "touchpoint": "call_centre",
        "category": "product_information",
        "tech": False,
        "metrics": ["aht", "fcr"],
        "team": "CC-TEC",
    },
    {
        "title": "Raise a fault ticket from one screen instead of three",
        "roadblock": (
            "Logging a broadband fault means opening the CRM case, then the network fault tool, then the "
            "engineer booking system, and typing the same customer details into each. Details often differ "
            "between systems, so engineers arrive at the wrong flat or with the wrong fault description. "
            "Agents log around 300 fault tickets a day."
        ),
        "proposal": (
            "Build a single fault form in the CRM that creates the network ticket and engineer booking "
            "through their existing interfaces, passing the customer and line details across automatically. "
            "Show the booking reference back on the CRM case."
        ),
        "benefit": "Fault tickets logged in one go, with consistent details reaching the engineer.",
        "touchpoint": "call_centre",
        "category": "crm_lms_entry",
        "tech": True,
        "metrics": ["aht", "error_rate"],
        "team": "CC-TEC",
    },
    {
        "title": "Send a speed-test link by SMS while the customer is on the line",
        "roadblock": (
            "For slow-speed complaints agents ask customers to find and run a speed test themselves. Many "
            "land on advert-heavy sites, test over Wi-Fi from the garden and read back numbers that mean "
            "nothing. Agents cannot see the result and end up booking a line check anyway."
        ),
        "proposal": (
            "Add a button in the call screen that texts the customer a link to our own speed test page. The "
            "result, including whether they were on Wi-Fi or cable, is posted straight into the CRM case "
            "while the agent waits."
        ),
        "benefit": (
            "Reliable speed data on the call, so agents can fix or rule out the home set-up immediately."
        ),
        "touchpoint": "call_centre",
        "category": "equipment_setup",
        "tech": True,
        "metrics": ["fcr", "aht"],
        "team": "CC-TEC",
    },
    {
        "title": "Link LMS micro-lessons to the fault types agents log most",
        "roadblock": (
            "The learning management system has over 200 technical modules, but nobody knows which ones "
            "match the faults agents actually struggle with. Agents complete the mandatory modules once a "
            "year and never return. Meanwhile the same three fault types account for most repeat calls."
        ),
        "proposal": (
            "Each month, take the five fault types with the highest repeat-call rate and tag a short LMS "
            "lesson to each. Show a 'refresh this' link on the agent's home page when they have recently "
            "handled that fault type and the customer called back."
        ),
        "benefit": "Training lands on the exact faults that cause repeat calls, when the agent needs it.",
        "touchpoint": "other",
        "category": "crm_lms_entry",
        "tech": True,
        "metrics": ["time_to_mastery", "fcr"],
        "team": "CC-TEC",
    },
    # ------------------------------------------------------------------ contact centre: sales
    {
        "title": "Side-by-side comparison card for the three fibre tiers",
        "roadblock": (
            "Customers ask what the real difference is between Fibre 150, Fibre 500 and Fibre 900. The "
            "product pages on the intranet are written for marketing and list different features for each "
            "tier, so agents struggle to compare them quickly. Hesitant customers often say they will 'think "
            "about it' and do not come back."
        ),
        "proposal": (
            "Create a single comparison card with the same rows for each tier: speeds, how many people and "
            "devices it suits, price, contract length and router included. Agents keep it on the desk and "
            "the sales team leader updates it when prices change."
        ),
        "benefit": (
            "Agents help customers choose a tier quickly and confidently, so more calls end in a sale."
        ),
        "touchpoint": "call_centre",
        "category": "product_information",
        "tech": False,
        "metrics": ["sales_conversion", "aht"],
        "team": "CC-SAL",
    },
    {
        "title": "Live address coverage check inside the sales order screen",
        "roadblock": (
            "Agents check coverage in a separate network tool, then copy the address into the order screen. "
            "If the address is typed slightly differently the order later fails the coverage check, "
            "sometimes days after the sale. About 5 percent of fibre orders are cancelled for this reason, "
            "and each one becomes a complaint."
        ),
        "proposal": (
            "Embed the coverage lookup in the order screen so the agent searches the address once and the "
            "confirmed address and available speeds carry through to the order. Block submission if the "
            "chosen tier is not available at that address."
        ),
        "benefit": (
            "No more orders sold for speeds the customer cannot get, and fewer cancellation complaints."
        ),
        "touchpoint": "call_centre",
        "category": "product_information",
        "tech": True,
        "metrics": ["sales_conversion", "complaints"],
        "team": "CC-SAL",
    },
    {
        "title": "Save a half-finished phone order so the customer can finish online",
        "roadblock": (
            "Many customers start an order on the phone but need to check something, such as a partner's "
            "agreement or their moving date. The agent cannot save the order, so the customer has to start "
            "again from scratch next time. Most never call back."
        ),
        "proposal": (
            "Add a 'save and send link' button to the sales order screen. The customer receives an email "
            "link that opens the saved basket on the website, valid for seven days, where they can review "
            "and complete the order themselves."
        ),
        "benefit": "Customers who need time to decide can finish the order easily instead of starting over.",
        "touchpoint": "call_centre",
        "category": "complex_form",
        "tech": True,
        "metrics": ["sales_conversion"],
        "team": "CC-SAL",
    },
    {
        "title": "Plain-words explanations of credit-check outcomes for agents",
        "roadblock": (
            "When a credit check comes back 'refer' or 'deposit required', agents only see the code. They do "
            "not know what to say, so some read out the code and others guess. Customers feel judged and "
            "some complain that they were told they had bad credit."
        ),
        "proposal": (
            "Write a short, approved explanation for each credit-check outcome, including what the customer "
            "can do next, and add it to the sales knowledge page. Agree the wording with the credit risk "
            "team so it is accurate and respectful."
        ),
        "benefit": "Customers get a clear, kind explanation and a next step instead of a confusing code.",
        "touchpoint": "call_centre",
        "category": "policy_question",
        "tech": False,
        "metrics": ["csat", "complaints"],
        "team": "CC-SAL",
    },
    {
        "title": "Ask-an-expert chat channel for tricky bundle pricing",
        "roadblock": (
            "Bundles of broadband, TV and two or more SIMs have discount rules that interact in odd ways. "
            "Agents who are unsure put the customer on hold and walk over to the pricing team, who are often "
            "in meetings. Quotes given on the call are wrong often enough that the order desk reworks about "
            "one in ten bundle orders."
        ),
        "proposal": (
            "Open a dedicated chat channel where two experienced agents per shift answer bundle pricing "
            "questions within two minutes. Good answers are pinned so others can search them before asking."
        ),
        "benefit": "Quick, correct bundle quotes and a growing library of answered questions.",
        "touchpoint": "call_centre",
        "category": "product_information",
        "tech": True,
        "metrics": ["aht", "sales_conversion", "error_rate"],
        "team": "CC-SAL",
    },
    {
        "title": "Record verbal contract consent with a click-to-confirm script",
        "roadblock": (
            "Phone sales must read the key contract terms and get the customer's clear 'yes' before the "
            "order is placed. Agents paraphrase the terms differently and sometimes forget the cancellation "
            "rights, which the regulator requires. Disputed sales are hard to defend because consent is "
            "buried somewhere in a 40-minute recording."
        ),
        "proposal": (
            "Show the mandatory terms as a script in the order screen, one section at a time, with the agent "
            "clicking 'customer agreed' after each. Store a timestamp for each click so the matching part of "
            "the call recording can be found in seconds."
        ),
        "benefit": "Every sale has complete, provable consent and disputed sales are resolved quickly.",
        "touchpoint": "call_centre",
        "category": "policy_question",
        "tech": True,
        "metrics": ["complaints", "error_rate"],
        "team": "CC-SAL",
        "risky": True,
    },
    # ------------------------------------------------------------------ contact centre: retention
    {
        "title": "Show the contract end date on the first CRM screen",
        "roadblock": (
            "Retention agents need to know straight away whether a customer is in contract, but the end date "
            "is three clicks deep under 'Products > Agreements > History'. For customers with several "
            "products, agents have to open each agreement in turn. This happens on nearly every retention "
            "call."
        ),
        "proposal": (
            "Add a small panel to the CRM summary screen listing each product with its contract end date and "
            "any early-exit fee, highlighted in amber if it ends within 60 days. The panel reads the same "
            "agreement data the CRM already holds, so nothing new has to be entered."
        ),
        "benefit": "Agents know the customer's position from the first second of the call.",
        "touchpoint": "call_centre",
        "category": "crm_lms_entry",
        "tech": True,
        "metrics": ["aht", "fcr"],
        "team": "CC-RET",
    },
    {
        "title": "Early-exit fee calculator agents can trust",
        "roadblock": (
            "Customers who want to leave early ask exactly what it will cost. Agents work it out by hand "
            "from the remaining months and the monthly price, but forget discounts that end early or "
            "equipment charges. Customers then receive a final bill that does not match what they were told."
        ),
        "proposal": (
            "Add a calculator to the retention screen that pulls the remaining term, current price, "
            "discounts and unreturned equipment and shows the exact exit fee. The figure given is saved to "
            "the case notes."
        ),
        "benefit": "Customers are quoted the exact exit cost, so final bills match and disputes drop.",
        "touchpoint": "call_centre",
        "category": "policy_question",
        "tech": True,
        "metrics": ["complaints", "fcr"],
        "team": "CC-RET",
    },
    {
        "title": "Let retention agents match a competitor price without a manager",
        "roadblock": (
            "When a customer quotes a cheaper competitor deal, agents must get a manager to approve any "
            "price match. Approval can take a day, and by then many customers have already signed with the "
            "competitor. Agents say they lose several saveable customers every week this way."
        ),
        "proposal": (
            "Allow agents to match a verified competitor price for the same speed and contract length, up to "
            "a fixed monthly discount cap. Agents must note the competitor offer and the cap is reviewed "
            "monthly by finance."
        ),
        "benefit": "More customers saved on the first call while discounts stay within a known limit.",
        "touchpoint": "call_centre",
        "category": "policy_question",
        "tech": False,
        "metrics": ["sales_conversion", "nps"],
        "team": "CC-RET",
        "risky": True,
    },
    {
        "title": "Structured 'reason for leaving' notes in the CRM",
        "roadblock": (
            "Agents record why a customer is leaving as free text, so notes range from 'price' to a "
            "paragraph about a missed engineer visit. Nobody can count the reasons reliably, and the monthly "
            "churn report is built by hand from a sample. Product teams keep asking for data that does not "
            "really exist."
        ),
        "proposal": (
            "Replace the free-text box with a short list of main reasons (price, service fault, moving home, "
            "competitor offer, other) plus an optional comment. Make the main reason required before the "
            "case can be closed."
        ),
        "benefit": "Reliable churn reasons the business can act on, with no extra effort for agents.",
        "touchpoint": "call_centre",
        "category": "crm_lms_entry",
        "tech": True,
        "metrics": ["error_rate"],
        "team": "CC-RET",
    },
    {
        "title": "Call back customers who cancel online within 48 hours",
        "roadblock": (
            "Customers who cancel through the website never speak to anyone, so we never learn why and never "
            "get the chance to fix a simple problem. Some of them leave over an issue retention could have "
            "solved in five minutes, like a wrong bill."
        ),
        "proposal": (
            "Each morning, retention agents receive a list of yesterday's online cancellations for customers "
            "who have not opted out of contact. They call once, ask about the reason and offer help only if "
            "the customer wants it."
        ),
        "benefit": "Some avoidable cancellations are reversed and we learn why people leave online.",
        "touchpoint": "call_centre",
        "category": "other",
        "tech": False,
        "metrics": ["nps", "sales_conversion"],
        "team": "CC-RET",
    },
    {
        "title": "Current retention offers sheet on every desk, refreshed each Monday",
        "roadblock": (
            "Retention offers change almost weekly and are announced in emails that agents read between "
            "calls. Agents offer deals that expired last week or miss better ones that started yesterday. "
            "Customers then hear different offers depending on who they speak to."
        ),
        "proposal": (
            "Publish one printed sheet of valid offers every Monday morning, with start and end dates, "
            "eligibility and the CRM offer code. The old sheet is collected and binned at the same time."
        ),
        "benefit": "Every agent makes the current, correct offer and customers get consistent answers.",
        "touchpoint": "call_centre",
        "category": "product_information",
        "tech": False,
        "metrics": ["sales_conversion", "aht"],
        "team": "CC-RET",
    },
    # ------------------------------------------------------------------ Northgate store
    {
        "title": "Set up the customer's new phone at the counter with a checklist",
        "roadblock": (
            "Customers buying a new phone often go home and cannot move their contacts, WhatsApp history or "
            "banking app. They come back a day later frustrated, or ring technical support. Staff do help at "
            "the counter, but everyone does it differently and steps get missed."
        ),
        "proposal": (
            "Use a laminated set-up checklist at the counter: SIM in, Wi-Fi, account sign-in, contacts, "
            "messages, two-factor apps, old phone wiped. The customer ticks it off with the staff member and "
            "takes a copy home."
        ),
        "benefit": "Customers leave with a working phone and far fewer come back or call for set-up help.",
        "touchpoint": "face_to_face",
        "category": "equipment_setup",
        "tech": False,
        "metrics": ["csat", "complaints"],
        "team": "ST-NTH",
    },
    {
        "title": "Tablet contract form with photo-ID scan in store",
        "roadblock": (
            "Store contracts are filled in on a paper form, then typed into the system after the customer "
            "leaves. Staff photocopy the customer's ID and the copies sit in a tray until the weekly shred. "
            "Typing errors mean some contracts are set up with the wrong date of birth or address."
        ),
        "proposal": (
            "Fill in the contract on a store tablet with the customer, scanning their photo ID to populate "
            "name and date of birth. The ID image goes straight to the secure document store and is not kept "
            "on the tablet; the paper form and photocopies are withdrawn."
        ),
        "benefit": "Faster, accurate contracts and no paper copies of customers' ID lying around the store.",
        "touchpoint": "face_to_face",
        "category": "complex_form",
        "tech": True,
        "metrics": ["aht", "error_rate"],
        "team": "ST-NTH",
        "risky": True,
    },
    {
        "title": "Live StreamBox demo on the shop floor with real broadband",
        "roadblock": (
            "Customers ask what the StreamBox 4K actually looks like in use, but the display unit only plays "
            "a looping video. Staff cannot show the search, the app store or recordings. Many customers say "
            "they will look it up online and we lose the sale."
        ),
        "proposal": (
            "Connect one StreamBox to the store broadband and a TV on the shop floor, logged in to a demo "
            "account with a few channels and apps. Staff use it to walk customers through the features they "
            "ask about."
        ),
        "benefit": "Customers see the product working and more of them buy TV with their broadband.",
        "touchpoint": "face_to_face",
        "category": "product_information",
        "tech": True,
        "metrics": ["sales_conversion", "csat"],
        "team": "ST-NTH",
    },
    {
        "title": "Returns and exchanges policy card at the till",
        "roadblock": (
            "Customers returning a phone ask whether they can return it after opening it, or whether a "
            "14-day return also cancels the airtime contract. Staff are not sure and call head office, which "
            "can take twenty minutes. Different stores have given different answers to the same question."
        ),
        "proposal": (
            "Create a simple FAQ card covering the ten most common returns questions, with the answer and "
            "what paperwork is needed. Keep one at each till and check it against the official policy every "
            "quarter."
        ),
        "benefit": "Consistent returns answers in seconds, without a call to head office.",
        "touchpoint": "face_to_face",
        "category": "policy_question",
        "tech": False,
        "metrics": ["complaints", "aht"],
        "team": "ST-NTH",
    },
    {
        "title": "Book a store set-up appointment from the website",
        "roadblock": (
            "Customers who order a phone online and collect in store often want help setting it up, but "
            "arrive at busy times and wait. Staff then rush the set-up, or the customer leaves without it. "
            "There is no way to plan quiet time for these customers."
        ),
        "proposal": (
            "Offer a 20-minute set-up slot when choosing click-and-collect on the website. The store sees "
            "the bookings for the day on the store tablet and plans staff around them."
        ),
        "benefit": (
            "Customers get an unhurried set-up at a time that suits them and staff can plan their day."
        ),
        "touchpoint": "website",
        "category": "equipment_setup",
        "tech": True,
        "metrics": ["csat", "nps"],
        "team": "ST-NTH",
    },
    {
        "title": "Data-transfer cable kit and step card for iPhone to Android switches",
        "roadblock": (
            "Moving photos and chats from an iPhone to an Android phone needs a particular cable adapter and "
            "the right order of steps. The store often has no adapter to hand, and staff who rarely do this "
            "switch get stuck halfway. Customers leave with half their data moved."
        ),
        "proposal": (
            "Keep a small labelled kit of adapters at each counter and a step card for the two most common "
            "switches (iPhone to Android, Android to iPhone). Staff who have done it well add tips to the "
            "card."
        ),
        "benefit": "Complete data transfers on the spot and happier customers switching platforms.",
        "touchpoint": "face_to_face",
        "category": "equipment_setup",
        "tech": False,
        "metrics": ["csat", "aht"],
        "team": "ST-NTH",
    },
    {
        "title": "Log store visit reasons in the CRM with four buttons, not free text",
        "roadblock": (
            "Store staff are asked to log why each customer visited, but the CRM only offers a free-text "
            "box. When the store is busy nobody fills it in, and when they do the text is too varied to "
            "report on. Head office has no real idea why people come into stores."
        ),
        "proposal": (
            "Add four large buttons on the store CRM home screen (new sale, upgrade, problem or repair, bill "
            "question) plus an 'other' option. One tap logs the visit reason against the customer or as an "
            "anonymous visit."
        ),
        "benefit": (
            "Accurate visit data in one tap, so staffing and training match why customers really come in."
        ),
        "touchpoint": "face_to_face",
        "category": "crm_lms_entry",
        "tech": True,
        "metrics": ["error_rate"],
        "team": "ST-NTH",
    },
    # ------------------------------------------------------------------ Riverside store
    {
        "title": "Queue ticket with an SMS when it is nearly your turn",
        "roadblock": (
            "On Saturdays the Riverside store has a queue out of the door and customers do not know how long "
            "they will wait. Many give up and leave, then ring the contact centre instead. Staff get the "
            "brunt of the frustration when people finally reach the counter."
        ),
        "proposal": (
            "Use a simple queue system where a greeter takes the customer's mobile number and reason for "
            "visit. The customer can shop nearby and gets an SMS when they are third in line."
        ),
        "benefit": "Shorter felt waiting time, fewer walk-outs and calmer conversations at the counter.",
        "touchpoint": "face_to_face",
        "category": "other",
        "tech": True,
        "metrics": ["csat", "complaints"],
        "team": "ST-RIV",
    },
    {
        "title": "Trade-in condition guide with photos of acceptable wear",
        "roadblock": (
            "The trade-in policy says devices must be in 'good condition', but staff judge this differently. "
            "Customers are offered one price at Riverside and a lower one at Harbour for the same phone. "
            "Disputes about trade-in value are now the store's most common complaint."
        ),
        "proposal": (
            "Produce a binder with photos showing grade A, B and C for screens, backs and edges, and the "
            "price band for each. Staff show the customer the matching photo when grading their device."
        ),
        "benefit": "Fair, consistent trade-in prices that customers can see for themselves.",
        "touchpoint": "face_to_face",
        "category": "policy_question",
        "tech": False,
        "metrics": ["complaints", "sales_conversion"],
        "team": "ST-RIV",
    },
    {
        "title": "Pairing check for smart-home kits before the customer leaves",
        "roadblock": (
            "Customers buying the smart-home starter kit (hub, plugs and a camera) often cannot pair the "
            "devices at home. The instructions assume the hub is already on the home Wi-Fi. Around a quarter "
            "of kits come back within two weeks as 'faulty' when they are working fine."
        ),
        "proposal": (
            "Before the customer leaves, staff open the box with them, install the app on their phone and "
            "pair one plug using the store demo network. They also give a printed note on reconnecting the "
            "hub to home Wi-Fi."
        ),
        "benefit": "Customers know how pairing works before they get home, so far fewer kits are returned.",
        "touchpoint": "face_to_face",
        "category": "equipment_setup",
        "tech": False,
        "metrics": ["complaints", "fcr"],
        "team": "ST-RIV",
    },
    {
        "title": "Short videos of each new handset's top features on staff phones",
        "roadblock": (
            "New handsets launch with little notice, sometimes the day stock arrives. Staff have not used "
            "the phone themselves and cannot answer simple questions about the camera modes or battery "
            "saving. Customers notice and ask to 'come back later'."
        ),
        "proposal": (
            "For each launch, a volunteer from the store team records a two-minute video of the five "
            "features customers ask about most. Videos are shared on the staff app so everyone can watch "
            "before their shift."
        ),
        "benefit": "Staff speak confidently about new handsets from launch day.",
        "touchpoint": "face_to_face",
        "category": "product_information",
        "tech": True,
        "metrics": ["time_to_mastery", "sales_conversion"],
        "team": "ST-RIV",
    },
    {
        "title": "Take card payments for overdue bills at the store till",
        "roadblock": (
            "Customers whose service has been restricted for non-payment come into the store to pay. Stores "
            "cannot take bill payments, so staff send them home to ring the billing line, which may mean a "
            "long wait while their phone is barred. Some customers leave the store in tears or angry."
        ),
        "proposal": (
            "Allow store tills to take card payments against a customer's account, using the existing card "
            "terminals so staff never see or key full card details. The payment is posted to billing in real "
            "time and the restriction lifted."
        ),
        "benefit": "Customers can clear arrears and have service restored in one visit.",
        "touchpoint": "face_to_face",
        "category": "other",
        "tech": True,
        "metrics": ["fcr", "complaints"],
        "team": "ST-RIV",
        "risky": True,
    },
    {
        "title": "Check stock in other stores without phoning them",
        "roadblock": (
            "When a colour or storage size is out of stock, staff phone the other three stores to check. The "
            "other store is often busy and does not answer, and the customer walks out. Staff estimate this "
            "happens ten times on a busy day."
        ),
        "proposal": (
            "Show live stock for all four stores on the store tablet's product page, with an option to "
            "reserve the item for collection at the other store. The reservation holds the device for 24 "
            "hours and the other store gets a notification to put it aside."
        ),
        "benefit": "Customers get the exact device they want from a nearby store instead of walking away.",
        "touchpoint": "face_to_face",
        "category": "product_information",
        "tech": True,
        "metrics": ["sales_conversion", "csat"],
        "team": "ST-RIV",
    },
    {
        "title": "Till buddy for each new starter for their first 20 shifts",
        "roadblock": (
            "New store staff are trained on the till system in a half-day session, then left alone on a busy "
            "Saturday. Refunds, part-exchanges and split payments go wrong and need a manager to void them. "
            "Till errors are three times higher in a starter's first month."
        ),
        "proposal": (
            "Name a 'till buddy' for each new starter who works the same shifts for their first 20 shifts. "
            "The buddy handles the tricky transactions alongside them and signs off each type once the "
            "starter has done it correctly twice."
        ),
        "benefit": "New starters learn the till safely on the job and make fewer costly mistakes.",
        "touchpoint": "face_to_face",
        "category": "other",
        "tech": False,
        "metrics": ["time_to_mastery", "error_rate"],
        "team": "ST-RIV",
    },
    # ------------------------------------------------------------------ Harbour store
    {
        "title": "Large-print HomeHub set-up guide for older customers",
        "roadblock": (
            "Harbour has many older customers who find the HomeHub quick-start leaflet hard to read: small "
            "text, grey on white, and diagrams with tiny labels. They come back to the store, or their "
            "relatives call technical support on their behalf. Staff often end up drawing their own diagrams "
            "on scrap paper."
        ),
        "proposal": (
            "Create a large-print, high-contrast set-up guide with one step per page and real photos of the "
            "cables and ports. Hand it out with every router sold in store and offer it to the contact "
            "centre to post on request."
        ),
        "benefit": "More customers set up their router on their own the first time.",
        "touchpoint": "face_to_face",
        "category": "equipment_setup",
        "tech": False,
        "metrics": ["csat", "complaints"],
        "team": "ST-HAR",
    },
    {
        "title": "Seated service point with a hearing loop at Harbour store",
        "roadblock": (
            "The Harbour store only has high standing counters and a noisy shop floor. Customers with "
            "mobility or hearing difficulties struggle through long contract conversations. Some ask to do "
            "everything on the phone instead, which takes much longer."
        ),
        "proposal": (
            "Convert one counter into a seated service point with a portable hearing loop and a clear sign. "
            "Staff offer it proactively for longer conversations such as new contracts and upgrades."
        ),
        "benefit": "Customers with access needs can be served comfortably in the store.",
        "touchpoint": "face_to_face",
        "category": "other",
        "tech": False,
        "metrics": ["csat", "nps"],
        "team": "ST-HAR",
    },
    {
        "title": "One-screen repair drop-off with device lookup by IMEI",
        "roadblock": (
            "Booking a phone in for repair means a four-page form: customer details, device model, fault, "
            "accessories, passcode consent and insurance status. Staff copy the model by hand from the box "
            "or settings, and wrong models mean the repair centre orders the wrong parts. Each drop-off "
            "takes about fifteen minutes."
        ),
        "proposal": (
            "Replace the form with one tablet screen: scan or type the IMEI and fill in the model, colour "
            "and warranty status automatically. Staff then pick the fault from a list and capture the "
            "customer's signature on screen."
        ),
        "benefit": "Quicker drop-offs and the right parts ordered first time.",
        "touchpoint": "face_to_face",
        "category": "complex_form",
        "tech": True,
        "metrics": ["aht", "error_rate"],
        "team": "ST-HAR",
    },
    {
        "title": "Insurance claim checklist so customers bring the right documents",
        "roadblock": (
            "Customers come to the store to claim on device insurance but do not bring the police reference, "
            "proof of purchase or the damaged device. Staff can only start the claim and ask them to come "
            "back. Most claims need two or three visits."
        ),
        "proposal": (
            "Give a printed claim checklist to customers when they buy insurance and text it when they first "
            "ask about a claim. Staff use the same checklist at the counter so nothing is missed."
        ),
        "benefit": "Most insurance claims completed in a single visit.",
        "touchpoint": "face_to_face",
        "category": "policy_question",
        "tech": False,
        "metrics": ["fcr", "complaints"],
        "team": "ST-HAR",
    },
    {
        "title": "Translated contract summary sheets in the five most-used languages",
        "roadblock": (
            "Many Harbour customers speak Polish, Portuguese, Arabic, Romanian or Somali at home. Staff rely "
            "on the customer's children or a phone translation app to explain contract terms, which is slow "
            "and not always accurate. Some customers later say they did not understand the contract length."
        ),
        "proposal": (
            "Have the one-page contract summary professionally translated into the five languages and "
            "checked by the legal team. Staff hand the translation alongside the English summary, which "
            "remains the binding version."
        ),
        "benefit": "Customers understand what they are signing, and misunderstandings about contracts drop.",
        "touchpoint": "face_to_face",
        "category": "policy_question",
        "tech": False,
        "metrics": ["complaints", "csat"],
        "team": "ST-HAR",
    },
    {
        "title": "Fibre installation day explainer handed over at the sale",
        "roadblock": (
            "Customers buying fibre in store do not know the engineer needs access to the master socket, may "
            "drill a hole, and can take up to four hours. Some are not in, or refuse the drilling, and the "
            "appointment fails. Failed installs lead to complaints and cancelled orders."
        ),
        "proposal": (
            "Hand over a one-page explainer at the sale covering what the engineer will do, how long it "
            "takes and what the customer needs to prepare. Staff go through the three key points before the "
            "customer leaves."
        ),
        "benefit": "Customers are ready for the engineer and fewer installation appointments fail.",
        "touchpoint": "face_to_face",
        "category": "product_information",
        "tech": False,
        "metrics": ["complaints", "nps"],
        "team": "ST-HAR",
    },
    # ------------------------------------------------------------------ Market Square store
    {
        "title": "Saturday morning tech clinic for help with any device",
        "roadblock": (
            "Customers drop in asking for help with things we did not sell them, such as a tablet that will "
            "not update or a smart TV app. Staff want to help but it ties up a counter during peak sales "
            "time. Turning people away feels bad and some customers take it personally."
        ),
        "proposal": (
            "Run a two-hour tech clinic every Saturday morning at a side table, staffed by one colleague who "
            "enjoys troubleshooting. Customers know when to come, and the main counters stay free for sales."
        ),
        "benefit": "Goodwill and loyalty from customers helped with any device, without slowing sales.",
        "touchpoint": "face_to_face",
        "category": "equipment_setup",
        "tech": False,
        "metrics": ["nps", "csat"],
        "team": "ST-MKT",
    },
    {
        "title": "QR code on shelf labels linking to full plan terms",
        "roadblock": (
            "Shelf labels show the headline monthly price but not the price rise each April, the contract "
            "length or the roaming terms. Customers ask for the full terms and staff have to find them on "
            "their own phones. Some customers feel the price was hidden and complain after the first bill."
        ),
        "proposal": (
            "Print a QR code on every shelf label that opens the plan's full terms and price-rise wording on "
            "the website. Staff point to it during the conversation so customers can read it themselves."
        ),
        "benefit": "Customers see the full terms before buying and feel less misled later.",
        "touchpoint": "face_to_face",
        "category": "product_information",
        "tech": True,
        "metrics": ["complaints", "sales_conversion"],
        "team": "ST-MKT",
    },
    {
        "title": "Digital sign-off for the in-store loan phone agreement",
        "roadblock": (
            "When a phone goes for repair, customers can borrow a loan phone, but they must sign a two-page "
            "paper agreement that staff then scan and file. Scans are often missing or unreadable. When loan "
            "phones are not returned, the store cannot prove what the customer agreed to."
        ),
        "proposal": (
            "Move the loan agreement onto the store tablet with the loan phone's IMEI filled in by scanning "
            "it. The customer signs on screen and gets a copy by email, and the agreement is linked to the "
            "repair case."
        ),
        "benefit": "Every loan phone has a complete agreement on record and fewer go missing.",
        "touchpoint": "face_to_face",
        "category": "complex_form",
        "tech": True,
        "metrics": ["error_rate", "aht"],
        "team": "ST-MKT",
    },
    {
        "title": "Shared 'known fixes' channel across all four stores",
        "roadblock": (
            "When someone in one store works out a fix for an odd problem, for example an eSIM that will not "
            "activate on a particular handset, the other stores never hear about it. The same problem gets "
            "solved from scratch in each store, sometimes after the customer has been sent away."
        ),
        "proposal": (
            "Open a chat channel for all store staff where anyone can post a problem and the fix that "
            "worked, with the device model in the first line. Each store manager pins the best fixes every "
            "week."
        ),
        "benefit": "Fixes found in one store help customers in every store the same day.",
        "touchpoint": "face_to_face",
        "category": "other",
        "tech": True,
        "metrics": ["fcr", "time_to_mastery"],
        "team": "ST-MKT",
    },
    {
        "title": "One-tap upgrade eligibility check on the store tablet",
        "roadblock": (
            "Customers asking 'can I upgrade yet?' wait while staff log into the CRM on the back-office PC, "
            "search the account and read through the contract history. At busy times the answer takes five "
            "minutes and the customer loses interest."
        ),
        "proposal": (
            "Add an upgrade check to the store tablet: after confirming identity, staff see in one screen "
            "whether the customer can upgrade, the fee if early, and the three best-fitting offers. The "
            "check is read-only, so no account changes happen until the customer agrees to an upgrade."
        ),
        "benefit": "Instant upgrade answers on the shop floor and more upgrades completed.",
        "touchpoint": "face_to_face",
        "category": "crm_lms_entry",
        "tech": True,
        "metrics": ["aht", "sales_conversion"],
        "team": "ST-MKT",
    },
    {
        "title": "Complete LMS modules on the floor tablets in quiet hours",
        "roadblock": (
            "Store staff are expected to finish LMS product modules each month, but the only PC is in the "
            "back office and is used for stock and rotas. Modules are often done in a rush at month end or "
            "not at all. Staff then meet new products with no preparation."
        ),
        "proposal": (
            "Make LMS modules available on the shop-floor tablets and agree a quiet hour on weekday mornings "
            "for learning. Staff can pause a module instantly when a customer walks in."
        ),
        "benefit": (
            "Training done steadily through the month, so staff know new products before customers ask."
        ),
        "touchpoint": "other",
        "category": "crm_lms_entry",
        "tech": True,
        "metrics": ["time_to_mastery"],
        "team": "ST-MKT",
    },
    {
        "title": "SIM swap checklist to stop activating the wrong number",
        "roadblock": (
            "Replacing a lost SIM in store means choosing the right number on accounts that often have four "
            "or five lines. Twice last month a new SIM was activated on the wrong family member's number, "
            "cutting them off. Each mistake takes days to unpick with the network team."
        ),
        "proposal": (
            "Introduce a printed SIM swap checklist: read back the last four digits of the number, confirm "
            "the user's name and check the old SIM serial where possible. Both the staff member and customer "
            "initial it before activation."
        ),
        "benefit": "Far fewer wrong-number activations and the disruption they cause.",
        "touchpoint": "face_to_face",
        "category": "equipment_setup",
        "tech": False,
        "metrics": ["error_rate", "complaints"],
        "team": "ST-MKT",
    },
    # ------------------------------------------------------------------ Digital & self-service
    {
        "title": "Public reply playbook for complaints on social media",
        "roadblock": (
            "Complaints posted publicly on social media are answered by whoever in the digital team sees "
            "them first. Replies vary from a cheerful emoji to a detailed account explanation, and once an "
            "agent mentioned a customer's bill amount in public. Some posts go unanswered over the weekend "
            "and gather hundreds of shares."
        ),
        "proposal": (
            "Write a short playbook: reply publicly within two hours with an agreed opening, never mention "
            "account details in public, move the conversation to direct message, and escalate posts with "
            "high reach to the duty manager. Add a weekend rota so someone checks every four hours."
        ),
        "benefit": "Quick, safe and consistent public replies that protect customers' privacy and the brand.",
        "touchpoint": "social_media",
        "category": "other",
        "tech": True,
        "metrics": ["complaints", "nps"],
        "team": "DIG",
        "risky": True,
    },
    {
        "title": "Home-move form on the website: ask for the new address first",
        "roadblock": (
            "The online home-move form asks for the move date, account details and payment preferences "
            "before it checks whether we can provide service at the new address. Customers moving somewhere "
            "we cannot serve find out only at the last step. Half of them then call the contact centre to "
            "complain."
        ),
        "proposal": (
            "Reorder the form so the first step is the new postcode and address, with coverage checked "
            "straight away. If we cannot serve it, show the options (mobile broadband or a penalty-free "
            "exit) before asking anything else."
        ),
        "benefit": (
            "Customers learn up front whether we can move their service, saving wasted effort and calls."
        ),
        "touchpoint": "website",
        "category": "complex_form",
        "tech": True,
        "metrics": ["csat", "complaints"],
        "team": "DIG",
    },
    {
        "title": "Self-service router set-up wizard with photos of each light",
        "roadblock": (
            "The router set-up page in the self-service portal is a wall of text copied from the manual. "
            "Customers do not know which port the fibre cable goes in or what a solid amber light means. "
            "Many give up and call technical support, which is the biggest single reason for new-customer "
            "calls."
        ),
        "proposal": (
            "Build a step-by-step wizard that asks for the router model and shows a photo for each step, "
            "including what each light pattern means. Add an 'it still isn't working' button that opens a "
            "support case with the steps already completed."
        ),
        "benefit": (
            "More customers connect on their own, and those who call arrive with the basics already done."
        ),
        "touchpoint": "self_service_portal",
        "category": "equipment_setup",
        "tech": True,
        "metrics": ["fcr", "csat"],
        "team": "DIG",
    },
    {
        "title": "Searchable policy answers in the self-service help centre",
        "roadblock": (
            "Customers looking for policy answers, such as how price rises work or when they can leave "
            "without a fee, find long legal documents in the help centre. The search box returns the terms "
            "and conditions PDF for almost any question. Customers then call to ask the same thing."
        ),
        "proposal": (
            "Write short answers to the 30 most-searched policy questions in plain words, each linking to "
            "the exact clause in the terms. Tune the help-centre search to show these answers first."
        ),
        "benefit": "Customers find policy answers themselves instead of calling.",
        "touchpoint": "self_service_portal",
        "category": "policy_question",
        "tech": True,
        "metrics": ["fcr", "complaints"],
        "team": "DIG",
    },
    {
        "title": "Extend the online accessory refund window from 14 to 30 days",
        "roadblock": (
            "Accessories bought online, such as cases and chargers, can only be returned within 14 days, "
            "while some competitors allow 30. Customers who miss the window by a few days complain on social "
            "media and the stores often refund anyway to keep the peace, so the rule is applied unevenly."
        ),
        "proposal": (
            "Change the accessory refund policy for online purchases to 30 days for unused items in their "
            "original packaging. Update the website terms, order emails and store FAQ at the same time."
        ),
        "benefit": "A fairer, clearer returns promise that is applied the same way everywhere.",
        "touchpoint": "website",
        "category": "policy_question",
        "tech": False,
        "metrics": ["complaints", "csat", "sales_conversion"],
        "team": "DIG",
        "risky": True,
    },
    {
        "title": "Plain-words error messages on the portal payment page",
        "roadblock": (
            "When a card payment fails in the self-service portal, customers see 'Error 402: transaction "
            "declined by acquirer'. They do not know whether to retry, use another card or call their bank, "
            "so many try three or four times and then phone us."
        ),
        "proposal": (
            "Map each payment error code to a short message saying what happened and what to do next, for "
            "example 'Your bank did not approve this payment. Please check your card details or try another "
            "card.' Keep the technical code in small print for support staff."
        ),
        "benefit": "Customers understand failed payments and can fix them without calling.",
        "touchpoint": "self_service_portal",
        "category": "complex_form",
        "tech": True,
        "metrics": ["error_rate", "csat"],
        "team": "DIG",
    },
    {
        "title": "Tag social-media questions so common ones get a ready answer",
        "roadblock": (
            "The digital team answers the same product questions on social media every day: roaming charges, "
            "eSIM support, and whether the StreamBox has a particular app. Each reply is written from "
            "scratch, and answers sometimes contradict the website."
        ),
        "proposal": (
            "Tag incoming messages by topic in the social-media tool and keep a library of approved answers "
            "per tag, each linking to the matching help page. Review the library monthly with the product "
            "team."
        ),
        "benefit": "Faster, consistent answers on social media that match what the website says.",
        "touchpoint": "social_media",
        "category": "product_information",
        "tech": True,
        "metrics": ["aht", "nps"],
        "team": "DIG",
    },
]

DECLINE_REASONS: list[str] = [
    "Thank you for raising this. The billing platform is being replaced next quarter, so we would rather "
    "build this into the new system than change the old one now.",
    "This is a real problem, but the change would alter a regulated process and we cannot take it forward "
    "without a wider compliance review this year.",
    "A very similar idea from another team is already in pilot; please join their pilot group and share your "
    "experience there.",
    "The cost of the change is high compared with the number of customers affected. Please bring it back if "
    "the volume grows.",
    "We tried something close to this two years ago and it caused more errors than it solved. Happy to talk "
    "through what went wrong and whether a different approach would work.",
    "This depends on a supplier contract we cannot change before renewal. I have noted it for the renewal "
    "discussions and will keep you posted.",
]

CHANGE_REQUESTS: list[str] = [
    "Please say which CRM screen this touches and roughly how many calls a week hit it.",
    "Could you add how you would check it is working after two weeks? A simple before-and-after count is "
    "fine.",
    "Please describe what happens for customers with more than one account or line.",
    "Can you confirm who owns this policy today and whether you have spoken to them?",
    "Please add what staff need to learn for this and how long the training would take.",
    "Could you split this into a small first step we can pilot in one team, and the rest for later?",
]

RETIRE_REASONS: list[str] = [
    "Superseded by the new customer platform, which already includes this change.",
    "Stopped during build: the supplier system cannot support it without a costly upgrade.",
    "The pilot showed no clear improvement in the target metrics, so we are stopping it and freeing the "
    "team's time.",
    "The product this supported has been withdrawn from sale.",
]

MITIGATIONS: dict[str, list[str]] = {
    "customer_brand": [
        "Pilot with one team first and review customer feedback weekly before any wider launch.",
        "Agree the customer-facing wording with the brand team before go-live.",
        "Give customers an easy way to reach a person if the new process does not work for them.",
    ],
    "legal_compliance": [
        "Have the legal team review the wording and process before the pilot starts.",
        "Keep the existing approved process available as a fallback during the pilot.",
        "Record each decision with a reason code so it can be audited later.",
    ],
    "data_privacy": [
        "Complete a data protection impact assessment before any customer data is used.",
        "Mask sensitive fields on screen and delete any copies after the shortest period needed.",
        "Limit access to trained staff in the pilot teams and log every view.",
    ],
    "operational": [
        "Brief the pilot team and keep a named contact on each shift for questions.",
        "Set a clear roll-back plan and test it before launch.",
        "Launch outside the busiest weeks and watch call volumes daily for the first fortnight.",
    ],
    "financial": [
        "Cap the amount per customer and per month, and review the totals weekly with finance.",
        "Track the cost against the saving in the pilot before any wider roll-out.",
        "Require a reason code for each credit or discount so unusual patterns stand out.",
    ],
}

IT_PLANS: list[str] = [
    "Add a pre-fill call from the CRM API to the form service. Feature-flag it for the pilot teams only.",
    "Build the new screen as a small panel inside the existing CRM layout. Release it to the pilot team "
    "first and collect feedback in the team channel.",
    "Configure the change in the off-the-shelf tool rather than writing custom code. Document the settings "
    "so the service desk can support it.",
    "Create a small web service that reads the data nightly and exposes it to the store tablets. Reuse the "
    "existing single sign-on so no new passwords are needed.",
    "Adapt the frontline prototype, add tests and move it onto the supported platform. The HERO who built it "
    "stays involved as product owner.",
    "Use the vendor's SMS gateway with a template approved by compliance. Links expire after seven days and "
    "no personal data appears in the message.",
    "Reorder the form steps in the web content management system and add the coverage lookup as the first "
    "step. Run an A/B test for two weeks before switching everyone over.",
    "Add the new field and validation to the CRM case form, with a migration for existing records. Update "
    "the weekly report to use the new field.",
]

IT_BLOCKERS: list[str] = [
    "Waiting on a CRM API key from the vendor.",
    "The security team needs to review the data flow before we can connect to production.",
    "The store tablets need an operating system update before the new app will install.",
    "The test environment is down for the billing platform upgrade until the end of the month.",
    "Waiting for the payment provider to confirm the terminal integration is covered by our contract.",
]

CAMPAIGNS: list[dict] = [
    {
        "title": "Fix the first bill",
        "description": (
            "New customers call us about their first bill more than anything else, and many of those calls "
            "end in a complaint. Tell us what would make the first bill easier to understand and harder to "
            "get wrong."
        ),
        "touchpoint": "call_centre",
    },
    {
        "title": "Set-up without the stress",
        "description": (
            "Too many customers leave a store with a device they cannot get working at home. Share your "
            "ideas for getting customers fully set up before they walk out of the door."
        ),
        "touchpoint": "face_to_face",
    },
]

PEOPLE: list[dict] = [
    # Frontline: two per front team (one of them also codes, as an IT champion).
    {"name": "Priya Raman", "email": "priya.raman@hero.example", "roles": ["frontline"], "team": "CC-BIL"},
    {"name": "Callum Reid", "email": "callum.reid@hero.example", "roles": ["frontline"], "team": "CC-BIL"},
    {"name": "Tomasz Nowak", "email": "tomasz.nowak@hero.example", "roles": ["frontline", "it_champion"],
     "team": "CC-TEC"},
    {"name": "Grace Adeyemi", "email": "grace.adeyemi@hero.example", "roles": ["frontline"],
     "team": "CC-TEC"},
    {"name": "Mei Chen", "email": "mei.chen@hero.example", "roles": ["frontline"], "team": "CC-SAL"},
    {"name": "Jamal Hassan", "email": "jamal.hassan@hero.example", "roles": ["frontline"], "team": "CC-SAL"},
    {"name": "Sofia Marquez", "email": "sofia.marquez@hero.example", "roles": ["frontline"],
     "team": "CC-RET"},
    {"name": "Daniel Okoro", "email": "daniel.okoro@hero.example", "roles": ["frontline"], "team": "CC-RET"},
    {"name": "Hannah Fletcher", "email": "hannah.fletcher@hero.example", "roles": ["frontline"],
     "team": "ST-NTH"},
    {"name": "Arjun Mehta", "email": "arjun.mehta@hero.example", "roles": ["frontline"], "team": "ST-NTH"},
    {"name": "Chloe Bennett", "email": "chloe.bennett@hero.example", "roles": ["frontline"],
     "team": "ST-RIV"},
    {"name": "Kwame Mensah", "email": "kwame.mensah@hero.example", "roles": ["frontline"], "team": "ST-RIV"},
    {"name": "Fatima Begum", "email": "fatima.begum@hero.example", "roles": ["frontline"], "team": "ST-HAR"},
    {"name": "Rhys Morgan", "email": "rhys.morgan@hero.example", "roles": ["frontline"], "team": "ST-HAR"},
    {"name": "Elena Petrova", "email": "elena.petrova@hero.example", "roles": ["frontline"],
     "team": "ST-MKT"},
    {"name": "Marcus Gray", "email": "marcus.gray@hero.example", "roles": ["frontline"], "team": "ST-MKT"},
    {"name": "Yuki Tanaka", "email": "yuki.tanaka@hero.example", "roles": ["frontline"], "team": "DIG"},
    {"name": "Leah Goldberg", "email": "leah.goldberg@hero.example", "roles": ["frontline"], "team": "DIG"},
    # Managers: each manages one or two front teams; their own team is the first they manage.
    {"name": "Sarah Whitfield", "email": "sarah.whitfield@hero.example", "roles": ["manager"],
     "team": "CC-BIL", "manages": ["CC-BIL", "CC-RET"]},
    {"name": "Oluwaseun Adebayo", "email": "oluwaseun.adebayo@hero.example", "roles": ["manager"],
     "team": "CC-TEC", "manages": ["CC-TEC"]},
    {"name": "Rachel Kowalski", "email": "rachel.kowalski@hero.example", "roles": ["manager"],
     "team": "CC-SAL", "manages": ["CC-SAL"]},
    {"name": "David Nguyen", "email": "david.nguyen@hero.example", "roles": ["manager"], "team": "ST-NTH",
     "manages": ["ST-NTH", "ST-RIV"]},
    {"name": "Amira Haddad", "email": "amira.haddad@hero.example", "roles": ["manager"], "team": "ST-HAR",
     "manages": ["ST-HAR", "ST-MKT"]},
    {"name": "Ben Carter", "email": "ben.carter@hero.example", "roles": ["manager"], "team": "DIG",
     "manages": ["DIG"]},
    # Head office & IT: IT champions, executives and the admin.
    {"name": "Ravi Shankar", "email": "ravi.shankar@hero.example", "roles": ["it_champion"], "team": "HQ"},
    {"name": "Nadia Ivanova", "email": "nadia.ivanova@hero.example", "roles": ["it_champion"], "team": "HQ"},
    {"name": "Owen Price", "email": "owen.price@hero.example", "roles": ["it_champion"], "team": "HQ"},
    {"name": "Catherine Boateng", "email": "catherine.boateng@hero.example", "roles": ["executive"],
     "team": "HQ"},
    {"name": "Michael Thornton", "email": "michael.thornton@hero.example", "roles": ["executive"],
     "team": "HQ"},
    {"name": "Joanne Ellis", "email": "joanne.ellis@hero.example", "roles": ["admin"], "team": "HQ"},
]
