"""Key management: keys added, revoked or rotated in the keys file work (or stop) at once."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.cli import app
from shared.auth import KeyFile, KeyNameTakenError, KeyRing, Principal, Role, create_credentials


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    create_credentials(tmp_path, channel="web-shop")
    return tmp_path / "keys.json"


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, ["keys", *args])
    assert result.exit_code == 0, result.output
    return result.output


def key_in(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("gk_"))


def test_a_channel_added_by_the_cli_is_honoured_by_a_running_ring_without_a_restart(
    keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ring = KeyRing.load(keys)
    monkeypatch.setattr("shared.auth._RECHECK_SECONDS", 0.0)

    key = key_in(cli("add-channel", "marketplace", "--file", str(keys)))

    assert ring.principal(key) == Principal("marketplace", Role.CHANNEL)


def test_a_revoked_key_stops_at_once_and_a_rotated_one_after_its_grace(
    keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shared.auth._RECHECK_SECONDS", 0.0)
    ring = KeyRing.load(keys)
    staff = key_in(cli("add", "ann", "--role", "staff", "--file", str(keys)))
    ops = key_in(cli("add", "bob", "--role", "ops", "--file", str(keys)))
    assert ring.principal(staff) == Principal("ann", Role.STAFF)

    cli("revoke", "ann", "--file", str(keys))
    rotated = key_in(cli("rotate", "bob", "--grace-hours", "1", "--file", str(keys)))

    assert ring.principal(staff) is None
    assert ring.principal(ops) == ring.principal(rotated) == Principal("bob", Role.OPS)
    KeyFile(keys).rotate("bob", timedelta(0))  # the grace of every current key ends now
    assert ring.principal(rotated) is None


def test_names_are_unique_and_the_file_keeps_only_digests(keys: Path) -> None:
    key = KeyFile(keys).add("warehouse-app", Role.STAFF)

    with pytest.raises(KeyNameTakenError):
        KeyFile(keys).add("warehouse-app", Role.OPS)
    listed = cli("list", "--file", str(keys))

    assert "warehouse-app" in listed and "web-shop" in listed
    assert key not in keys.read_text()
    assert all("key_sha256" in entry for entry in json.loads(keys.read_text()))


def test_unknown_names_are_refused_with_a_message(keys: Path) -> None:
    result = CliRunner().invoke(app, ["keys", "revoke", "nobody", "--file", str(keys)])

    assert result.exit_code == 1
    assert "no key is named 'nobody'" in result.output
