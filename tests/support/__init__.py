"""Helpers shared by test suites that need real infrastructure (a local Kafka cluster)."""
