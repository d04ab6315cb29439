"""What an OAuth grant of the sandbox allows: the scope each Books and CRM request needs and whether a grant covers it.

The sandbox's own reading of Zoho's documents (it shares no code with the client):
- seed 004, "List of scopes available in Zoho Books": `ZohoBooks.<service>.<CREATE|UPDATE|READ|
  DELETE>`; "settings: To access items, expense categories, users, taxes, currencies ...";
  `ZohoBooks.fullaccess.all` covers everything; `.ALL` covers every operation of a service.
- seed 003: each sales-order call names its scope ("OAuth Scope : ZohoBooks.salesorders.CREATE").
- seed 004, "accountants To access accountant related APIs": the chart of accounts
  `ZohoBooks.accountants.READ`.
- Zoho CRM API v8, Modules Metadata (Get Modules): `ZohoCRM.settings.modules.READ`.
- seed 000: single convert `ZohoCRM.modules.{Quotes|SalesOrders}.CREATE` (or `ZohoCRM.modules.ALL`),
  OAUTH_SCOPE_MISMATCH "Client does not have ZohoCRM.modules.Quotes.CREATE (or)
  ZohoCRM.modules.SalesOrders.CREATE scope"; mass convert "scope= ZohoCRM.mass_convert.{module_api_name}.CREATE",
  its status the same scope with `.READ`.
"""

from __future__ import annotations

# A grant made for Books alone: what a Books-only user signs in with (no CRM scope at all).
BOOKS_ONLY = frozenset({
    "ZohoBooks.contacts.ALL", "ZohoBooks.salesorders.ALL", "ZohoBooks.creditnotes.ALL",
    "ZohoBooks.settings.READ", "ZohoBooks.accountants.READ",
})
FULL = frozenset({"ZohoBooks.fullaccess.all", "ZohoCRM.modules.ALL", "ZohoCRM.settings.ALL",
                  "ZohoCRM.mass_convert.ALL"})

_OPERATION = {"GET": "READ", "POST": "CREATE", "PUT": "UPDATE", "PATCH": "UPDATE", "DELETE": "DELETE"}
_SETTINGS = {"organizations", "items", "settings", "users", "salespersons"}


def parse(scope_text: str) -> frozenset[str]:
    """The scopes of an `/oauth/v2/auth` request: comma separated (seed 004), spaces tolerated."""
    return frozenset(s.strip() for s in scope_text.replace(" ", ",").split(",") if s.strip())


def needed(family: str, method: str, path: str) -> str | None:
    """The scope a request needs, None when any valid token will do (or the sandbox does not know)."""
    parts = [p for p in path.strip("/").split("/") if p]
    operation = _OPERATION.get(method.upper(), "READ")
    if family == "crm":
        parts = parts[2:]  # crm/v8/...
        if not parts:
            return None
        if parts[:2] == ["settings", "modules"]:
            return "ZohoCRM.settings.modules.READ"
        module = parts[0].replace("_", "")  # the scope spells Sales_Orders as SalesOrders
        if parts[-2:] == ["actions", "mass_convert"]:
            return f"ZohoCRM.mass_convert.{module}.{operation}"
        if parts[-2:] == ["actions", "convert"]:
            return f"ZohoCRM.modules.{module}.CREATE"
        return f"ZohoCRM.modules.{module}.{operation}"
    parts = parts[2:]  # books/v3/... or api/v3/...
    if not parts:
        return None
    head = parts[0]
    if head in ("contacts", "salesorders", "creditnotes"):
        if method.upper() == "POST" and len(parts) > 1:  # status changes and the like change the record
            operation = "UPDATE"
        return f"ZohoBooks.{head}.{operation}"
    if head == "chartofaccounts":
        return f"ZohoBooks.accountants.{operation}"
    if head in _SETTINGS:
        return f"ZohoBooks.settings.{operation}"
    return None


def covers(granted: frozenset[str] | None, scope: str | None) -> bool:
    """True when the grant (None: full access) allows `scope`."""
    if granted is None or scope is None:
        return True
    wanted = scope.lower()
    service = wanted.rsplit(".", 1)[0]
    for have in (g.lower() for g in granted):
        if have == wanted or have == f"{service}.all":
            return True
        if have == "zohobooks.fullaccess.all" and wanted.startswith("zohobooks."):
            return True
        umbrella = have in ("zohocrm.modules.all", "zohocrm.settings.all", "zohocrm.mass_convert.all")
        if umbrella and wanted.startswith(have[: -len("all")]):
            return True
    return False
