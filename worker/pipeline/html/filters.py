"""Block-level cleaning inside the chosen container: body paragraphs, media text, boilerplate.

Rules, in order: flagged elements (share bars, ads, related boxes) are removed and reported;
captions and photo credits go to `media`; the page title (``<h1>``) is metadata, not body;
stock boilerplate lines ("Advertisement", "Read more: ...", "Baca juga: ...") are removed;
link-heavy blocks are removed when they come in runs or as list items (link lists), but a lone
link-heavy paragraph amid prose is kept (a sentence that happens to be a link).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from worker.pipeline.html.blocks import Block
from worker.pipeline.html.container import is_substantial
from worker.pipeline.html.model import MediaItem, MediaKind

_LINK_HEAVY: Final = 0.5
_DEDUP_CHARS: Final = 40

# Whole-line boilerplate, several languages (the worker's sources are mostly Indonesian and
# English news). Matched case-insensitively against the whole block.
_BOILERPLATE_LINE: Final = re.compile(
    r"""^(?:advertisement|advertising|advert|anzeige|publicidade|publicidad|pubblicità|iklan
    |реклама|sponsored(?:\scontent)?|scroll\sto\scontinue(?:\swith\scontent)?
    |explore\sfurther|read\smore|read\snext|related(?:\sarticles?|\sstories|\scontent)?
    |see\salso|also\sread|more\son\sthis\sstory|baca\sjuga|lihat\sjuga|simak\sjuga
    |artikel\sterkait|berita\sterkait|share(?:\sthis(?:\sarticle|\sstory)?)?|bagikan
    |(?:follow|like)\sus\b.{0,80}|subscribe\b.{0,100}|sign\sup\b.{0,100}
    |click\shere\b.{0,100}|get\sthe\slatest\b.{0,100}|have\sa\stip\b.{0,150}
    |don'?t\smiss|trending(?:\snow)?|most\s(?:read|popular)|comments?|\d+\scomments?
    |print(?:\sthis\sarticle)?|email|tweet|whatsapp|facebook|twitter|linkedin|pinterest)
    [\s:.!\u00bb\u203a>-]*$""",
    re.IGNORECASE | re.VERBOSE,
)
# Lines that *start* like boilerplate, whatever follows ("Baca juga: <headline>").
_BOILERPLATE_START: Final = re.compile(
    r"""^(?:read\smore|read\salso|also\sread|related|see\salso|watch|baca\sjuga|lihat\sjuga
    |simak\sjuga|baca\spula|artikel\sterkait|berita\sterkait|more\s(?:from|on)\b)\s*[:\u00bb\u203a-]
    |^(?:citation:|this\sdocument\sis\ssubject\sto\scopyright|all\srights\sreserved
    |copyright\s(?:©|\(c\)|\d{4})|©\s?\d{4})""",
    re.IGNORECASE | re.VERBOSE,
)
# Staff credits and sign-offs that news articles end with (wire-service conventions, and the
# "Penulis:/Editor:" lines of Indonesian newsrooms).
_CREDIT_LINE: Final = re.compile(
    r"""^\(?(?:additional\s)?(?:reporting|writing|editing|compiled|translated|produced)\sby\b
    |^\(?(?:penulis|editor|reporter|pewarta|penyunting|kontributor|writer|editing)\s?:.{0,80}$
    |\bcontributed\s(?:to\s)?(?:this|the)\s(?:report|story|article)\b
    |^follow\s.{0,60}\bon\s(?:facebook|twitter|instagram|linkedin|youtube)\b
    |^if\syou\s(?:enjoyed|liked)\sthis\s(?:article|story)""",
    re.IGNORECASE | re.VERBOSE,
)
_CREDIT_LINE_CHARS: Final = 300
# Lines before the body proper that only state when it was published ("Updated: 10:43, Tue,
# Nov 19, 2019", "sexta-feira, 22 de outubro de 2010 às 20:13"): a year or a clock time, and
# few words once digits and punctuation are gone.
_DATE_PREFIX: Final = re.compile(
    r"^(?:published|updated|posted|last\supdated|diterbitkan|diperbarui|dipublikasikan)\b",
    re.IGNORECASE,
)
_YEAR_OR_TIME: Final = re.compile(r"\b(?:19|20)\d{2}\b|\b\d{1,2}[:.]\d{2}\b")
_WORD: Final = re.compile(r"[^\W\d_]+")
_DATE_LINE_CHARS: Final = 100
_DATE_LINE_WORDS: Final = 6
_RELATED_START: Final = re.compile(
    r"^(?:read|baca|lihat|simak|see|also|related|artikel|berita|more|watch)", re.IGNORECASE
)
_CREDIT: Final = re.compile(
    r"""^\(?(?:photo|image|picture|foto|gambar|credit|sumber|source|illustration|ilustrasi)s?
    \s*(?:credit)?\s*[:/]|^\(?(?:©|\(c\)\s)|(?:getty\simages|reuters|\bafp\b|\bap\sphoto
    |shutterstock|antara\sfoto)\)?$""",
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(slots=True)
class Cleaned:
    """What the filters made of a container's blocks."""

    paragraphs: list[str] = field(default_factory=list)
    media: list[MediaItem] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)


def clean_blocks(blocks: list[Block]) -> Cleaned:
    """Split the container's blocks into body paragraphs, media text and removed boilerplate."""
    out = Cleaned()
    seen: set[str] = set()
    first_prose = next(
        (position for position, block in enumerate(blocks) if is_substantial(block)), len(blocks)
    )
    for position, block in enumerate(blocks):
        verdict = _verdict(blocks, position)
        if verdict is None and position < first_prose and _is_date_line(block.text):
            verdict = "byline"
        if verdict is None:
            if len(block.text) >= _DEDUP_CHARS:
                # Pull quotes and teaser echoes repeat a sentence; short cells legitimately do.
                if block.text in seen:
                    continue
                seen.add(block.text)
            out.paragraphs.append(block.text)
        elif verdict in ("caption", "credit"):
            credit = verdict == "credit" or _CREDIT.search(block.text) is not None
            kind: MediaKind = "photo_credit" if credit else "image_caption"
            out.media.append(MediaItem(kind, block.text))
        elif verdict != "title":
            out.removed.append((verdict, block.text))
    return out


def _verdict(blocks: list[Block], position: int) -> str | None:
    """None to keep the block, else the kind it is dropped as."""
    block = blocks[position]
    if block.noise is not None:
        return block.noise
    if block.kind == "caption":
        return "caption"
    if block.kind == "heading" and block.level == 1:
        return "title"
    if _BOILERPLATE_LINE.match(block.text) or _BOILERPLATE_START.match(block.text):
        return "related" if _RELATED_START.match(block.text) else "boilerplate"
    if len(block.text) <= _CREDIT_LINE_CHARS and _CREDIT_LINE.search(block.text):
        return "byline"
    if block.link_density > _LINK_HEAVY and (
        block.kind != "p" or _link_heavy(blocks, position - 1) or _link_heavy(blocks, position + 1)
    ):
        return "related"
    return None


def _is_date_line(text: str) -> bool:
    if len(text) > _DATE_LINE_CHARS:
        return False
    if _DATE_PREFIX.match(text):
        return True
    return _YEAR_OR_TIME.search(text) is not None and len(_WORD.findall(text)) <= _DATE_LINE_WORDS


def _link_heavy(blocks: list[Block], position: int) -> bool:
    return 0 <= position < len(blocks) and blocks[position].link_density > _LINK_HEAVY
