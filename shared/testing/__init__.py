"""Test support shared by every service: contract suites, builders, a sample aggregate, polling."""

from shared.testing.polling import eventually

__all__ = ["eventually"]
