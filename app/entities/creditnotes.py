"""Credit notes (Books v3, seed 004): fields, rules and models."""

from __future__ import annotations

from app.entities.catalogue import CREATING, Field, seed
from app.entities.field_groups import GST_TREATMENT, custom_field, line_item_fields
from app.entities.models import document_entity

FIELDS: tuple[Field, ...] = (
    Field("creditnote_id", "CreditNotes ID", "id", help="Zoho's ID of the credit note (update only).",
          synonyms=("Credit Note ID", "CreditNote ID", "CN ID")),
    Field("creditnote_number", "Credit Note Number", required_on=CREATING, max_length=100,
          help="Unique number of the credit note (starts with CN). Max-Length [100]",
          source=seed("004", "which will be displayed in the interface and credit notes. Max-Length [100]"),
          synonyms=("CreditNote Number", "Credit Note No", "Credit Note #", "CN Number", "CN No", "CN #", "Credit Memo Number", "Credit Memo No", "Document Number", "Doc No")),
    Field("customer_id", "Customer Name", "id", required_on=CREATING, lookup="customer",
          help="Customer for whom the credit note is raised; found by customer name or email.",
          synonyms=("Customer ID", "CustomerID", "Customer", "Client", "Client Name", "ContactName", "Contact Name", "Bill To", "Customer Email", "Display Name",
                    "Email Address")),
    Field("date", "Credit Note Date", "date", required_on=CREATING, help="The date on which the credit note is raised [yyyy-mm-dd].",
          synonyms=("Date", "CreditNote Date", "CN Date", "Credit Memo Date", "Transaction Date", "Txn Date", "Document Date", "Issue Date")),
    Field("reference_number", "Reference#", max_length=100, help="Reference number. Max-Length [100]",
          source=seed("004", "A string of your choice can also be used as the reference number. Max-Length [100]"),
          synonyms=("Reference Number", "Reference", "Ref", "Ref No", "Invoice Number", "Original Invoice", "Invoice#")),
    Field("currency_id", "Currency Code", "id", lookup="currency", help="Currency of the credit note; found by currency code.",
          synonyms=("Currency", "CurrencyCode", "Curr", "Currency ID")),
    Field("exchange_rate", "Exchange Rate", "number", positive=True, help="Exchange rate for the currency associated with the customer.",
          synonyms=("FX Rate", "ExchangeRate")),
    Field("is_draft", "Is Draft", "boolean", help="Create the credit note in draft status.", synonyms=("Draft",)),
    Field("is_inclusive_tax", "Is Inclusive Tax", "boolean", help="Line rates include tax.",
          synonyms=("Tax Inclusive", "Amounts Are", "Prices Include Tax", "Inclusive Tax")),
    Field("notes", "Notes", max_length=5000, help="A short note for the credit note. Max-length [5000]",
          source=seed("004", "A short note for the credit note. Max-length [5000]"),
          synonyms=("Customer Notes", "Note", "Comments", "Remarks", "Reason", "Memo", "Customer Message",
                    "Message displayed on credit memo")),
    Field("terms", "Terms & Conditions", max_length=10000, help="Terms and conditions. Max-length [10000]",
          source=seed("004", "Terms & condition to be displayed in the credit note. Max-length [10000]"),
          synonyms=("Terms", "Terms and Conditions", "T&C")),
    Field("place_of_supply", "Place of Supply", help="Place of supply (India, GCC)."),
    Field("gst_treatment", "GST Treatment", allowed=("business_gst", "business_none", "overseas", "consumer"),
          help="GST treatment (India only).", source=GST_TREATMENT),
    Field("gst_no", "GST Identification Number (GSTIN)", help="15 digit GSTIN (India only).", synonyms=("GSTIN", "GST No")),
    Field("vat_treatment", "VAT Treatment", help="VAT treatment (UK only)."),
    *line_item_fields(),
    custom_field("custom_fields.cf_external_id", "External ID", unique=True),
)

# The columns of the file Zoho Books writes when credit notes are exported from its Credit Notes list.
EXPORT_HEADERS: tuple[str, ...] = (
    "CreditNotes ID", "Credit Note Date", "Credit Note Number", "Credit Note Status", "Customer ID",
    "Customer Name", "Currency Code", "Exchange Rate", "Reference#", "Is Inclusive Tax",
    "Place of Supply", "GST Treatment", "GST Identification Number (GSTIN)", "Item Name",
    "Product ID", "SKU", "Line Item ID", "Item Desc", "Quantity", "Usage unit", "Item Price", "Discount",
    "Discount Amount", "Account", "HSN/SAC", "Tax ID", "Item Tax", "Item Tax %", "Item Tax Amount",
    "Item Type", "Item Total", "SubTotal", "Total", "Balance", "Notes", "Terms & Conditions",
    "Template Name", "Billing Address", "Billing City", "Billing State", "Billing Country",
    "Billing Code", "Shipping Address", "Shipping City", "Shipping State", "Shipping Country",
    "Shipping Code", "CF.External ID",
)

# Besides the columns every document's export has (DOCUMENT_IGNORED_HEADERS):
IGNORED_HEADERS: dict[str, str] = {
    "Credit Note Status": "Zoho sets the status",
    "Balance": "Zoho computes it",
    "BrandingTheme": "templates are not imported",  # Xero's credit note export
}

ENTITY = document_entity(
    "CreditNote",
    name="creditnotes",
    label="Credit note",
    singular="creditnote",
    fields=FIELDS,
    key_field="creditnote_number",
    id_field="creditnote_id",
    id_synonyms=("CreditNotes ID",),
    ignored_headers=IGNORED_HEADERS,
    export_headers=EXPORT_HEADERS,
)
