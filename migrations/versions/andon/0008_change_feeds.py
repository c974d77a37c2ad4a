"""Change feeds and cursor paging of andon pulls and gaps: change marks and page indexes."""

from migrations.steps import Feed, change_feeds

revision = "andon_0008"
down_revision = "andon_0007"

upgrade, downgrade = change_feeds(
    Feed(
        "andon_pull",
        ["pull_id"],
        {
            "ix_andon_pull_pulled_at": ["pulled_at", "pull_id"],
            "ix_andon_pull_open_pulled_at": ["open", "pulled_at", "pull_id"],
        },
    ),
    Feed(
        "gap",
        ["order_id", "step"],
        {
            "ix_gap_open_expected_by": ["open", "expected_by", "order_id", "step"],
            "ix_gap_expected_by": ["expected_by", "order_id", "step"],
        },
    ),
)
