"""Contacts (Books API, seed 004): fields, contact persons, addresses, rules and models."""

from __future__ import annotations

from app.entities.catalogue import CREATING, Entity, Field, seed
from app.entities.field_groups import GST_TREATMENT, LANGUAGES, address_fields, custom_field
from app.entities.models import build_models

P = "contact_persons"

FIELDS: tuple[Field, ...] = (
    Field("contact_id", "Contact ID", "id", help="Zoho's ID of the contact (update only).", synonyms=("ContactID", "Customer ID")),
    Field("contact_name", "Display Name", required_on=CREATING, max_length=200,
          help="Display Name of the contact. Max-length [200]",
          source=seed("004", "Display Name of the contact. Max-length [200]"),
          synonyms=("Contact Name", "Customer Name", "Customer", "Name", "Customer Display Name", "Vendor Name", "Supplier Name", "ContactName", "Client Name", "Account Name", "Full Name",
                    "Display Name As")),
    Field("company_name", "Company Name", max_length=200, help="Company Name of the contact. Max-length [200]",
          source=seed("004", "Company Name of the contact. Max-length [200]"),
          synonyms=("Company", "Organization", "Organisation", "Business Name", "CompanyName")),
    # Seed 004 says only "Contact type of the contact"; Zoho's current page gives the values.
    Field("contact_type", "Contact Type", allowed=("customer", "vendor"), help="customer or vendor.",
          source='https://www.zoho.com/books/api/v3/contacts: "contact_type ... Allowed values: customer, vendor."',
          synonyms=("Type", "Customer/Vendor", "Contact Kind")),
    Field("website", "Website", synonyms=("Web", "Web Site", "URL", "Homepage", "WebsiteUrl", "WWW")),
    Field("language_code", "Language Code", allowed=LANGUAGES,
          source=seed("004", "language of a contact. allowed values de,en,es,fr,it,ja,nl,pt,pt_br,sv,zh,en_gb"),
          help="Language of the contact: de, en, es, fr, it, ja, nl, pt, pt_br, sv, zh, en_gb.",
          synonyms=("Language", "Portal Language", "Locale")),
    Field("currency_id", "Currency Code", "id", lookup="currency", help="The customer's currency; found by currency code.",
          synonyms=("Currency", "CurrencyCode", "Default Currency")),
    Field("payment_terms", "Payment Terms", "integer", help="Net payment term for the customer, in days.",
          synonyms=("Terms Days", "Net Days", "Payment Terms Days", "Due Days")),
    Field("payment_terms_label", "Payment Terms Label", help="Label for the payment due details.", synonyms=("Terms", "Payment Term")),
    Field("notes", "Notes", help="Comments about the contact.", synonyms=("Note", "Comments", "Remarks", "Memo")),
    Field("is_portal_enabled", "Portal Enabled", "boolean", help="Enable the client portal for the contact.",
          synonyms=("Portal Status", "Enable Portal", "Is Portal Enabled")),
    Field("facebook", "Facebook", max_length=100, help="Facebook profile account. max-length [100]",
          source=seed("004", "Facebook profile account. max-length [100]")),
    Field("twitter", "Twitter", max_length=100, help="Twitter account. max-length [100]",
          source=seed("004", "Twitter account. max-length [100]")),
    Field("vat_reg_no", "VAT Registration Number", help="VAT registration number (UK, Avalara).",
          synonyms=("VAT Number", "VAT Reg No", "TaxNumber", "Tax Number", "VAT No", "Tax Registration Number")),
    Field("gst_no", "GST Identification Number (GSTIN)", help="15 digit GSTIN (India only).", synonyms=("GSTIN", "GST No")),
    Field("gst_treatment", "GST Treatment", allowed=("business_gst", "business_none", "overseas", "consumer"),
          help="GST treatment (India only).", source=GST_TREATMENT),
    Field("place_of_contact", "Place of Contact", help="Location of the contact (India only)."),
    Field("tax_id", "Tax", "id", lookup="tax", help="Tax collected from the contact; found by tax name or rate.",
          synonyms=("Tax Name", "Default Tax", "Tax Rate")),
    Field("is_taxable", "Taxable", "boolean", help="Whether the customer is taxable.", synonyms=("Is Taxable",)),
    *address_fields("billing", "Billing"),
    *address_fields("shipping", "Shipping"),
    # Contact person limits: seed 004, "Contact Persons" (the same object a contact's contact_persons holds).
    Field(f"{P}.salutation", "Salutation", level="person", max_length=25, help="Salutation of the contact person.",
          source=seed("004", "Salutation for the contact. Max-length [25]"),
          synonyms=("Title", "Mr/Ms", "Prefix")),
    Field(f"{P}.first_name", "First Name", level="person", max_length=100, help="Max-length [100]",
          source=seed("004", "First name of the contact person. Max-length [100]"),
          synonyms=("FirstName", "Given Name", "Forename", "Contact First Name", "Contact Person First Name")),
    Field(f"{P}.last_name", "Last Name", level="person", max_length=100, help="Max-length [100]",
          source=seed("004", "Last name of the contact person. Max-length [100]"),
          synonyms=("LastName", "Surname", "Family Name", "Contact Last Name", "Contact Person Last Name")),
    Field(f"{P}.email", "EmailID", "email", "person", help="Email address of the contact person.", max_length=100,
          source=seed("004", "Email address of the contact person. Max-length [100]"),
          synonyms=("Email", "E-mail", "E-Mail Address", "Email Address", "EmailAddress", "Contact Email", "Primary Email", "Main Email", "Contact Person Email")),
    Field(f"{P}.phone", "Phone", level="person", help="Phone of the contact person.", max_length=50,
          source=seed("004", "phone Optional Max-length [50]"),
          synonyms=("Work Phone", "Telephone", "Tel", "Phone Number", "Business Phone", "PhoneNumber", "Contact Phone")),
    Field(f"{P}.mobile", "MobilePhone", level="person", help="Mobile of the contact person.", max_length=50,
          source=seed("004", "mobile Optional Max-length [50]"),
          synonyms=("Mobile", "Mobile Phone", "Cell", "Cell Phone", "MobileNumber", "Mobile Number")),
    Field(f"{P}.designation", "Designation", level="person", synonyms=("Job Title", "Position", "Role"),
          max_length=50, source=seed("004", "designation of a person. Max-length [50]")),
    Field(f"{P}.department", "Department", level="person", synonyms=("Dept",),
          max_length=50, source=seed("004", "department on which a person belongs. Max-length [50]")),
    Field(f"{P}.skype", "Skype Identity", level="person", synonyms=("Skype", "Skype ID", "SkypeName"),
          max_length=50, source=seed("004", "skype address. Max-length [50]")),
    Field(f"{P}.is_primary_contact", "Is Primary Contact", "boolean", "person",
          help="Mark the contact person as primary (true only).", synonyms=("Primary Contact", "Primary", "Is Primary")),
    custom_field("custom_fields.cf_external_id", "External ID", unique=True),
    custom_field("custom_fields.cf_region", "Region"),
)

# The columns of the file Zoho Books writes when contacts are exported from its Customers list.
EXPORT_HEADERS: tuple[str, ...] = (
    "Contact ID", "Contact Name", "Display Name", "Company Name", "Salutation", "First Name",
    "Last Name", "EmailID", "Phone", "MobilePhone", "Contact Type", "Currency Code",
    "Payment Terms", "Payment Terms Label", "Notes", "Website", "Status", "Language Code",
    "Portal Enabled", "Billing Attention", "Billing Address", "Billing Street2", "Billing City",
    "Billing State", "Billing Country", "Billing Code", "Billing Phone", "Billing Fax",
    "Shipping Attention", "Shipping Address", "Shipping Street2", "Shipping City", "Shipping State",
    "Shipping Country", "Shipping Code", "Shipping Phone", "Shipping Fax", "Skype Identity",
    "Facebook", "Twitter", "Department", "Designation", "Price List", "Opening Balance",
    "Created Time", "Last Modified Time", "CF.External ID", "CF.Region",
)

IGNORED_HEADERS: dict[str, str] = {
    "Status": "Zoho sets the status",
    "Created Time": "Zoho sets it",
    "Last Modified Time": "Zoho sets it",
    "Outstanding Receivable Amount": "Zoho computes it",
    "Outstanding Payable Amount": "Zoho computes it",
    "Unused Credits Receivable Amount": "Zoho computes it",
    "Opening Balance": "opening balances are not imported",
    "Balance": "Zoho computes the balance from transactions",
    "Open Balance": "Zoho computes the balance from transactions",
    "Price List": "price lists are not imported",
    "Credit Limit": "credit limits are not imported",
    "Owner Name": "owners are not imported",
    "Source": "Zoho sets it",
    "Contact Person ID": "an ID from the exporting organization",
}

CREATE_MODEL, UPDATE_MODEL = build_models("Contact", FIELDS, P, frozenset())

ENTITY = Entity(
    name="contacts",
    label="Contact",
    singular="contact",
    fields=FIELDS,
    key_field="contact_name",
    id_field="contact_id",
    id_synonyms=("Contact ID",),
    lines=P,
    lines_required_on=frozenset(),
    create_model=CREATE_MODEL,
    update_model=UPDATE_MODEL,
    ignored_headers=IGNORED_HEADERS,
    export_headers=EXPORT_HEADERS,
    found_by=(f"{P}.email",),
)
