"""Which service owns which URL: the gateway's and the Ingress's route table, read from the code.

Every service mounts its routers under `/v1/<resource>`; embedded mode serves them all on one
port, and scale-out puts one entry point in front of the services (nginx for `make up`, the
Ingress in Kubernetes) that sends each `/v1/<resource>` to its owner. Reading the table from the
routers themselves means a new resource cannot be forgotten in either.

python -m tools.routes nginx PORTS_FILE   nginx `location` blocks for the services' ports
"""

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from services.embedded import ALL_SERVICES
from shared.bus.memory import MemoryBroker
from shared.runtime import ServiceDefinition, ServiceRuntime
from shared.settings import ServiceSettings


def prefixes(definition: ServiceDefinition) -> list[str]:
    """`/v1/<resource>` of every route the service's routers mount."""
    runtime = ServiceRuntime(definition, ServiceSettings(), MemoryBroker())
    found = {
        "/".join(path.split("/")[:3])
        for router in definition.routers(runtime)
        for path in (str(getattr(route, "path", "")) for route in router.routes)
        if path.startswith("/v1/")
    }
    return sorted(found)


def route_table(services: Sequence[str] | None = None) -> dict[str, str]:
    """`/v1/<resource>` -> owning service, for `services` (default: all, the simulator too).

    Raises:
        ValueError: two services mount the same resource (the gateway could not choose).
    """
    table: dict[str, str] = {}
    for definition in ALL_SERVICES:
        if services is not None and definition.name not in services:
            continue
        for prefix in prefixes(definition):
            if prefix in table:
                raise ValueError(f"{prefix} is mounted by {table[prefix]} and {definition.name}")
            table[prefix] = definition.name
    return dict(sorted(table.items()))


def nginx_locations(ports: Mapping[str, int]) -> str:
    """nginx `location` blocks: each resource to its owner's port on this machine."""
    blocks = []
    for prefix, service in route_table(list(ports)).items():
        # `^~` prefix match: /v1/orders and /v1/orders/..., never /v1/ordersX.
        for match in (f"= {prefix}", f"^~ {prefix}/"):
            blocks.append(f"location {match} {{ proxy_pass http://127.0.0.1:{ports[service]}; }}")
    return "\n".join(blocks) + "\n"


def main(argv: Sequence[str]) -> int:
    if len(argv) != 2 or argv[0] != "nginx":
        sys.stderr.write("usage: python -m tools.routes nginx PORTS_FILE\n")
        return 2
    ports = {str(k): int(v) for k, v in json.loads(Path(argv[1]).read_text()).items()}
    sys.stdout.write(nginx_locations(ports))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
