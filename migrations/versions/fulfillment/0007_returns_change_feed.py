"""Change feed and cursor paging of returns: a change mark and page indexes."""

from migrations.steps import Feed, change_feeds

revision = "fulfillment_0007"
down_revision = "fulfillment_0006"

upgrade, downgrade = change_feeds(
    Feed(
        "customer_return",
        ["return_id"],
        {
            "ix_customer_return_authorised_at": ["authorised_at", "return_id"],
            "ix_customer_return_status_authorised_at": ["status", "authorised_at", "return_id"],
        },
    ),
    clock=False,  # fulfillment_0006 made it
)
