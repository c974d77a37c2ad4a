"""Structured JSON logs; every line carries the correlation and causation ids of its flow."""

import logging
import sys
from datetime import UTC, datetime

from pythonjsonlogger.orjson import OrjsonFormatter

from shared import context


class _FlowFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def filter(self, record: logging.LogRecord) -> bool:
        correlation = context.correlation_id.get()
        causation = context.causation_id.get()
        record.service = self._service
        record.correlation_id = str(correlation) if correlation else None
        record.causation_id = str(causation) if causation else None
        return True


class _IsoJsonFormatter(OrjsonFormatter):  # orjson: half the cost of a line
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: ARG002
        # ISO 8601 with the time zone, whatever the host's locale or zone.
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


def configure_logging(*, service: str, level: str = "INFO") -> None:
    """Send JSON lines to stderr for the whole process (called once by each entrypoint)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        _IsoJsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(correlation_id)s"
            " %(causation_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(_FlowFilter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
