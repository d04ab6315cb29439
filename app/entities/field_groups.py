"""Field groups that several entities share: addresses, line items and custom fields."""

from __future__ import annotations

from app.entities.catalogue import Field, Level, seed

ADDRESS_MAX = 500
GST_TREATMENT = seed("004", "Allowed values are business_gst , business_none , overseas , consumer .")

def customer_address_headers(*parts: str) -> dict[str, str]:
    """The export's "Billing <part>" and "Shipping <part>" columns: a document takes its addresses from its customer."""
    return {f"{kind} {part}": "addresses come from the customer" for kind in ("Billing", "Shipping") for part in parts}


# Columns of Zoho Books' export of a sales order or a credit note that an import leaves out, and why.
DOCUMENT_IGNORED_HEADERS: dict[str, str] = {
    "Status": "Zoho sets the status",
    "Item Tax %": "follows from the tax, found by name",
    "Item Tax Amount": "Zoho computes it",
    "Item Total": "Zoho computes it",
    "SubTotal": "Zoho computes it",
    "Total": "Zoho computes it",
    "Discount Amount": "Zoho computes it from the discount",
    "Template Name": "templates are not imported",
    "SKU": "the item is found by name",
    "Last Modified Time": "Zoho sets it",
    "Created Time": "Zoho sets it",
    **customer_address_headers("Address", "City", "State", "Country", "Code"),
    # other systems' exports (QuickBooks, Xero): amounts Zoho computes, a date a line item has no field for
    "Amount": "Zoho computes it from the quantity and rate",
    "ItemAmount": "Zoho computes it from the quantity and rate",
    "Line Amount": "Zoho computes it from the quantity and rate",
    "TaxAmount": "Zoho computes it",
    "Tax Amount": "Zoho computes it",
    "Service Date": "a line item has no service date",
}


# Other systems' names for address parts: (Xero prefix, extra words) per address kind.
_XERO = {"billing": "PO", "shipping": "SA"}
_PLAIN = {
    # Sage, QuickBooks and hand-made lists name the billing address without a prefix
    "billing": {
        "attention": ("Attention", "Attn"),
        "address": ("Address", "Street", "Street1", "Street Address", "Address Line 1", "Address1",
                    "Mailing Street"),  # Salesforce: a contact's Mailing* address
        "street2": ("Street2", "Address Line 2", "Address2"),
        "city": ("City", "Town", "Town/City", "Mailing City"),
        "state": ("State", "County", "Province", "State/Province", "Mailing State", "Mailing State/Province"),
        "zip": ("Zip", "ZIP Code", "Zip Code", "Postcode", "Post Code", "Postal Code", "Zip/Postal Code",
                "Mailing Zip/Postal Code", "Mailing Postal Code", "Mailing Zip"),
        "country": ("Country", "Mailing Country"),
        "fax": ("Fax", "Fax Number", "FaxNumber"),
    },
    "shipping": {
        "attention": ("Ship To Attention", "Delivery Attention"),
        "address": ("Ship To Address", "Ship To Street", "Delivery Address", "Delivery Street"),
        "street2": ("Ship To Street2", "Delivery Address Line 2"),
        "city": ("Ship To City", "Delivery City", "Delivery Town"),
        "state": ("Ship To State", "Delivery State", "Delivery County"),
        "zip": ("Ship To Zip", "Delivery Postcode", "Delivery Post Code", "Delivery Zip"),
        "country": ("Ship To Country", "Delivery Country"),
        "fax": (),
    },
}


def address_fields(kind: str, words: str) -> list[Field]:
    """Fields of a billing or shipping address object (`kind` is "billing" or "shipping")."""
    w = words  # "Billing" / "Shipping"
    p = f"{kind}_address"
    x = _XERO[kind]
    plain = _PLAIN[kind]
    return [
        Field(f"{p}.attention", f"{w} Attention", synonyms=(f"{w} Attn", f"{x}AttentionTo", *plain["attention"])),
        Field(
            f"{p}.address",
            f"{w} Address",
            max_length=ADDRESS_MAX,
            help=f"Street of the {kind} address. Max-length [500]",
            source=seed("004", "address Optional Max-length [500]"),
            synonyms=(f"{w} Street", f"{w} Street1", f"{w} Address Line 1", f"{w} Address1", f"{w} Line 1",
                      f"{w} Street Address", f"{x}AddressLine1", *plain["address"]),
        ),
        Field(f"{p}.street2", f"{w} Street2", synonyms=(f"{w} Address Line 2", f"{w} Address2", f"{w} Line 2",
                                                         f"{w} Street 2", f"{x}AddressLine2", *plain["street2"])),
        Field(f"{p}.city", f"{w} City", help=f"City of the {kind} address.",
              synonyms=(f"{w} Town", f"{w} Town/City", f"{x}City", *plain["city"])),
        Field(f"{p}.state", f"{w} State", help=f"State of the {kind} address.",
              synonyms=(f"{w} Province", f"{w} Region", f"{w} County", f"{w} State/Province", f"{x}Region",
                        *plain["state"])),
        Field(f"{p}.state_code", f"{w} State Code"),
        Field(f"{p}.zip", f"{w} Code", help=f"Zip code of the {kind} address.",
              synonyms=(f"{w} Zip", f"{w} Postal Code", f"{w} Postcode", f"{w} ZIP Code", f"{w} Zip Code",
                        f"{w} Zip/Postal Code", f"{x}PostalCode", *plain["zip"])),
        Field(f"{p}.country", f"{w} Country", help=f"Country of the {kind} address.",
              synonyms=(f"{x}Country", *plain["country"])),
        Field(f"{p}.phone", f"{w} Phone"),
        Field(f"{p}.fax", f"{w} Fax", synonyms=plain["fax"]),
    ]


def line_item_fields(lines: str = "line_items") -> list[Field]:
    """Fields of a sales order or credit note line item."""
    L = lines
    return [
        # seed 003 "Update a sales order": a line keeps its identity only when its line_item_id is
        # sent; a line without one is created new, a line left out is deleted.
        Field(f"{L}.line_item_id", "Line Item ID", "id", "line",
              help="Zoho's ID of the line item (update only): the line is edited in place, not replaced.",
              synonyms=("LineItem ID", "Line ID", "Line Item Id")),
        Field(f"{L}.item_id", "Item Name", "id", "line", lookup="item", help="ID of the item; found by item name or SKU.",
              synonyms=("Item ID", "Product ID", "ItemID", "ProductID", "Item", "Product", "Product Name", "Product/Service", "ItemCode", "Item Code", "Product Code", "Stock Code", "SKU", "Item SKU", "Product SKU",
                        "Item(Product/Service)", "InventoryItemCode", "Inventory Item Code")),
        Field(f"{L}.name", "Line Name", level="line", help="Name of the line item.", synonyms=("Line Item Name",)),
        Field(f"{L}.description", "Item Desc", level="line", help="Description of the line item.",
              synonyms=("Item Description", "Description", "Line Description", "Product/Service Description", "Line Memo")),
        Field(f"{L}.quantity", "Quantity", "number", "line", positive=True, help="Quantity of the line item.",
              synonyms=("QuantityOrdered", "Qty", "Quantity Ordered", "Units", "Item Quantity")),
        Field(f"{L}.rate", "Item Price", "number", "line", help="Rate of the line item.",
              synonyms=("Rate", "Unit Price", "UnitAmount", "Unit Amount", "Price", "Sales Price", "Unit Cost", "Item Rate", "Price Each")),
        Field(f"{L}.unit", "Usage unit", level="line", help="Unit of the line item e.g. kgs, Nos.", synonyms=("Unit", "UOM", "Unit of Measure")),
        Field(f"{L}.discount", "Discount", "discount", "line",
              help='Discount on the line, as a percentage (e.g. "12.5%") or an amount (e.g. "190").',
              synonyms=("Line Discount", "Item Discount", "Discount %", "Discount Percent", "Discount Rate", "Disc",
                        "Disc %", "Disc Percent", "Disc Rate")),
        Field(f"{L}.tax_id", "Item Tax", "id", "line", lookup="tax", help="Tax applied to the line; found by tax name or rate.",
              synonyms=("Tax ID", "Tax", "Tax Name", "Tax Code", "TaxType", "Tax Type", "VAT Code", "Tax Rate", "Item Tax %", "Tax %", "VAT Rate")),
        Field(f"{L}.account_id", "Account", "id", "line", lookup="account", help="Income account of the line; found by account name.",
              synonyms=("Account ID", "Account Name", "Income Account", "AccountCode", "Account Code", "GL Account", "Nominal Code")),
        Field(f"{L}.product_type", "Item Type", level="line", allowed=("goods", "service", "capital_goods", "capital_service"),
              help="Enter goods or service.", synonyms=("Product Type", "Type of Item"),
              source=seed("003", "For SouthAfrica Edition: service, goods, capital_service and capital_goods")),
        Field(f"{L}.hsn_or_sac", "HSN/SAC", level="line", help="HSN/SAC code (India, South Africa, Kenya).", synonyms=("HSN", "SAC", "HSN Code")),
        Field(f"{L}.item_order", "Item Order", "integer", "line", synonyms=("Line Number", "Line No", "Line #")),
    ]


def custom_field(path: str, label: str, level: Level = "document", unique: bool = False) -> Field:
    """A custom field the sandbox's demo organization defines (app.sandbox.seed CUSTOM_FIELDS)."""
    note = " Unique: used as the upsert key." if unique else ""
    return Field(path, label, level=level, help=f"Custom field {label}.{note}",
                 synonyms=(f"CF.{label}", path.rsplit(".", 1)[-1]))


LANGUAGES = ("de", "en", "es", "fr", "it", "ja", "nl", "pt", "pt_br", "sv", "zh", "en_gb")
