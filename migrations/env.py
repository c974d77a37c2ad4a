"""Alembic environment: runs on the connection `migrations.runner` hands over.

The runner has already opened the transaction, taken the migration lock and, on PostgreSQL, set
the search_path to the service's schema, so the version table and every table land there.
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    # SQLite alters tables by copying them ("batch" mode); PostgreSQL alters in place.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
