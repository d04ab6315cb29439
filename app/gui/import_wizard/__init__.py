"""The import wizard: file, mapping, review, run and results steps as thin views over app.jobs and app.mapping."""

from app.gui.import_wizard.page import ImportPage

__all__ = ["ImportPage"]
