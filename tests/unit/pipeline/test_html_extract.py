"""Main-text extraction on small crafted pages: what stays, what goes, and where it goes."""

from __future__ import annotations

import pytest

from worker.pipeline.html import HTML_REJECT_REASONS, HtmlExtraction, HtmlRejected, extract_html

SENTENCES = [
    "The city council approved the new budget on Tuesday after a long debate about schools.",
    "Opposition members said the plan cuts too deeply into public transport and libraries.",
    "The mayor replied that the cuts were temporary and would be reviewed in six months.",
    "Residents who spoke at the hearing were divided, with many asking for more bus routes.",
    "The budget takes effect in January and will be published in full on the city website.",
]


def paragraphs(*texts: str) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


def page(body: str, head: str = "") -> str:
    return f"<html><head><title>Budget | City Paper</title>{head}</head><body>{body}</body></html>"


CHROME_BEFORE = """<header class="site-header"><nav><a href="/">Home</a><a href="/news">News</a>
<a href="/sport">Sport</a></nav></header><div class="breadcrumb"><a href="/">Home</a> &gt;
<a href="/news">News</a></div>"""
CHROME_AFTER = """<aside class="sidebar"><h3>Most read</h3><ul><li><a href="/a">Another story
about something else entirely</a></li><li><a href="/b">Yet another story</a></li></ul></aside>
<footer><p>© 2019 City Paper. All rights reserved.</p><a href="/privacy">Privacy</a></footer>"""


def extract(body: str, head: str = "") -> HtmlExtraction:
    return extract_html(page(body, head), url="https://citypaper.example/budget")


def test_article_body_without_page_chrome() -> None:
    result = extract(
        CHROME_BEFORE + f"<article><h1>Budget</h1>{paragraphs(*SENTENCES)}</article>" + CHROME_AFTER
    )
    assert result.paragraphs == tuple(SENTENCES)
    assert result.extractor == "fast"
    assert result.metadata.title == "Budget"


def test_subheadings_and_lists_inside_the_article_stay() -> None:
    body = (
        paragraphs(*SENTENCES[:2])
        + "<h2>What changes</h2><ul><li>Fewer night buses</li><li>Shorter library hours</li></ul>"
        + paragraphs(*SENTENCES[2:])
    )
    result = extract(CHROME_BEFORE + f"<article>{body}</article>" + CHROME_AFTER)
    assert "What changes" in result.paragraphs
    assert "Fewer night buses" in result.paragraphs
    assert result.paragraphs[-1] == SENTENCES[-1]


def test_captions_and_credits_go_to_media() -> None:
    figure = (
        '<figure><img src="a.jpg"><figcaption>Council members vote on Tuesday.</figcaption>'
        '<span class="photo-credit">Foto: ANTARA/Budi</span></figure>'
    )
    result = extract(
        f"<article>{paragraphs(*SENTENCES[:2])}{figure}{paragraphs(*SENTENCES[2:])}</article>"
    )
    assert result.paragraphs == tuple(SENTENCES)
    assert [(item.kind, item.text) for item in result.media] == [
        ("image_caption", "Council members vote on Tuesday."),
        ("photo_credit", "Foto: ANTARA/Budi"),
    ]


def test_related_links_and_ads_inside_the_article_are_removed_and_reported() -> None:
    body = (
        paragraphs(*SENTENCES[:2])
        + '<p><strong>Baca juga:</strong> <a href="/x">Harga cabai naik lagi di pasar</a></p>'
        + '<div class="ad-slot">Advertisement</div>'
        + '<div class="related-articles"><a href="/y">Council election results</a></div>'
        + paragraphs(*SENTENCES[2:])
    )
    result = extract(f"<article>{body}</article>")
    assert result.paragraphs == tuple(SENTENCES)
    kinds = {text: kind for kind, text in result.removed}
    assert kinds["Baca juga: Harga cabai naik lagi di pasar"] == "related_link"
    assert kinds["Advertisement"] == "ad_marker"
    assert kinds["Council election results"] == "related_link"


def test_a_run_of_links_is_dropped_but_a_lone_linked_sentence_stays() -> None:
    linked = '<p><a href="/report">The full report is available from the city clerk.</a></p>'
    links = '<p><a href="/1">Story one</a></p><p><a href="/2">Story two</a></p>'
    result = extract(
        f"<article>{paragraphs(*SENTENCES[:3])}{linked}"
        f"{paragraphs(*SENTENCES[3:])}{links}</article>"
    )
    assert "The full report is available from the city clerk." in result.paragraphs
    assert "Story one" not in result.paragraphs


def test_embedded_tweet_is_quoted_text() -> None:
    tweet = (
        '<div class="social-embed"><blockquote class="twitter-tweet"><p>Great news for our '
        'buses today!</p>&mdash; Mayor (@mayor) <a href="https://t.co/x">November 19, 2019</a>'
        "</blockquote></div>"
    )
    result = extract(
        f"<article>{paragraphs(*SENTENCES[:2])}{tweet}{paragraphs(*SENTENCES[2:])}</article>"
    )
    assert "Great news for our buses today!" in result.paragraphs


def test_comments_are_not_body() -> None:
    comments = (
        '<section id="comments"><h3>3 Comments</h3>'
        + "".join(
            f'<div class="comment"><p>{text} I disagree with this completely, frankly.</p></div>'
            for text in SENTENCES
        )
        + "</section>"
    )
    result = extract(f"<article>{paragraphs(*SENTENCES)}</article>{comments}")
    assert result.paragraphs == tuple(SENTENCES)


def test_wrapper_with_misleading_class_name_is_not_boilerplate() -> None:
    result = extract(f'<div class="page has-sidebar with-comments">{paragraphs(*SENTENCES)}</div>')
    assert result.paragraphs == tuple(SENTENCES)


def test_hidden_elements_are_invisible() -> None:
    hidden = '<div style="display: none">Secret tracking text that nobody can see.</div>'
    result = extract(
        f"<article>{hidden}{paragraphs(*SENTENCES)}<p hidden>Also hidden.</p></article>"
    )
    assert result.paragraphs == tuple(SENTENCES)


def test_infinite_scroll_keeps_the_first_article() -> None:
    other = [sentence.replace("council", "parliament") for sentence in SENTENCES]
    body = f"<main><article>{paragraphs(*SENTENCES)}</article><article>{paragraphs(*other)}</article></main>"
    assert extract(body).paragraphs == tuple(SENTENCES)


def test_wire_credit_line_is_removed() -> None:
    credit = "<p>(Reporting by Jane Doe; Editing by John Roe)</p>"
    result = extract(f"<article>{paragraphs(*SENTENCES)}{credit}</article>")
    assert result.paragraphs == tuple(SENTENCES)
    assert ("byline", credit[3:-4]) in result.removed


def test_text_split_by_line_breaks_becomes_paragraphs() -> None:
    result = extract("<div class='content'>" + "<br><br>".join(SENTENCES) + "</div>")
    assert result.paragraphs == tuple(SENTENCES)


def test_output_is_normalised() -> None:
    messy = "  The\u00a0council\u200b met\n\n on   Tuesday\u00ad.\x07 "
    result = extract(f"<article><p>{messy}</p>{paragraphs(*SENTENCES)}</article>")
    assert result.paragraphs[0] == "The council met on Tuesday."


def test_bytes_input_is_decoded() -> None:
    raw = page(
        f"<article>{paragraphs('Café owners in São Paulo — “naïve” pricing.', *SENTENCES)}"
        "</article>"
    ).encode("cp1252", errors="replace")
    assert extract_html(raw).paragraphs[0] == "Café owners in São Paulo — “naïve” pricing."


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        ("", "html_no_content"),
        ("   \n ", "html_no_content"),
        ("<html><head><script>var a = 1;</script></head><body></body></html>", "html_no_content"),
        ("<html><body><img src=a.jpg><!-- nothing --></body></html>", "html_no_content"),
        (b"\x1f\x8b\x08\x00" + bytes(range(256)), "html_undecodable"),
    ],
)
def test_unusable_input_is_rejected_with_a_reason(markup: str | bytes, reason: str) -> None:
    with pytest.raises(HtmlRejected) as info:
        extract_html(markup)
    assert info.value.reason == reason
    assert info.value.reason in HTML_REJECT_REASONS
    assert info.value.message


@pytest.mark.parametrize("markup", ["<p>x</p>" * 200, b"<p>x</p>" * 200])
def test_payload_over_the_limit_is_rejected_before_parsing(markup: str | bytes) -> None:
    with pytest.raises(HtmlRejected) as info:
        extract_html(markup, max_bytes=1000)
    assert info.value.reason == "payload_too_large"


def test_limit_counts_utf8_bytes_of_text_input() -> None:
    with pytest.raises(HtmlRejected):
        extract_html("<p>" + "ä" * 600 + "</p>", max_bytes=1000)
    assert extract_html("<p>" + "a" * 600 + "</p>", max_bytes=1000).paragraphs


def test_result_types_are_immutable() -> None:
    result = extract(f"<article>{paragraphs(*SENTENCES)}</article>")
    assert isinstance(result.paragraphs, tuple)
    with pytest.raises(AttributeError):
        result.extractor = "x"  # type: ignore[misc]


def test_headline_repeated_at_the_top_of_the_body_is_dropped() -> None:
    head = '<meta property="og:title" content="Council approves the budget">'
    result = extract(
        f"<article><h2>Council approves the budget</h2>{paragraphs(*SENTENCES)}</article>", head
    )
    assert result.paragraphs == tuple(SENTENCES)


@pytest.mark.parametrize(
    "line", ["Penulis: Budi Santoso", "Editor: Sari Dewi", "Pewarta: Andi | Editor: Rina"]
)
def test_indonesian_newsroom_credit_lines_are_removed(line: str) -> None:
    result = extract(f"<article>{paragraphs(*SENTENCES, line)}</article>")
    assert result.paragraphs == tuple(SENTENCES)
    assert ("byline", line) in result.removed
