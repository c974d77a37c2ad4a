"""The cross-service contract: JSON Schemas of every published event, the envelope and AsyncAPI."""
