"""Exact-duplicate detection over a bounded window of recent content hashes per partition."""

from __future__ import annotations

from collections import OrderedDict


class DuplicateWindow:
    """Remembers the last `size` content hashes of each partition and the article id of each.

    State lives here, in the shell, and is passed around explicitly: the pure pipeline keeps
    no memory between messages. A window of 0 disables detection.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._seen: dict[int, OrderedDict[str, str]] = {}

    def check(self, partition: int, content_hash: str, article_id: str) -> str | None:
        """The id of the earlier article with this content, or None; remembers this one."""
        if self._size == 0:
            return None
        seen = self._seen.setdefault(partition, OrderedDict())
        earlier = seen.get(content_hash)
        if earlier is not None:
            seen.move_to_end(content_hash)
            return earlier
        seen[content_hash] = article_id
        if len(seen) > self._size:
            seen.popitem(last=False)
        return None

    def forget(self, partition: int) -> None:
        """Drop a partition's window (it was revoked; another worker owns it now)."""
        self._seen.pop(partition, None)
