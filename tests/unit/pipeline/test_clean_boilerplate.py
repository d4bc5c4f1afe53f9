"""Line-level boilerplate: spans, whole lines, label lists, credit lines, sign-off tails."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from worker.pipeline.boilerplate import (
    _candidate_lines,
    classify_lines,
    inline_label_span,
    strip_inline,
    strip_signoff_tail,
)
from worker.pipeline.lines import split_lines
from worker.pipeline.model import Removed
from worker.rules_file import load_rules

RULES = load_rules()


def kinds(found: list[tuple[tuple[int, int], Removed]]) -> list[tuple[str, str]]:
    return [(piece.kind, piece.text) for _, piece in sorted(found, key=lambda f: f[0])]


def test_inline_markers_in_a_flattened_scrape() -> None:
    # CNN Indonesia: one line, the ad and scroll markers inline.
    text = (
        "Sedangkan korban yang selamat sebanyak 28 orang. ADVERTISEMENT SCROLL TO CONTINUE "
        'WITH CONTENT "Sampai dengan pukul 13:30 WIB, tim SAR gabungan mencatat," kata Wahyu.'
    )
    result = strip_inline(split_lines(text), RULES)
    assert [ln.text for ln in result.kept] == [
        'Sedangkan korban yang selamat sebanyak 28 orang. "Sampai dengan pukul 13:30 WIB, '
        'tim SAR gabungan mencatat," kata Wahyu.'
    ]
    assert kinds(result.removed) == [
        ("ad_marker", "ADVERTISEMENT"),
        ("scroll_prompt", "SCROLL TO CONTINUE WITH CONTENT"),
    ]


def test_byline_glued_to_the_dateline_and_end_marker_glued_to_the_text() -> None:
    text = (
        "Laporan Wartawan Tribunnews.com, Igman IbrahimTRIBUNNEWS.COM, JAKARTA - Bareskrim Polri\n"
        "Hal itu diungkapkan Rocky Gerung dalam channel youtube pribadinya, pada Jumat (1/9/2023).(*)"
    )
    result = strip_inline(split_lines(text), RULES)
    assert [ln.text for ln in result.kept] == [
        "TRIBUNNEWS.COM, JAKARTA - Bareskrim Polri",
        "Hal itu diungkapkan Rocky Gerung dalam channel youtube pribadinya, pada Jumat (1/9/2023).",
    ]
    assert kinds(result.removed) == [
        ("byline", "Laporan Wartawan Tribunnews.com, Igman Ibrahim"),
        ("editor_initials", "(*)"),
    ]


def test_spider_joined_paragraphs_are_split() -> None:
    # Merdeka: the spider joined the <p> texts with ','.
    text = (
        "Padahal, UMKM menyumbang 61,07 persen dari total produk domestik bruto (PDB).,"
        '"Dari data BPS, jumlah UKM kita itu sekitar 64 juta lebih," ujar Kasan, Senin (29/6).,'
        "Selama pandemi Covid-19.,Reporter: Pipit Ika Ramadhani,Sumber: Liputan6.com "
    )
    result = strip_inline(split_lines(text), RULES)
    assert [ln.text for ln in result.kept] == [
        "Padahal, UMKM menyumbang 61,07 persen dari total produk domestik bruto (PDB).",
        '"Dari data BPS, jumlah UKM kita itu sekitar 64 juta lebih," ujar Kasan, Senin (29/6).',
        "Selama pandemi Covid-19.",
        "Reporter: Pipit Ika Ramadhani",
        "Sumber: Liputan6.com",
    ]
    assert all(ln.new_paragraph for ln in result.kept)


def test_inline_related_link_in_flattened_text() -> None:
    rest = "Polisi Tangkap Pelaku Pembunuhan di Bogor Kapolres mengatakan pelaku sudah ditahan."
    assert rest[: inline_label_span(rest)] == "Polisi Tangkap Pelaku Pembunuhan di Bogor"
    text = "Pelaku kabur ke Bali. Baca juga: " + rest
    result = strip_inline(split_lines(text), RULES)
    assert [ln.text for ln in result.kept] == [
        "Pelaku kabur ke Bali. Kapolres mengatakan pelaku sudah ditahan."
    ]


def test_related_labels_take_their_headlines_only() -> None:
    # detik: one headline after `Baca juga:`; the section heading after it stays.
    detik = (
        "Baca juga:\nIroni Raja Ampat, Masuk Daftar Wajib Dikunjungi 2025, Malah Gaduh Tambang Nikel\n"
        "Usulkan Tim Lintas Kementerian Susun Masterplan Terpadu Raja Ampat\n"
        "Sebagai tindak lanjut, Kementerian Pariwisata mengusulkan pembentukan tim."
    )
    result = classify_lines(split_lines(detik), RULES)
    assert result.kept[0].text.startswith("Usulkan Tim")
    assert result.kept[0].new_paragraph
    # Republika: a bare `Baca Juga` with up to three headlines.
    republika = (
        "Baca Juga\n"
        "KAI Catat Jumlah Penumpang Tumbuh 8,5 Persen pada Januari-Mei 2025, Nyaris Sentuh 200 Juta Orang\n"
        "Lolos dari Kasus Dugaan Pencurian Data KF-21, Teknisi PTDI Pulang dari Korsel ke Indonesia\n"
        "Waskita Karya Rampungkan Proyek Penataan Kawasan Benteng Ambarawa\n"
        "Direktur Keuangan MYOR Hendrik Polisar menyampaikan, penjualan perseroan ditargetkan naik."
    )
    result = classify_lines(split_lines(republika), RULES)
    assert len(result.removed) == 4
    assert [ln.text[:8] for ln in result.kept] == ["Direktur"]
    # Liputan6: a label whose headlines were not scraped; the sentence after it stays.
    result = classify_lines(split_lines("Baca Juga\nBerikut isi postingannya:"), RULES)
    assert [ln.text for ln in result.kept] == ["Berikut isi postingannya:"]


def test_syndication_credit_lines() -> None:
    text = "pungkasnya.\n---------\nArtikel ini telah naik di\ndetikJabar.\nsumber : Antara Foto"
    result = classify_lines(split_lines(text), RULES)
    assert [ln.text for ln in result.kept] == ["pungkasnya."]
    assert kinds(result.removed) == [
        ("separator", "---------"),
        ("syndication_credit", "Artikel ini telah naik di"),
        ("syndication_credit", "detikJabar."),
        ("syndication_credit", "sumber : Antara Foto"),
    ]
    assert result.credits == ["detikJabar", "Antara Foto"]


def test_everything_after_the_editor_initials_is_chrome() -> None:
    text = (
        '"Dalam kurun waktu kurang dari satu bulan," tuturnya.\n'
        "Lihat juga Video 'Motif Cucu Bunuh Nenek di Ciamis: Kesal Tak Diberi Uang':\n"
        "[Gambas:Video 20detik]\n(rdh/mea)\npembunuhan wn kamerun\njabodetabek\n"
        "Hoegeng Awards 2025\nBaca kisah inspiratif kandidat polisi teladan di sini\nSelengkapnya"
    )
    lines = split_lines(text)
    result = classify_lines(lines, RULES)
    kept, found = strip_signoff_tail(result.kept, result.removed, len(lines), RULES)
    assert [ln.text for ln in kept] == ['"Dalam kurun waktu kurang dari satu bulan," tuturnya.']
    assert kinds(result.removed + found) == [
        (
            "video_promo",
            "Lihat juga Video 'Motif Cucu Bunuh Nenek di Ciamis: Kesal Tak Diberi Uang':",
        ),
        ("video_promo", "[Gambas:Video 20detik]"),
        ("editor_initials", "(rdh/mea)"),
        ("topic_tags", "pembunuhan wn kamerun"),
        ("topic_tags", "jabodetabek"),
        ("event_promo", "Hoegeng Awards 2025"),
        ("event_promo", "Baca kisah inspiratif kandidat polisi teladan di sini"),
        ("event_promo", "Selengkapnya"),
    ]


def test_video_lines_that_are_sentences_stay() -> None:
    assert RULES.line_rules.kind_of("Video itu kemudian viral di media sosial.") is None
    assert RULES.line_rules.kind_of("Video Gunung Gede Pangrango Ditutup Sementara, Kenapa?") == (
        "video_promo"
    )


def test_caption_lines_closed_by_a_photo_credit() -> None:
    assert (
        RULES.line_rules.kind_of(
            "Gibran Rakabuming Raka, dijuluki media asing 'Nepo Baby' (Tribunnews.com/Jeprima)"
        )
        == "image_caption"
    )
    assert RULES.line_rules.kind_of("Ilustrasi Drama (Image by mydramalist)") == "image_caption"


def test_caption_glued_to_the_dateline_at_the_start() -> None:
    text = (
        "Suasana sidang di Jakarta, Senin (1/1/2024). (Tribunnews.com/Jeprima)TRIBUNNEWS.COM, "
        "JAKARTA - Sidang digelar hari ini."
    )
    result = strip_inline(split_lines(text), RULES)
    assert [ln.text for ln in result.kept] == ["TRIBUNNEWS.COM, JAKARTA - Sidang digelar hari ini."]
    assert kinds(result.removed) == [
        ("image_caption", "Suasana sidang di Jakarta, Senin (1/1/2024). (Tribunnews.com/Jeprima)")
    ]


def test_consecutive_inline_labels_are_both_removed() -> None:
    text = (
        "Harga naik. Baca juga: Harga Emas Naik Baca juga: Harga Perak Turun Pemerintah "
        "mengatakan harga stabil."
    )
    result = strip_inline(split_lines(text), RULES)
    assert [ln.text for ln in result.kept] == ["Harga naik. Pemerintah mengatakan harga stabil."]
    assert [p.kind for _, p in result.removed] == ["related_link", "related_link"]


def test_flattened_kompas_promo_and_csv_artefact() -> None:
    text = (
        "Pelaku diketahui berusia 25 tahun. Dapatkan update berita pilihan dan breaking news "
        'setiap hari dari Kompas.com. Mari bergabung di Grup Telegram "Kompas.com News Update", '
        "caranya klik link https://t.me/kompascomupdate, kemudian join. Anda harus install "
        'aplikasi Telegram terlebih dulu di ponsel.\n(kpl/khs)";'
    )
    result = strip_inline(split_lines(text), RULES)
    assert [ln.text for ln in result.kept] == ["Pelaku diketahui berusia 25 tahun.", "(kpl/khs)"]
    assert [p.kind for _, p in result.removed] == ["social_promo", "scraper_artifact"]


_INLINE_PIECES = st.sampled_from(
    [
        *("ADVERTISEMENT", "SCROLL TO CONTINUE WITH CONTENT", "(abc/def)", "(*)", '";', "x)"),
        *("Baca juga: Judul Lain", "[Gambas:Video]", "- UTUSAN ONLINE", "Kalimat biasa.", " "),
        *("\n", "\n\n", ".,", "(", ")", "Laporan Wartawan Tribunnews.com, Igman Ibrahim"),
    ]
)


@given(st.lists(_INLINE_PIECES, max_size=16).map("".join))
def test_candidate_lines_hold_every_line_an_active_rule_matches(text: str) -> None:
    lines = split_lines(text)
    joined = "\n".join(line.text for line in lines)
    active = (*RULES.inline_rules.active(joined), *RULES.inline_labels.active(joined))
    candidates = _candidate_lines(joined, active)
    if candidates is None:
        return
    for index, line in enumerate(lines):
        if any(rule.pattern.search(line.text) for rule in active):
            assert index in candidates
