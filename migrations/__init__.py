"""Schema migrations (Alembic): one history per service, applied to that service's own SQLite
file or PostgreSQL schema. `migrations.runner` is the API; `versions/<service>/` the histories."""
