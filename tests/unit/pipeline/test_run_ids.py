"""Article ids: the URL key `normalise_url` builds, by its fast path and by urllib's.

The fast path splits plain `http(s)://` URLs itself; whatever the URL, its answer must be
the one urllib's `urlsplit`/`parse_qsl`/`urlencode` round trip gives.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worker.pipeline.run import article_id, normalise_url

_TRACKING = ("utm_", "fbclid", "gclid", "mc_", "_ga")


def _by_urllib(url: str) -> str | None:
    """The definition: urllib all the way."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if not parts.netloc:
        return None
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query) if not k.lower().startswith(_TRACKING)]
    )
    path = parts.path.rstrip("/") or "/"
    host = parts.netloc.lower().removeprefix("www.")
    return urlunsplit(("https", host, path, query, ""))


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.Example.com/a/b/?utm_source=x&id=3#top", "https://example.com/a/b?id=3"),
        ("HTTP://news.example.com", "https://news.example.com/"),
        ("  http://h.id/p?x=&y&=z&a=b=c&q=a+b  ", "https://h.id/p?=z&a=b%3Dc&q=a+b"),
        ("https://h.id/p?Fbclid=1&_ga=2&MC_x=3", "https://h.id/p"),
        ("https://www./x", "https:///x"),
        ("https://[::1]/x", "https://[::1]/x"),
        ("https://[::1/x", None),
        ("example.com/x", None),
        ("", None),
    ],
)
def test_normalise_url_examples(url: str, key: str | None) -> None:
    assert normalise_url(url) == key == _by_urllib(url)


_PIECES = st.sampled_from(
    [
        "http://", "https://", "HTTPS://", "ftp://", "//", "www.", "WWW.", "a", "B", "1", ".",
        "-", "_", "~", "/", "?", "#", "&", "=", "+", "%41", "%", " ", "\t", "\n", "[", "]",
        ":", "@", ";", "é", "\u2100", "utm_x", "fbclid", "_ga", "Mc_",
    ]
)  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(st.lists(_PIECES, max_size=14).map("".join))
def test_normalise_url_is_urllibs(url: str) -> None:
    assert normalise_url(url) == _by_urllib(url)


def test_article_id_prefers_the_url() -> None:
    content = "ab" * 32
    assert article_id("https://www.example.com/x/?utm_medium=y", content) == article_id(
        "http://example.com/x", content
    )
    assert article_id(None, content) == "c" + content[:31]
    assert article_id("not a url", content) == "c" + content[:31]
