"""The embedded data directory holds PHI (the SQLite file) and secrets: owner only."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077


def make_private(data_dir: Path, *, create: bool = True) -> None:
    """0700 folders and 0600 files, also for an older directory made with looser modes.

    Called with the umask set to PRIVATE_UMASK, so files made later (SQLite's -wal and -shm,
    the broker's append-only file) are private from the start."""
    if not create and not data_dir.exists():
        return  # production keeps nothing there
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    for root, folders, files in os.walk(data_dir):
        for name in folders:
            os.chmod(os.path.join(root, name), 0o700)
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path) and os.path.isfile(path):
                os.chmod(path, 0o600)


def private_folder(folder: Path) -> Path:
    """A 0700 folder of ours; refuses one another user made first (a shared /tmp)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_uid != os.getuid():
        raise RuntimeError(f"{folder} belongs to another user; remove it or move the data dir")
    os.chmod(folder, 0o700)
    return folder
