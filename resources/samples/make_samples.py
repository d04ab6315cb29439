"""Writes the sample spreadsheets in resources/samples/ (run: .venv/bin/python resources/samples/make_samples.py).

The samples reference the demo organization of the sandbox (items, taxes, salespersons, accounts)
and create contacts the demo does not already hold, so `make demo` can import contacts first and
then the orders and credit notes that name them.
"""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent

CONTACT_HEADERS = [
    "Display Name", "Company Name", "Contact Type", "Salutation", "First Name", "Last Name", "Email",
    "Phone", "Mobile", "Primary Contact", "Billing Street", "Billing City", "Billing State",
    "Billing Zip", "Billing Country", "Shipping Street", "Shipping City", "Shipping Zip",
    "Shipping Country", "Currency", "Payment Terms (days)", "Language", "External ID", "Region",
]

# (display name, company, city, state, zip, country, currency, terms, language, region, persons)
CUSTOMERS = [
    ("Northwind Traders", "Northwind Traders Inc.", "Seattle", "WA", "98101", "USA", "USD", 30, "en", "North America",
     [("Mr.", "Andrew", "Fuller", "andrew.fuller@northwind.example", "+1 206 555 0101"),
      ("Ms.", "Nancy", "Davolio", "nancy.davolio@northwind.example", "+1 206 555 0102")]),
    ("Contoso Pharmaceuticals", "Contoso Pharmaceuticals Ltd", "London", "", "EC1A 1BB", "United Kingdom", "GBP", 45, "en_gb", "Europe",
     [("Dr.", "Megan", "Bowen", "megan.bowen@contoso.example", "+44 20 7946 0011")]),
    ("Fabrikam GmbH", "Fabrikam GmbH", "München", "Bayern", "80331", "Germany", "EUR", 30, "de", "Europe",
     [("Herr", "Jonas", "Weber", "jonas.weber@fabrikam.example", "+49 89 1234 5678"),
      ("Frau", "Lena", "Schmidt", "lena.schmidt@fabrikam.example", "+49 89 1234 5679")]),
    ("Tailspin Toys", "Tailspin Toys Pty Ltd", "Sydney", "NSW", "2000", "Australia", "AUD", 14, "en", "Asia Pacific",
     [("Ms.", "Olivia", "Brown", "olivia@tailspin.example", "+61 2 5550 1234")]),
    ("Wide World Importers", "Wide World Importers", "Toronto", "ON", "M5H 2N2", "Canada", "CAD", 30, "en", "North America",
     [("Mr.", "Liam", "Tremblay", "liam.tremblay@wideworld.example", "+1 416 555 0199"),
      ("Ms.", "Chloe", "Roy", "chloe.roy@wideworld.example", "+1 416 555 0198")]),
    ("Adventure Works Cycles", "Adventure Works Cycles", "Lyon", "", "69002", "France", "EUR", 30, "fr", "Europe",
     [("M.", "Hugo", "Martin", "hugo.martin@adventure.example", "+33 4 72 00 00 01")]),
    ("Litware India", "Litware India Pvt Ltd", "Bengaluru", "Karnataka", "560001", "India", "INR", 15, "en", "Asia Pacific",
     [("Mr.", "Arjun", "Rao", "arjun.rao@litware.example", "+91 80 5555 0101")]),
    ("Proseware Iberia", "Proseware Iberia SL", "Madrid", "", "28013", "Spain", "EUR", 60, "es", "Europe",
     [("Sra.", "Lucía", "García", "lucia.garcia@proseware.example", "+34 91 555 0101")]),
    ("Woodgrove Partners", "Woodgrove Partners LLC", "Austin", "TX", "73301", "USA", "USD", 30, "en", "North America",
     [("Ms.", "Emma", "Johnson", "emma.johnson@woodgrove.example", "+1 512 555 0110"),
      ("Mr.", "Noah", "Williams", "noah.williams@woodgrove.example", "+1 512 555 0111")]),
    ("Blue Yonder Studio", "Blue Yonder Studio BV", "Amsterdam", "", "1012 AB", "Netherlands", "EUR", 30, "nl", "Europe",
     [("Mevr.", "Sanne", "de Vries", "sanne@blueyonder.example", "+31 20 555 0101")]),
]
VENDOR = ("Lucerne Paper Supply", "Lucerne Paper Supply AG", "Luzern", "LU", "6003", "Switzerland", "EUR", 30, "de", "Europe",
          [("Herr", "Felix", "Meier", "felix.meier@lucerne.example", "+41 41 555 01 01")])

# Items of the demo organization: name -> (sku, rate)
ITEMS = {
    "Laptop Stand": ("LS-100", 45.00), "Wireless Mouse": ("WM-200", 25.00), "USB-C Hub": ("UH-300", 60.00),
    "Mechanical Keyboard": ("MK-400", 120.00), "27-inch Monitor": ("MN-500", 310.00), "Desk Lamp": ("DL-600", 35.00),
    "Office Chair": ("OC-700", 240.00), "Installation Service": ("SV-900", 80.00), "Annual Support Plan": ("SP-950", 500.00),
}
TAX_OF = {"Desk Lamp": "Reduced Rate", "Installation Service": "Zero Rate", "Annual Support Plan": "Zero Rate"}

ORDER_HEADERS = [
    "Order Number", "Order Date", "Shipment Date", "Customer", "Reference", "Currency", "Salesperson",
    "Item", "Description", "Quantity", "Rate", "Discount", "Tax", "Notes", "Channel", "External ID",
]

# (number, order date dd/mm/yyyy, customer, currency, salesperson, channel, [(item, qty, discount)])
ORDERS = [
    ("SO-S-0001", "14/01/2026", "Northwind Traders", "USD", "Alice Martin", "web",
     [("Laptop Stand", 4, None), ("Wireless Mouse", 4, "10%"), ("USB-C Hub", 2, None)]),
    ("SO-S-0002", "21/01/2026", "Contoso Pharmaceuticals", "GBP", "Bob Chen", "phone",
     [("27-inch Monitor", 6, "5%"), ("Mechanical Keyboard", 6, None), ("Installation Service", 3, None)]),
    ("SO-S-0003", "03/02/2026", "Fabrikam GmbH", "EUR", "Carla Diaz", "partner",
     [("Office Chair", 10, "12.5%"), ("Desk Lamp", 10, None)]),
    ("SO-S-0004", "17/02/2026", "Tailspin Toys", "AUD", "Alice Martin", "web",
     [("Wireless Mouse", 20, None), ("Mechanical Keyboard", 5, "20"), ("USB-C Hub", 5, None), ("Laptop Stand", 5, None)]),
    ("SO-S-0005", "28/02/2026", "Wide World Importers", "CAD", "Bob Chen", "web",
     [("Annual Support Plan", 1, None), ("Installation Service", 2, None)]),
    ("SO-S-0006", "09/03/2026", "Adventure Works Cycles", "EUR", "Carla Diaz", "phone",
     [("27-inch Monitor", 2, None), ("Laptop Stand", 2, None), ("Wireless Mouse", 2, None)]),
    ("SO-S-0007", "16/03/2026", "Litware India", "INR", "Alice Martin", "partner",
     [("Office Chair", 8, None), ("Desk Lamp", 8, "5%"), ("Installation Service", 1, None)]),
    ("SO-S-0008", "30/03/2026", "Woodgrove Partners", "USD", "Bob Chen", "web",
     [("Mechanical Keyboard", 12, "8%"), ("Wireless Mouse", 12, None), ("Annual Support Plan", 1, None)]),
]

CREDIT_HEADERS = [
    "Credit Note Number", "Credit Note Date", "Customer", "Invoice Number", "Item Code", "Description",
    "Quantity", "Rate", "Account", "Tax", "Reason", "External ID",
]

# (number, date dd.mm.yyyy, customer, reference, [(sku, qty, rate written with a decimal comma)], reason)
CREDIT_NOTES = [
    ("CN-S-0001", "20.01.2026", "Northwind Traders", "INV-2026-0012", [("WM-200", 1, "25,00")], "Damaged in transit"),
    ("CN-S-0002", "12.02.2026", "Fabrikam GmbH", "INV-2026-0031", [("DL-600", 2, "35,00"), ("OC-700", 1, "240,00")], "Returned goods"),
    ("CN-S-0003", "05.03.2026", "Tailspin Toys", "INV-2026-0044", [("UH-300", 1, "60,00")], "Wrong item shipped"),
    ("CN-S-0004", "25.03.2026", "Woodgrove Partners", "INV-2026-0058", [("SV-900", 1, "80,00"), ("MK-400", 1, "1.080,00")], "Goodwill credit"),
]


def _workbook(title: str, headers: list[str], rows: list[list[object]], path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 40)
    sheet.freeze_panes = "A2"
    book.properties.creator = "zoho-bulk samples"
    book.save(path)


def contact_rows() -> list[list[object]]:
    rows: list[list[object]] = []
    for n, (name, company, city, state, zip_code, country, currency, terms, language, region, persons) in enumerate(
        [*CUSTOMERS, VENDOR], start=1
    ):
        kind = "vendor" if name == VENDOR[0] else "customer"
        street = f"{100 + n * 7} Market Street"
        for i, (salutation, first, last, email, phone) in enumerate(persons):
            head = i == 0
            rows.append([
                name, company if head else None, kind if head else None, salutation, first, last, email, phone,
                phone.replace("555", "556"), "yes" if head else "no",
                street if head else None, city if head else None, state or None if head else None,
                zip_code if head else None, country if head else None,
                street if head else None, city if head else None, zip_code if head else None,
                country if head else None, currency if head else None, terms if head else None,
                language if head else None, f"C-S-{n:04d}" if head else None, region if head else None,
            ])
    return rows


def order_rows() -> list[list[object]]:
    rows: list[list[object]] = []
    for number, day, customer, currency, salesperson, channel, lines in ORDERS:
        d, m, y = day.split("/")
        ship = f"{min(int(d) + 7, 28):02d}/{m}/{y}"
        for item, qty, discount in lines:
            sku, rate = ITEMS[item]
            rows.append([
                number, day, ship, customer, f"PO-{number[-4:]}", currency, salesperson, item, f"{item} ({sku})",
                qty, rate, discount, TAX_OF.get(item, "Standard Rate"), f"Sample order {number}", channel,
                f"EXT-{number}",
            ])
    return rows


def credit_rows() -> list[list[object]]:
    rows: list[list[object]] = []
    names = {sku: name for name, (sku, _) in ITEMS.items()}
    for number, day, customer, reference, lines, reason in CREDIT_NOTES:
        for sku, qty, rate in lines:
            rows.append([
                number, day, customer, reference, sku, f"Credit for {names[sku]}", qty, rate, "Sales Returns",
                TAX_OF.get(names[sku], "Standard Rate"), reason, f"EXT-{number}",
            ])
    return rows


def messy_rows() -> list[list[object]]:
    """Sales orders with one problem of each common kind, to show what validation reports."""
    return [
        ["SO-X-0001", "14/01/2026", "", "Northwind Traders", "PO-1", "USD", "Alice Martin", "Laptop Stand", "", "2", "45.00", "", "Standard Rate", "", "web", "EXT-X-1"],
        ["SO-X-0001", "15/01/2026", "", "Northwind Traders", "PO-1", "USD", "Alice Martin", "Wireless Mouse", "", "1", "25.00", "", "Standard Rate", "", "web", "EXT-X-1"],
        ["SO-X-0002", "31/02/2026", "", "Fabrikam GmbH", "PO-2", "EUR", "Carla Diaz", "Desk Lamp", "", "two", "35.00", "", "Reduced Rate", "", "phone", "EXT-X-2"],
        ["SO-X-0003", "03/03/2026", "", "", "PO-3", "EUR", "Bob Chen", "Office Chair", "", "-3", "240.00", "lots", "Standard Rate", "", "web", "EXT-X-3"],
        ["SO-X-0004", "04/03/2026", "", "Tailspin Toys", "PO-4", "AUD", "Bob Chen", "USB-C Hub", "", "5", "60.00", "15%", "Standard Rate", "", "web", "EXT-X-4"],
    ]


def main(out: Path = HERE) -> None:
    _workbook("Contacts", CONTACT_HEADERS, contact_rows(), out / "contacts.xlsx")
    _workbook("Sales Orders", ORDER_HEADERS, order_rows(), out / "salesorders.xlsx")
    _workbook("Credit Notes", CREDIT_HEADERS, credit_rows(), out / "creditnotes.xlsx")
    with (out / "salesorders-with-problems.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(ORDER_HEADERS)
        writer.writerows(messy_rows())
    print(f"samples written to {out}")


if __name__ == "__main__":
    main()
