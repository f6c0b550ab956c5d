"""A comment's text: a safe subset of Markdown (paragraphs, emphasis, lists, quotes, code, links),
rendered and then sanitised with nh3, so that whatever was typed is inert on the page.

Raw HTML typed into a comment is not part of the subset: Markdown passes it through and nh3 keeps only
the tags below (their text stays); `<script>` is refused when the comment is written (services), and
anything that still carries one (a translation, an old row) loses it with its content here.
"""

from __future__ import annotations

import re

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
SCRIPT = re.compile(r"<\s*/?\s*script\b", re.IGNORECASE)


def has_script(text: str) -> bool:
    return bool(SCRIPT.search(text))


def to_html(text: str) -> Markup:
    """The comment's Markdown as HTML that is safe to put in a page or an e-mail."""
    html = markdown.markdown(text or "", output_format="html")
    return Markup(nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,  # noqa: S704  sanitised by nh3
                            url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow"))


def to_plain(text: str, length: int | None = None) -> str:
    """The comment as plain text (e-mail text parts, the digest, notifications): the tags dropped."""
    plain = nh3.clean(to_html(text), tags=set(), attributes={}).strip()
    plain = re.sub(r"\s+", " ", plain)
    # nh3 leaves entities (&amp;); plain text wants the characters back.
    plain = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace(
        "&#39;", "'").replace("&amp;", "&")
    if length is not None and len(plain) > length:
        plain = plain[:length].rsplit(" ", 1)[0] + "…"
    return plain
