"""The only room that speaks HTTP: Zoho Books and CRM clients, OAuth tokens, throttle, connections."""

from app.zoho.books import BooksClient
from app.zoho.connections import Connection, ConnectionStore
from app.zoho.crm import CrmClient
from app.zoho.datacentres import DATA_CENTRES, PLANS, DataCentre, Plan, data_centre, plan
from app.zoho.errors import (
    AuthError,
    InDoubt,
    MissingScope,
    NoKeyring,
    QuotaSpent,
    Unreachable,
    ZohoError,
)
from app.zoho.session import RetryPolicy
from app.zoho.throttle import Counters, Throttle
from app.zoho.tokens import TokenSource

__all__ = [
    "DATA_CENTRES",
    "PLANS",
    "AuthError",
    "BooksClient",
    "Connection",
    "ConnectionStore",
    "Counters",
    "CrmClient",
    "DataCentre",
    "InDoubt",
    "MissingScope",
    "NoKeyring",
    "Plan",
    "QuotaSpent",
    "RetryPolicy",
    "Throttle",
    "TokenSource",
    "Unreachable",
    "ZohoError",
    "data_centre",
    "plan",
]
