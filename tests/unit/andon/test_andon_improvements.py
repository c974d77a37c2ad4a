"""The improvement loop on both databases, with an injected clock: a countermeasure whose cause
comes back before its audit reopens the item with both pulls as evidence; one that holds is
marked effective; the report shows the Pareto, owners, repeat offenders and recurrence rate."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from andon_harness import NOW, andon_client, auth, define

from services.andon.commands import AuditImprovements
from services.andon.service import DEFINITION
from shared.clock import FrozenClock
from shared.replay import rebuild_read_models
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from shared.testing.harness import ServiceHarness


@asynccontextmanager
async def _andon(settings: ServiceSettings) -> AsyncIterator[ServiceRuntime]:
    running = ServiceHarness.running(
        DEFINITION, settings.data_dir, clock=FrozenClock(NOW), settings=settings
    )
    async with running as service:
        yield service.runtime


async def _pull(http: httpx.AsyncClient, sku: str, reason: str) -> str:
    body = {
        "target": {"kind": "sku", "id": sku},
        "reason": reason,
        "category": "quality",
        "pulled_by": "mia",
    }
    answer = await http.post("/v1/andon/pulls", json=body, headers=auth("staff-key"))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["pull_id"])


async def _resolve(http: httpx.AsyncClient, pull_id: str, cause: str, **extra: Any) -> None:
    body = {"root_cause": f"{cause} found", "fix": f"stop {cause}", "cause_code": cause, **extra}
    answer = await http.post(
        f"/v1/andon/pulls/{pull_id}/resolve", json=body, headers=auth("ops-key")
    )
    assert answer.status_code == 200, answer.text


async def _report(http: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    answer = await http.get("/v1/improvements", params=params, headers=auth("staff-key"))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def _loop(runtime: ServiceRuntime) -> None:
    clock = runtime.clock
    assert isinstance(clock, FrozenClock)
    audit_at = (NOW + timedelta(days=7)).isoformat()
    await define(runtime, skus=("VASE", "LAMP", "FAN"))
    async with andon_client(runtime) as http:
        first = await _pull(http, "VASE", "cracked glaze")
        await _resolve(http, first, "packaging", owner="packing-lead", audit_at=audit_at)
        steady = await _pull(http, "LAMP", "wrong bulb")
        await _resolve(http, steady, "supplier-defect", owner="buyer", audit_at=audit_at)

        clock.advance(timedelta(days=2))
        again = await _pull(http, "VASE", "cracked glaze again")
        await _resolve(http, again, "packaging", owner="packing-lead")

        clock.advance(timedelta(days=4, hours=23))  # not yet due: nothing is judged early
        assert await runtime.send(AuditImprovements()) == 0
        clock.advance(timedelta(hours=2))
        assert await runtime.send(AuditImprovements()) == 2
        assert await runtime.send(AuditImprovements()) == 0  # a second run changes nothing

        report = await _report(http)
        by_id = {item["item_id"]: item for item in report["items"]}
        assert by_id[first]["status"] == "reopened"
        assert by_id[first]["evidence"] == [first, again]
        assert by_id[first]["owner"] == "packing-lead"
        assert by_id[steady]["status"] == "effective"
        assert by_id[steady]["evidence"] == []
        assert by_id[again]["status"] == "awaiting_audit"
        assert report["pareto_by_count"][0] == {
            "category": "quality",
            "cause_code": "packaging",
            "items": 2,
            "orders_affected": 0,
        }
        assert report["repeat_offenders"] == [
            {"target_kind": "sku", "target_id": "VASE", "pulls": 2, "orders_affected": 0}
        ]
        assert report["open_by_owner"] == {"packing-lead": 2}
        assert report["audits"] == 2
        assert report["recurrence_rate"] == 0.5
        reopened = await _report(http, status="reopened")
        assert [item["item_id"] for item in reopened["items"]] == [first]

        revised = await http.post(
            f"/v1/improvements/{first}/countermeasure",
            json={"countermeasure": "foam corners on every vase"},
            headers=auth("ops-key"),
        )
        assert revised.status_code == 204, revised.text
        twice = await http.post(
            f"/v1/improvements/{steady}/countermeasure",
            json={"countermeasure": "nothing"},
            headers=auth("ops-key"),
        )
        assert twice.status_code == 409, twice.text
        unknown_cause = await http.post(
            f"/v1/andon/pulls/{await _pull(http, 'FAN', 'loose blade')}/resolve",
            json={"root_cause": "x", "cause_code": "carrier-delay"},
            headers=auth("ops-key"),
        )
        assert unknown_cause.status_code == 422, unknown_cause.text
        assert (await _report(http, status="awaiting_audit"))["open_by_owner"] == {
            "packing-lead": 2
        }

    assert DEFINITION.read_models is not None
    rebuilt = await rebuild_read_models(runtime.db, DEFINITION, check_only=True)
    assert rebuilt.identical


async def test_the_improvement_loop_on_sqlite(tmp_path: Path) -> None:
    async with _andon(ServiceSettings(data_dir=tmp_path, database_url="")) as runtime:
        await _loop(runtime)


@pytest.mark.integration
async def test_the_improvement_loop_on_postgres(postgres_dsn: str) -> None:
    settings = ServiceSettings(database_url=postgres_dsn, namespace=f"i{uuid4().hex[:8]}")
    try:
        async with _andon(settings) as runtime:
            await _loop(runtime)
    finally:
        async with _andon(settings) as runtime, runtime.db.transaction() as conn:
            await conn.execute(f'DROP SCHEMA "{settings.schema_for("andon")}" CASCADE')
