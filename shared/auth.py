"""API keys: channels and staff authenticate with `Authorization: Bearer <key>`.

Keys are random 256-bit tokens; only their SHA-256 digests are stored (a keys file that every
process reads), so a leaked keys file reveals no usable key. With that much entropy a plain
digest is as good as a slow password hash, and it keeps the check cheap on every request.
"""

import hashlib
import json
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.errors import DomainError


class Role(StrEnum):
    CHANNEL = "channel"  # places and follows its own orders
    STAFF = "staff"  # any employee: may pull an andon
    OPS = "ops"  # operations: resolves andons, reviews credit, replays, master data, policy


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role

    def may(self, role: Role) -> bool:
        """Ops may do what staff may; channels only what channels may."""
        return self.role is role or (self.role is Role.OPS and role is Role.STAFF)

    @property
    def channel(self) -> str | None:
        return self.name if self.role is Role.CHANNEL else None


class UnauthenticatedError(DomainError):
    status_code = 401
    title = "Unauthenticated"

    def __init__(self, detail: str, *, error: str | None = None) -> None:
        super().__init__(detail)
        # RFC 6750: a 401 names the scheme to use; a rejected key also says why.
        self.challenge = "Bearer" + (f' error="{error}"' if error else "")


class ForbiddenError(DomainError):
    status_code = 403
    title = "Forbidden"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyRing:
    """Digest -> principal. Loaded from a keys file it follows: a key added, revoked or rotated
    there is honoured on the next request (the file is looked at no more than once a second),
    without a restart; a rotated key's old value works until its `expires_at`."""

    def __init__(
        self, principals: Mapping[str, Principal], *, source: "KeyFile | None" = None
    ) -> None:
        self._principals = dict(principals)
        self._expiry: dict[str, datetime] = {}
        self._source = source
        self._seen: tuple[int, int] | None = None
        self._checked = 0.0

    @classmethod
    def load(cls, path: Path) -> "KeyRing":
        ring = cls({}, source=KeyFile(path))
        ring._reload()
        return ring

    def principal(self, key: str) -> Principal | None:
        if self._source is not None and time.monotonic() - self._checked >= _RECHECK_SECONDS:
            self._reload()
        found = digest(key)
        expires = self._expiry.get(found)
        if expires is not None and datetime.now(UTC) >= expires:
            return None
        return self._principals.get(found)

    def _reload(self) -> None:
        assert self._source is not None
        self._checked = time.monotonic()
        stamp = self._source.stamp()
        if stamp == self._seen:
            return
        entries = self._source.entries()
        self._principals = {e["key_sha256"]: Principal(e["name"], Role(e["role"])) for e in entries}
        self._expiry = {
            e["key_sha256"]: datetime.fromisoformat(e["expires_at"])
            for e in entries
            if e.get("expires_at")
        }
        self._seen = stamp


_RECHECK_SECONDS = 1.0


class KeyFile:
    """The keys file (`keys.json`): one entry per key with its digest, name, role, when it was
    made and, for a rotated one, until when it still works. Only digests are stored; a new key
    is shown once, to whoever made it. Every change replaces the file atomically, so a service
    reading it never sees half of one."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def stamp(self) -> tuple[int, int]:
        status = self.path.stat()
        return status.st_mtime_ns, status.st_size

    def entries(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = json.loads(self.path.read_text())
        return entries

    def add(self, name: str, role: Role) -> str:
        """A new key for `name` (a channel, or a staff or ops person); the key itself."""
        entries = self.entries() if self.path.exists() else []
        if any(e["name"] == name for e in entries):
            raise KeyNameTakenError(name)
        key = new_key(role)
        self._write([*entries, _entry(key, name, role)])
        return key

    def revoke(self, name: str) -> int:
        """Every key of `name` stops working at once; how many there were."""
        entries = self.entries()
        kept = [e for e in entries if e["name"] != name]
        self._write(kept)
        return len(entries) - len(kept)

    def rotate(self, name: str, grace: timedelta) -> str:
        """A new key for `name`; its current keys keep working for `grace`, then stop."""
        entries = self.entries()
        current = [e for e in entries if e["name"] == name and not e.get("expires_at")]
        if not current:
            raise KeyNameUnknownError(name)
        until = (datetime.now(UTC) + grace).isoformat()
        key = new_key(Role(current[0]["role"]))
        for entry in current:
            entry["expires_at"] = until
        self._write([*entries, _entry(key, name, Role(current[0]["role"]))])
        return key

    def _write(self, entries: list[dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(entries, indent=2))
        temporary.replace(self.path)


class KeyNameTakenError(DomainError):
    def __init__(self, name: str) -> None:
        super().__init__(f"a key named {name!r} exists: rotate it, or revoke it first")


class KeyNameUnknownError(DomainError):
    status_code = 404
    title = "Not found"

    def __init__(self, name: str) -> None:
        super().__init__(f"no current key is named {name!r}")


def new_key(role: Role) -> str:
    return f"gk_{role}_{secrets.token_urlsafe(32)}"


def _entry(key: str, name: str, role: Role) -> dict[str, Any]:
    return {
        "key_sha256": digest(key),
        "name": name,
        "role": str(role),
        "created_at": datetime.now(UTC).isoformat(),
    }


def create_credentials(folder: Path, *, channel: str = "demo-shop") -> dict[str, str]:
    """Make one channel, one staff and one ops key; write `keys.json` (digests, for the
    services) and `credentials.json` (the keys themselves, readable by the owner only)."""
    keys = {f"{role}_key": new_key(role) for role in Role}
    names = {Role.CHANNEL: channel, Role.STAFF: "staff", Role.OPS: "ops"}
    folder.mkdir(parents=True, exist_ok=True)
    _write_private(folder / "credentials.json", json.dumps(keys, indent=2))
    KeyFile(folder / "keys.json")._write(
        [_entry(keys[f"{role}_key"], names[role], role) for role in Role]
    )
    return keys


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)


# Declared through fastapi.security so every protected route documents the Bearer scheme (and
# /docs offers an Authorize button); our own errors answer, with a WWW-Authenticate header.
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    bearerFormat="gk_<role>_<random>",
    description="A channel, staff or ops API key: `Authorization: Bearer <key>`.",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def authenticate(request: Request, credentials: Credentials) -> Principal:
    if credentials is None or not credentials.credentials.strip():
        raise UnauthenticatedError("send `Authorization: Bearer <key>`")
    ring: KeyRing = request.app.state.key_ring
    principal = ring.principal(credentials.credentials.strip())
    if principal is None:
        raise UnauthenticatedError("unknown API key", error="invalid_token")
    return principal


def require(*roles: Role) -> Any:
    """A dependency admitting principals that may act in any of `roles`."""

    async def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if not any(principal.may(role) for role in roles):
            wanted = " or ".join(str(r) for r in roles)
            raise ForbiddenError(f"this needs a {wanted} key; yours is a {principal.role} key")
        return principal

    # Read by the OpenAPI document: which roles a route admits (see `admitted_roles`).
    check.admits = admitted(roles)  # type: ignore[attr-defined]
    return Depends(check)


def admitted(roles: tuple[Role, ...]) -> list[Role]:
    """Every role whose keys pass `require(*roles)`."""
    return [role for role in Role if any(Principal("", role).may(wanted) for wanted in roles)]


ChannelOrStaff = Annotated[Principal, require(Role.CHANNEL, Role.STAFF)]
Staff = Annotated[Principal, require(Role.STAFF)]
Ops = Annotated[Principal, require(Role.OPS)]
