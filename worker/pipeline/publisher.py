"""Publisher: the masthead named in the dateline, else the URL's host, else a title suffix.

Display names come from the rules' `mastheads` table (`aceh.tribunnews.com` ->
`Serambinews.com`, `REPUBLIKA.CO.ID` -> `Republika`); an unknown dateline masthead is kept
as written (domains in capitals get a capital first letter only: `SERAMBINEWS.COM` ->
`Serambinews.com`), an unknown host falls back to its registrable domain.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from worker.pipeline.rules import CleaningRules

__all__ = [
    "host_of",
    "publisher_from_dateline",
    "publisher_from_host",
    "registrable_name",
]

# Second-level labels under a country code that are not the site's own name (`co.id`).
_GENERIC_SECOND_LEVEL = frozenset(
    {"co", "com", "net", "org", "or", "ac", "go", "gov", "edu", "web", "sch", "my", "biz"}
)
_DOMAIN = re.compile(r"^[A-Za-z0-9-]+(?:\.[A-Za-z]{2,})+$")
# An http(s) or scheme-less URL whose host is plain ASCII (no user, port, brackets or
# control characters): its netloc is exactly the host.
_PLAIN_URL = re.compile(r"(?:https?:)?//([A-Za-z0-9.-]+)(?:[/?#]|\Z)")


def host_of(url: str | None) -> str | None:
    """Lower-case host of `url` without `www.`, or None when there is none."""
    if not url:
        return None
    candidate = url.strip()
    if "//" not in candidate:
        candidate = "//" + candidate
    simple = _PLAIN_URL.match(candidate)
    if simple is not None:
        # What `urlsplit(candidate).hostname` returns for such a URL, at a tenth of the cost.
        host: str | None = simple.group(1).lower()
    else:
        try:
            host = urlsplit(candidate).hostname
        except ValueError:
            return None
    if not host or "." not in host:
        return None
    return host.removeprefix("www.")


def registrable_domain(host: str) -> str:
    """`megapolitan.kompas.com` -> `kompas.com`; `visual.republika.co.id` -> `republika.co.id`."""
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _GENERIC_SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def registrable_name(host: str) -> str:
    """The site's own label: `kompas` for `megapolitan.kompas.com`."""
    return registrable_domain(host).split(".")[0]


def publisher_from_host(host: str, rules: CleaningRules) -> str:
    """Masthead for a host: the most specific known suffix, else the registrable domain."""
    labels = host.split(".")
    for start in range(len(labels) - 1):
        known = rules.masthead(".".join(labels[start:]))
        if known:
            return known
    return registrable_domain(host)


def publisher_from_dateline(name: str, rules: CleaningRules) -> str:
    """Display name for a dateline masthead (`KOMPAS.com` -> `Kompas.com`)."""
    known = rules.masthead(name.casefold())
    if known:
        return known
    if _DOMAIN.match(name):
        host = name.lower()
        via_host = publisher_from_host(host, rules)
        if via_host != registrable_domain(host):
            return via_host
        if name.isupper():
            return name[0] + name[1:].lower()
    return name
