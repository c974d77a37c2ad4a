"""The change clock every service database has (shared/changes.py); the simulator lists nothing."""

from migrations.steps import change_feeds

revision = "simulator_0005"
down_revision = "simulator_0004"

upgrade, downgrade = change_feeds()
