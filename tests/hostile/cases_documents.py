"""Hostile files about grouping rows into documents, mappings and Zoho's documented limits.

QuickBooks-style customer lists whose rows without a name are new customers (not second persons),
continuation rows, totals and subtotal rows, a field mapped twice by a mapping file, values past
Zoho's lengths, bad emails and choices, ID columns, and formula errors on rows without a key.
"""

from __future__ import annotations

from tests.hostile.corpus import ORDER, Case, csv_file, error, warning, with_mapping, xlsx_file

# A QuickBooks Online "Customer Contact List" export, as a user saves it to CSV.
QB = ["Customer", "Company", "Street", "City", "Zip", "Country", "Email", "Phone", "First Name", "Last Name",
      "Balance"]
CREDIT = ["Credit Note Number", "Credit Note Date", "Customer Name", "Item Name", "Quantity", "Item Price",
          "Reference#", "Notes"]


ACME = ["Acme Ltd", "Acme Ltd", "1 High Street", "London", "EC1A 1BB", "United Kingdom", "ann@acme.example",
        "+44 20 7946 0000", "Ann", "Archer", "1200.00"]
GAMMA = ["Gamma Inc", "Gamma Inc", "5 Main St", "Boston", "02108", "USA", "gil@gamma.example", "+1 617 555 0100",
         "Gil", "Grant", "0.00"]

CASES = [
    # A customer whose Display Name was left empty is a customer of its own, not Acme's second person;
    # Acme stays valid.
    Case("qb-customers-nameless-row-is-a-new-customer", "contacts", csv_file("customers.csv", QB, [
        ACME,
        ["", "Beta GmbH", "Ringstrasse 2", "Berlin", "10115", "Germany", "info@beta.example", "+49 30 123456",
         "Bea", "Braun", "310.00"],
        GAMMA,
    ]), expect={3: [error("no Display Name: this row is not another contact person of contact \"Acme Ltd\"",
                          "Customer")]},
        documents=3, valid=2, invalid=1),
    # QuickBooks puts a customer's second contact on a row of its own with only the person's cells filled.
    Case("qb-customers-second-person-row-continues", "contacts", csv_file("customers.csv", QB, [
        ACME,
        ["", "", "", "", "", "", "bob@acme.example", "+44 20 7946 0001", "Bob", "Brown", ""],
        GAMMA,
    ]), documents=2, valid=2, invalid=0),
    # A nameless row repeating Acme's company is still not a person row: a contact continues with persons only.
    Case("qb-customers-nameless-row-repeating-the-company", "contacts", csv_file("customers.csv", QB, [
        ACME,
        ["", "Acme Ltd", "", "", "", "", "carl@acme-trading.example", "", "Carl", "Cole", ""],
    ]), expect={3: [error('own Company "Acme Ltd"', "Customer")]}, documents=2, valid=1, invalid=1),
    # The export's last line sums the balances.
    Case("qb-customers-total-line", "contacts", csv_file("customers.csv", QB, [
        ACME, GAMMA,
        ["TOTAL", "", "", "", "", "", "", "", "", "", "1200.00"],
    ]), expect={4: [warning("looks like a totals row, not a contact; it was skipped", "Customer")]},
        documents=2, valid=2, invalid=0),
    # A broken formula (#REF!) in the company of a nameless row: never a continuation.
    Case("xlsx-nameless-row-with-a-formula-error", "contacts", xlsx_file("customers.xlsx", QB, [
        ACME,
        ["", "#REF!", "", "", "", "", "dora@acme.example", "", "Dora", "Dale", ""],
    ]), expect={3: [error('column "Company" holds a formula, not a value ("#REF!")', "Customer"),
                    error("formula", "Company")]},
        documents=2, valid=1, invalid=1),
    Case("contacts-bad-email-and-too-long-phone", "contacts", csv_file("customers.csv", QB, [
        ACME,
        ["Delta LLC", "Delta LLC", "", "", "", "", "orders@delta", "+1 212 555 0100 / +1 212 555 0101 / ext 4455 (ask for Dan)",
         "Dan", "Dune", ""],
    ]), expect={3: [error("is not an email address", "Email"),
                    error("is longer than 50 characters (58)", "Phone")]},
        documents=2, valid=1, invalid=1),
    Case("contacts-contact-type-not-customer-or-vendor", "contacts", csv_file("contacts.csv",
         ["Display Name", "Contact Type", "Email"], [
             ["Acme Ltd", "Customer", "ann@acme.example"],
             ["Beta GmbH", "Supplier", "info@beta.example"],  # another system's word for vendor: mapped
             ["Gamma Inc", "Partner", "gil@gamma.example"],
         ]), expect={4: [error('"Partner" is not one of: customer, vendor', "Contact Type")]},
        documents=3, valid=2, invalid=1),
    # A mapping file (hand-edited) fills Notes from two columns: refused, naming both.
    Case("contacts-field-mapped-twice-in-a-mapping-file", "contacts", with_mapping(
        csv_file("contacts.csv", ["Display Name", "Memo", "Comments"], [["Acme Ltd", "Pays by cheque", "VIP"]]),
        {"version": 1, "entity": "contacts", "document_key": "Display Name", "fields": [
            {"field": "contact_name", "columns": ["Display Name"]},
            {"field": "notes", "columns": ["Memo"]},
            {"field": "notes", "columns": ["Comments"]},
        ]}), args=("--mapping", "{folder}/mapping.json"),
        refused='The field "Notes" (notes) is mapped twice: from column "Memo" and from column "Comments"'),
    Case("orders-continuation-lines-without-the-number", "salesorders", csv_file("orders.csv", ORDER, [
        ["SO-1001", "2026-03-02", "Bowman and Co", "Laptop Stand", 2, 45],
        ["", "", "", "Wireless Mouse", 1, 25],
        ["", "2026-03-02", "Bowman and Co", "USB-C Hub", 1, 60],  # header cells repeated, equal
        ["SO-1002", "2026-03-03", "Zylker Corp", "Desk Lamp", 1, 35],
    ]), documents=2, valid=2, invalid=0),
    Case("orders-nameless-row-for-another-customer", "salesorders", csv_file("orders.csv", ORDER, [
        ["SO-1001", "2026-03-02", "Bowman and Co", "Laptop Stand", 2, 45],
        ["", "2026-03-02", "Zylker Corp", "Desk Lamp", 1, 35],
        ["SO-1003", "2026-03-04", "Acme Corporation", "USB-C Hub", 1, 60],
    ]), expect={3: [error('no SalesOrder Number: this row does not continue sales order "SO-1001" (row 2): '
                          'its Customer Name "Zylker Corp" differs from "Bowman and Co"', "Order Number")]},
        documents=3, valid=2, invalid=1),
    Case("orders-first-row-without-a-number", "salesorders", csv_file("orders.csv", ORDER, [
        ["", "2026-03-01", "Bowman and Co", "Laptop Stand", 2, 45],
        ["SO-1001", "2026-03-02", "Bowman and Co", "Laptop Stand", 2, 45],
    ]), expect={2: [error("no SalesOrder Number, and no sales order above it to continue", "Order Number")]},
        documents=2, valid=1, invalid=1),
    # A report-style sheet: a subtotal under each order and a grand total at the end.
    Case("orders-subtotal-and-grand-total-rows", "salesorders", csv_file("orders.csv", ORDER, [
        ["SO-2001", "2026-03-02", "Bowman and Co", "Laptop Stand", 2, 45],
        ["SO-2001", "2026-03-02", "Bowman and Co", "USB-C Hub", 1, 60],
        ["", "", "", "Subtotal", 3, "150.00"],
        ["SO-2002", "2026-03-03", "Zylker Corp", "Desk Lamp", 1, 35],
        ["", "", "", "Subtotal", 1, "35.00"],
        ["", "", "Grand Total", "", 4, "185.00"],
    ]), expect={4: [warning('"Subtotal" beside numbers looks like a totals row', "Item Name")],
                6: [warning('"Subtotal" beside numbers looks like a totals row', "Item Name")],
                7: [warning('"Grand Total" beside numbers looks like a totals row', "Customer Name")]},
        documents=2, valid=2, invalid=0),
    # Zoho's own export columns: a line that only carries the computed totals.
    Case("orders-line-with-only-computed-totals", "salesorders", csv_file("orders.csv",
         [*ORDER, "Item Total", "SubTotal", "Total"], [
             ["SO-3001", "2026-03-02", "Bowman and Co", "Laptop Stand", 2, 45, "90.00", "90.00", "90.00"],
             ["", "", "", "", "", "", "90.00", "90.00", "90.00"],
         ]), expect={3: [warning('only "Item Total", "SubTotal", "Total" filled: a totals row', "Item Total")]},
        documents=1, valid=1, invalid=0),
    # An item whose name starts with "Total" is a line like any other.
    Case("orders-item-named-total-care", "salesorders", csv_file("orders.csv", ORDER, [
        ["SO-4001", "2026-03-02", "Bowman and Co", "Laptop Stand", 2, 45],
        ["", "", "", "Total Care Kit", 1, 12],
    ]), documents=1, valid=1, invalid=0),
    Case("orders-discount-type-not-allowed", "salesorders", csv_file("orders.csv", [*ORDER, "Discount Type"], [
        ["SO-5001", "2026-03-02", "Bowman and Co", "Laptop Stand", 2, 45, "entity_level"],
        ["SO-5002", "2026-03-02", "Zylker Corp", "Desk Lamp", 1, 35, "percent"],
    ]), expect={3: [error('"percent" is not one of: entity_level, item_level', "Discount Type")]},
        documents=2, valid=1, invalid=1),
    # A Zoho Books export brought back: the ID columns feed the IDs, the name columns are set aside.
    Case("orders-zoho-export-with-id-columns", "salesorders", csv_file("orders.csv",
         ["SalesOrder Number", "Order Date", "Customer ID", "Customer Name", "Product ID", "Item Name",
          "QuantityOrdered", "Item Price"], [
             ["SO-00012", "2026-01-25", "460000000010036", "Bowman and Co", "460000000010019", "Laptop Stand", 2, 45],
             ["SO-00012", "2026-01-25", "460000000010036", "Bowman and Co", "460000000010021", "USB-C Hub", 1, 60],
         ]), documents=1, valid=1, invalid=0),
    Case("credit-notes-notes-and-reference-past-zoho-limits", "creditnotes", csv_file("credits.csv", CREDIT, [
        ["CN-0001", "2026-03-02", "Bowman and Co", "Laptop Stand", 1, 45, "RMA-77", "Returned unopened."],
        ["CN-0002", "2026-03-02", "Zylker Corp", "Desk Lamp", 1, 35, "INV-" + "0" * 100,
         "Customer complaint, full history pasted from the ticket: " + "blah " * 1000],
    ]), expect={3: [error("is longer than 100 characters (104)", "Reference#"),
                    error("is longer than 5000 characters (5057)", "Notes")]},
        documents=2, valid=1, invalid=1),
]
