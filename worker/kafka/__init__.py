"""kafka-python behind small wrappers: client construction, topic checks, retries of I/O."""
