"""Change feeds and cursor paging of GET /v1/orders: change marks and the indexes of each page."""

from migrations.steps import Feed, change_feeds

revision = "order_0010"
down_revision = "order_0009"

upgrade, downgrade = change_feeds(
    Feed(
        "order_summary",
        ["order_id"],
        {
            "ix_order_summary_placed_at": ["placed_at", "order_id"],
            "ix_order_summary_status_placed_at": ["status", "placed_at", "order_id"],
            "ix_order_summary_channel_placed_at": ["channel", "placed_at", "order_id"],
            "ix_order_summary_channel_change_mark": ["channel", "change_mark", "order_id"],
        },
    )
)
