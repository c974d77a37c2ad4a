"""The embedded data folder is its owner's alone, and one product runs on it at a time."""

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared import datadir


@pytest.fixture(autouse=True)
def keep_umask() -> Iterator[None]:
    before = os.umask(0o022)
    os.umask(before)
    yield
    os.umask(before)


def test_a_second_claim_on_a_folder_in_use_is_refused_naming_the_holder(tmp_path: Path) -> None:
    folder = tmp_path / "var"
    held = datadir.claim(folder)

    with pytest.raises(datadir.DataFolderInUseError) as refused:
        datadir.claim(folder)

    assert f"pid {os.getpid()}" in str(refused.value)
    held.close()
    datadir.claim(folder).close()  # free again once the holder is gone


def test_the_folder_and_what_is_written_in_it_are_readable_by_the_owner_only(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "var"
    folder.mkdir(mode=0o755)

    held = datadir.claim(folder)
    (folder / "order.db").write_text("")

    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "order.db").stat().st_mode) == 0o600
    held.close()
