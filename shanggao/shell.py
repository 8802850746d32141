"""What shanggao prints for a shell or terminal: command lines, and stored text made harmless.

Every word of a printed command is shell-quoted, so a stored link like
``https://…/s/x;$(touch /tmp/p)`` pasted back into a shell stays one harmless
argument; control characters in stored text (ESC sequences that recolour or
retitle a terminal, newlines that forge extra lines) are shown escaped.
"""

from __future__ import annotations

import re
import shlex


def shanggao_command(*words: object) -> str:
    """``shanggao`` followed by ``words``, each quoted for a POSIX shell when it needs it."""
    return shlex.join(["shanggao", *(str(word) for word in words)])


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str, newline: str = " ⏎ ") -> str:
    """``text`` for a terminal: newlines become ``newline``, other control characters ``\\xNN``."""
    text = text.replace("\r\n", "\n").replace("\n", newline)
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)
