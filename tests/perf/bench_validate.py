"""Benchmark: a 100,000-row, 20-column sales-order xlsx from file to validated payloads, against openpyxl's read."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROWS = 100_000
LINES_PER_ORDER = 5
TARGET_S = 5.0
TARGET_MB = 600

HEADERS = [
    "SalesOrder Number", "Order Date", "Expected Shipment Date", "Customer Name", "Currency Code",
    "Exchange Rate", "PurchaseOrder", "Sales Person", "Notes", "CF.Channel", "CF.External ID",
    "Item Name", "Item Desc", "QuantityOrdered", "Item Price", "Discount", "Item Tax", "Account",
    "Usage unit", "Item Total",
]
ITEMS = [("Laptop Stand", 45.0), ("Wireless Mouse", 25.0), ("USB-C Hub", 60.0), ("Mechanical Keyboard", 120.0),
         ("27-inch Monitor", 310.0), ("Desk Lamp", 35.0), ("Office Chair", 240.0)]
CUSTOMERS = [f"Customer {n:04d} Ltd" for n in range(500)]


def generate(path: Path, rows: int = ROWS, customers: list[str] = CUSTOMERS) -> None:
    """Write the benchmark workbook with openpyxl's write-only mode (about 20,000 orders)."""
    from openpyxl import Workbook

    rnd = random.Random(7)
    book = Workbook(write_only=True)
    ws = book.create_sheet("Sales Orders")
    ws.append(HEADERS)
    start = date(2026, 1, 1)
    for r in range(rows):
        order = r // LINES_PER_ORDER
        day = start + timedelta(days=order % 300)
        item, price = ITEMS[rnd.randrange(len(ITEMS))]
        qty = rnd.randint(1, 9)
        ws.append([
            f"SO-{order:06d}", day.strftime("%d/%m/%Y"), (day + timedelta(days=7)).strftime("%d/%m/%Y"),
            customers[order % len(customers)], "EUR", "1,08", f"PO-{order}", "Alice Martin",
            f"Order {order}", "web", f"EXT-{order:06d}", item, f"{item} for order {order}", qty,
            f"{price:.2f}".replace(".", ","), "5%" if r % 3 == 0 else None, "Standard Rate", "Sales", "pcs",
            qty * price,
        ])
    book.save(path)


CHILD_PRELUDE = """
import json, resource, sys, time

def peak_mb():
    # VmHWM is this process's own peak; ru_maxrss survives exec on Linux and would report the parent's
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
"""

CHILD_VALIDATE = CHILD_PRELUDE + """
t0 = time.perf_counter()
from app.sheets import read_table
from app.mapping import automap, prepare
table = read_table(sys.argv[1])
t1 = time.perf_counter()
mapping = automap(table, "salesorders")
prepared = prepare(table, mapping)
t2 = time.perf_counter()
print(json.dumps({"read_s": t1 - t0, "map_validate_s": t2 - t1, "total_s": t2 - t0,
                  "documents": len(prepared.documents), "valid": len(prepared.valid),
                  "problems": len(prepared.all_problems()), "unmapped": mapping.unmapped,
                  "maxrss_mb": peak_mb()}))
"""

CHILD_BASELINE = CHILD_PRELUDE + """
t0 = time.perf_counter()
from openpyxl import load_workbook
book = load_workbook(sys.argv[1], read_only=True, data_only=True)
rows = 0
for row in book.worksheets[0].iter_rows(values_only=True):
    rows += 1
book.close()
print(json.dumps({"total_s": time.perf_counter() - t0, "rows": rows,
                  "maxrss_mb": peak_mb()}))
"""


def _child(code: str, path: Path) -> dict:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code, str(path)], cwd=root, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "salesorders-100k.xlsx"
        t = time.perf_counter()
        generate(path)
        print(f"generated {ROWS:,} rows x {len(HEADERS)} columns in {time.perf_counter() - t:.1f} s "
              f"({path.stat().st_size / 1e6:.1f} MB)")
        ours = _child(CHILD_VALIDATE, path)
        base = _child(CHILD_BASELINE, path)
    print(f"file -> validated payloads: {ours['total_s']:.2f} s (read {ours['read_s']:.2f} s, "
          f"map+validate {ours['map_validate_s']:.2f} s), peak {ours['maxrss_mb']:.0f} MB, "
          f"{ours['documents']:,} documents, {ours['valid']:,} valid, {ours['problems']} problems")
    print(f"baseline openpyxl read-only read: {base['total_s']:.2f} s, peak {base['maxrss_mb']:.0f} MB")
    print(f"ratio ours / openpyxl read alone: {ours['total_s'] / base['total_s']:.2f}")
    ok = ours["total_s"] <= TARGET_S and ours["maxrss_mb"] <= TARGET_MB and ours["valid"] == ROWS // LINES_PER_ORDER
    print(f"target <= {TARGET_S:.0f} s and <= {TARGET_MB} MB, all valid: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
