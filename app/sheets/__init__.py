"""sheets room of zoho-bulk (see DESIGN.md)."""
