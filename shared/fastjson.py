"""JSON on the hot paths (envelopes, stored events): orjson, with the standard library behind it.

orjson is several times faster, but refuses integers wider than 64 bits, which Python's own
`json` reads and writes; such a document falls back to `json`, so no input works differently.
"""

import json
from typing import Any

import orjson


def dumps(value: Any) -> str:
    """Compact JSON text (no spaces), as `json.dumps(value, separators=(",", ":"))` writes."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def loads(text: str | bytes) -> Any:
    """Raises:
    json.JSONDecodeError (or UnicodeDecodeError): not JSON.
    """
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
