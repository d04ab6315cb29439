"""Zoho Books record types (contacts, sales orders, credit notes): field catalogues and pydantic models."""

from __future__ import annotations

from app.entities import contacts, creditnotes, salesorders
from app.entities.catalogue import CREATING, LOOKUP_BY, OPERATIONS, Entity, Field

ENTITIES: dict[str, Entity] = {
    "contacts": contacts.ENTITY,
    "salesorders": salesorders.ENTITY,
    "creditnotes": creditnotes.ENTITY,
}


def entity(name: str) -> Entity:
    """The entity called `name` ("contacts", "salesorders", "creditnotes"); KeyError names the choices."""
    try:
        return ENTITIES[name]
    except KeyError:
        raise KeyError(f"unknown record type {name!r}; choose one of {', '.join(ENTITIES)}") from None


__all__ = ["CREATING", "ENTITIES", "LOOKUP_BY", "OPERATIONS", "Entity", "Field", "entity"]
