"""The failure summary that ends a worker which cannot publish."""

from __future__ import annotations

from kafka.errors import MessageSizeTooLargeError

from worker.delivery import Pending, failure_summary


def pending(topic: str, error: BaseException | None) -> Pending:
    return Pending(topic=topic, key=None, value=b"{}", headers=[], kind="article",
                   label=topic, timestamp_ms=None, future=error)


def test_every_failing_topic_is_named_with_its_count_and_error() -> None:
    # After one fatal error kafka-python aborts every in-flight batch with it, so the clean
    # topic's records fail too, and they may come first: the real culprit must still be named.
    error = MessageSizeTooLargeError()
    failed = [pending("t.clean", error)] * 38 + [pending("t.dlq", error)] * 2
    summary = failure_summary(failed)
    assert summary == ("topic t.clean: 38 x MessageSizeTooLargeError: [Error 10] "
                       "MessageSizeTooLargeError; topic t.dlq: 2 x MessageSizeTooLargeError: "
                       "[Error 10] MessageSizeTooLargeError")


def test_a_record_never_sent_reads_as_a_timeout() -> None:
    assert failure_summary([pending("t.clean", None)]) == (
        "topic t.clean: 1 x KafkaTimeoutError: KafkaTimeoutError: not acknowledged within "
        "the flush timeout")
