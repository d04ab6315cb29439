"""Error storms: the same Zoho refusal for several documents in a row stops a run before it spends the quota on more."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.errors import STOPPED_EARLY
from app.zoho.errors import ZohoError, field_named_in

SAME_ERROR_LIMIT = 5  # documents in a row refused the same way before the run pauses


class ErrorStorm(ZohoError):
    """The run stopped because Zoho refused `count` documents in a row with the same error."""

    exit_code = STOPPED_EARLY


def _key(exc: ZohoError) -> tuple[str, str, str]:
    """What makes two refusals "the same": Zoho's code, the field it names, and (with neither) the message."""
    named = exc.field or field_named_in(exc.message) or ""
    code = "" if exc.code is None else str(exc.code)
    return code, named, exc.message if not (code or named) else ""


@dataclass
class StormWatch:
    """Counts identical refusals in a row (in the order answers arrive); a success breaks the streak.

    `limit` 0 never stops. Once the limit is reached, `storm` holds the error and `indexes` every
    document refused that way since the streak began (also those whose answers arrive after the stop).
    """

    limit: int = SAME_ERROR_LIMIT
    indexes: list[int] = field(default_factory=list)
    storm: ErrorStorm | None = None
    _streak: tuple[str, str, str] | None = None
    _first: ZohoError | None = None

    def succeeded(self) -> None:
        if self.storm is None:
            self._streak, self._first, self.indexes = None, None, []

    def refused(self, index: int, exc: ZohoError) -> bool:
        """Note a refusal of document `index`; True when it makes (or belongs to) a storm."""
        key = _key(exc)
        if self.storm is not None:
            if key == self._streak:
                self.indexes.append(index)
                return True
            return False
        if key != self._streak:
            self._streak, self._first, self.indexes = key, exc, []
        self.indexes.append(index)
        if not self.limit or len(self.indexes) < self.limit:
            return False
        code, named, _ = key
        what = ", ".join(part for part in (f"code {code}" if code else "",
                                           f"field {named}" if named else "") if part)
        self.storm = ErrorStorm(
            f"Zoho refused {len(self.indexes)} documents in a row with the same error"
            + (f" ({what})" if what else "") + f': "{exc.message}". The run paused so as not to spend the '
            "quota on identical failures. Fix the cause (in the file, the mapping or the organization) and "
            "run the same import again: those documents and the rest will be sent.",
            status=exc.status, code=exc.code, field=exc.field)
        return True
