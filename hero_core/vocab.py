"""The compact's vocabulary: roles, states, touch points, problem kinds. Values are stored as these strings."""

from enum import StrEnum


class Role(StrEnum):
    FRONTLINE = "frontline"
    MANAGER = "manager"
    IT_CHAMPION = "it_champion"
    EXECUTIVE = "executive"
    ADMIN = "admin"
    ECOACH = "ecoach"  # answers help requests for the systems or touch points admins assign (services/help.py)


#: Roles as people read them (menus, the admin's pickers, "logged in as"): lower case inside a sentence, but "IT".
ROLE_LABELS = {
    Role.FRONTLINE: "frontline",
    Role.MANAGER: "manager",
    Role.IT_CHAMPION: "IT champion",
    Role.EXECUTIVE: "executive",
    Role.ADMIN: "admin",
    Role.ECOACH: "e-coach",
}


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    NEEDS_CHANGES = "needs_changes"
    APPROVED = "approved"
    DECLINED = "declined"
    AWAITING_IT = "awaiting_it"
    IN_BUILD = "in_build"
    PILOTING = "piloting"
    SCALING = "scaling"
    SCALED = "scaled"
    RETIRED = "retired"


STATE_LABELS = {
    State.DRAFT: "Draft",
    State.SUBMITTED: "Submitted",
    State.IN_REVIEW: "In review",
    State.NEEDS_CHANGES: "Needs changes",
    State.APPROVED: "Approved",
    State.DECLINED: "Declined",
    State.AWAITING_IT: "Awaiting IT",
    State.IN_BUILD: "In build",
    State.PILOTING: "Piloting",
    State.SCALING: "Scaling",
    State.SCALED: "Scaled",
    State.RETIRED: "Retired",
}


class Touchpoint(StrEnum):
    WEBSITE = "website"
    CALL_CENTRE = "call_centre"
    SELF_SERVICE = "self_service_portal"
    FACE_TO_FACE = "face_to_face"
    SOCIAL_MEDIA = "social_media"
    OTHER = "other"


TOUCHPOINT_LABELS = {
    Touchpoint.WEBSITE: "Website",
    Touchpoint.CALL_CENTRE: "Call centre",
    Touchpoint.SELF_SERVICE: "Self-service portal",
    Touchpoint.FACE_TO_FACE: "Face-to-face",
    Touchpoint.SOCIAL_MEDIA: "Social media",
    Touchpoint.OTHER: "Other",
}


class ProblemKind(StrEnum):
    COMPLEX_FORM = "complex_form"
    POLICY_QUESTION = "policy_question"
    PRODUCT_INFORMATION = "product_information"
    EQUIPMENT_SETUP = "equipment_setup"
    CRM_LMS_ENTRY = "crm_lms_entry"
    OTHER = "other"


PROBLEM_KIND_LABELS = {
    ProblemKind.COMPLEX_FORM: "Complex form",
    ProblemKind.POLICY_QUESTION: "Policy question",
    ProblemKind.PRODUCT_INFORMATION: "Product information",
    ProblemKind.EQUIPMENT_SETUP: "Equipment set-up",
    ProblemKind.CRM_LMS_ENTRY: "CRM/LMS entry",
    ProblemKind.OTHER: "Other",
}


def parse_enum(enum_cls, raw: str, field: str):
    """Accept a stored value or a human label, case-insensitively; raise ValueError naming the field and the
    choices by the labels the forms show (a person reads it; `field` is the form's label, in lower case)."""
    text = (raw or "").strip().lower().replace("-", "_").replace(" ", "_").replace("/", "_")
    for member in enum_cls:
        if text in (member.value, member.name.lower()):
            return member
    labels = {
        Touchpoint: TOUCHPOINT_LABELS,
        ProblemKind: PROBLEM_KIND_LABELS,
        State: STATE_LABELS,
    }.get(enum_cls, {})
    for member, label in labels.items():
        if text == label.lower().replace("-", "_").replace(" ", "_").replace("/", "_"):
            return member
    choices = [labels.get(m, m.value) for m in enum_cls]
    allowed = ", ".join(choices[:-1]) + " or " + choices[-1] if len(choices) > 1 else "".join(choices)
    if not text:
        raise ValueError(f"Choose a {field}: {allowed}.")
    raise ValueError(f"“{(raw or '').strip()}” is not a {field}; choose {allowed}.")
