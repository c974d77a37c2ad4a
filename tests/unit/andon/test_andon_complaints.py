"""GET /v1/complaints: the complaints recorded, paged by cursor, filtered, as a change feed, one
by id; rebuilt from the event store, and filled in by the migration that added the list."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from alembic import command
from andon_harness import NOW, andon_client, andon_service, auth, clock_of, place
from sqlalchemy import Connection

from migrations import runner
from shared.paging import encode
from shared.replay import rebuild_read_models
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from shared.testing.feeds import drain, drain_at_least, follow

STAFF = {"Authorization": "Bearer staff-key"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.integration)])
async def runtime(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[ServiceRuntime]:
    """Every test on both runtimes' databases (PostgreSQL only where its server runs)."""
    dsn = request.getfixturevalue("postgres_dsn") if request.param == "postgres" else ""
    async with andon_service(tmp_path, postgres_dsn=dsn) as runtime:
        yield runtime


@pytest.fixture
async def http(runtime: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with andon_client(runtime) as client:
        yield client


async def complain(
    http: httpx.AsyncClient, order_id: str, sku: str = "RETRO-CLOCK", reason: str = "chipped"
) -> str:
    body = {"order_id": order_id, "sku": sku, "reason": reason}
    response = await http.post("/v1/complaints", json=body, headers=auth("staff-key"))
    assert response.status_code == 201, response.text
    return str(response.json()["complaint_id"])


async def complaints_at(
    runtime: ServiceRuntime, http: httpx.AsyncClient, steps: list[int]
) -> list[str]:
    """One complaint per step, each that many minutes after the one before, on one order."""
    order_id = await place(runtime, lines={"RETRO-CLOCK": 1})
    found = []
    for minutes in steps:
        clock_of(runtime).advance(timedelta(minutes=minutes))
        found.append(await complain(http, order_id))
    return found


async def test_complaints_page_by_cursor_newest_first_or_oldest_first_each_once(
    runtime: ServiceRuntime, http: httpx.AsyncClient
) -> None:
    # Three share one recording time: the complaint id breaks the tie across pages.
    recorded = await complaints_at(runtime, http, [0, 0, 0, 1, 1])

    newest_first, requests = await follow(http, "/v1/complaints?limit=2", STAFF)
    oldest_first, _ = await follow(http, "/v1/complaints?limit=2&order=asc", STAFF)

    ids = [row["complaint_id"] for row in newest_first]
    assert requests == 3
    assert sorted(ids) == sorted(recorded)
    assert ids[0] == recorded[-1]
    assert [row["complaint_id"] for row in oldest_first] == list(reversed(ids))


async def test_complaints_filter_by_order_sku_and_time_and_one_is_read_by_its_id(
    runtime: ServiceRuntime, http: httpx.AsyncClient
) -> None:
    teapots = await place(runtime, lines={"TEAPOT": 1, "RETRO-CLOCK": 1})
    clocks = await place(runtime, lines={"RETRO-CLOCK": 1})
    chipped = await complain(http, teapots, "TEAPOT", "chipped spout")
    clock_of(runtime).advance(timedelta(minutes=5))
    late = await complain(http, clocks)
    window = {"from": (NOW + timedelta(minutes=1)).isoformat(), "to": "2025-03-02T00:00:00Z"}

    of_order, _ = await follow(http, f"/v1/complaints?order_id={teapots}", STAFF)
    of_sku, _ = await follow(http, "/v1/complaints?sku=RETRO-CLOCK", STAFF)
    in_window, _ = await follow(http, str(httpx.URL("/v1/complaints", params=window)), STAFF)
    one = await http.get(f"/v1/complaints/{chipped}", headers=STAFF)
    unknown = await http.get(f"/v1/complaints/{uuid4()}", headers=STAFF)

    assert [row["complaint_id"] for row in of_order] == [chipped]
    assert [row["complaint_id"] for row in of_sku] == [late]
    assert [row["complaint_id"] for row in in_window] == [late]
    assert one.json() == {
        "complaint_id": chipped,
        "order_id": teapots,
        "sku": "TEAPOT",
        "reason": "chipped spout",
        "recorded_by": "mia",
        "recorded_at": "2025-03-01T09:00:00Z",
    }
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"


async def test_the_complaints_feed_lists_each_new_complaint_once_and_links_the_next_poll(
    runtime: ServiceRuntime, http: httpx.AsyncClient
) -> None:
    recorded = await complaints_at(runtime, http, [0, 1, 1])

    first, poll = await drain_at_least(http, "/v1/complaints?updated_since=0&limit=2", STAFF, 3)
    order_id = await place(runtime, lines={"TEAPOT": 1})
    newer = await complain(http, order_id, "TEAPOT")
    changed, poll = await drain_at_least(http, poll, STAFF, 1)
    quiet, _ = await drain(http, poll, STAFF)
    of_sku, _ = await drain(http, "/v1/complaints?updated_since=0&sku=TEAPOT&limit=5", STAFF)

    assert sorted(row["complaint_id"] for row in first) == sorted(recorded)
    assert [row["complaint_id"] for row in changed] == [newer]
    assert quiet == []
    assert [row["complaint_id"] for row in of_sku] == [newer]


async def test_a_bad_cursor_token_or_filter_is_a_422_naming_it(
    runtime: ServiceRuntime, http: httpx.AsyncClient
) -> None:
    await complaints_at(runtime, http, [0])
    foreign = encode(["pulls", "desc", NOW.isoformat(), "x"])

    answers = {
        "cursor": await http.get("/v1/complaints?cursor=bm90LWEtY3Vyc29y", headers=STAFF),
        "foreign": await http.get("/v1/complaints", params={"cursor": foreign}, headers=STAFF),
        "updated_since": await http.get("/v1/complaints?updated_since=bad", headers=STAFF),
        "sku": await http.get("/v1/complaints", params={"sku": "A\x00"}, headers=STAFF),
        "order_id": await http.get("/v1/complaints?order_id=nope", headers=STAFF),
        "from": await http.get(
            "/v1/complaints?updated_since=0&from=2025-03-01T00:00:00Z", headers=STAFF
        ),
    }

    for name, answer in answers.items():
        assert answer.status_code == 422, (name, answer.text)
        assert answer.headers["content-type"] == "application/problem+json", name
        assert answer.json()["errors"][0]["field"] == f"query.{name}".replace("foreign", "cursor")


async def test_only_staff_and_ops_keys_read_complaints(
    runtime: ServiceRuntime, http: httpx.AsyncClient
) -> None:
    [recorded] = await complaints_at(runtime, http, [0])

    anonymous = await http.get("/v1/complaints")
    as_ops = await http.get(f"/v1/complaints/{recorded}", headers=auth("ops-key"))

    assert anonymous.status_code == 401
    assert as_ops.json()["complaint_id"] == recorded


async def test_a_rebuild_of_the_read_models_gives_the_same_complaints(
    runtime: ServiceRuntime, http: httpx.AsyncClient
) -> None:
    recorded = await complaints_at(runtime, http, [0, 1])

    check = await rebuild_read_models(runtime.db, runtime.definition, check_only=True)
    await rebuild_read_models(runtime.db, runtime.definition)
    rebuilt, _ = await follow(http, "/v1/complaints?order=asc", STAFF)

    assert check.identical
    assert [row["complaint_id"] for row in rebuilt] == recorded


async def test_the_document_gives_the_complaints_list_its_paging_parameters_and_link(
    http: httpx.AsyncClient,
) -> None:
    document = (await http.get("/openapi.json", headers=auth("ops-key"))).json()

    listed = document["paths"]["/v1/complaints"]["get"]

    names = {parameter["name"] for parameter in listed["parameters"]}
    assert {"limit", "order", "cursor", "updated_since", "order_id", "sku", "from", "to"} <= names
    assert "Link" in listed["responses"]["200"]["headers"]
    # Read by whoever may read the andon board.
    board = document["paths"]["/v1/andon/pulls"]["get"]["x-roles"]
    assert listed["x-roles"] == board
    assert document["paths"]["/v1/complaints/{complaint_id}"]["get"]["x-roles"] == board


async def test_complaints_recorded_before_the_list_existed_are_listed_after_the_upgrade(
    tmp_path: Path,
) -> None:
    async with andon_service(tmp_path) as runtime, andon_client(runtime) as http:
        recorded = await complaints_at(runtime, http, [0, 1])
    await asyncio.to_thread(_downgrade_andon, tmp_path, "andon_0008")

    # Opening the service migrates it to the head again.
    async with andon_service(tmp_path) as runtime, andon_client(runtime) as http:
        listed, _ = await follow(http, "/v1/complaints?order=asc", STAFF)
        check = await rebuild_read_models(runtime.db, runtime.definition, check_only=True)

    assert [row["complaint_id"] for row in listed] == recorded
    assert listed[0]["recorded_at"] == "2025-03-01T09:00:00Z"
    assert check.identical


def _downgrade_andon(folder: Path, revision: str) -> None:
    settings = ServiceSettings(data_dir=folder, database_url="")
    config = runner.config("andon")

    def downgrade(conn: Connection) -> None:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)

    runner.on_connection(
        settings.database_url_for("andon"), settings.schema_for("andon"), downgrade
    )
