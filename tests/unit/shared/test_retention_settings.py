"""The retention must outlast every redelivery: a process refuses to start otherwise."""

from datetime import timedelta

import pytest
from pydantic import ValidationError

from shared.settings import KafkaSettings, RetentionSettings, ServiceSettings


def test_the_defaults_keep_the_inbox_twice_as_long_as_a_replay_reaches_back() -> None:
    settings = ServiceSettings()

    assert settings.retention.period == timedelta(days=14)
    assert settings.retention.replay_window == timedelta(days=7)


def test_a_retention_no_longer_than_the_replay_window_is_refused() -> None:
    with pytest.raises(ValidationError, match="GAPLESS_RETENTION__PERIOD"):
        ServiceSettings(
            retention=RetentionSettings(period=timedelta(days=7), replay_window=timedelta(days=7))
        )


def test_on_kafka_the_handover_of_a_dead_members_batch_counts_too() -> None:
    """A member that dies after its database commit leaves the batch uncommitted: another
    member reads it again once the session times out (or the poll interval is overrun)."""
    retention = RetentionSettings(period=timedelta(minutes=10), replay_window=timedelta(minutes=9))
    kafka = KafkaSettings(max_poll_interval_ms=50_000, session_timeout_ms=10_000)

    local = ServiceSettings(bus="local", retention=retention, kafka=kafka)
    with pytest.raises(ValidationError, match="redelivery window"):
        ServiceSettings(bus="kafka", retention=retention, kafka=kafka)

    assert local.redelivery_window == timedelta(minutes=9)
    on_kafka = ServiceSettings(bus="kafka", kafka=kafka)
    assert on_kafka.redelivery_window == timedelta(days=7, minutes=1)


def test_durations_come_from_the_environment_in_iso_8601(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAPLESS_RETENTION__PERIOD", "P30D")
    monkeypatch.setenv("GAPLESS_RETENTION__REPLAY_WINDOW", "P10D")
    monkeypatch.setenv("GAPLESS_RETENTION__BATCH_SIZE", "500")

    settings = ServiceSettings()

    assert settings.retention == RetentionSettings(
        period=timedelta(days=30), replay_window=timedelta(days=10), batch_size=500
    )


def test_a_process_started_with_too_short_a_retention_names_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GAPLESS_RETENTION__PERIOD", "P3D")

    with pytest.raises(ValidationError) as refused:
        ServiceSettings()

    assert "must be longer than the redelivery window (7 days" in str(refused.value)
