"""The ops console: a page served by gapless itself that reads and drives the HTTP API."""
