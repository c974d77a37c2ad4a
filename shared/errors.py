"""Errors shared by every service; the HTTP layer maps them to problem+json in one place."""


class DomainError(Exception):
    """A business rule refused the request (maps to 409 or 422)."""

    status_code = 409
    title = "Conflict"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidRequestError(DomainError):
    """The request names something that does not exist or breaks a rule of shape (422)."""

    status_code = 422
    title = "Unprocessable request"

    def __init__(self, detail: str, *, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or []


class NotFoundError(DomainError):
    status_code = 404
    title = "Not found"


class ConcurrencyError(Exception):
    """Another writer appended to the stream first; reload and decide again."""

    def __init__(self, stream_id: str, expected_version: int) -> None:
        super().__init__(f"stream {stream_id!r} moved past expected version {expected_version}")
        self.stream_id = stream_id
        self.expected_version = expected_version


class BadRequestError(InvalidRequestError):
    """The request lacks something the protocol requires (a header, say): 400."""

    status_code = 400
    title = "Bad request"
