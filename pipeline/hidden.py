"""Characters no printed text may hold: control characters, and the characters that set the
direction text is shown in. A right-to-left override shows "gro.shn.www" as "www.nhs.org" and
can turn "take 2, then 10" around on the page while the file still reads the right way, so a
reviewer would approve words the patient never sees. Pure; one definition for the YAML a
reviewer writes, the theme, and the input text (where normalize removes them).
"""

from __future__ import annotations

import re
import unicodedata

# Left-to-right and right-to-left marks, embeddings, overrides and isolates.
TEXT_DIRECTION = "\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Control characters other than tab and line breaks (YAML escapes such as "\x07" can write them).
CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
TEXT_DIRECTION_CHARACTER = re.compile(f"[{TEXT_DIRECTION}]")
_HIDDEN = re.compile(f"[{CONTROL}{TEXT_DIRECTION}]")


def hidden_character(text: str) -> str | None:
    """What the first hidden character of ``text`` is and why it is refused, or None."""
    found = _HIDDEN.search(text)
    if found is None:
        return None
    character = found.group()
    name = f"U+{ord(character):04X} {unicodedata.name(character, '')}".rstrip()
    if TEXT_DIRECTION_CHARACTER.match(character):
        return (
            f"a text-direction character ({name}): it can show the words in another order than "
            "the file holds them; delete it"
        )
    return f"a control character ({name}); delete it"
