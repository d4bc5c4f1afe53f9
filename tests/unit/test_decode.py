"""Decoding of message values: every bad input is a `Rejected` with a specific reason."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from worker.errors import REASONS, Rejected
from worker.pipeline.decode import decode_payload

LIMIT = 64 * 1024


def reason_of(value: bytes | None, max_bytes: int = LIMIT) -> str:
    with pytest.raises(Rejected) as info:
        decode_payload(value, max_bytes=max_bytes)
    return info.value.reason


def test_text_payload_with_all_fields() -> None:
    value = orjson.dumps({
        "id": "a1", "url": "https://x.id/a", "title": "T", "text": "Isi berita.",
        "published_at": "2019-04-25", "fetched_at": "2019-04-25T10:00:00Z", "lang": "id",
        "meta": {"outlet": "viva"},
    })
    payload = decode_payload(value, max_bytes=LIMIT)
    assert payload.content_kind == "text"
    assert payload.content == "Isi berita."
    assert payload.source_id == "a1"
    assert payload.meta == {"outlet": "viva"}
    assert payload.lang == "id"


def test_html_payload() -> None:
    payload = decode_payload(b'{"html": "<p>Halo</p>"}', max_bytes=LIMIT)
    assert payload.content_kind == "html"
    assert payload.content == "<p>Halo</p>"


def test_numeric_id_is_kept_as_string() -> None:
    assert decode_payload(b'{"id": 42, "text": "x"}', max_bytes=LIMIT).source_id == "42"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b'{"text": "caf\xe9"}', "invalid_utf8"),
        (b'{"text": ', "invalid_json"),
        (b"", "invalid_json"),
        (b'["text"]', "not_an_object"),
        (b'"just a string"', "not_an_object"),
        (b"null", "not_an_object"),
        (b'{"url": "https://x"}', "missing_content"),
        (b'{"text": "   \\n "}', "missing_content"),
        (b'{"text": 5}', "invalid_field"),
        (b'{"text": "a", "html": "<p>b</p>"}', "invalid_field"),
        (b'{"text": "a", "title": ["x"]}', "invalid_field"),
        (b'{"text": "a", "meta": "x"}', "invalid_field"),
        (None, "missing_content"),
    ],
)
def test_rejections_name_the_reason(value: bytes | None, reason: str) -> None:
    assert reason_of(value) == reason


def test_oversized_value_is_rejected_before_parsing() -> None:
    value = b"{" * (LIMIT + 1)  # not even JSON: size is checked first
    assert reason_of(value) == "payload_too_large"


def test_invalid_utf8_message_gives_the_byte_position() -> None:
    with pytest.raises(Rejected) as info:
        decode_payload(b'{"text": "ok \xff"}', max_bytes=LIMIT)
    assert "byte 13" in info.value.message


@settings(max_examples=500)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_decode_or_reject(value: bytes) -> None:
    try:
        payload = decode_payload(value, max_bytes=1024)
    except Rejected as exc:
        assert exc.reason in REASONS
        assert exc.stage == "decode"
    else:
        assert payload.content.strip()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=5,
)


# Input generation is the slow part here; on a loaded 2-core machine it trips the health
# check although the code under test is fast.
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(
    st.sampled_from(["text", "html", "url", "title", "id", "lang", "meta", "other"]),
    json_values, max_size=6,
))
def test_arbitrary_objects_decode_or_reject(obj: dict[str, object]) -> None:
    value = orjson.dumps(obj)
    try:
        payload = decode_payload(value, max_bytes=1 << 20)
    except Rejected as exc:
        assert exc.reason in {"missing_content", "invalid_field"}
    else:
        assert isinstance(payload.content, str)
        assert payload.content_kind in ("text", "html")


def _reference_reason(value: bytes) -> str | None:
    """What decoding in two explicit steps says: the UTF-8 reason, the JSON reason or None."""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return "invalid_utf8"
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        return "invalid_json"
    return None


_JSONISH = st.lists(
    st.sampled_from(
        [
            *(b'{"text":"', b'"}', b"\xed\xa0\x80", b"\xc0\x80", b"\xf5", b"\xe2\x82", b"\x80"),
            *(b"\xff", b"\xc3\xa9", b"\xef\xbb\xbf", b"\\ud800", b"a", b" ", b"\x00", b'"'),
            *(b"\\", b"{", b"}"),
        ]
    ),
    max_size=10,
).map(b"".join)


@settings(max_examples=500)
@given(st.one_of(st.binary(max_size=64), _JSONISH))
def test_parsing_the_bytes_rejects_as_decoding_first_would(value: bytes) -> None:
    # orjson validates UTF-8 itself; a value it refuses is re-read in two steps for the reason.
    expected = _reference_reason(value)
    try:
        decode_payload(value, max_bytes=1024)
    except Rejected as exc:
        if expected is not None:
            assert exc.reason == expected
    else:
        assert expected is None
