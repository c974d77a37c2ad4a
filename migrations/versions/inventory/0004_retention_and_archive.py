"""Retention and archive: the inbox's age index (the pruning job deletes its oldest rows) and
the table of streams moved to an archive file.
"""

from migrations.steps import RETENTION_AND_ARCHIVE

revision = "inventory_0004"
down_revision = "inventory_0003"

upgrade, downgrade = RETENTION_AND_ARCHIVE
