"""safe_text: any string made safe to print, and the JSON form that keeps every value exact."""

from __future__ import annotations

import json
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialdeck.safe_text import _UNSAFE, json_safe, one_line, terminal_safe

BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unsafe(char: str, *, lines: bool = False) -> bool:
    """What a terminal may act on: C0 (but tab and newline in multi-line text), DEL, C1, and the
    invisible format characters, separators and surrogates."""
    if lines and char in "\t\n":
        return False
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F or char in BIDI:
        return True
    return char not in "\u200c\u200d" and unicodedata.category(char) in {"Cf", "Cs", "Zl", "Zp"}


# Text with plenty of the characters that matter, not only what a random draw would give.
hostile = st.text(st.one_of(
    st.characters(),
    st.sampled_from(["\x1b", "\x07", "\r", "\n", "\t", "\x9b", "\x7f", "\u202e", "\u2066", "\u200b", "\ufeff",
                     "\u200d", "\u00a0", "\U000e0041", "[", "]", "\\"]),
))


@given(hostile)
def test_one_line_output_holds_no_control_character(text):
    assert not any(unsafe(char) for char in one_line(text))


@given(hostile)
def test_terminal_safe_keeps_only_tab_and_newline(text):
    assert not any(unsafe(char, lines=True) for char in terminal_safe(text))


@given(hostile)
def test_sanitizing_twice_changes_nothing(text):
    assert one_line(one_line(text)) == one_line(text)
    assert terminal_safe(terminal_safe(text)) == terminal_safe(text)


@given(st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp"))))
def test_printable_text_is_unchanged(text):
    assert one_line(text) == text
    assert terminal_safe(text) == text


@given(hostile)
def test_each_character_stays_or_gets_a_visible_stand_in(text):
    """Nothing is dropped (the rep should see that a name is odd) and safe text is untouched."""
    assert one_line(text) == "".join(one_line(char) for char in text)
    for char in text:
        shown = one_line(char)
        assert shown == char if not unsafe(char) else shown not in ("", char)


@pytest.mark.parametrize(("raw", "shown"), [
    ("Eve\x1b]52;c;aGVsbG8=\x1b\\", "Eve␛]52;c;aGVsbG8=␛\\"),  # clipboard write
    ("Tear\x1b[2J\x1b[H", "Tear␛[2J␛[H"),  # clear screen, cursor home
    ("Bell\x07", "Bell␇"),
    ("over\rwrite", "over␍write"),
    ("csi\x9b31m", "csi\\u009b31m"),  # the one-byte C1 form of ESC [
    ("Screen\u202eevil", "Screen\\u202eevil"),  # right-to-left override
    ("zero\u200bwidth", "zero\\u200bwidth"),
    ("del\x7f", "del␡"),
    ("two\nlines\tand tab", "two␊lines␉and tab"),
])
def test_examples_are_shown_visibly(raw, shown):
    assert one_line(raw) == shown


def test_names_keep_what_they_are_written_with():
    names = ("Zoë O'Brien", "محمد\u200cرضا", "José\u00a0María", "山田 太郎", "👩\u200d💻 Dev", "[bold red]x[/]")
    for name in names:
        assert one_line(name) == name


def test_multi_line_text_keeps_its_lines_and_tabs_but_shows_a_lone_carriage_return():
    assert terminal_safe("Hi Ana,\r\nthanks\tagain\rX\x1b[2J") == "Hi Ana,\nthanks\tagain␍X␛[2J"


def test_the_spelled_out_set_matches_the_unicode_categories():
    """Every character the running Python's Unicode database calls control, format (but the
    joiners), separator or surrogate is caught; anything else caught is unassigned here."""
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        caught = _UNSAFE.match(char) is not None
        if unsafe(char):
            assert caught, f"U+{code:04X} ({unicodedata.category(char)}) is not caught"
        elif caught:
            assert unicodedata.category(char) == "Cn", f"U+{code:04X} is caught but harmless"


@given(hostile)
def test_json_safe_keeps_the_value_and_shows_no_control_character(text):
    data = {"name": text, text: [text]}
    dumped = json_safe(json.dumps(data, indent=2, ensure_ascii=False))
    assert json.loads(dumped) == data
    assert not any(unsafe(char, lines=True) for char in dumped)


def test_json_safe_escapes_characters_beyond_the_basic_plane_as_surrogate_pairs():
    assert json_safe(json.dumps("tag\U000e0041", ensure_ascii=False)) == '"tag\\udb40\\udc41"'
