"""`python -m shared.console`: the ops console as its own small process (scale-out)."""

from shared.console.proxy import create_console_app, upstreams_from_env
from shared.serve import serve
from shared.settings import ServiceSettings


def main() -> None:
    settings = ServiceSettings()
    serve(create_console_app(upstreams_from_env()), settings, name="console")


if __name__ == "__main__":
    main()
