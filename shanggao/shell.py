"""The one place where shanggao builds a command line it prints (remedies, hints, demo lines).

Every word is shell-quoted, so a stored link like ``https://…/s/x;$(touch /tmp/p)``
pasted back into a shell stays one harmless argument.
"""

from __future__ import annotations

import shlex


def shanggao_command(*words: object) -> str:
    """``shanggao`` followed by ``words``, each quoted for a POSIX shell when it needs it."""
    return shlex.join(["shanggao", *(str(word) for word in words)])
