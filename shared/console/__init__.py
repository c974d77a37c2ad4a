"""The ops console: a page served by gapless itself that reads and drives the HTTP API.

It imports no service: the page talks to the services through their HTTP routes only."""
