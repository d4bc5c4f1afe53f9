"""Source credit: credit lines first, then in-text attributions; never the publisher itself."""

from __future__ import annotations

from worker.pipeline.credit import pick_credit
from worker.rules_file import load_rules

RULES = load_rules()


def test_in_text_attributions_from_the_corpus() -> None:
    viva = (
        '"Saya pikir ini akan menjadi pertemuan yang sangat berguna," kata Kim Jong-un, seperti '
        "diberitakan Channel News Asia, Kamis 25 April 2019."
    )
    tempo = "kata Tito di Kota Batam, Kepulauan Riau, sebagaimana dikutip Antara pada Ahad."
    tribun = "ujarnya di Sekolah Partai PDIP, Jakarta, Sabtu (28/10/2023), dilansir Kompas.com."
    assert pick_credit([], [viva], "VIVA", RULES) == "Channel News Asia"
    assert pick_credit([], [tempo], "Tempo", RULES) == "Antara"
    assert pick_credit([], [tribun], "Serambinews.com", RULES) == "Kompas.com"


def test_what_is_not_a_credit() -> None:
    texts = [
        "ujar Adrianus saat dihubungi Kompas.com, Selasa (10/6/2025).",  # the publisher itself
        "Mengutip Tribunnews.com, menurut Rocky Gerung, wacana itu skenario.",  # not counted
        '"Akibatnya, pilot memutuskan mendarat," ujar Ferry dikutip daridetiksumutdanCNNIndonesia',
        "Hal itu diberitakan Senin (1/1) oleh sejumlah media.",
        "Seperti diberitakan sebelumnya, polisi menangkap pelaku.",
    ]
    assert pick_credit([], texts, "Kompas.com", RULES) is None


def test_credit_lines_win_and_the_earliest_attribution_counts() -> None:
    body = ["Menurut laporan, seperti diberitakan Reuters, harga naik.", "dilansir AFP kemudian."]
    assert pick_credit(["Antara Foto"], body, None, RULES) == "Antara Foto"
    assert pick_credit([], body, None, RULES) == "Reuters"
    assert pick_credit(["Kompas.com"], body, "Kompas.com", RULES) == "Reuters"
