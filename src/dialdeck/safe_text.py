"""Untrusted text made safe to show on a terminal: every control character made visible.

Prospect data (names, companies, notes, e-mails) comes from CRM files anyone could have
typed into, so it may hold terminal escape sequences: ``ESC ] 52 ; c ; … ESC \\`` writes the
rep's clipboard, ``ESC [ 2 J`` clears the screen, a carriage return overwrites the line, a
right-to-left override makes text read backwards. Nothing is stripped (the rep should see
that a name is odd); each such character is drawn as something harmless instead:

- C0 controls and DEL: their Unicode control picture, one cell wide so tables stay aligned
  (``ESC`` → ``␛``, ``CR`` → ``␍``, ``NUL`` → ``␀``, ``DEL`` → ``␡``). An escape sequence then
  reads as plain text (``␛[2J``), so no sequence needs parsing.
- C1 controls (U+0080–U+009F), bidirectional overrides, isolates and marks, the other
  invisible format characters (zero-width space, BOM, soft hyphen, tag characters), line and
  paragraph separators, lone surrogates: a ``\\u202e``-style escape that names the character.
- Kept as they are: all printable text, every kind of space, the zero-width (non-)joiner
  (they shape Persian and Indic names and emoji), and in multi-line text (``terminal_safe``)
  tab and newline. ``one_line`` shows tab and newline too, for a table cell or a title.

The store and the JSON output keep the raw value; only what is drawn or printed for a person
goes through here. Sanitize before truncating, so a cut never falls inside an escape.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["json_safe", "one_line", "terminal_safe"]

# Every character shown otherwise: C0, DEL and C1 controls, then the format characters
# (Unicode category Cf: soft hyphen, bidi marks, overrides and isolates, zero-width space, BOM,
# tags...) except the zero-width non-joiner and joiner (U+200C, U+200D: they shape Persian and
# Indic names and emoji), line and paragraph separators, and surrogates. Spelled out rather than
# computed from ``unicodedata`` at start-up; tests/test_safe_text.py checks it against the
# categories of the running Python's Unicode database.
_FORMAT = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b\u200e\u200f"
    "\u2028-\u202e\u2060-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_FORMAT}]")  # one line: tab and newline too
_UNSAFE_IN_LINES = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_FORMAT}]")
_DEL_PICTURE = "\u2421"


@lru_cache(maxsize=1024)
def _shown_char(char: str) -> str:
    """How one unsafe character is drawn: its control picture (C0, DEL), else its escape."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the control pictures block is laid out in C0 order
    if code == 0x7F:
        return _DEL_PICTURE
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _shown(found: re.Match[str]) -> str:
    return _shown_char(found.group())


def one_line(text: str) -> str:
    """``text`` safe to print on one line: every control character visible, tab and newline too."""
    if text.isprintable():  # the common case, checked in C: nothing to do
        return text
    return _UNSAFE.sub(_shown, text)


def terminal_safe(text: str) -> str:
    """``text`` safe to print: as ``one_line``, but tab and newline keep their meaning
    (a Windows line end counts as a newline; a lone carriage return is shown)."""
    if text.isprintable():
        return text
    return _UNSAFE_IN_LINES.sub(_shown, text.replace("\r\n", "\n"))


def _json_escape(found: re.Match[str]) -> str:
    data = found.group().encode("utf-16-be", "surrogatepass")
    return "".join(f"\\u{int.from_bytes(data[i:i + 2], 'big'):04x}" for i in range(0, len(data), 2))


def json_safe(json_text: str) -> str:
    """JSON text whose strings hold no character a terminal would act on, value for value the
    same: ``json.dumps`` escapes C0 controls itself, this escapes the rest (C1, bidi, DEL...)
    as ``\\uXXXX``, which any JSON reader turns back into the raw character."""
    if json_text.isprintable():
        return json_text
    return _UNSAFE_IN_LINES.sub(_json_escape, json_text)
