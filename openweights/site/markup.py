"""HTML building blocks: escaping, safe links, the page shell.

Every string that came from a report passes through ``esc`` (text and attribute values alike:
attributes are always double-quoted). Links are only ever built from parts that were checked:
``http``/``https`` URLs found in text, Hub repo ids that pass the client's own rules, and page
names from ``openweights.site.names``.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from openweights.patterns import lazy
from openweights.repoids import valid_repo_id

CSP = (
    "default-src 'none'; style-src 'self' file:; script-src 'self' file:; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
"""Only our own stylesheet and script run, even if a string ever escaped its escaping.
(``file:`` beside ``'self'`` because browsers differ on whether ``'self'`` covers file URLs.)"""

# C0/C1 control characters (but tab, line feed, carriage return) are parse errors in HTML.
_CONTROL = lazy("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPECIAL = lazy("[&<>\"'\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_URL = lazy(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}"


def esc(text: object) -> str:
    """``text`` as HTML text or a double-quoted attribute value (control characters become
    U+FFFD)."""
    value = str(text)
    if _SPECIAL().search(value) is None:  # most ids, words and reasons: nothing to do
        return value
    return _CONTROL().sub("\ufffd", html.escape(value, quote=True))


def attr(url: str) -> str:
    """A URL for an ``href``: escaped, and refused (``#``) unless http(s) or relative."""
    lowered = url.strip().lower()
    if ":" in lowered.split("/", 1)[0] and not lowered.startswith(("http://", "https://")):
        return "#"
    return esc(url)


def link(href: str, text: str, *, external: bool = False) -> str:
    """An anchor; external links do not send the referrer or hand over the window."""
    rel = ' rel="noopener noreferrer nofollow"' if external else ""
    return f'<a href="{attr(href)}"{rel}>{esc(text)}</a>'


def linkify(text: str) -> str:
    """``text`` escaped, with every http(s) URL in it turned into a link."""
    out: list[str] = []
    last = 0
    for match in _URL().finditer(text):
        url = match.group(0)
        end = match.end()
        while url and url[-1] in _TRAILING:
            # A closing bracket belongs to the URL only when the URL opened one.
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
            end -= 1
        out.append(esc(text[last:match.start()]))
        out.append(link(url, url, external=True))
        last = end
    out.append(esc(text[last:]))
    return "".join(out)


def _quote(text: str, safe: str) -> str:
    # errors="replace": a lone surrogate (possible in JSON) cannot be UTF-8 encoded.
    return quote(text, safe=safe, errors="replace")


class HubLinks:
    """URLs of repos, files and lines on the Hub (or a mirror that lays out URLs the same way)."""

    def __init__(self, base: str) -> None:
        if not base.lower().startswith(("https://", "http://")):
            raise ValueError(f"the Hub's URL must be http(s), not {base!r}")
        self.base = base.rstrip("/")

    def repo(self, repo_id: str, kind: str = "model") -> str | None:
        """The repo's page, or None when ``repo_id`` is not a valid Hub id."""
        if not valid_repo_id(repo_id):
            return None
        prefix = "/datasets" if kind == "dataset" else ""
        return f"{self.base}{prefix}/{_quote(repo_id, '/')}"

    def file(
        self, repo_id: str, path: str, revision: str | None, line: int | None, kind: str = "model"
    ) -> str | None:
        """A file (and line) at a revision (``main`` when unknown), or None for a bad id/path."""
        page = self.repo(repo_id, kind)
        if page is None or not path or path.startswith("/") or ".." in path.split("/"):
            return None
        rev = _quote(revision or "main", "")
        anchor = f"#L{line}" if line else ""
        return f"{page}/blob/{rev}/{_quote(path, '/')}{anchor}"

    def commit(self, repo_id: str, revision: str) -> str | None:
        """The commit page of ``revision``."""
        page = self.repo(repo_id)
        return None if page is None else f"{page}/commit/{_quote(revision, '')}"


def document(
    title: str,
    body: str,
    *,
    root: str,
    script: bool,
    description: str = "",
) -> str:
    """A whole page. ``root`` is the relative path to the site root (``""`` or ``"../"``)."""
    head = [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="owcheck site">',
        '<meta name="referrer" content="no-referrer">',
    ]
    if description:
        head.append(f'<meta name="description" content="{esc(description)}">')
    head += [
        f"<title>{esc(title)}</title>",
        '<link rel="icon" href="data:,">',
        f'<link rel="stylesheet" href="{root}site.css">',
    ]
    if script:
        head.append(f'<script src="{root}site.js"></script>')
    head.append("</head>")
    return "\n".join([*head, "<body>", body, "</body>", "</html>", ""])
