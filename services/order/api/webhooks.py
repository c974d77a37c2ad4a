"""Channel webhook routes: a channel (or ops) registers a URL for its orders' status changes,
reads and rotates the signing secret, and sees and redrives deliveries that were parked."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Body, Header, Query, status
from pydantic import AfterValidator, AnyUrl, BaseModel, ConfigDict, Field, UrlConstraints

from services.order.commands import (
    RedriveDeliveries,
    RegisterWebhook,
    RemoveWebhook,
    RotateWebhookSecret,
)
from services.order.domain.webhooks import (
    DeliveryState,
    OrderStatusChanged,
    WebhookNotFoundError,
)
from services.order.schemas import DeliveryPublic, WebhookPublic
from services.order.views import webhooks as queries
from shared.auth import Principal, Role, require
from shared.envelope import CONTENT_TYPE
from shared.limits import PathIdentifier
from shared.openapi import WebhookDocs, operation_id
from shared.runtime import ServiceRuntime, runtime_of

ChannelOrOps = Annotated[Principal, require(Role.CHANNEL, Role.OPS)]
Runtime = Annotated[ServiceRuntime, runtime_of("order")]
MAX_URL = 2000


def _fits_when_encoded(url: AnyUrl) -> AnyUrl:
    # The limit holds for what is stored: percent-encoding can make a short input long.
    if len(str(url)) > MAX_URL:
        raise ValueError(f"the URL is longer than {MAX_URL} characters once encoded")
    return url


WebhookUrl = Annotated[
    AnyUrl,
    UrlConstraints(max_length=MAX_URL, allowed_schemes=["http", "https"], host_required=True),
    AfterValidator(_fits_when_encoded),
]


class WebhookPut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: WebhookUrl = Field(description="Where the status changes are POSTed: http or https")


class WebhookSecret(BaseModel):
    secret: str = Field(description="`whsec_` + base64 key of the HMAC-SHA256 signatures")


class Redriven(BaseModel):
    redriven: int = Field(description="Parked deliveries queued again")


def _own(principal: Principal, channel: str) -> None:
    """A channel acts on its own webhook only; another's cannot be told from none."""
    if principal.channel not in (None, channel):
        raise WebhookNotFoundError(channel)


webhooks = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


@webhooks.get("", response_model=list[WebhookPublic])
async def list_webhooks(principal: ChannelOrOps, runtime: Runtime) -> list[WebhookPublic]:
    """Every channel's webhook with its waiting and parked deliveries (a channel: its own)."""
    return await _current(runtime, principal.channel)


@webhooks.put("/{channel}", response_model=WebhookPublic)
async def put_webhook(
    channel: PathIdentifier, body: WebhookPut, principal: ChannelOrOps, runtime: Runtime
) -> WebhookPublic:
    """POST every status change of the channel's orders to this URL, signed."""
    _own(principal, channel)
    await runtime.send(RegisterWebhook(channel=channel, url=str(body.url)))
    return await _one(runtime, channel)


@webhooks.get("/{channel}", response_model=WebhookPublic)
async def get_webhook(
    channel: PathIdentifier, principal: ChannelOrOps, runtime: Runtime
) -> WebhookPublic:
    """The channel's webhook URL and how many deliveries wait or are parked."""
    _own(principal, channel)
    return await _one(runtime, channel)


@webhooks.delete("/{channel}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_webhook(
    channel: PathIdentifier, principal: ChannelOrOps, runtime: Runtime
) -> None:
    """Stop the channel's webhook; deliveries not yet made are dropped."""
    _own(principal, channel)
    await runtime.send(RemoveWebhook(channel=channel))


@webhooks.get("/{channel}/secret", response_model=WebhookSecret)
async def get_secret(
    channel: PathIdentifier, principal: ChannelOrOps, runtime: Runtime
) -> WebhookSecret:
    """The secret that signs the channel's webhook requests."""
    _own(principal, channel)
    async with runtime.db.transaction() as conn:
        secret = await queries.secret(conn, channel)
    if secret is None:
        raise WebhookNotFoundError(channel)
    return WebhookSecret(secret=secret)


@webhooks.post("/{channel}/secret/rotate", response_model=WebhookSecret)
async def rotate_secret(
    channel: PathIdentifier, principal: ChannelOrOps, runtime: Runtime
) -> WebhookSecret:
    """A new signing secret, used from the next request on (the old one stops at once)."""
    _own(principal, channel)
    return WebhookSecret(secret=await runtime.send(RotateWebhookSecret(channel=channel)))


@webhooks.get("/{channel}/deliveries", response_model=list[DeliveryPublic])
async def list_deliveries(
    channel: PathIdentifier,
    principal: ChannelOrOps,
    runtime: Runtime,
    state: DeliveryState | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryPublic]:
    """The channel's deliveries, newest first; `state=parked` for those to redrive."""
    _own(principal, channel)
    async with runtime.db.transaction() as conn:
        rows = await queries.deliveries(conn, channel, state=state, limit=limit)
    return rows


@webhooks.post("/{channel}/deliveries/redrive", response_model=Redriven)
async def redrive_all(
    channel: PathIdentifier, principal: ChannelOrOps, runtime: Runtime
) -> Redriven:
    """Send every parked delivery of the channel again, each once, in order per order."""
    _own(principal, channel)
    return Redriven(redriven=await runtime.send(RedriveDeliveries(channel=channel)))


@webhooks.post("/{channel}/deliveries/{delivery_id}/redrive", response_model=Redriven)
async def redrive_one(
    channel: PathIdentifier, delivery_id: UUID, principal: ChannelOrOps, runtime: Runtime
) -> Redriven:
    """Send one parked delivery again (409 if it is not parked)."""
    _own(principal, channel)
    command = RedriveDeliveries(channel=channel, delivery_id=delivery_id)
    return Redriven(redriven=await runtime.send(command))


async def _current(runtime: ServiceRuntime, channel: str | None) -> list[WebhookPublic]:
    async with runtime.db.transaction() as conn:
        found = await queries.webhooks(conn, channel)
    return found


async def _one(runtime: ServiceRuntime, channel: str) -> WebhookPublic:
    found = await _current(runtime, channel)
    if not found:
        raise WebhookNotFoundError(channel)
    return found[0]


class OrderStatusCloudEvent(BaseModel):
    """A CloudEvents 1.0 envelope in structured mode, as on gapless's topics."""

    specversion: Literal["1.0"]
    id: UUID = Field(description="The delivery's id: the same on every attempt")
    type: Literal["io.gapless.OrderStatusChanged"]
    source: Literal["urn:gapless:service:order"]
    subject: UUID = Field(description="The order id")
    time: datetime = Field(description="When the status changed")
    datacontenttype: Literal["application/json"]
    dataschema: str
    dataversion: Literal[1]
    aggregateversion: int = Field(description="Grows with each change of the order: its order")
    correlationid: UUID
    causationid: UUID = Field(description="The order event that changed the status")
    data: OrderStatusChanged


# What gapless POSTs to a channel's webhook URL (OpenAPI `webhooks`).
docs = WebhookDocs(tags=["webhooks"], generate_unique_id_function=operation_id)


@docs.post(
    "order-status-changed",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={204: {"description": "Taken (any 2xx is): it is not sent again"}},
)
def order_status_changed(
    _body: Annotated[OrderStatusCloudEvent, Body(media_type=CONTENT_TYPE)],
    _id: Annotated[
        str, Header(alias="webhook-id", description="The delivery id: the same on retries")
    ],
    _timestamp: Annotated[
        int, Header(alias="webhook-timestamp", description="Unix seconds of the attempt")
    ],
    _signature: Annotated[
        str,
        Header(
            alias="webhook-signature",
            description="`v1,` + base64 HMAC-SHA256 of `<id>.<timestamp>.<body>`",
        ),
    ],
) -> None:
    """An order of the channel changed status (signed: Standard Webhooks). Answer 2xx within
    the timeout (10 s by default); anything else is tried again after a doubling delay,
    then parked until redriven."""


ROUTERS = (webhooks, docs)
