"""The cleanup operations: which record types each applies to, the Zoho call it makes and how its result is checked."""

from __future__ import annotations

from dataclasses import dataclass

from app.jobs.errors import JobError

NOUNS = {"contacts": ("contact", "contacts"), "salesorders": ("sales order", "sales orders"),
         "creditnotes": ("credit note", "credit notes")}
ID_FIELDS = {"contacts": "contact_id", "salesorders": "salesorder_id", "creditnotes": "creditnote_id"}
NUMBER_FIELDS = {"salesorders": "salesorder_number", "creditnotes": "creditnote_number"}
NAME_FIELDS = {"contacts": "contact_name", "salesorders": "customer_name", "creditnotes": "customer_name"}


@dataclass(frozen=True)
class Operation:
    """One cleanup operation: `status` is the status the record has once it is done (None: deleted)."""

    name: str  # as typed: delete, void, open, draft, activate, deactivate
    entities: tuple[str, ...]
    status: str | None  # the status the call gives (BooksClient.mark's word); None for delete
    done: str  # the outcome, a --json key and (with "_" as a space) the report's Status
    verb: str  # "Delete", "Void", ... as a confirmation question starts
    destructive: bool  # asks for --yes (or the typed count) before anything is sent

    @property
    def done_words(self) -> str:
        return self.done.replace("_", " ")


# Zoho Books API: Contacts "Delete a Contact", "Mark as Active", "Mark as Inactive"; Sales Orders
# "Delete a sales order", "Mark a draft sales order as open" (/status/open), "Mark a sales order as void"
# (/status/void); Credit Notes "Delete a credit note", "Void a Credit Note", "Convert Credit Note to
# Draft", "Convert to Open". Sales orders have no documented call back to draft.
OPERATIONS: dict[str, Operation] = {o.name: o for o in (
    Operation("delete", ("contacts", "salesorders", "creditnotes"), None, "deleted", "Delete", True),
    Operation("void", ("salesorders", "creditnotes"), "void", "voided", "Void", True),
    Operation("open", ("salesorders", "creditnotes"), "open", "marked_open", "Mark as open", False),
    Operation("draft", ("creditnotes",), "draft", "marked_draft", "Mark as draft", False),
    Operation("activate", ("contacts",), "active", "activated", "Mark as active", False),
    Operation("deactivate", ("contacts",), "inactive", "deactivated", "Mark as inactive", False),
)}


def operation_for(name: str, entity: str) -> Operation:
    """The operation `name` on `entity`; JobError in plain words when Zoho offers no such call."""
    op = OPERATIONS.get(name)
    if op is None:
        raise JobError(f'"{name}" is no cleanup operation; choose one of {", ".join(OPERATIONS)}.')
    if entity not in NOUNS:
        raise JobError(f"{entity} cannot be cleaned up; contacts, sales orders and credit notes can.")
    if entity not in op.entities:
        plural = NOUNS[entity][1]
        can = ", ".join(n for n, o in OPERATIONS.items() if entity in o.entities)
        why = " (Zoho Books documents no call that turns a sales order back into a draft)" \
            if (name, entity) == ("draft", "salesorders") else ""
        raise JobError(f"{plural} cannot be marked {name}{why}; for {plural} choose {can}.")
    return op


def noun(entity: str, n: int) -> str:
    """'1 sales order', '37 sales orders'."""
    singular, plural = NOUNS[entity]
    return f"{n} {singular if n == 1 else plural}"
