"""Idempotency-Key on the POSTs that create an effect (IETF draft-ietf-httpapi-idempotency-key).

Same key + same request -> the first answer again, and one effect; same key + another request ->
422; a retry while the first is still running -> it waits briefly for the first answer, else 409.

Exactly one effect needs the key to be claimed in the SAME transaction as the effect: a claim
written before it could outlive a crash that lost the effect, one written after it could be lost
while the effect stays. So a route runs its command with a claim in hand (a context variable) and
the unit of work inserts it while committing. A concurrent request with the same key then fails
that insert, rolls its own effect back, and answers with the first request's answer.

The answer itself is stored right after the commit. A process killed in between (or a database
gone in that moment) leaves a claim without an answer: the effect happened once, and a retry is
never run again. Where the route can read its answer back from the current state (`answer_again`:
the invoice after a payment, the stock after a receipt) a later retry gets that; otherwise it is
told 409 and where to look.
"""

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from shared.db import Connection, Database
from shared.errors import DomainError, InvalidRequestError

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="A unique key per intended effect (a UUID, say): a retry with the same key "
        "and body gets the first answer and has no second effect.",
    ),
]
OptionalIdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Optional: a retry with the same key and body gets the first answer.",
    ),
]


@dataclass(frozen=True)
class Once:
    """A route's request with its Idempotency-Key (if it came with one): `run` answers it at
    most once per key."""

    request: Request
    response: Response
    key: str | None

    async def run(
        self,
        db: Database,
        *,
        principal: str,
        body: Any,
        act: Callable[[], Awaitable[Any]],
        answer_again: Callable[[], Awaitable[Any]] | None = None,
    ) -> Any:
        """Run `act` (a route's command) at most once per key; a retry gets the first answer.

        Without a key (where it is optional) `act` simply runs. Keys are per principal, so two
        clients never see each other's answers. `answer_again` reads the answer back from the
        current state, for a retry whose first attempt took effect but died before answering.

        Raises:
            KeyReusedError: the key came with another request before (422).
            KeyInUseError: the first request with this key has no answer (yet) (409).
        """
        if self.key is None:
            return await act()
        fingerprint = _fingerprint(self.request, body)
        first = _First(db, self.request, principal, self.key, fingerprint, answer_again)
        try:
            earlier = await first.answer()
        except KeyInUseError:
            # The first request took effect and is about to answer: wait for that answer, as a
            # retry that lost the race for the key does.
            return await first.wait_for_answer()
        if earlier is not None:
            return earlier
        token = _claim.set(_Claim(principal, self.key, fingerprint))
        try:
            result = await act()
        except _KeyTakenError:
            return await first.wait_for_answer()
        finally:
            _claim.reset(token)
        await first.remember(self.response.status_code or first.status, result)
        return result


def _with_key(request: Request, response: Response, key: IdempotencyKey) -> Once:
    return Once(request, response, key)


def _with_optional_key(
    request: Request, response: Response, key: OptionalIdempotencyKey = None
) -> Once:
    return Once(request, response, key)


# A route's dependency: the request, answered once per key (a key it must or may come with).
OnceByKey = Annotated[Once, Depends(_with_key)]
OnceByOptionalKey = Annotated[Once, Depends(_with_optional_key)]
REPLAYED_HEADER = "Idempotent-Replayed"
# How long a retry waits for the answer of a first request still running with its key.
_ANSWER_WAIT_SECONDS = 3.0
# A claim without an answer this old belongs to a request that will never answer (it died).
_ORPHANED_AFTER = timedelta(seconds=10)


class KeyReusedError(InvalidRequestError):
    def __init__(self, key: str) -> None:
        super().__init__(
            f"Idempotency-Key {key!r} was already used with a different request",
            errors=[{"field": "header.Idempotency-Key", "message": "reused with another request"}],
        )


class KeyInUseError(DomainError):
    status_code = 409
    title = "Request in progress"


class _KeyTakenError(Exception):
    """Another request committed an effect with this key first (this transaction rolls back)."""


@dataclass
class _Claim:
    principal: str
    key: str
    fingerprint: str


_claim: ContextVar[_Claim | None] = ContextVar("idempotency_claim", default=None)


async def take_claim(conn: Connection) -> None:
    """Called by the unit of work inside its transaction, before it commits an effect."""
    claim = _claim.get()
    if claim is None:
        return
    inserted = await conn.fetchval(
        "INSERT INTO idempotent_request (principal, key, fingerprint, created_at)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (principal, key) DO NOTHING RETURNING 1",
        claim.principal,
        claim.key,
        claim.fingerprint,
        datetime.now(UTC),
    )
    if inserted is None:
        raise _KeyTakenError(claim.key)


def claim_committed() -> None:
    """The claim is in the database now: later commits of the same request add nothing."""
    _claim.set(None)


def _fingerprint(request: Request, body: Any) -> str:
    """Method, path, query and the validated body: what makes a retry the same request."""
    canonical = orjson.dumps(jsonable_encoder(body), option=orjson.OPT_SORT_KEYS)
    target = f"{request.method} {request.url.path}?{request.url.query}".encode()
    return hashlib.sha256(target + b"\n" + canonical).hexdigest()


@dataclass
class _First:
    """What the first request with a key left behind, and how to answer its retries."""

    db: Database
    request: Request
    principal: str
    key: str
    fingerprint: str
    answer_again: Callable[[], Awaitable[Any]] | None

    @property
    def status(self) -> int:
        return int(getattr(self.request.scope.get("route"), "status_code", None) or 200)

    async def answer(self) -> Response | None:
        async with self.db.transaction() as conn:
            row = await conn.fetchrow(
                "SELECT fingerprint, status, body, created_at FROM idempotent_request"
                " WHERE principal = $1 AND key = $2",
                self.principal,
                self.key,
            )
        if row is None:
            return None
        if row["fingerprint"] != self.fingerprint:
            raise KeyReusedError(self.key)
        if row["status"] is not None:
            body = orjson.loads(row["body"])
            return _replayed(body, row["status"])
        if self.answer_again is not None and _orphaned(row["created_at"]):
            result = await self.answer_again()
            await self.remember(self.status, result)
            return _replayed(jsonable_encoder(result), self.status)
        raise KeyInUseError(
            f"a request with Idempotency-Key {self.key!r} took effect but has no answer yet;"
            " retry shortly, or read the resource"
        )

    async def wait_for_answer(self) -> Response:
        deadline = asyncio.get_running_loop().time() + _ANSWER_WAIT_SECONDS
        while True:
            try:
                answer = await self.answer()
            except KeyInUseError:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.05)
                continue
            assert answer is not None, "a taken key has a row"
            return answer

    async def remember(self, status: int, result: Any) -> None:
        await _remember(
            self.db, self.principal, self.key, self.fingerprint, status, jsonable_encoder(result)
        )


def _replayed(body: Any, status: int) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers={REPLAYED_HEADER: "true"})


def _orphaned(created_at: Any) -> bool:
    if isinstance(created_at, str):  # SQLite keeps timestamps as ISO text
        created_at = datetime.fromisoformat(created_at)
    return bool(datetime.now(UTC) - created_at > _ORPHANED_AFTER)


async def _remember(
    db: Database, principal: str, key: str, fingerprint: str, status: int, body: Any
) -> None:
    # INSERT as well as UPDATE: an act that changed nothing committed no claim.
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO idempotent_request (principal, key, fingerprint, created_at, status, body)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (principal, key) DO UPDATE"
            " SET status = excluded.status, body = excluded.body"
            " WHERE idempotent_request.status IS NULL"
            " AND idempotent_request.fingerprint = excluded.fingerprint",
            principal,
            key,
            fingerprint,
            datetime.now(UTC),
            status,
            orjson.dumps(body).decode(),
        )
