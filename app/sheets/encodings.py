"""Decode a delimited text file: BOMs and UTF-8 first, then charset-normalizer among the encodings of Zoho's markets."""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from app.sheets.errors import SheetError

# The legacy encodings a CSV from Zoho's markets comes in (Python codec: the name we show and accept).
# Windows code pages first: where two decode a file alike, the first one listed is named.
MARKET: dict[str, str] = {
    "cp1252": "windows-1252", "cp1250": "windows-1250", "cp1251": "windows-1251", "cp1256": "windows-1256",
    "cp1254": "windows-1254",
    "latin_1": "iso-8859-1", "iso8859_15": "iso-8859-15", "iso8859_2": "iso-8859-2", "iso8859_5": "iso-8859-5",
    "iso8859_6": "iso-8859-6", "iso8859_7": "iso-8859-7", "iso8859_9": "iso-8859-9",
    "cp932": "shift_jis", "euc_jp": "euc-jp", "gb18030": "gb18030", "big5": "big5", "cp949": "euc-kr",
}
# Names a user may type for --encoding that Python spells otherwise, or whose Windows superset is meant.
ALIASES = {"shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "windows-31j": "cp932",
           "euc-kr": "cp949", "euckr": "cp949", "gbk": "gb18030", "gb2312": "gb18030", "big5-hkscs": "big5hkscs"}
# How far apart the detector's "chaos" (0 = clean text) of the best and the next decoding must be to be sure.
SURE_MARGIN = 0.1
SAMPLE_BYTES = 64 * 1024  # non-ASCII lines handed to the detector
PREVIEW_CHARS = 80
# Bytes no text holds (C0 controls but tab, LF, CR, and the end-of-file mark 0x1A): more than 1% is binary.
_CONTROL_BYTES = [bytes([b]) for b in range(32) if b not in (9, 10, 13, 26)]
_NON_ASCII_LINE = re.compile(rb"[^\n]*[\x80-\xff][^\n]*")


@dataclass(frozen=True)
class Candidate:
    """One way the file could be read: the encoding's name and the first non-ASCII text it gives."""

    encoding: str
    preview: str


class EncodingUnsure(SheetError):
    """The detector cannot tell the file's encoding: ``candidates`` to choose from, best guess first."""

    def __init__(self, path: str | Path, candidates: list[Candidate]) -> None:
        self.candidates = candidates
        listed = "; ".join(f'{c.encoding} reads "{c.preview}"' for c in candidates)
        super().__init__(path, f"its encoding is not certain ({listed}); say which one it is with "
                               f"--encoding NAME (e.g. --encoding {candidates[0].encoding})")


def codec_of(path: Path, name: str) -> str:
    """The Python codec of an encoding name the user gave; SheetError when no such encoding exists."""
    wanted = name.strip().lower()
    wanted = ALIASES.get(wanted, wanted)
    try:
        return codecs.lookup(wanted).name
    except LookupError:
        raise SheetError(path, f'"{name}" is not an encoding zoho-bulk knows (try windows-1252, windows-1251, '
                               "shift_jis, gb18030, big5, euc-kr, utf-16-le...)") from None


def shown_name(codec: str) -> str:
    """The name a user knows for a Python codec ("cp1251" -> "windows-1251")."""
    name = codecs.lookup(codec).name
    return MARKET.get(name) or {"utf-8": "utf-8", "utf-8-sig": "utf-8", "utf-16": "utf-16"}.get(name, name)


def decode(path: Path, raw: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The file's text and the name of its encoding; EncodingUnsure when the detector cannot tell.

    ``encoding`` is the user's choice (``--encoding``, or a candidate picked in the GUI).
    """
    if encoding is not None:
        codec = codec_of(path, encoding)
        return _strict(path, raw, "utf-8-sig" if codec == "utf-8" else codec, shown_name(codec))
    if raw.startswith(b"\xef\xbb\xbf"):
        return _strict(path, raw, "utf-8-sig", "utf-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(path, raw, "utf-16", "utf-16")
    wide = _utf16_without_bom(raw)  # before UTF-8: ASCII text in UTF-16 is valid UTF-8 full of NULs
    if wide:
        return _strict(path, raw, wide, wide.replace("_", "-"))
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    head = raw[:SAMPLE_BYTES]
    if sum(head.count(b) for b in _CONTROL_BYTES) * 100 > len(head):
        raise SheetError(path, "it is not a text file (it contains binary data)")
    return _detected(path, raw)


def _strict(path: Path, raw: bytes, codec: str, name: str) -> tuple[str, str]:
    try:
        return raw.decode(codec), name
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SheetError(path, f"its text is not valid {name} (line {line} holds byte "
                               f"0x{raw[exc.start]:02X}, which {name} does not use)") from None


def _utf16_without_bom(raw: bytes) -> str | None:
    """utf_16_le / utf_16_be when every other byte is mostly zero, as in Latin text saved as UTF-16."""
    sample = raw[: 64 * 1024]
    if len(sample) < 4 or len(raw) % 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd * 10 > half * 3 and even * 20 < half:
        return "utf_16_le"
    if even * 10 > half * 3 and odd * 20 < half:
        return "utf_16_be"
    return None


def _detected(path: Path, raw: bytes) -> tuple[str, str]:
    """Score the lines holding non-ASCII bytes in each market encoding; sure, or EncodingUnsure.

    A reading's score is charset-normalizer's chaos (0 = clean text) plus the share of its words that
    no language writes (two scripts or a capital after a small letter in one word), plus penalties:
    accented letters no one language has, kana outside a Japanese encoding, characters only an
    encoding's rare extension holds.
    """
    import charset_normalizer  # 30 ms to import; only files that are not UTF-8 need it

    sample = b"\n".join(_NON_ASCII_LINE.findall(raw[: 4 * SAMPLE_BYTES]))[:SAMPLE_BYTES]
    order = list(MARKET)
    chaos: dict[str, float] = {}  # decoded sample -> the detector's chaos
    for match in charset_normalizer.from_bytes(sample, cp_isolation=order):
        text = str(match)
        chaos[text] = min(chaos.get(text, 1.0), match.chaos)
    readings: dict[str, tuple[float, int, str]] = {}  # decoded sample -> (score, preference, codec)
    for codec in order:
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            continue
        score = (round(chaos.get(text, 0.5) + _oddity(text, codec, sample), 3), order.index(codec), codec)
        if text not in readings or score < readings[text]:
            readings[text] = score
    ranked = sorted((score, text) for text, score in readings.items() if _decodes(raw, score[2]))
    if not ranked:
        raise SheetError(path, "its text is in no encoding zoho-bulk recognises; save it as \"CSV UTF-8\" "
                               "and try again")
    (best, _, codec), _ = ranked[0]
    if len(ranked) == 1 or ranked[1][0][0] - best >= SURE_MARGIN:
        return raw.decode(codec), MARKET[codec]
    close = [st for st in ranked if st[0][0] - best < SURE_MARGIN][:4]
    texts = [text for _, text in close]
    raise EncodingUnsure(path, [Candidate(MARKET[score[2]], _preview(text, texts)) for score, text in close])


_SCRIPTS_TOGETHER = ({"CJK", "HIRAGANA", "KATAKANA", "LATIN"}, {"HANGUL", "CJK", "LATIN"})
_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK", "ARABIC", "HEBREW", "HANGUL", "HIRAGANA", "KATAKANA",
                      "CJK", "HALFWIDTH", "THAI"})
_JAPANESE = ("cp932", "euc_jp")
# An encoding's common core: a text that needs the extension instead is less likely to be in it.
_CORE = {"cp949": ("euc_kr", 0.3), "gb18030": ("gbk", 0.5), "cp932": ("shift_jis", 0.1)}


# The accented letters of the languages written in Latin script in Zoho's markets (lower case).
ALPHABETS = [frozenset(letters) for letters in (
    "äöüß", "àâæçéèêëîïôœùûüÿ", "áéíóúüñ", "àáâãçéêíóôõú", "àèéìíîòóù", "àçèéíïòóúü", "áéëïóöü", "åæøé",
    "åäöé", "áæðéíóöúýþ", "ąćęłńóśźż", "áčďéěíňóřšťúůýž", "áäčďéíĺľňóôŕšťúýž", "áéíóöőúüű", "ăâîșțşţ",
    "čćđšž", "çğıöşüâî", "āčēģīķļņšūž", "ąčęėįšųūž", "äöõüšž", "çë",
)]
_PAIRS = [a | b for a, b in combinations(ALPHABETS, 2)]


def _languages(text: str) -> float:
    """0 when the text's accented Latin letters are all of one language, 0.15 of two, else 0.3."""
    letters = {ch.lower()[0] for ch in set(text) if ord(ch) > 127 and ch.isalpha()
               and unicodedata.name(ch, "").startswith("LATIN")}
    letters = {ch for ch in letters if ord(ch) > 127}
    if not letters or any(letters <= alphabet for alphabet in ALPHABETS):
        return 0.0
    return 0.15 if any(letters <= pair for pair in _PAIRS) else 0.3


def _oddity(text: str, codec: str, sample: bytes) -> float:
    """How unlike written language a decoding is: odd words per non-ASCII word, plus fixed penalties."""
    odd = words = 0
    kana = False
    for word in re.findall(r"\w+", text):
        if word.isascii():
            continue
        words += 1
        scripts = set()
        previous_lower = False
        case_odd = False
        for ch in word:
            if not ch.isalpha():
                previous_lower = False
                continue
            script = unicodedata.name(ch, "UNKNOWN").split()[0]
            if script in _SCRIPTS:  # ª º and the like belong to no script
                scripts.add(script)
            if ch.isupper() and previous_lower and (ord(ch) > 127):
                case_odd = True
            previous_lower = ch.islower()
        kana = kana or bool(scripts & {"HIRAGANA", "KATAKANA"})
        mixed = len(scripts) > 1 and not any(scripts <= group for group in _SCRIPTS_TOGETHER)
        if mixed or case_odd or "HALFWIDTH" in scripts and len(scripts) > 1:
            odd += 1
    symbols = sum(1 for ch in text if ord(ch) > 127 and unicodedata.category(ch)[0] in "SCZ"
                  and ch not in "€£¥©®°±×÷§\u00a0")
    nonascii = sum(1 for ch in text if ord(ch) > 127) or 1
    penalty = odd / (words or 1) + symbols / nonascii + _languages(text)
    if kana and codec not in _JAPANESE:
        penalty += 0.5
    core = _CORE.get(codec)
    if core and not _decodes(sample, core[0]):
        penalty += core[1]
    return penalty


def _decodes(raw: bytes, codec: str) -> bool:
    try:
        raw.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _preview(text: str, others: list[str]) -> str:
    """The first line where the readings differ, on one line."""
    lines = text.splitlines()
    other_lines = [o.splitlines() for o in others]
    at = next((i for i, ln in enumerate(lines) if any(i >= len(o) or o[i] != ln for o in other_lines)), 0)
    line = " ".join(lines[at].split()) if lines else ""
    return line if len(line) <= PREVIEW_CHARS else line[: PREVIEW_CHARS - 1] + "…"
