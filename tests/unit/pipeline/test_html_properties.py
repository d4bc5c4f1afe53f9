"""Property tests: whatever the input, `extract_html` returns clean paragraphs or rejects.

Random bytes, random tag soup and random nesting must never raise anything but
`HtmlRejected` (with one of the documented reasons), and every paragraph that comes out is a
non-empty, stripped string without control characters.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from worker.pipeline.html import HTML_REJECT_REASONS, HtmlRejected, extract_html

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
SETTINGS = settings(
    max_examples=150,
    deadline=None,  # trafilatura's first call initialises lazily; timing is the bench's job
    suppress_health_check=[HealthCheck.too_slow],
)

TAGS = [
    "div",
    "p",
    "span",
    "a",
    "article",
    "section",
    "li",
    "ul",
    "table",
    "td",
    "tr",
    "br",
    "h1",
    "h2",
    "script",
    "style",
    "noscript",
    "nav",
    "footer",
    "aside",
    "figure",
    "figcaption",
    "blockquote",
    "pre",
    "b",
    "i",
    "iframe",
    "svg",
    "template",
    "html",
    "body",
    "head",
    "title",
    "meta",
    "x-custom",
]
ATTRIBUTES = [
    'class="content"',
    'class="related share"',
    'id="comments"',
    "hidden",
    'style="display:none"',
    'role="navigation"',
    'href="/x"',
    'itemprop="articleBody"',
    'class="caption"',
    'lang="id-ID"',
    'charset="utf-8"',
    'property="og:title"',
    'content="T"',
    'type="application/ld+json"',
    'a="<>"',
    "'",
]
WORDS = st.text(min_size=0, max_size=40)
TEXT_TOKEN = st.one_of(
    WORDS,
    st.sampled_from(
        [
            "Kalimat berita yang cukup panjang dan bermakna. " * 3,
            "Baca juga: x",
            "Advertisement",
            "&amp;",
            "&#0;",
            "&#xD800;",
            "<!--",
            "-->",
            "<![CDATA[",
            "]]>",
            "\x00",
            "\ufeff",
            "\u200b",
            '{"@type": "NewsArticle"}',
        ]
    ),
)


@st.composite
def tag_soup(draw: st.DrawFn) -> str:
    """Random sequences of opening/closing tags, attributes and text, unbalanced on purpose."""
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 60))):
        kind = draw(st.integers(0, 3))
        tag = draw(st.sampled_from(TAGS))
        if kind == 0:
            attributes = draw(st.lists(st.sampled_from(ATTRIBUTES), max_size=3))
            parts.append(f"<{tag} {' '.join(attributes)}>")
        elif kind == 1:
            parts.append(f"</{tag}>")
        else:
            parts.append(draw(TEXT_TOKEN))
    return "".join(parts)


@st.composite
def nested(draw: st.DrawFn) -> str:
    """A random stack of open tags (up to 2000 deep) around text, closed or not."""
    stack = draw(st.lists(st.sampled_from(TAGS), min_size=1, max_size=30))
    depth_factor = draw(st.integers(1, 70))
    opened = stack * depth_factor
    text = draw(TEXT_TOKEN)
    closing = "".join(f"</{tag}>" for tag in reversed(opened)) if draw(st.booleans()) else ""
    return "".join(f"<{tag}>" for tag in opened) + text + closing


def check(markup: str | bytes) -> None:
    try:
        result = extract_html(markup, url="https://example.com/a")
    except HtmlRejected as exc:
        assert exc.reason in HTML_REJECT_REASONS
        assert exc.message
        return
    assert result.paragraphs
    for paragraph in result.paragraphs:
        assert isinstance(paragraph, str)
        assert paragraph
        assert paragraph == paragraph.strip()
        assert not CONTROL.search(paragraph)
    for item in result.media:
        assert item.kind in ("image_caption", "photo_credit")
    assert result.extractor in ("fast", "trafilatura", "readability")


@SETTINGS
@given(st.binary(max_size=4000))
def test_random_bytes(markup: bytes) -> None:
    check(markup)


@SETTINGS
@given(st.text(max_size=2000))
def test_random_text(markup: str) -> None:
    check(markup)


@SETTINGS
@given(tag_soup())
def test_random_tag_soup(markup: str) -> None:
    check(markup)
    check(markup.encode("utf-8", errors="surrogatepass"))


@SETTINGS
@given(nested())
def test_random_nesting(markup: str) -> None:
    check(markup)
