"""Counting a column's text values by the readings they allow under two conventions: the first only, the second only, or both."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Tally:
    """How many values read only the first way or only the second way, one example of each, and a value read both ways."""

    first: int = 0
    second: int = 0
    first_example: str = ""
    second_example: str = ""
    two_way: str = ""  # the first value whose two readings differ

    def add(self, text: str, first: object | None, second: object | None) -> None:
        """Count `text`, whose readings under the two conventions are `first` and `second` (None: it has none)."""
        if first is not None and second is None:
            self.first += 1
            self.first_example = self.first_example or text
        elif second is not None and first is None:
            self.second += 1
            self.second_example = self.second_example or text
        elif first is not None and first != second and not self.two_way:
            self.two_way = text
