"""Bytes to text: BOMs, lying charset declarations, mixed encodings, binary payloads."""

from __future__ import annotations

import codecs
import gzip

import pytest

from worker.pipeline.html import HtmlRejected
from worker.pipeline.html.decode import declared_charset, decode_html_bytes

PAGE = "<html><head>{meta}</head><body><p>Café “naïve” — Rp 5.000, señor, Ärger.</p></body></html>"
TEXT = "Café “naïve” — Rp 5.000, señor, Ärger."


def page(meta: str = "") -> str:
    return PAGE.format(meta=meta)


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
    ],
)
def test_bom_decides(bom: bytes, codec: str) -> None:
    raw = bom + page('<meta charset="iso-8859-1">').encode(codec)
    assert TEXT in decode_html_bytes(raw)


def test_valid_utf8_beats_a_contradicting_meta_charset() -> None:
    raw = page('<meta charset="windows-1251">').encode("utf-8")
    assert TEXT in decode_html_bytes(raw)


def test_declared_legacy_charset_is_used_when_bytes_are_not_utf8() -> None:
    russian = (
        "<html><head><meta charset='windows-1251'></head><body><p>Привет, мир</p></body></html>"
    )
    assert "Привет, мир" in decode_html_bytes(russian.encode("cp1251"))


def test_latin1_label_reads_as_cp1252_like_browsers() -> None:
    raw = page('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">')
    assert TEXT in decode_html_bytes(raw.encode("cp1252"))


def test_cp1252_bytes_declared_utf8() -> None:
    raw = page('<meta charset="utf-8">').encode("cp1252")
    assert TEXT in decode_html_bytes(raw)


def test_mixed_utf8_and_cp1252_keeps_both_parts() -> None:
    raw = page().encode("utf-8") + "<p>Ein schöner Satz über Käse.</p>".encode("cp1252")
    text = decode_html_bytes(raw)
    assert TEXT in text
    assert "Ein schöner Satz über Käse." in text


def test_undeclared_legacy_page_is_sniffed() -> None:
    russian = (
        "<html><body><p>" + "Это тестовый текст на русском языке. " * 30 + "</p></body></html>"
    )
    assert "тестовый текст" in decode_html_bytes(russian.encode("cp1251"))


def test_utf16_without_bom() -> None:
    assert TEXT in decode_html_bytes(page().encode("utf-16-le"))


@pytest.mark.parametrize(
    "raw",
    [
        gzip.compress(page().encode()),
        bytes(range(32)) * 100,
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,
    ],
    ids=["gzip", "control-bytes", "png"],
)
def test_binary_is_undecodable(raw: bytes) -> None:
    with pytest.raises(HtmlRejected) as info:
        decode_html_bytes(raw)
    assert info.value.reason == "html_undecodable"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<meta charset="UTF-8">', "utf-8"),
        ("<meta charset=gbk>", "gbk"),
        ('<meta http-equiv="content-type" content="text/html; charset=Shift_JIS">', "shift_jis"),
        ('<meta charset="latin1">', "cp1252"),
        ('<meta charset="utf-16">', "utf-8"),
        ('<meta charset="no-such-charset">', None),
        ("", None),
    ],
)
def test_declared_charset(head: str, expected: str | None) -> None:
    assert declared_charset(f"<html><head>{head}</head></html>".encode()) == expected
