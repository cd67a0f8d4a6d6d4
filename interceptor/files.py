"""Files we write that may hold personal data: private to their owner.

Event logs, the OCR cache, recordings, replay and screenshot reports can name people, so
every folder we create for them is 0700 and every file 0600, whatever the umask says.
On Windows the modes mean little; the files sit in the person's own profile there.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path | str) -> Path:
    """Create ``path`` (and missing parents) as folders only the owner can open."""
    folder = Path(path)
    missing: list[Path] = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    folder.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    # mkdir's mode is filtered by the umask, so the folders we made are set explicitly. A
    # folder that existed before is left alone (it may be /tmp or a shared drive): the files
    # we put in it are owner-only anyway.
    for made in missing:
        with contextlib.suppress(OSError):
            os.chmod(made, DIR_MODE)
    return folder


def private_file(path: Path | str) -> Path:
    """Make sure ``path`` exists as a file only the owner can read (its folder is made private)."""
    file = Path(path)
    private_dir(file.parent)
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    os.close(fd)
    with contextlib.suppress(OSError):
        os.chmod(file, FILE_MODE)
    return file


def write_private_text(path: Path | str, text: str, *, encoding: str = "utf-8", newline: str | None = None) -> Path:
    """Write ``text`` to ``path`` as an owner-only file (replacing what was there)."""
    file = Path(path)
    private_dir(file.parent)
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with contextlib.suppress(OSError):
        os.fchmod(fd, FILE_MODE)
    with open(fd, "w", encoding=encoding, newline=newline) as handle:
        handle.write(text)
    return file


def write_private_bytes(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` as an owner-only file (replacing what was there)."""
    file = Path(path)
    private_dir(file.parent)
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with contextlib.suppress(OSError):
        os.fchmod(fd, FILE_MODE)
    with open(fd, "wb") as handle:
        handle.write(data)
    return file


def safe_name(text: str, fallback: str, limit: int) -> str:
    """``text`` as a file name: ASCII letters, digits, ``._-`` (the rest becomes ``-``)."""
    return re.sub(r"[^0-9A-Za-z._-]+", "-", text)[:limit].strip("-") or fallback
