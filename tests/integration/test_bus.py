"""The bus contract on a real Apache Kafka broker (scale-out)."""

import pytest
from aiokafka.errors import KafkaError

from shared.bus.kafka import KafkaBroker
from shared.settings import KafkaSettings
from shared.testing.builders import a_topic_name
from shared.testing.contracts import BusContract

pytestmark = pytest.mark.integration


class TestKafkaBus(BusContract):
    @pytest.fixture
    def broker(self, kafka_broker: KafkaBroker) -> KafkaBroker:
        return kafka_broker


async def test_ensure_topics_raises_when_the_broker_refuses_to_create_a_topic(
    kafka_settings: KafkaSettings,
) -> None:
    # One broker cannot hold three replicas.
    broker = KafkaBroker(kafka_settings.model_copy(update={"replication_factor": 3}))

    with pytest.raises(KafkaError):
        await broker.ensure_topics([a_topic_name()])
