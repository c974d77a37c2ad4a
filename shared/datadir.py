"""The embedded data folder: the owner's alone, and one running product at a time."""

import fcntl
import os
from pathlib import Path
from typing import IO

LOCK_FILE = ".lock"


class DataFolderInUseError(SystemExit):
    def __init__(self, folder: Path, holder: str) -> None:
        super().__init__(
            f"{folder} is in use by another gapless process ({holder}): stop it first, or give"
            " this one another folder with GAPLESS_DATA_DIR"
        )


def claim(folder: Path) -> IO[str]:
    """Make `folder` readable by its owner only and hold its lock for this process's lifetime
    (the open file returned; the lock goes with the process, however it ends).

    Raises:
        DataFolderInUseError: another process holds the folder.
    """
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    # Files made from here on (databases, keys) are the owner's alone too.
    os.umask(0o077)
    lock = (folder / LOCK_FILE).open("a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        holder = lock.read().strip() or "unknown pid"
        lock.close()
        raise DataFolderInUseError(folder, holder) from None
    lock.seek(0)
    lock.truncate()
    lock.write(f"pid {os.getpid()}")
    lock.flush()
    return lock
