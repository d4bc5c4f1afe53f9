"""Quotes: direct speech, attribution forms and speaker resolution."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from worker.pipeline.entities import Mention, find_entities
from worker.pipeline.quotes import LOOKBACK_PARAGRAPHS, _last_speaker, _Span, extract_quotes

SEED = (
    '"Saya pikir ini akan menjadi pertemuan yang sangat berguna dalam mengembangkan hubungan '
    'antara kedua negara," kata Kim Jong-un, seperti diberitakan Channel News Asia.',
    '"Karena dunia terfokus pada Semenanjung Korea, saya pikir kami akan mengadakan dialog '
    'yang sangat berarti," dia menambahkan.',
    "Sementara itu, Presiden Rusia Vladimir Putin mengatakan kepada Kim bahwa dia mendukung "
    "upaya berkelanjutan untuk meredakan ketegangan di Semenanjung Korea.",
    '"Saya yakin bahwa kunjungan Anda akan membantu kami," kata Putin.',
    '"Dalam hal hubungan bilateral, kita harus melakukan banyak hal," lanjutnya.',
)


def _quotes(paragraphs: tuple[str, ...]) -> list[tuple[str, str | None, str | None]]:
    found = extract_quotes(paragraphs, find_entities(None, paragraphs))
    return [(q.text, q.speaker, q.attribution) for q in found]


def test_verbs_pronouns_and_fullest_names() -> None:
    quotes = _quotes(SEED)
    assert [q[1] for q in quotes] == [
        "Kim Jong-un",
        "Kim Jong-un",
        "Vladimir Putin",
        "Vladimir Putin",
    ]
    assert [q[2] for q in quotes] == [
        "kata Kim Jong-un",
        "dia menambahkan",
        "kata Putin",
        "lanjutnya",
    ]
    assert quotes[0][0].endswith("kedua negara")  # no trailing comma


def test_title_chain_attribution_resolves_to_the_person() -> None:
    paragraph = (
        '"Saat ini para tersangka yang telah ditangkap diamankan di Mapolres Bogor untuk '
        'menjalani pemeriksaan lanjutan," kata Kapolres Bogor AKBP Rio Wahyu Anggoro, Selasa '
        "(10/6/2025)."
    )
    assert _quotes((paragraph,))[0][1] == "Rio Wahyu Anggoro"


def test_speaker_named_after_a_comma() -> None:
    paragraph = (
        '"Betul, olahraga padel dikenai PBJT Hiburan dan Kesenian dengan tarif 10 persen," kata '
        "Ketua Satuan Pelaksana Penyuluhan Pusat Data dan Informasi Pendapatan Jakarta, Andri M "
        'Rijal. Ia membantah pungutan pajak itu. "Jadi kami kenakan pajaknya bukan karena viral '
        'juga," katanya.'
    )
    assert [q[1] for q in _quotes((paragraph,))] == ["Andri M Rijal", "Andri M Rijal"]


def test_pronoun_goes_to_the_last_speaker_not_the_last_name() -> None:
    paragraphs = (
        "Ketua DPP PDIP, Ahmad Basarah, mengatakan Gibran telah melakukan pembangkangan.",
        "Hal itu karena Ketua Umum PDIP, Megawati Soekarnoputri, telah memutuskan Ganjar "
        "Pranowo sebagai capres.",
        '"Ketika Mas Gibran kemudian keluar dari skema keputusan yang sudah diambil oleh Bu '
        'Megawati Soekarnoputri, dia telah melakukan pembangkangan," ujarnya.',
    )
    assert _quotes(paragraphs)[0][1] == "Ahmad Basarah"


def test_continuation_without_attribution_keeps_the_speaker() -> None:
    paragraph = (
        '"We\'re quite positive on the US economy," said Kristina Clifton, senior currency '
        'strategist at Commonwealth Bank of Australia in Sydney. "The market is currently '
        'pricing a high chance of a June interest rate cut, which is also our view."'
    )
    quotes = _quotes((paragraph,))
    assert [(q[1], q[2]) for q in quotes] == [
        ("Kristina Clifton", "said Kristina Clifton"),
        ("Kristina Clifton", None),
    ]


def test_unattributed_posts_and_scare_quotes_are_not_quotes() -> None:
    paragraphs = (
        "Seperti diketahui, Gibran dihadapkan dengan berbagai kontroversi termasuk "
        'salah satunya "nepo baby".',
        '"Khusus Bagi Seluruh nasabah Bank BCA Tahun 2025, Ayo buruan daftar & Menangkan hadiah',
    )
    assert _quotes(paragraphs) == []


def test_unclosed_quote_runs_to_the_paragraph_end() -> None:
    paragraphs = ('Agus menambahkan: "Kondisinya sudah sehat. Tidak meninggal',)
    assert _quotes(paragraphs) == [
        ("Kondisinya sudah sehat. Tidak meninggal", "Agus", "Agus menambahkan")
    ]


@given(st.lists(st.text(alphabet='ab "“”,.KkA', max_size=80), max_size=5))
def test_quote_texts_come_from_the_paragraphs(paragraphs: list[str]) -> None:
    body = tuple(paragraphs)
    for quote in extract_quotes(body, find_entities(None, body)):
        assert any(quote.text in p for p in body)
        assert not quote.text.endswith(",")


def _reference_last_speaker(
    mentions: tuple[Mention, ...], quotes: list[_Span], span: _Span
) -> str | None:
    """The speaker rule written as filtered lists: the last of the first non-empty pool."""
    before = [
        m
        for m in mentions
        if (m.paragraph, m.start) < (span.paragraph, span.start)
        and not any(q.paragraph == m.paragraph and q.start <= m.start < q.end for q in quotes)
    ]
    recent = [m for m in before if m.paragraph >= span.paragraph - LOOKBACK_PARAGRAPHS]
    for pool in ([m for m in recent if m.speaks], [m for m in before if m.speaks], recent, before):
        if pool:
            return pool[-1].name
    return None


_MENTIONS = st.builds(
    lambda paragraph, start, name, speaks: Mention(paragraph, start, start + 3, name, speaks),
    st.integers(0, 5),
    st.integers(0, 60),
    st.sampled_from(["Agus", "Puput", "Rio", ""]),
    st.booleans(),
)
_SPANS = st.builds(
    lambda paragraph, start, length: _Span(paragraph, start, start + length, "x"),
    st.integers(0, 5),
    st.integers(0, 60),
    st.integers(1, 30),
)


@given(st.lists(_MENTIONS, max_size=10), st.lists(_SPANS, max_size=5), _SPANS)
def test_last_speaker_follows_the_pool_rule(
    mentions: list[Mention], quotes: list[_Span], span: _Span
) -> None:
    ordered = tuple(sorted(mentions, key=lambda m: (m.paragraph, m.start)))
    assert _last_speaker(ordered, quotes, span) == _reference_last_speaker(ordered, quotes, span)
