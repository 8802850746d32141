"""Running the installed ``shanggao`` console script in a subprocess, as a user would."""

from __future__ import annotations

import sys
from pathlib import Path


def shanggao_command() -> list[str]:
    """The ``shanggao`` console script beside the running Python, else the same CLI through
    ``python -c`` (an install whose scripts live elsewhere, e.g. a user-site install)."""
    script = Path(sys.executable).with_name("shanggao")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from shanggao.cli import main; main()"]
