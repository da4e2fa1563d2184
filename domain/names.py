"""What a name may hold: at least one visible character, and no bidirectional controls.

A name made only of invisible characters (zero-width spaces, fillers, format characters) looks
empty on every page and list, yet passes a plain ``strip()``. A bidirectional control character
(a right-to-left override, an isolate) makes a name display as something other than what is
stored, so that two people can read different things in the same record.
"""

import unicodedata

from domain.errors import N_, InvalidInput

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Unicode's Bidi_Control characters: ALM, LRM, RLM, LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI."""

DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
"""Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt): characters that
render as nothing, the Hangul fillers among them."""

BLANK_SYMBOLS = frozenset("\u2800")
"""Characters that are graphic by category yet print as a blank: the empty braille pattern."""

UNSEEN_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"))
"""Controls, format characters, unassigned and private-use code points, separators, and
combining marks (which show only on a character they combine with)."""


def is_visible(char: str) -> bool:
    """Whether ``char`` prints as something a reader can see on its own."""
    if " " < char < "\x7f":  # printable ASCII: the common case, decided at once
        return True
    point = ord(char)
    if char.isspace() or char in BLANK_SYMBOLS:
        return False
    if any(low <= point <= high for low, high in DEFAULT_IGNORABLE):
        return False
    return unicodedata.category(char) not in UNSEEN_CATEGORIES


def check_visible(field: str, value: str) -> None:
    """Refuses a required text that holds nothing a reader can see.

    Raises:
        InvalidInput: ``value`` is empty, blank, or made only of invisible characters.
    """
    if not any(map(is_visible, value)):
        if not value.strip():
            raise InvalidInput(N_("{field} must not be empty."), field=field)
        raise InvalidInput(
            N_("{field} holds only invisible characters ({characters}); type it in visible characters."),
            field=field,
            characters=describe(value),
        )


def check_name(field: str, value: str) -> None:
    """Refuses a name that shows nothing, or that holds a bidirectional control character.

    Raises:
        InvalidInput: the name is invisible, or holds a bidirectional control.
    """
    if not BIDI_CONTROLS.isdisjoint(value):
        controls = sorted(BIDI_CONTROLS.intersection(value))
        raise InvalidInput(
            N_(
                "{field} holds a bidirectional control character ({characters}), which makes a name display "
                "as something other than what is stored; remove it and send again."
            ),
            field=field,
            characters=describe("".join(controls)),
        )
    check_visible(field, value)


def describe(text: str, limit: int = 4) -> str:
    """The code points of ``text``, as a person can look them up: ``U+200B ZERO WIDTH SPACE``."""
    seen = list(dict.fromkeys(text))
    named = [f"U+{ord(c):04X} {unicodedata.name(c, '')}".rstrip() for c in seen[:limit]]
    return ", ".join(named) + (", ..." if len(seen) > limit else "")
