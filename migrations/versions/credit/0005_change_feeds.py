"""Change feed and cursor paging of credit reviews: change marks and page indexes."""

from migrations.steps import Feed, change_feeds

revision = "credit_0005"
down_revision = "credit_0004"

upgrade, downgrade = change_feeds(
    Feed(
        "credit_review",
        ["order_id", "review_no"],
        {
            "ix_credit_review_requested_at": ["requested_at", "order_id", "review_no"],
            "ix_credit_review_status_requested_at": [
                "status",
                "requested_at",
                "order_id",
                "review_no",
            ],
            "ix_credit_review_customer_requested_at": [
                "customer_id",
                "requested_at",
                "order_id",
                "review_no",
            ],
        },
    )
)
