"""Upcasters turn stored payloads of old event versions into the current shape on load.

Stored rows are never rewritten; `(event_type, from_version) -> fn(data) -> data` steps one version.
"""

from collections.abc import Callable, Mapping
from typing import Any

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


def upcast(
    upcasters: Mapping[tuple[str, int], Upcaster],
    event_type: str,
    version: int,
    data: dict[str, Any],
) -> dict[str, Any]:
    """Apply upcasters from `version` onward until none is registered for the next step."""
    while (step := upcasters.get((event_type, version))) is not None:
        data = step(data)
        version += 1
    return data
