"""Change feed of stock levels (GET /v1/inventory): change marks and their index.

Rows already there get change mark 0 (changed before any feed existed): a client's first
`updated_since=0` request lists them too.

Revision ID: inventory_0006
Revises: inventory_0005
"""

from migrations.steps import (
    add_change_marks,
    create_change_clock,
    drop_change_clock,
    drop_change_marks,
)

revision = "inventory_0006"
down_revision = "inventory_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_change_clock()
    add_change_marks("stock_level", ["sku"])


def downgrade() -> None:
    drop_change_marks("stock_level")
    drop_change_clock()
