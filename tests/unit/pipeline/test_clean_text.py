"""`clean_text`, the stage's entry point: the VIVA seed, flattened pages, and totality."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from worker.pipeline.clean import Cleaned, clean_text
from worker.pipeline.model import Dateline
from worker.rules_file import load_rules

RULES = load_rules()

# The problem-defining payload (corpus record `seed-viva-putin-kim`), byte-exact.
VIVA = (
    "Pertemuan Pertama Putin-Kim, Sepakat Tingkatkan Hubungan Bilateral\n\n"
    "Pemimpin Korea Utara, Kim Jong-un.\nSumber :\n  • Istimewa\n\n"
    "VIVA\u00a0–\u00a0Presiden Rusia Vladimir Putin dan pemimpin Korea Utara Kim Jong-un sepakat "
    "untuk meningkatkan hubungan bilateral kedua negara. Hal itu\u00a0disepakati dalam pertemuan "
    "tatap muka pertama antara kedua pemimpin negara di kota Vladivostok, Rusia, Kamis 25 April "
    "2019.\n\nDelegasi Korea Utara Kunjungi Iran, Isu Kerjasama Semakin Kuat\n\n"
    "Dalam pernyataan singkat sebelum melakukan pembicaraan tertutup, kedua pemimpin "
    "mengungkapkan harapan mereka untuk memperkuat hubungan bersejarah antara Korut dan Rusia.\n\n"
    '"Saya pikir ini akan menjadi pertemuan yang sangat berguna dalam mengembangkan hubungan '
    "antara kedua negara, yang memiliki persahabatan dan sejarah yang panjang, menjadi lebih "
    'stabil dan sehat," kata Kim Jong-un, seperti diberitakan Channel News Asia, Kamis 25 April '
    "2019.\n\nDeretan Negara Paling Tak Percaya Tuhan di Dunia, Mayoritas di Benua Asia!\n\n"
    '"Karena dunia terfokus pada Semenanjung Korea, saya pikir kami akan mengadakan dialog yang '
    'sangat berarti," dia\u00a0menambahkan.\n\n'
    "Sementara itu,\u00a0Putin mengatakan kepada Kim bahwa dia mendukung upaya berkelanjutan "
    "untuk meredakan ketegangan di Semenanjung Korea, dan ingin meningkatkan hubungan ekonomi "
    "dengan negara terisolasi\u00a0tersebut.\n\n"
    "Kim Jong Un Dikabarkan Punya Selingkuhan Seorang Penyanyi, Hingga Punya Anak Bersama\n\n"
    '"Saya yakin bahwa kunjungan Anda akan membantu kami untuk lebih memahami bagaimana kami '
    "dapat menyelesaikan situasi di Semenanjung Korea dan apa yang dapat Rusia lakukan untuk "
    'mendukung proses positif yang sedang terjadi," kata Putin.\n\n'
    '"Dalam hal hubungan bilateral, kita harus melakukan banyak hal untuk mengembangkan hubungan '
    'ekonomi," lanjutnya.\n\n'
    "Selain dua topik tersebut, isu-isu yang kemungkinan besar akan dibahas adalah mengenai "
    "nasib sekitar 10 ribu buruh Korea Utara yang bekerja di Rusia.\n\n"
    "Tenaga kerja adalah salah satu ekspor utama Korea Utara dan menjadi sumber pemasukan "
    "negara. Pyongyang telah meminta Rusia untuk terus mempekerjakan pekerjanya setelah batas "
    "waktu yang ditentukan.\n\nHalaman Selanjutnya\nHalaman Selanjutnya"
)


def test_viva_seed() -> None:
    cleaned = clean_text(VIVA, title=None, url=None, rules=RULES)
    assert cleaned.title == "Pertemuan Pertama Putin-Kim, Sepakat Tingkatkan Hubungan Bilateral"
    assert cleaned.publisher == "VIVA"
    assert cleaned.dateline == Dateline(raw="VIVA\u00a0–", location=None)
    assert cleaned.source_credit == "Channel News Asia"
    assert len(cleaned.paragraphs) == 9
    assert cleaned.paragraphs[0].startswith("Presiden Rusia Vladimir Putin dan pemimpin")
    assert "Hal itu disepakati" in cleaned.paragraphs[0]  # NBSP became a space
    assert cleaned.paragraphs[-1].endswith("setelah batas waktu yang ditentukan.")
    assert [(r.kind, r.text.strip()) for r in cleaned.removed] == [
        ("image_caption", "Pemimpin Korea Utara, Kim Jong-un."),
        ("photo_credit", "Sumber :"),
        ("photo_credit", "• Istimewa"),
        ("related_headline", "Delegasi Korea Utara Kunjungi Iran, Isu Kerjasama Semakin Kuat"),
        (
            "related_headline",
            "Deretan Negara Paling Tak Percaya Tuhan di Dunia, Mayoritas di Benua Asia!",
        ),
        (
            "related_headline",
            "Kim Jong Un Dikabarkan Punya Selingkuhan Seorang Penyanyi, Hingga Punya Anak Bersama",
        ),
        ("pagination", "Halaman Selanjutnya"),
        ("pagination", "Halaman Selanjutnya"),
    ]


def test_payload_title_and_url_win_over_the_text() -> None:
    text = (
        "SERAMBINEWS.COM - Belakangan keputusan Ketua Umum NasDem Surya Paloh menjadi topik.\n"
        "Mengutip Tribunnews.com, menurut Rocky Gerung, wacana tersebut skenario Jokowi."
    )
    cleaned = clean_text(
        text,
        title="VIDEO Duet Anies Cak Imin Skenario Jokowi? - Serambinews.com",
        url="https://aceh.tribunnews.com/2023/09/02/video-duet",
        rules=RULES,
    )
    assert cleaned.title == "VIDEO Duet Anies Cak Imin Skenario Jokowi?"
    assert cleaned.publisher == "Serambinews.com"
    assert cleaned.dateline == Dateline(raw="SERAMBINEWS.COM -", location=None)
    assert cleaned.source_credit is None  # `Mengutip` is not counted as a credit


def test_flattened_page_header_caption_and_strip() -> None:
    strip = "Prabowo says Indonesia may need an authoritarian touch to fight corruption"
    text = (
        f"{strip} {strip} Dollar holds gains in thin trading "
        "Published on 2026-02-17T09:40:42+07:00 "
        "http://www.thejakartapost.com/business/2026/02/17/dollar-holds-gains-in-thin-trading.html "
        "An employee displays US dollar banknotes in South Tangerang, Banten, on Jan. 21, 2026. "
        "(Antara/Hafidz Mubarak A) he dollar held gains on Tuesday as markets awaited signals. "
        "The yen trimmed losses from a day earlier. Norway, Indonesia launch fourth period of "
        "Environmental Fund Dollar risk premium is rebuilding Get the latest news in your inbox"
    )
    cleaned = clean_text(text, title=None, url=None, rules=RULES)
    assert cleaned.title == "Dollar holds gains in thin trading"
    assert cleaned.publisher == "The Jakarta Post"  # from the URL in the header
    assert cleaned.date_text == "2026-02-17T09:40:42+07:00"
    assert cleaned.paragraphs == (
        "he dollar held gains on Tuesday as markets awaited signals. "
        "The yen trimmed losses from a day earlier.",
    )
    assert [r.kind for r in cleaned.removed] == [
        "related_headline",
        "related_headline",
        "headline_echo",
        "image_caption",
        "related_headline",
    ]


def test_html_paragraphs_joined_by_blank_lines_stay_paragraphs() -> None:
    text = "Paragraf pertama tanpa titik\n\nParagraf kedua juga\n\nParagraf ketiga."
    cleaned = clean_text(text, title="Judul", url=None, rules=RULES)
    assert cleaned.paragraphs == (
        "Paragraf pertama tanpa titik",
        "Paragraf kedua juga",
        "Paragraf ketiga.",
    )


def test_nothing_left_gives_empty_paragraphs() -> None:
    cleaned = clean_text(
        "ADVERTISEMENT\n\nHalaman Selanjutnya\n", title=None, url=None, rules=RULES
    )
    assert cleaned.paragraphs == ()
    assert [r.kind for r in cleaned.removed] == ["ad_marker", "pagination"]
    assert clean_text("", title=None, url=None, rules=RULES) == Cleaned(
        title=None, paragraphs=(), removed=(), dateline=None, publisher=None, source_credit=None
    )


_PIECES = st.sampled_from(
    [
        "Baca juga:",
        "JAKARTA, KOMPAS.com",
        "VIVA –",
        "(abc/def)",
        "ADVERTISEMENT",
        "&amp;amp;",
        "Published on 2026-01-01T00:00:00+07:00 http://x.com/a-b-c-d.html",
        "Sumber :",
        ".,",
        "Daftar Isi",
        "» » » Judul",
        "Get the latest news in your inbox",
        "Video: A B C",
        "Laporan Wartawan Tribunnews.com, Ab CdXYZ.COM, X -",
        "\n",
        "\n\n",
        " ",
        "•",
        "-",
        "Kata",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=40).map("".join),
    st.one_of(st.none(), st.text(max_size=40)),
    st.one_of(
        st.none(), st.text(max_size=40), st.just("https://www.kompas.com/a/judul-berita-ini")
    ),
)
def test_total_over_arbitrary_text(text: str, title: str | None, url: str | None) -> None:
    cleaned = clean_text(text, title=title, url=url, rules=RULES)
    assert all(p and p == p.strip() and "\n" not in p for p in cleaned.paragraphs)
    assert all(r.kind for r in cleaned.removed)


def test_wire_dateline_credits_the_agency_not_the_site() -> None:
    text = "Medan (ANTARA) - Polisi menangkap dua pelaku pencurian di Medan, Senin."
    on_site = clean_text(text, title="Judul", url="https://www.suara.com/news/x", rules=RULES)
    assert on_site.dateline == Dateline(raw="Medan (ANTARA) -", location="Medan")
    assert (on_site.publisher, on_site.source_credit) == ("Suara.com", "ANTARA")
    alone = clean_text(text, title="Judul", url=None, rules=RULES)
    assert (alone.publisher, alone.source_credit) == ("Antara", None)


def test_blank_line_separated_headline_without_echo_goes_but_heading_stays() -> None:
    text = (
        "KOMPAS.com - Polisi menangkap dua pelaku pencurian kendaraan bermotor di Depok.\n"
        "Respons Partai Golkar Soal Pencalonan Gibran Sebagai Wakil Presiden\n"
        "Kapolres mengatakan kedua pelaku sudah lama diincar oleh petugas di lapangan."
    )
    cleaned = clean_text(text, title="Judul", url=None, rules=RULES)
    # Line-exploded text: a lone Title-Case line is a heading, never a bare related headline.
    assert len(cleaned.paragraphs) == 3
    assert cleaned.removed == ()


def test_malay_dateline_with_date_and_an_outlet_signoff() -> None:
    text = (
        "KOTA BHARU 2 Jan. – Seorang lelaki ditahan polis kerana disyaki mencuri motosikal.\n\n"
        "Ketua Polis Daerah berkata, suspek berusia 30 tahun. - UTUSAN ONLINE"
    )
    cleaned = clean_text(text, title=None, url=None, rules=RULES)
    assert cleaned.dateline == Dateline(raw="KOTA BHARU 2 Jan. –", location="Kota Bharu")
    assert cleaned.date_text == "2 Jan."
    assert cleaned.publisher == "Utusan Malaysia"  # named only by the sign-off
    assert cleaned.paragraphs[-1] == "Ketua Polis Daerah berkata, suspek berusia 30 tahun."
    assert [(r.kind, r.text) for r in cleaned.removed] == [("outlet_signoff", "- UTUSAN ONLINE")]
