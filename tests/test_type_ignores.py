"""Type checking is only switched off with a reason: every `# type: ignore` in app/ names its error code and says why
beside it, so a reader knows what was set aside and a later change can tell when it no longer holds."""

from __future__ import annotations

import re
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
IGNORE = re.compile(r"#\s*type:\s*ignore")
EXPLAINED = re.compile(r"#\s*type:\s*ignore\[[a-z-]+(?:,\s*[a-z-]+)*\]\s+#\s*\S")


def test_every_type_ignore_names_its_code_and_its_reason() -> None:
    bare = [f"{path.relative_to(APP.parent)}:{number}: {line.strip()}"
            for path in sorted(APP.rglob("*.py"))
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if IGNORE.search(line) and not EXPLAINED.search(line)]
    assert not bare, "a type: ignore without [code]  # reason:\n" + "\n".join(bare)
