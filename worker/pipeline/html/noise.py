"""Which elements are never article text, judged from tag, attributes, class and id names.

Two strengths: *dead* elements (scripts, forms controls, hidden nodes) are skipped outright;
*noisy* elements (navigation, comment threads, share bars, related-link boxes, ads) are kept
but their text is flagged, so the container scorer can count it against a candidate and the
block filter can report it as removed boilerplate. Names are matched as whole tokens of the
class/id (``related-posts`` -> ``related``, ``posts``; ``shareBar`` -> ``share``, ``bar``),
which avoids the substring traps of matching ``ad`` inside ``header`` or ``load``.
"""

from __future__ import annotations

import functools
import re
from typing import Final

import lxml.html

#: Elements whose content is never visible text.
DEAD_TAGS: Final = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "iframe",
        "object",
        "embed",
        "canvas",
        "video",
        "audio",
        "map",
        "select",
        "option",
        "button",
        "textarea",
        "input",
        "label",
        "head",
        "title",
        "meta",
        "link",
        "base",
        "dialog",
    ]
)

#: Structural elements that hold page chrome rather than the article (kind reported as removed).
NOISY_TAGS: Final = {
    "nav": "navigation",
    "aside": "aside",
    "footer": "footer",
    "menu": "navigation",
}


def _kinds(kind: str, names: str) -> dict[str, str]:
    return dict.fromkeys(names.split(), kind)


# Whole class/id tokens that name boilerplate, mapped to the kind reported in `removed`.
_NOISE_TOKENS: Final[dict[str, str]] = {
    **_kinds("comments", "comment comments disqus replies respond discussion"),
    **_kinds(
        "related",
        """related recommended recommendations recirc recirculation trending popular mostpopular
        mostread readmore readalso outbrain taboola more next prev previous teaser teasers
        bacajuga""",
    ),
    **_kinds("share", "share sharing sharebar social socials sociallinks follow"),
    **_kinds(
        "ad",
        """ad ads adv advert adverts advertisement advertising adslot adunit dfp sponsor sponsored
        promo promotion banner commercial""",
    ),
    **_kinds(
        "newsletter",
        """newsletter subscribe subscription signup paywall registration cookie cookies consent
        gdpr popup modal overlay""",
    ),
    **_kinds(
        "navigation",
        """nav navbar navigation menu breadcrumb breadcrumbs pagination pager sidebar masthead
        toolbar skip header footer topbar widget widgets rail sitemap logo brand branding""",
    ),
    **_kinds("tags", "tags tag tagcloud keywords topics"),
    **_kinds("byline", "author byline bio authorbio dateline timestamp"),
    **_kinds("caption", "caption figcaption"),
    **_kinds("credit", "credit credits"),
    **_kinds("hidden", "sronly visuallyhidden screenreaderonly screenreadertext"),
    # Standfirsts repeat the meta description above the body; they are not body text.
    **_kinds("summary", "excerpt dek standfirst strapline subtitle subheadline"),
}

_ROLE_NOISE: Final = {
    **_kinds("navigation", "navigation banner search menu"),
    **_kinds("newsletter", "dialog alert"),
    "contentinfo": "footer",
    "complementary": "aside",
}

# Joined names ("relatedposts", "sharebuttons") that the token split cannot see.
_NOISE_PREFIXES: Final = tuple(
    tuple(pair.split(":"))
    for pair in [
        "related:related",
        "share:share",
        "social:share",
        "comment:comments",
        "newsletter:newsletter",
        "advert:ad",
        "sidebar:navigation",
    ]
)
_PREFIXES: Final = tuple(prefix for prefix, _ in _NOISE_PREFIXES)
_SPLIT: Final = re.compile(r"[\s_\-:.]+|(?<=[a-z])(?=[A-Z])")
# Whether `_SPLIT` cuts a name (whitespace aside: names come from str.split()). When it does
# not, the name is its only token, and that token is the joined name, already looked up.
_SPLITS: Final = re.compile(r"[_\-:.]|[a-z][A-Z]")
_HIDDEN_STYLE: Final = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Attribute values longer than this are not class names (hostile or generated markup).
_MAX_NAME_CHARS: Final = 300


#: `NoiseClassifier.kind` of elements whose subtree is skipped.
DEAD: Final = "dead"


class NoiseClassifier:
    """`classify` plus invisibility checks, with a per-page memo (pages repeat class names).

    Create one per page (the memo is not meant to outlive it).
    """

    __slots__ = ("_memo",)

    def __init__(self) -> None:
        self._memo: dict[tuple[str, str | None, str | None, str | None], str | None] = {}

    def kind(self, element: lxml.html.HtmlElement, tag: str) -> str | None:
        """`DEAD` for invisible subtrees, a boilerplate kind, or None for ordinary elements."""
        if tag in DEAD_TAGS:
            return DEAD
        attributes = element.keys()
        if not attributes:
            return NOISY_TAGS.get(tag)
        if "hidden" in attributes:
            return DEAD
        if "style" in attributes:
            style = element.get("style") or ""
            if _HIDDEN_STYLE.search(style[:_MAX_NAME_CHARS]) is not None:
                return DEAD
        key = (tag, element.get("class"), element.get("id"), element.get("role"))
        try:
            return self._memo[key]
        except KeyError:
            found = self._memo[key] = classify(*key)
            return found


def classify_element(element: lxml.html.HtmlElement) -> str | None:
    """`classify` for one element (no memo, no invisibility check)."""
    tag = element.tag if isinstance(element.tag, str) else ""
    return classify(tag, element.get("class"), element.get("id"), element.get("role"))


def classify(tag: str, class_: str | None, id_: str | None, role: str | None) -> str | None:
    """The boilerplate kind an element's tag, role, class or id names; None for ordinary ones."""
    kind = NOISY_TAGS.get(tag)
    if kind is not None:
        return kind
    if role is not None and role in _ROLE_NOISE:
        return _ROLE_NOISE[role]
    for value in (class_, id_):
        if not value:
            continue
        for name in value[:_MAX_NAME_CHARS].split():
            kind = _name_kind(name)
            if kind is not None:
                return kind
    return None


@functools.lru_cache(maxsize=8192)
def _name_kind(name: str) -> str | None:
    # Cached across pages: a site repeats its class names on every page, and the names are
    # short (`_MAX_NAME_CHARS`), so the cache stays small. Most names name nothing.
    # "read-more" and "readMore" both become "readmore"; tokens catch "related-posts".
    if name.lower() == name:
        # No upper case (nine names in ten), so no camelCase cuts, and the tokens are already
        # lower case: plain string splits give `_SPLIT`'s tokens (plus empty strings).
        joined = name.replace("-", "").replace("_", "")
        kind = _NOISE_TOKENS.get(joined)
        if kind is not None:
            return kind
        if joined != name or ":" in name or "." in name:
            for token in name.replace("_", "-").replace(":", "-").replace(".", "-").split("-"):
                kind = _NOISE_TOKENS.get(token)
                if kind is not None:
                    return kind
    else:
        joined = name.replace("-", "").replace("_", "").lower()
        kind = _NOISE_TOKENS.get(joined)
        if kind is not None:
            return kind
        if _SPLITS.search(name) is not None:
            for token in _SPLIT.split(name):
                kind = _NOISE_TOKENS.get(token.lower())
                if kind is not None:
                    return kind
    if joined.startswith(_PREFIXES):
        for prefix, prefix_kind in _NOISE_PREFIXES:
            if joined.startswith(prefix):
                return prefix_kind
    if "credit" in joined:
        return "credit"
    if "caption" in joined:
        return "caption"
    return None
