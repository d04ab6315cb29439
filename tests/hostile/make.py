"""Write every file of the hostile corpus into a folder, for a person to open: python -m tests.hostile.make DIR."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.hostile.corpus import all_cases


def main(folder: str) -> None:
    root = Path(folder)
    for case in all_cases():
        target = root / case.name
        target.mkdir(parents=True, exist_ok=True)
        print(case.build(target))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
