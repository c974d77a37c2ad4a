"""gapless platform library: messages, envelope, event store, outbox, inbox, buses, consumer runtime."""
