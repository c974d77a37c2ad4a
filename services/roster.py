"""The services of gapless, named once: every process, tool and test takes them from here."""

from services.andon.service import DEFINITION as ANDON
from services.credit.service import DEFINITION as CREDIT
from services.fulfillment.service import DEFINITION as FULFILLMENT
from services.inventory.service import DEFINITION as INVENTORY
from services.order.service import DEFINITION as ORDER
from services.simulator.service import DEFINITION as SIMULATOR
from shared.runtime import ServiceDefinition

# The five departments' services; the simulated WMS/TMS runs alongside, answering fulfillment's
# requests like a real one would.
SERVICES: tuple[ServiceDefinition, ...] = (ORDER, INVENTORY, CREDIT, FULFILLMENT, ANDON)
ALL_SERVICES: tuple[ServiceDefinition, ...] = (*SERVICES, SIMULATOR)
NAMES = tuple(d.name for d in SERVICES)
ALL_NAMES = tuple(d.name for d in ALL_SERVICES)


def definition(name: str) -> ServiceDefinition:
    """The service called `name`; LookupError names the ones there are."""
    for found in ALL_SERVICES:
        if found.name == name:
            return found
    raise LookupError(f"unknown service {name!r}; choose one of {', '.join(ALL_NAMES)}")


def all_topics() -> list[str]:
    """Every topic the deployment uses."""
    return list(dict.fromkeys(t for d in ALL_SERVICES for t in d.topics()))
