"""Named domain errors. Each carries a message a person can act on; entry points only show it."""


class HeroError(Exception):
    """Base of every error the compact raises on purpose."""


class NotFound(HeroError):
    """The thing asked for does not exist (or is not visible to the person asking)."""


class PermissionDenied(HeroError):
    """The actor's role or relationship to the idea does not allow the action."""


class TransitionNotAllowed(HeroError):
    """The idea's state does not allow the action; the message lists what is allowed instead."""


class MissingInformation(HeroError):
    """An action needs something that was not given (a reason, a risk assessment, pilot teams...)."""


class StaleIdea(HeroError):
    """Someone else changed the idea after it was opened."""

    def __init__(self, idea_id: int, message: str | None = None):
        self.idea_id = idea_id
        super().__init__(
            message
            or f"Idea #{idea_id} changed since you opened it (someone else acted on it). "
            "Reload it to see the latest version, then try again."
        )


class InvalidInput(HeroError):
    """A value a person typed or a file contained is not acceptable; the message names it."""

    def __init__(self, problems: list[str] | str, *, fields: dict[str, str] | None = None):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        #: field name -> message, for forms that show errors beside each field
        self.fields = dict(fields or {})
        super().__init__("; ".join(self.problems))


class ImportRejected(InvalidInput):
    """A whole file was refused; nothing was stored. `problems` lists every row-numbered problem."""

    def __init__(self, problems: list[str], total: int | None = None):
        self.total = len(problems) if total is None else total
        super().__init__(problems)

    def __str__(self) -> str:
        shown = self.problems[:50]
        more = f"\n... and {self.total - len(shown)} more" if self.total > len(shown) else ""
        return f"{self.total} problem(s); nothing was stored:\n" + "\n".join(shown) + more


class AccountLocked(HeroError):
    """Too many failed log-ins."""


class AuthenticationFailed(HeroError):
    """Email or password wrong (deliberately vague)."""


class DatabaseBusy(HeroError):
    """The database stayed busy longer than we wait; nothing was changed."""

    def __init__(self) -> None:
        super().__init__("The database is busy right now; nothing was changed. Please try again in a moment.")


class AlreadyAnswered(HeroError):
    """A person answers the HERO Index pulse at most once per quarter."""
