"""gapless platform library: envelope, event store, outbox, inbox, buses, consumer runtime."""
