"""Sales orders (Books v3, seed 003): fields, rules and models."""

from __future__ import annotations

from app.entities.catalogue import CREATING, Field, seed
from app.entities.field_groups import (
    GST_TREATMENT,
    custom_field,
    customer_address_headers,
    line_item_fields,
)
from app.entities.models import document_entity

FIELDS: tuple[Field, ...] = (
    Field("salesorder_id", "SalesOrder ID", "id", help="Zoho's ID of the sales order (update only).",
          synonyms=("Sales Order ID", "SalesOrderID", "SO ID")),
    # Seeds 003 and 004 give no length for the number, reference, notes or terms of a sales order (nor does
    # zoho.com/books/api/v3/sales-order), so none is checked here: Zoho's answer says it.
    Field("salesorder_number", "SalesOrder Number",
          help="Unique number of the sales order; required when automatic numbering is off.",
          synonyms=("Sales Order Number", "Sales Order No", "SO Number", "SO No", "SO #", "Order Number", "Order No", "Order #", "SalesOrderNumber", "Order ID", "Document Number", "Doc No")),
    Field("customer_id", "Customer Name", "id", required_on=CREATING, lookup="customer",
          help="The customer receiving the sales order; found by customer name or email.",
          synonyms=("Customer ID", "CustomerID", "Customer", "Client", "Client Name", "ContactName", "Contact Name", "Bill To", "Sold To", "Customer Email", "Display Name",
                    "Email Address")),
    Field("date", "Order Date", "date", help="Date of the sales order (YYYY-MM-DD).",
          synonyms=("Date", "SalesOrder Date", "Sales Order Date", "SO Date", "Order Dt", "Transaction Date", "Txn Date", "Document Date", "Issue Date",
                    "Order Start Date", "EffectiveDate")),  # Salesforce: an order's start date
    Field("shipment_date", "Expected Shipment Date", "date", help="Expected shipment date (YYYY-MM-DD).",
          synonyms=("Shipment Date", "Ship Date", "Delivery Date", "Due Date", "Expected Delivery Date", "Expected Ship Date",
                    "Ship By", "Ship By Date", "Deliv Date")),
    Field("reference_number", "PurchaseOrder", help="Reference, e.g. the customer's purchase order number.",
          synonyms=("Reference Number", "Reference", "Reference#", "Ref", "Ref No", "PO Number", "PO", "Purchase Order", "Customer PO", "Your Reference")),
    Field("currency_id", "Currency Code", "id", lookup="currency", help="Currency of the order; found by currency code.",
          synonyms=("Currency", "CurrencyCode", "Curr", "Currency ID", "CurrencyIsoCode")),
    Field("exchange_rate", "Exchange Rate", "number", positive=True, help="Rate from the order's currency to the base currency.",
          synonyms=("FX Rate", "Rate of Exchange", "ExchangeRate")),
    Field("salesperson_id", "Sales Person", "id", lookup="salesperson", help="Salesperson responsible; found by name.",
          synonyms=("Salesperson ID", "Sales Person ID", "Salesperson", "Salesperson Name", "Sales Rep", "Rep", "Sales Person Name", "Account Manager")),
    Field("discount", "Entity Discount Percent", "discount",
          help='Discount on the whole order: "12.5%" or an amount ("190").',
          synonyms=("Order Discount", "Entity Discount", "Discount on Total", "Invoice Discount")),
    Field("discount_type", "Discount Type", allowed=("entity_level", "item_level"),
          help="entity_level applies the discount to the whole order, item_level to each line.",
          source=seed("004", "How the discount is specified. Allowed values are entity_level or item_level.")),
    Field("is_discount_before_tax", "Is Discount Before Tax", "boolean", help="Apply the discount before tax."),
    Field("is_inclusive_tax", "Is Inclusive Tax", "boolean", help="Line rates include tax.",
          synonyms=("Tax Inclusive", "Amounts Are", "Prices Include Tax", "Inclusive Tax")),
    Field("shipping_charge", "Shipping Charge", "number", help="Shipping charge added to the total.",
          synonyms=("Shipping", "Freight", "Delivery Charge", "Shipping Amount", "Carriage")),
    Field("adjustment", "Adjustment", "number", help="Adjustment added to (or taken off) the total."),
    Field("adjustment_description", "Adjustment Description", help="Why the adjustment was made."),
    Field("delivery_method", "Delivery Method", help="How the goods are delivered.", synonyms=("Ship Via", "Via", "Shipping Method", "Carrier")),
    Field("notes", "Notes", help="Notes shown on the sales order.",
          synonyms=("Customer Notes", "Note", "Comments", "Remarks", "Message", "Memo on Statement",
                    "Customer Message")),
    Field("terms", "Terms & Conditions", help="Terms and conditions of the sales order.",
          synonyms=("Terms", "Terms and Conditions", "T&C")),
    Field("payment_terms", "Payment Terms", "integer", help="Payment terms in days.", synonyms=("Terms Days", "Net Days")),
    Field("payment_terms_label", "Payment Terms Label", help="Label of the payment terms, e.g. Net 30."),
    Field("place_of_supply", "Place of Supply", help="Place of supply (India, GCC)."),
    Field("gst_treatment", "GST Treatment", allowed=("business_gst", "business_none", "overseas", "consumer"),
          help="GST treatment (India only).", source=GST_TREATMENT),
    Field("gst_no", "GST Identification Number (GSTIN)", help="15 digit GSTIN (India only).", synonyms=("GSTIN", "GST No", "GST Number")),
    Field("vat_treatment", "VAT Treatment", help="VAT treatment (UK only)."),
    *line_item_fields(),
    custom_field("custom_fields.cf_external_id", "External ID", unique=True),
    custom_field("custom_fields.cf_channel", "Channel"),
)

# The columns of the file Zoho Books writes when sales orders are exported from its Sales Orders list.
EXPORT_HEADERS: tuple[str, ...] = (
    "SalesOrder ID", "Order Date", "Expected Shipment Date", "SalesOrder Number", "Status",
    "Customer ID", "Customer Name", "Place of Supply", "GST Treatment",
    "GST Identification Number (GSTIN)", "Is Inclusive Tax", "PurchaseOrder", "Template Name",
    "Currency Code", "Exchange Rate", "Discount Type", "Is Discount Before Tax",
    "Entity Discount Amount", "Entity Discount Percent", "Item Name", "Product ID", "SKU",
    "Account", "Line Item ID", "Item Desc", "QuantityOrdered", "Usage unit", "Warehouse Name", "Item Price",
    "Discount", "Discount Amount", "HSN/SAC", "Tax ID", "Item Tax", "Item Tax %", "Item Tax Amount",
    "Item Type", "Item Total", "SubTotal", "Total", "Shipping Charge", "Adjustment",
    "Adjustment Description", "Sales Person", "Payment Terms", "Payment Terms Label", "Notes",
    "Terms & Conditions", "Delivery Method", "Billing Address", "Billing City", "Billing State",
    "Billing Country", "Billing Code", "Billing Fax", "Billing Phone", "Shipping Address",
    "Shipping City", "Shipping State", "Shipping Country", "Shipping Code", "Shipping Fax",
    "Shipping Phone Number", "CF.External ID", "CF.Channel",
)

# Besides the columns every document's export has (DOCUMENT_IGNORED_HEADERS):
IGNORED_HEADERS: dict[str, str] = {
    **customer_address_headers("Street2", "Fax", "Phone"),
    "Shipping Phone Number": "addresses come from the customer",
    "Entity Discount Amount": "Zoho computes it from the discount percent",
    "Warehouse Name": "warehouses are not imported",
    "Invoiced Status": "Zoho sets it",
    "Shipped Status": "Zoho sets it",
    "Order Status": "Zoho sets it",
    "Item Tax Type": "follows from the tax",
    # other systems' exports (Salesforce): totals Zoho computes, a date it has no field for
    "TotalAmount": "Zoho computes it",
    "Order Amount": "Zoho computes it",
    "PO Date": "a sales order has no purchase order date",
    "PoDate": "a sales order has no purchase order date",
}

ENTITY = document_entity(
    "SalesOrder",
    name="salesorders",
    label="Sales order",
    singular="salesorder",
    fields=FIELDS,
    key_field="salesorder_number",
    id_field="salesorder_id",
    id_synonyms=("SalesOrder ID",),
    ignored_headers=IGNORED_HEADERS,
    export_headers=EXPORT_HEADERS,
)
