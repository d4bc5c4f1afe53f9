"""Re-joining line-exploded paragraphs by the corpus rules."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from worker.pipeline.lines import ends_sentence, has_words, headline_shaped, split_lines, word_count
from worker.pipeline.paragraphs import join_text, paragraph_groups


def paragraphs(text: str, after_dateline: int | None = None) -> list[str]:
    return [
        join_text(g) for g in paragraph_groups(split_lines(text), after_dateline=after_dateline)
    ]


def test_link_fragments_rejoin_without_space_before_punctuation() -> None:
    # Kompas: every inline link on its own line.
    text = (
        "Kriminolog Universitas Indonesia, Adrianus Meliala, menyebutkan kemunculan kelompok "
        "remaja di kawasan Mulyaharja, Kecamatan\nBogor Selatan\n, merupakan bentuk\n"
        "perilaku kolektif\nyang menyimpang.\n"
        "“Pada dasarnya, ini adalah perilaku kolektif,” ujar Adrianus saat dihubungi\n"
        "Kompas.com,\nSelasa (10/6/2025)."
    )
    assert paragraphs(text) == [
        "Kriminolog Universitas Indonesia, Adrianus Meliala, menyebutkan kemunculan kelompok "
        "remaja di kawasan Mulyaharja, Kecamatan Bogor Selatan, merupakan bentuk perilaku "
        "kolektif yang menyimpang.",
        "“Pada dasarnya, ini adalah perilaku kolektif,” ujar Adrianus saat dihubungi "
        "Kompas.com, Selasa (10/6/2025).",
    ]


def test_lead_fragment_after_a_dateline_continues() -> None:
    # Republika: `REPUBLIKA.CO.ID, JAKARTA -- PT` / `Mayora` / `Indah Tbk ...` (dateline cut).
    text = (
        "PT\nMayora\nIndah Tbk (MYOR) dalam Rapat Umum Pemegang Saham Tahunan (RUPST) menyetujui."
    )
    assert paragraphs(text, after_dateline=0) == [
        "PT Mayora Indah Tbk (MYOR) dalam Rapat Umum Pemegang Saham Tahunan (RUPST) menyetujui."
    ]
    assert paragraphs("Rafi Haikal\n(21), seorang suporter asal Tambun Selatan.", 0) == [
        "Rafi Haikal (21), seorang suporter asal Tambun Selatan."
    ]


def test_headings_stay_separate() -> None:
    text = (
        "Respons Partai Golkar\n"
        "Partai Golkar memberi tanggapan terkait Gibran yang dinilai telah membangkang terhadap "
        "aturan PDIP."
    )
    assert len(paragraphs(text)) == 2


def test_list_items_stay_separate() -> None:
    text = (
        "Ayo buruan daftar & Menangkan hadiah nya.Apresiasi Hadiah Undian :\n"
        "• 3 Unit Mobil Mercedes Benz\n• 3 Unit Mobil BMW\n"
        "Postingan itu juga disertai dengan tautan yang mengarah pada website tertentu."
    )
    assert paragraphs(text) == [
        "Ayo buruan daftar & Menangkan hadiah nya.Apresiasi Hadiah Undian :",
        "• 3 Unit Mobil Mercedes Benz",
        "• 3 Unit Mobil BMW",
        "Postingan itu juga disertai dengan tautan yang mengarah pada website tertentu.",
    ]


def test_two_full_sentences_without_a_full_stop_stay_apart() -> None:
    # detik: the scraper lost the final punctuation of the first line.
    text = (
        '"Akibatnya, pilot memutuskan untuk mendarat darurat di Kualanamu," ujar Ferry dikutip '
        "daridetiksumutdanCNNIndonesia\n"
        "Kemudian pada pukul 10.44 WIB, pengelola bandara menginformasikan kepada Pilot maskapai."
    )
    assert len(paragraphs(text)) == 2


def test_blank_lines_always_separate() -> None:
    assert paragraphs("Kalimat tanpa titik\n\nKalimat berikutnya juga") == [
        "Kalimat tanpa titik",
        "Kalimat berikutnya juga",
    ]


def test_line_shape_helpers() -> None:
    assert ends_sentence('"Tidak meninggal," ungkap Agus.')
    assert ends_sentence("Berikut isi postingannya:")
    assert ends_sentence("…sangat dinantikan publik.”")
    assert not ends_sentence("melaksanakan pendaratan darurat")
    assert headline_shaped("Delegasi Korea Utara Kunjungi Iran, Isu Kerjasama Semakin Kuat")
    assert headline_shaped("Video Gunung Gede Pangrango Ditutup Sementara, Kenapa?")
    assert not headline_shaped("Pendaki itu disebut-sebut telah meninggal dunia.")
    assert not headline_shaped("pembunuhan wn kamerun")


def test_a_bracket_continues_even_after_a_name_that_looks_like_a_heading() -> None:
    text = (
        "Adrianus menjelaskan kecenderungan remaja untuk berkelompok.\n"
        "Rafi Haikal\n(21), seorang suporter asal Tambun Selatan, Kabupaten Bekasi, tetap bangga."
    )
    assert paragraphs(text)[1] == (
        "Rafi Haikal (21), seorang suporter asal Tambun Selatan, Kabupaten Bekasi, tetap bangga."
    )


def test_a_long_link_after_an_open_ending_continues() -> None:
    text = (
        "Keputusan itu dilakukan sebagai implementasi aturan yang sudah diatur dalam\n"
        "Peraturan Presiden Nomor 5 Tahun 2025 tentang Penertiban Kawasan Hutan dan Lingkungan\n"
        "secara menyeluruh."
    )
    assert len(paragraphs(text)) == 1


@given(
    st.text(alphabet=" \t\n\u00a0\u2003ab.", max_size=40), st.integers(min_value=1, max_value=12)
)
def test_has_words_is_a_word_count_bound(text: str, count: int) -> None:
    assert has_words(text, count) == (word_count(text) >= count)
