"""Channel webhooks: the feed of status changes queued with them, and the job that sends it."""
