"""Files that hold secrets or personal details (the embedded database, emails with status
links, notices) are readable by their owner only, whatever the umask: folders 0700, files 0600."""

from __future__ import annotations

import os
from pathlib import Path


def private_folder(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def private_file(path: Path, *, append: bool = False) -> int:
    """An open file descriptor of `path`, created 0600 if it is new."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    return os.open(path, flags, 0o600)
