"""Where the contract's files live and how they are named and identified."""

from shared.messages import DomainEvent
from shared.runtime import ServiceDefinition

# Ids name a schema, they are not addresses: after the prefix comes the file's path in this
# repository, which is also what the envelope's `dataschema` attribute names.
ID_PREFIX = "urn:gapless:"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
EVENTS_DIR = "events"
EXAMPLES_DIR = "examples"
ENVELOPE_FILE = "envelope.v1.json"
ASYNCAPI_FILE = "asyncapi.json"
UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
UUID_SCHEMA = {"type": "string", "format": "uuid", "pattern": UUID_PATTERN}


def schema_file(service: str, event: type[DomainEvent]) -> str:
    """Where an event's schema lives, relative to schemas/."""
    return f"{EVENTS_DIR}/{service}/{event.event_type()}.v{event.event_version}.json"


def example_file(service: str, event: type[DomainEvent]) -> str:
    """Where an event's hand-written example envelope lives, relative to schemas/."""
    return f"{EXAMPLES_DIR}/{service}/{event.event_type()}.v{event.event_version}.json"


def published_events(service: ServiceDefinition) -> list[tuple[type[DomainEvent], str]]:
    """Every event the service publishes, with the topic it goes on.

    `published` goes on the service's own `<name>.events`; `published_elsewhere` on the outward
    topic it names (a request to a WMS or TMS, say). The runtime's `topics_by_event_type` decides.
    """
    events = dict.fromkeys([*service.published, *service.published_elsewhere])
    topics = service.topics_by_event_type
    return [(event, topics[event.event_type()]) for event in events]
