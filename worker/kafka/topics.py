"""Start-up checks of the topics the worker reads and writes."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from worker.errors import ConfigError

log = logging.getLogger(__name__)


def ensure_topics(
    admin: KafkaAdminClient,
    topics: Iterable[str],
    *,
    create: bool,
    partitions: int,
    replication_factor: int,
) -> None:
    """Check that every topic exists; create the missing ones only when allowed."""
    wanted = sorted(set(topics))
    existing = set(admin.list_topics())
    missing = [t for t in wanted if t not in existing]
    if not missing:
        return
    if not create:
        raise ConfigError(
            "topic(s) do not exist: "
            + ", ".join(missing)
            + " (create them, or set topics.create: true to let the worker create them)"
        )
    new = [NewTopic(t, num_partitions=partitions, replication_factor=replication_factor)
           for t in missing]
    # Another replica of the worker may create them between our check and our request.
    with contextlib.suppress(TopicAlreadyExistsError):
        admin.create_topics(new)
    log.info("created topics", extra={"event": "topics_created", "topics": missing})
