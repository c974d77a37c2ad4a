"""API keys: channels and staff authenticate with `Authorization: Bearer <key>`.

Keys are random 256-bit tokens; only their SHA-256 digests are stored (a keys file that every
process reads), so a leaked keys file reveals no usable key. With that much entropy a plain
digest is as good as a slow password hash, and it keeps the check cheap on every request.
"""

import hashlib
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
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
    """Digest -> principal, loaded from a JSON file of {key_sha256, name, role} entries."""

    def __init__(self, principals: Mapping[str, Principal]) -> None:
        self._principals = dict(principals)

    @classmethod
    def load(cls, path: Path) -> "KeyRing":
        entries = json.loads(path.read_text())
        return cls({e["key_sha256"]: Principal(e["name"], Role(e["role"])) for e in entries})

    def principal(self, key: str) -> Principal | None:
        return self._principals.get(digest(key))


def create_credentials(folder: Path, *, channel: str = "demo-shop") -> dict[str, str]:
    """Make one channel, one staff and one ops key; write `keys.json` (digests, for the
    services) and `credentials.json` (the keys themselves, readable by the owner only)."""
    keys = {f"{role}_key": f"gk_{role}_{secrets.token_urlsafe(32)}" for role in Role}
    names = {Role.CHANNEL: channel, Role.STAFF: "staff", Role.OPS: "ops"}
    entries = [
        {"key_sha256": digest(keys[f"{role}_key"]), "name": names[role], "role": str(role)}
        for role in Role
    ]
    folder.mkdir(parents=True, exist_ok=True)
    _write_private(folder / "credentials.json", json.dumps(keys, indent=2))
    (folder / "keys.json").write_text(json.dumps(entries, indent=2))
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
