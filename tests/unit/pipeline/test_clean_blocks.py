"""Paragraph-level boilerplate: promos, bare related headlines, repeats, SEO phrases."""

from __future__ import annotations

from worker.pipeline.blocks import filter_paragraphs, strip_seo_keyword
from worker.pipeline.lines import split_lines
from worker.pipeline.paragraphs import join_text, paragraph_groups
from worker.rules_file import load_rules

RULES = load_rules()


def run(text: str, captions: tuple[str, ...] = ()) -> tuple[list[str], list[tuple[str, str]]]:
    kept, found = filter_paragraphs(paragraph_groups(split_lines(text)), RULES, list(captions))
    return [t for t, _ in kept], [(p.kind, p.text) for _, p in found]


def test_bare_related_headline_between_paragraphs_goes() -> None:
    # VIVA: related headlines interleaved without a label.
    text = (
        "Hal itu disepakati dalam pertemuan tatap muka pertama di kota Vladivostok, Rusia.\n\n"
        "Delegasi Korea Utara Kunjungi Iran, Isu Kerjasama Semakin Kuat\n\n"
        "Dalam pernyataan singkat sebelum melakukan pembicaraan tertutup, kedua pemimpin "
        "mengungkapkan harapan mereka."
    )
    kept, found = run(text)
    assert len(kept) == 2
    assert found == [
        ("related_headline", "Delegasi Korea Utara Kunjungi Iran, Isu Kerjasama Semakin Kuat")
    ]


def test_section_heading_echoed_by_its_paragraph_stays() -> None:
    text = (
        '"Raja Ampat adalah mahakarya alam," Widiyanti menegaskan.\n\n'
        "Usulkan Tim Lintas Kementerian Susun Masterplan Terpadu Raja Ampat\n\n"
        "Sebagai tindak lanjut, Kementerian Pariwisata mengusulkan pembentukan tim lintas "
        "kementerian untuk menyusun Masterplan Terpadu Raja Ampat."
    )
    kept, found = run(text)
    assert len(kept) == 3
    assert found == []


def test_exploded_whatsapp_promo_is_removed_line_by_line() -> None:
    text = (
        "Dua dari delapan remaja tersebut adalah perempuan.\n"
        "Simak\nbreaking news\ndan\nberita pilihan\n"
        "kami langsung di ponselmu. Pilih saluran andalanmu akses berita Kompas.com WhatsApp "
        "Channel :\nhttps://www.whatsapp.com/channel/0029VaFPbedBPzjZrk13HO3D\n"
        ". Pastikan kamu sudah install aplikasi WhatsApp ya."
    )
    kept, found = run(text)
    assert kept == ["Dua dari delapan remaja tersebut adalah perempuan."]
    assert [kind for kind, _ in found] == ["social_promo"] * 7
    assert found[0] == ("social_promo", "Simak")


def test_long_paragraph_about_whatsapp_is_news() -> None:
    text = ("Meta meluncurkan fitur WhatsApp Channel baru di Indonesia. " * 10).strip()
    kept, found = run(text)
    assert found == []
    assert kept == [text]


def test_repeated_caption_and_scraper_duplicate() -> None:
    caption = (
        "Gibran Rakabuming Raka, dijuluki media asing 'Nepo Baby' usai tampil di Debat "
        "Cawapres 2024, apa itu sebenarnya?"
    )
    paragraph = "Gibran juga dikaitkan dengan isu politik dinasti di Indonesia pada tahun ini."
    text = f"{paragraph}\n\n{caption} (wartakota)\n\n{paragraph}"
    kept, found = run(text, captions=(caption,))
    assert kept == [paragraph]
    assert found == [
        ("image_caption", caption + " (wartakota)"),
        ("scraper_duplicate", paragraph),
    ]


def test_seo_keyword_at_start_and_end() -> None:
    groups = paragraph_groups(
        split_lines(
            "Pawarta bahasa jawa banjir – Kahanan banjir ing Sampang taksih inggil.\n\n"
            "Ewon warga sampun dievakuasi datheng posko pengungsian. Pawarta bahasa jawa banjir."
        )
    )
    paragraphs = [(join_text(g), g) for g in groups]
    kept, found = strip_seo_keyword(paragraphs)
    assert [t for t, _ in kept] == [
        "Kahanan banjir ing Sampang taksih inggil.",
        "Ewon warga sampun dievakuasi datheng posko pengungsian.",
    ]
    assert [p.text for _, p in found] == [
        "Pawarta bahasa jawa banjir – ",
        "Pawarta bahasa jawa banjir.",
    ]


def test_a_phrase_that_does_not_recur_is_not_seo() -> None:
    groups = paragraph_groups(split_lines("Kata dia - ini penting.\n\nLain kali saja."))
    paragraphs = [(join_text(g), g) for g in groups]
    assert strip_seo_keyword(paragraphs) == (paragraphs, [])
