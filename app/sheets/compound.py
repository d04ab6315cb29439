"""Read the directory and the start of streams of an OLE compound file (the container of .xls and encrypted Office files)."""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import BinaryIO

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END = -2


class Compound:
    """A compound file opened for reading its directory and streams (MS-CFB); raises ValueError if malformed."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        header = fh.read(512)
        if len(header) < 512 or not header.startswith(MAGIC):
            raise ValueError("not a compound file")
        self.sector_size = 1 << struct.unpack_from("<H", header, 0x1E)[0]
        self.mini_size = 1 << struct.unpack_from("<H", header, 0x20)[0]
        if self.sector_size not in (512, 4096):
            raise ValueError("bad sector size")
        first_dir, = struct.unpack_from("<i", header, 0x30)
        self.mini_cutoff, = struct.unpack_from("<I", header, 0x38)
        first_minifat, = struct.unpack_from("<i", header, 0x3C)
        first_difat, = struct.unpack_from("<i", header, 0x44)
        difat_count, = struct.unpack_from("<I", header, 0x48)
        self.max_sectors = os.fstat(fh.fileno()).st_size // self.sector_size + 1

        fat_sectors = [s for s in struct.unpack_from("<109i", header, 0x4C) if s >= 0]
        nxt = first_difat
        for _ in range(min(difat_count, self.max_sectors)):
            if nxt < 0:
                break
            entries = struct.unpack(f"<{self.sector_size // 4}i", self._sector(nxt))
            fat_sectors.extend(s for s in entries[:-1] if s >= 0)
            nxt = entries[-1]
        self.fat: list[int] = []
        for s in fat_sectors[: self.max_sectors]:
            self.fat.extend(struct.unpack(f"<{self.sector_size // 4}i", self._sector(s)))

        self.entries: list[tuple[str, int, int, int]] = []  # (name, type, start sector, size)
        for sector in self._chain(first_dir):
            data = self._sector(sector)
            for off in range(0, self.sector_size, 128):
                length, = struct.unpack_from("<H", data, off + 0x40)
                kind = data[off + 0x42]
                if 2 <= length <= 64 and kind in (1, 2, 5):
                    name = data[off: off + length - 2].decode("utf-16-le", "replace")
                    start, size = struct.unpack_from("<iI", data, off + 0x74)
                    self.entries.append((name, kind, start, size))
        self.minifat: list[int] = []
        for sector in self._chain(first_minifat):
            self.minifat.extend(struct.unpack(f"<{self.sector_size // 4}i", self._sector(sector)))

    def _sector(self, n: int) -> bytes:
        self.fh.seek((n + 1) * self.sector_size)
        data = self.fh.read(self.sector_size)
        if len(data) < self.sector_size:
            raise ValueError("truncated compound file")
        return data

    def _chain(self, start: int, table: list[int] | None = None) -> list[int]:
        table = self.fat if table is None else table
        chain: list[int] = []
        seen: set[int] = set()
        while 0 <= start < len(table) and start not in seen and len(chain) < self.max_sectors * 8:
            seen.add(start)
            chain.append(start)
            start = table[start]
        return chain

    @property
    def names(self) -> list[str]:
        return [name for name, _, _, _ in self.entries]

    def read_stream(self, name: str, limit: int) -> bytes:
        """Up to ``limit`` bytes from the start of stream ``name`` (case-insensitive); b"" if absent."""
        found = [e for e in self.entries if e[1] == 2 and e[0].lower() == name.lower()]
        if not found:
            return b""
        _, _, start, size = found[0]
        want = min(size, limit)
        if size < self.mini_cutoff:
            root = next((e for e in self.entries if e[1] == 5), None)
            if root is None:
                return b""
            container = b"".join(self._sector(s) for s in self._chain(root[2]))
            parts = []
            for mini in self._chain(start, self.minifat):
                parts.append(container[mini * self.mini_size: (mini + 1) * self.mini_size])
                if sum(map(len, parts)) >= want:
                    break
            return b"".join(parts)[:want]
        parts = []
        for sector in self._chain(start):
            parts.append(self._sector(sector))
            if len(parts) * self.sector_size >= want:
                break
        return b"".join(parts)[:want]


def stream_names(path: Path) -> list[str]:
    """Names in a compound file's directory; empty when the file is not one or is damaged."""
    try:
        with path.open("rb") as fh:
            return Compound(fh).names
    except (OSError, ValueError, struct.error):
        return []
