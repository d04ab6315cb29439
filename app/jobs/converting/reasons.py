"""Plain words for every error Zoho CRM gives when converting a quote or sales order (seed 000's list)."""

from __future__ import annotations

SINGULAR = {"Quotes": "quote", "Sales_Orders": "sales order", "Invoices": "invoice"}

# code -> sentence; "{record}" is the source record in the user's words ("quote", "sales order").
REASONS: dict[str, str] = {
    "NOT_APPROVED": (
        "The {record} has not been approved yet (its approval is pending or was rejected), so Zoho will not "
        "convert it. Approve it in Zoho CRM, then run the same file again."
    ),
    "NOT_REVIEWED": (
        "The {record} is still waiting for review, so Zoho will not convert it. Finish the review in "
        "Zoho CRM, then run the same file again."
    ),
    "ID_ALREADY_CONVERTED": (
        "The {record} was already converted to {targets} before, so Zoho will not convert it again."
    ),
    "NO_PERMISSION": (
        "This user may not convert this {record}: an administrator must allow Convert for the Quotes, "
        "Sales Orders and Invoices modules (Setup > Security Control > Profiles and Organize Modules)."
    ),
    "AMBIGUITY_DURING_PROCESSING": (
        "Zoho could not tell which record this ID means: it does not belong to the {records} module, "
        "or Zoho found it ambiguous. Check the ID."
    ),
    "INVALID_DATA": "Zoho found no {record} with this ID, or refused the conversion request as invalid.",
    "MANDATORY_NOT_FOUND": "Zoho said a required part of the conversion request was missing.",
    "EXPECTED_FIELD_MISSING": "Zoho said the conversion request named no module to convert to.",
    "DUPLICATE_DATA": (
        "A {target_record} with the same unique value already exists in Zoho, so the {record} cannot be "
        "converted; change the unique field of one of them."
    ),
    "OAUTH_SCOPE_MISMATCH": (
        "The connection was not granted the right to convert records (scope ZohoCRM.mass_convert); "
        "sign in again with that scope."
    ),
    "AUTHENTICATION_FAILURE": "Zoho did not accept the sign-in; sign in again.",
    "INVALID_URL_PATTERN": "Zoho did not know the conversion address; this record type cannot be converted.",
    "INVALID_REQUEST_METHOD": "Zoho refused the kind of request used for the conversion.",
    "INVALID_MODULE": "Zoho did not know the module named for the conversion.",
    "LIMIT_EXCEEDED": "Zoho refused the request as too large.",
    "TOO_MANY_REQUESTS": "Zoho was busy with too many requests at once; run the same file again.",
    "INTERNAL_ERROR": "Zoho had an internal error; run the same file again later.",
}

# Failures that can change without touching the file: retried when the same job runs again.
RETRY_ON_RERUN = {"NOT_APPROVED", "NOT_REVIEWED", "NO_PERMISSION", "TOO_MANY_REQUESTS", "INTERNAL_ERROR"}


def target_words(targets: tuple[str, ...] | list[str]) -> str:
    """("Sales_Orders", "Invoices") -> "a sales order and an invoice"."""
    words = [("an " if SINGULAR[t][0] in "aeiou" else "a ") + SINGULAR[t] for t in targets]
    return " and ".join(words) if words else "another record"


def plain_reason(code: str | int | None, message: str, source: str, targets: tuple[str, ...]) -> str:
    """The sentence a user reads for a failed conversion, ending with Zoho's own words when they add anything."""
    sentence = REASONS.get(str(code or ""))
    if sentence is None and code is None and message:  # no answer from Zoho (network): the client's own words
        return f"{message[:1].upper()}{message[1:]}; run the same file again to convert it."
    if sentence is None:
        return f"Zoho refused the conversion: {message}" if message else "Zoho refused the conversion."
    record = SINGULAR.get(source, "record")
    return sentence.format(
        record=record,
        records=source.replace("_", " "),
        targets=target_words(targets),
        target_record=SINGULAR.get(targets[0], "record") if targets else "record",
    )
