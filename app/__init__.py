"""zoho-bulk: move business records between spreadsheets and Zoho Books / Zoho CRM."""

__version__ = "0.1.0"
