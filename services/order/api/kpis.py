"""KPI route: the service policy's figures over a time window, per segment, channel and class."""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from services.order.domain import POLICY_ID, ServicePolicy
from services.order.domain import kpis as domain
from services.order.events import SegmentTable
from services.order.schemas import KpiReport
from services.order.views import kpis as views
from shared.auth import Staff
from shared.errors import InvalidRequestError
from shared.runtime import ServiceRuntime, runtime_of

DEFAULT_WINDOW = timedelta(hours=24)
# A window is summed from hourly rows; a year of them is still a few thousand rows per group.
LONGEST_WINDOW = timedelta(days=366)
SEGMENTS = tuple(SegmentTable.model_fields)

Runtime = Annotated[ServiceRuntime, runtime_of("order")]

router = APIRouter(prefix="/v1/kpis", tags=["kpis"])


@router.get("", response_model=KpiReport)
async def kpis(
    _: Staff,
    runtime: Runtime,
    from_: Annotated[
        datetime | None, Query(alias="from", description="ISO 8601; default: `to` - 24 h")
    ] = None,
    to: Annotated[datetime | None, Query(description="ISO 8601; default: now")] = None,
    segment: Annotated[str | None, Query(pattern="^[ABC][ABC]$")] = None,
    channel: Annotated[str | None, Query(max_length=100)] = None,
    customer_class: Annotated[Literal["A", "B", "C"] | None, Query()] = None,
) -> dict[str, Any]:
    """Service KPIs of the orders accepted in the window, against each segment's policy.

    The window is counted in whole hours: `from` rounds down and `to` up to the hour.
    """
    end = _aware(to, "to") if to is not None else runtime.clock.now()
    start = _aware(from_, "from") if from_ is not None else end - DEFAULT_WINDOW
    if start >= end or end - start > LONGEST_WINDOW:
        raise InvalidRequestError(
            "`from` must be before `to`, at most 366 days apart",
            errors=[{"field": "query.from", "message": "outside the allowed window"}],
        )
    return await kpi_report(
        runtime,
        end=end,
        start=start,
        segment=segment,
        channel=channel,
        customer_class=customer_class,
    )


async def kpi_report(
    runtime: ServiceRuntime,
    *,
    end: datetime,
    start: datetime | None = None,
    hours: int = 24,
    segment: str | None = None,
    channel: str | None = None,
    customer_class: str | None = None,
) -> dict[str, Any]:
    """The KPI document of the hours from `start` (default `end` - `hours`) to `end`."""
    start = start if start is not None else end - timedelta(hours=hours)
    first, last = views.hour_of(start), -(-int(end.timestamp()) // 3600)
    filters = {"segment": segment, "channel": channel, "customer_class": customer_class}
    policy = (await runtime.current(ServicePolicy, POLICY_ID) or ServicePolicy()).current
    targets = {
        name: domain.Targets.model_validate(getattr(policy.segments, name).model_dump())
        for name in SEGMENTS
        if segment is None or name == segment
    }
    async with runtime.db.transaction() as conn:
        rows = await views.cohort_sums(conn, first, last, **filters)
        hourly = await views.hourly(conn, first, last, **filters)
        statuses = await views.status_counts(conn)
    span = max(1, last - first)
    return {
        **domain.report(rows, targets),
        "window_from": views.start_of(first).isoformat(),
        "window_to": views.start_of(last).isoformat(),
        "received_at_source": "gapless",
        "throughput_per_hour": {
            step: sum(hour.counts.get(step, 0) for hour in hourly) / span for step in domain.STEPS
        },
        "statuses": statuses,
        "hours": [_hour(hour) for hour in hourly],
    }


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise InvalidRequestError(
            f"`{name}` needs a time zone (ISO 8601 with Z or an offset)",
            errors=[{"field": f"query.{name}", "message": "no time zone"}],
        )
    return value.astimezone(UTC)


def _hour(hour: views.HourCounts) -> dict[str, Any]:
    counts = hour.counts
    shipped, released = counts.get("shipped_cohort", 0), counts.get("released_cohort", 0)
    return {
        "hour": views.start_of(hour.hour).isoformat(),
        **{step: counts.get(step, 0) for step in domain.STEPS},
        "cycle_time_seconds": counts.get("cycle_ms", 0) / shipped / 1000 if shipped else None,
        "processing_time_seconds": (
            counts.get("processing_ms", 0) / released / 1000 if released else None
        ),
    }


ROUTERS = (router,)
