"""The OAuth scopes zoho-bulk asks for, feature by feature, and the scope each kind of request needs.

Written from the scope each of Zoho's pages names (Zoho Books API, Chart of Accounts:
ZohoBooks.accountants.READ; Zoho CRM API v8, Modules Metadata: ZohoCRM.settings.modules.READ), seed 004's list of Books
scopes ("settings: To access items, expense categories, users, taxes, currencies ...") and seed
000 ("scope= ZohoCRM.mass_convert.{module_api_name}.CREATE"; OAUTH_SCOPE_MISMATCH: "Client does
not have ZohoCRM.modules.Quotes.CREATE (or) ZohoCRM.modules.SalesOrders.CREATE scope"). A scope
spells the module without its underscore: the module `Sales_Orders` is `SalesOrders` in a scope.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Feature:
    """One thing the tool does and the scopes Zoho wants for it."""

    name: str
    what: str
    scopes: tuple[str, ...]
    crm: bool = False


FEATURES: tuple[Feature, ...] = (
    Feature("contacts", "import and export Books contacts", ("ZohoBooks.contacts.ALL",)),
    Feature("salesorders", "import and export Books sales orders", ("ZohoBooks.salesorders.ALL",)),
    Feature("creditnotes", "import and export Books credit notes", ("ZohoBooks.creditnotes.ALL",)),
    Feature("lookups", "check the organization; look up items, taxes, currencies, users and salespersons",
            ("ZohoBooks.settings.READ",)),
    Feature("accounts", "look up accounts in the chart of accounts", ("ZohoBooks.accountants.READ",)),
    Feature("crm modules", "read the CRM module IDs a conversion names (Get Modules)",
            ("ZohoCRM.settings.modules.READ",), crm=True),
    Feature("crm records", "find CRM quotes and sales orders by their numbers",
            ("ZohoCRM.modules.Quotes.READ", "ZohoCRM.modules.SalesOrders.READ"), crm=True),
    Feature("crm convert", "convert CRM quotes and sales orders one at a time",
            ("ZohoCRM.modules.Quotes.CREATE", "ZohoCRM.modules.SalesOrders.CREATE"), crm=True),
    Feature("crm mass convert", "convert CRM quotes and sales orders 50 at a time, and follow the job",
            ("ZohoCRM.mass_convert.Quotes.CREATE", "ZohoCRM.mass_convert.SalesOrders.CREATE",
             "ZohoCRM.mass_convert.Quotes.READ", "ZohoCRM.mass_convert.SalesOrders.READ"), crm=True),
)

BOOKS_SCOPES: tuple[str, ...] = tuple(s for f in FEATURES if not f.crm for s in f.scopes)
CRM_SCOPES: tuple[str, ...] = tuple(s for f in FEATURES if f.crm for s in f.scopes)

# Books paths whose records a scope of their own covers; every other Books path is a setting.
_BOOKS_RECORDS = {"contacts", "salesorders", "creditnotes"}
_BOOKS_SETTINGS = {"organizations", "items", "settings", "users", "salespersons"}


def scopes_for(crm: bool = False) -> tuple[str, ...]:
    """What sign-in asks for: the Books scopes, and the CRM ones only for a user who chose CRM."""
    return BOOKS_SCOPES + CRM_SCOPES if crm else BOOKS_SCOPES


@dataclass(frozen=True)
class Need:
    """The scope a request needs (the one sign-in asks for) and what the request does, in words."""

    scope: str
    what: str
    crm: bool = False


def scope_module(module: str) -> str:
    """A CRM module's API name as a scope spells it: `Sales_Orders` -> `SalesOrders`."""
    return module.replace("_", "")


def needed_scope(api_path: str, method: str, path: str) -> Need | None:
    """The scope a request to `path` (relative to the API root `api_path`) needs; None if unknown."""
    parts = [p for p in path.split("?")[0].strip("/").split("/") if p]
    if not parts:
        return None
    if api_path.startswith("/crm"):
        return _crm_need(method.upper(), parts)
    return _books_need(method.upper(), parts)


def _books_need(method: str, parts: list[str]) -> Need | None:
    head = parts[0]
    if head in _BOOKS_RECORDS:
        verb = {"GET": "read", "POST": "create", "PUT": "update", "DELETE": "delete"}.get(method, "change")
        if method == "POST" and len(parts) > 1:
            verb = "change the status of"
        return Need(f"ZohoBooks.{head}.ALL", f"{verb} {head}")
    if head == "chartofaccounts":
        return Need("ZohoBooks.accountants.READ", "read the chart of accounts")
    if head in _BOOKS_SETTINGS:
        what = parts[-1] if head == "settings" else head
        return Need("ZohoBooks.settings.READ", f"read the organization's {what}")
    return None


def _crm_need(method: str, parts: list[str]) -> Need | None:
    if parts[:2] == ["settings", "modules"]:
        return Need("ZohoCRM.settings.modules.READ", "read the CRM modules (Get Modules)", crm=True)
    module = parts[0]
    scoped = scope_module(module)
    if parts[-2:] == ["actions", "mass_convert"]:
        if method == "GET":
            return Need(f"ZohoCRM.mass_convert.{scoped}.READ", f"follow a mass conversion of {module}", crm=True)
        return Need(f"ZohoCRM.mass_convert.{scoped}.CREATE", f"mass convert {module}", crm=True)
    if parts[-2:] == ["actions", "convert"]:
        return Need(f"ZohoCRM.modules.{scoped}.CREATE", f"convert {module}", crm=True)
    if method == "GET":
        return Need(f"ZohoCRM.modules.{scoped}.READ", f"read {module}", crm=True)
    return Need(f"ZohoCRM.modules.{scoped}.CREATE", f"create {module}", crm=True)
