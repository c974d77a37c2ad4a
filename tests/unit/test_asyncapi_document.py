"""The AsyncAPI document passes the official AsyncAPI CLI, which refuses a broken one."""

import json
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHECK = REPO / "deploy" / "asyncapi-check.sh"


def _validate(document: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(CHECK), str(document)], capture_output=True, text=True, timeout=900
    )


def test_the_asyncapi_cli_finds_no_error_or_warning_in_the_document() -> None:
    result = _validate(REPO / "schemas" / "asyncapi.json")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors, 0 warnings" in result.stdout or "is valid" in result.stdout, result.stdout


def test_the_asyncapi_cli_refuses_a_message_that_points_nowhere(tmp_path: Path) -> None:
    schemas = shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    document = json.loads((schemas / "asyncapi.json").read_text())
    channel = next(iter(document["channels"].values()))
    message = next(iter(channel["messages"]))
    channel["messages"][message] = {"$ref": "#/components/messages/NoSuchMessage"}
    (schemas / "asyncapi.json").write_text(json.dumps(document))

    result = _validate(schemas / "asyncapi.json")

    assert result.returncode != 0, result.stdout
    assert "NoSuchMessage" in result.stdout + result.stderr
