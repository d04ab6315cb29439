"""Zoho's data centres and plans: where each one's accounts server and APIs live, and each plan's limits."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataCentre:
    """One Zoho data centre: its short code, name, accounts server and API domain."""

    code: str
    name: str
    accounts_host: str
    api_host: str

    @property
    def accounts_url(self) -> str:
        return f"https://{self.accounts_host}"

    @property
    def api_domain(self) -> str:
        return f"https://{self.api_host}"


DATA_CENTRES: dict[str, DataCentre] = {
    dc.code: dc
    for dc in (
        DataCentre("us", "United States", "accounts.zoho.com", "www.zohoapis.com"),
        DataCentre("eu", "Europe", "accounts.zoho.eu", "www.zohoapis.eu"),
        DataCentre("in", "India", "accounts.zoho.in", "www.zohoapis.in"),
        DataCentre("au", "Australia", "accounts.zoho.com.au", "www.zohoapis.com.au"),
        DataCentre("jp", "Japan", "accounts.zoho.jp", "www.zohoapis.jp"),
        DataCentre("ca", "Canada", "accounts.zohocloud.ca", "www.zohoapis.ca"),
        DataCentre("cn", "China", "accounts.zoho.com.cn", "www.zohoapis.com.cn"),
        DataCentre("sa", "Saudi Arabia", "accounts.zoho.sa", "www.zohoapis.sa"),
    )
}

_ALIASES = {
    "com": "us", "usa": "us", "united states": "us", "europe": "eu", "india": "in",
    "com.au": "au", "australia": "au", "japan": "jp", "canada": "ca", "zohocloud.ca": "ca",
    "china": "cn", "com.cn": "cn", "saudi arabia": "sa", "ksa": "sa",
}


def data_centre(name: str) -> DataCentre:
    """The data centre for a code ("eu"), a domain suffix ("com.au") or a name ("Europe")."""
    key = name.strip().lower().lstrip(".")
    key = _ALIASES.get(key, key)
    if key not in DATA_CENTRES:
        known = ", ".join(f"{dc.code} ({dc.name})" for dc in DATA_CENTRES.values())
        raise ValueError(f"unknown data centre {name!r}; choose one of {known}")
    return DATA_CENTRES[key]


@dataclass(frozen=True)
class Plan:
    """A Zoho Books plan's API limits per organization."""

    name: str
    daily_quota: int
    concurrency: int
    per_minute: int = 100


PLANS: dict[str, Plan] = {
    p.name: p
    for p in (
        Plan("free", 1_000, 5),
        Plan("standard", 2_000, 10),
        Plan("professional", 5_000, 10),
        Plan("premium", 10_000, 10),
        Plan("elite", 10_000, 10),
        Plan("ultimate", 10_000, 10),
    )
}


def plan(name: str) -> Plan:
    """The plan called `name` (case-insensitive)."""
    key = name.strip().lower()
    if key not in PLANS:
        raise ValueError(f"unknown plan {name!r}; choose one of {', '.join(PLANS)}")
    return PLANS[key]
