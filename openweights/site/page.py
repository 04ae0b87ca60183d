"""One model's page: the scorecard as HTML, with every verdict's evidence and a way back.

The same content as the text format (grade, reason, the component x freedom grid with the
clause behind each cell, frameworks, lineage, datasets, findings) plus the evidence list, with
links: card lines and files on the Hub (at the graded revision), forge repositories named in
the evidence, base models and datasets (to their own page in this site when there is one).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from openweights.choices import Severity
from openweights.grade import COMPONENTS
from openweights.licensing.features import Freedom
from openweights.patterns import lazy
from openweights.site.markup import HubLinks, document, esc, link, linkify
from openweights.site.view import (
    CELL_LOOKS,
    FRAMEWORK_LOOKS,
    FRAMEWORK_NAMES,
    SUMMARY_LOOKS,
    VERDICT_LOOKS,
    component_summary,
    look,
    stage_summary,
    stages,
)

ROOT = "../"
"""From a model page (in ``models/``) to the site root."""
_SEVERITY_RANK = {s.value: s.rank for s in Severity}
_LINE = lazy(r"[0-9]{1,9}")
_FORGE_PLACE = lazy(r"[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/[A-Za-z0-9._-]+){1,4}")
MAX_DEPTH = 6
"""Nesting shown of a value whose shape owcheck does not know; deeper parts read ``…``."""


class PageContext:
    """What a model page needs besides its report: the Hub's URLs and the other pages."""

    def __init__(self, pages: Mapping[str, str], hub: HubLinks) -> None:
        self.pages = pages
        """subject id -> page path relative to the site root, for every model in the site."""
        self.hub = hub
        """Builds Hub URLs."""

    def model_href(self, repo_id: str) -> tuple[str | None, bool]:
        """Where a model id links: its page here (False) or on the Hub (True); None: nowhere."""
        page = self.pages.get(repo_id)
        if page is not None:
            return ROOT + page, False
        return self.hub.repo(repo_id), True


def _tone_cell(item_text: str, tone: str, extra: str = "") -> str:
    return f'<td class="{esc(tone)}"{extra}>{item_text}</td>'


def _repo_ref(ctx: PageContext, repo_id: str, kind: str = "model") -> str:
    if kind == "model":
        href, external = ctx.model_href(repo_id)
    else:
        href, external = ctx.hub.repo(repo_id, kind), True
    text = f"<bdi>{esc(repo_id)}</bdi>"
    if href is None:
        return text
    rel = ' rel="noopener noreferrer nofollow"' if external else ""
    return f'<a href="{esc(href)}"{rel}>{text}</a>'


class _Origins:
    """Turns an evidence origin (``README.md:12``, ``hub:gated``, ``org/base:LICENSE``) into a
    link when the report came from the Hub."""

    def __init__(self, report: Mapping[str, Any], ctx: PageContext) -> None:
        subject = report["subject"]
        self.subject = subject["id"]
        self.on_hub = subject["source"] == "hub"
        self.revision = subject["revision"]
        self.datasets = {d["id"] for d in report["datasets"]}
        self.hub = ctx.hub

    def href(self, origin: str) -> str | None:
        if origin.startswith("forge:"):  # forge:HOST/ORG/REPO (report 1.2)
            where = origin[len("forge:"):]
            return f"https://{where}" if _FORGE_PLACE().fullmatch(where) else None
        parts = origin.split(":")
        repo: str | None = None
        names_repo = len(parts) == 2 and "/" in parts[0] and parts[0] != "hub"
        if len(parts) == 3 or (names_repo and not _LINE().fullmatch(parts[1])):
            repo, parts = parts[0], parts[1:]
        if len(parts) > 2 or (repo is None and not self.on_hub) or parts[0] in ("", "-"):
            return None
        kind = "dataset" if repo in self.datasets else "model"
        target = repo or self.subject
        if parts[0] == "hub":
            return self.hub.repo(target, kind) if len(parts) == 2 else None
        line: int | None = None
        if len(parts) == 2:
            if not _LINE().fullmatch(parts[1]):
                return None
            line = int(parts[1])
        return self.hub.file(target, parts[0], None if repo else self.revision, line, kind)

    def render(self, origin: str) -> str:
        href = self.href(origin)
        code = f"<code>{esc(origin)}</code>"
        if href is None:
            return code
        return f'<a href="{esc(href)}" rel="noopener noreferrer nofollow">{code}</a>'


def _header(report: Mapping[str, Any], ctx: PageContext) -> str:
    subject = report["subject"]
    grade, tier = report["grade"], report["tier"]
    revision = subject["revision"]
    facts = [f"<dt>Source</dt><dd>{esc(subject['source'])}"]
    if subject["source"] == "hub":
        repo = ctx.hub.repo(subject["id"])
        if repo:
            facts[-1] += f" · {link(repo, 'open on the Hub', external=True)}"
    facts[-1] += "</dd>"
    if revision:
        commit = ctx.hub.commit(subject["id"], revision) if subject["source"] == "hub" else None
        shown = f"<code>{esc(revision)}</code>"
        if commit:
            shown = f'<a href="{esc(commit)}" rel="noopener noreferrer nofollow">{shown}</a>'
        facts.append(f"<dt>Revision</dt><dd>{shown}</dd>")
    tool = report["tool"]
    facts.append(
        f"<dt>Graded by</dt><dd>{esc(tool['name'])} {esc(tool['version'])} "
        f"(report schema {esc(report['schema_version'])})</dd>"
    )
    return (
        f'<header><p class="back"><a href="{ROOT}index.html">← All models</a></p>'
        f"<h1><bdi>{esc(subject['id'])}</bdi></h1>"
        f'<p class="headline"><span class="badge g{esc(grade)}">{esc(grade)}</span> '
        f'<span class="tier">{esc(tier)}</span></p>'
        f'<p class="reason">{esc(report["reason"])}</p>'
        f'<dl class="facts">{"".join(facts)}</dl></header>'
    )


def _closest(value: Any) -> str:
    """Report 1.1's ``closest``: the known license a changed text is nearest to."""
    if not isinstance(value, Mapping):
        return ""
    name = _text(value.get("id")) or "a known license"
    similarity = value.get("similarity")
    similar = (f", {round(100 * similarity)} % similar"
               if isinstance(similarity, (int, float)) and not isinstance(similarity, bool)
               else "")
    diff = value.get("diff")
    changes = ""
    if isinstance(diff, Mapping):
        parts = [f"{diff[k]} {k.replace('_', ' ')}" for k in
                 ("inserted", "deleted", "changed", "added_terms")
                 if isinstance(diff.get(k), int) and not isinstance(diff.get(k), bool) and diff[k]]
        changes = f" ({', '.join(parts)} words)" if parts else ""
    return (f'<span class="sub">a changed text: closest to {esc(name)}{esc(similar)}'
            f"{esc(changes)}</span>")


def _grid(report: Mapping[str, Any]) -> str:
    freedoms = [f.value for f in Freedom]
    head = "".join(f'<th scope="col">{esc(f)}</th>' for f in freedoms)
    rows = []
    for name in COMPONENTS:
        comp = report["components"][name]
        lic = comp["license"]
        verdict = look(VERDICT_LOOKS, lic["verdict"])
        lic_text = esc(lic["id"] or "no license")
        if lic["name"] and lic["name"] != lic["id"]:
            lic_text += f' <span class="muted">({esc(lic["name"])})</span>'
        summary = SUMMARY_LOOKS[component_summary(comp)]
        label = (
            f'<th scope="row"><span class="comp">{esc(name)}</span> '
            f'<span class="chip {summary.tone}">{esc(summary.symbol)} {esc(summary.word)}</span>'
            f'<span class="sub">{esc(comp["available"])}</span>'
            f'<span class="sub">{esc(verdict.symbol)} {lic_text} · {esc(verdict.word)}</span>'
            f'<span class="sub muted">license read from: {esc(lic["source"])}</span>'
            f"{_closest(lic.get('closest'))}</th>"
        )
        cells = []
        for freedom in freedoms:
            mark = look(CELL_LOOKS, comp["freedoms"].get(freedom))
            reason = comp["reasons"].get(freedom, "")
            cells.append(
                f'<td class="{mark.tone}" data-label="{freedom}">'
                f'<span class="mark">{esc(mark.symbol)} {esc(mark.word)}</span>'
                f'<span class="why">{esc(reason)}</span></td>'
            )
        rows.append(f"<tr>{label}{''.join(cells)}</tr>")
    return (
        '<section aria-labelledby="grid-h"><h2 id="grid-h">Scorecard</h2>'
        '<table class="grid"><caption>Each component against the four freedoms, with the '
        "clause or card line behind each verdict</caption>"
        f'<thead><tr><td></td>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        "</section>"
    )


def _value(value: Any, depth: int = 0) -> str:
    """A value of unknown shape (from a newer report) as plain escaped text."""
    if depth > MAX_DEPTH:
        return "…"
    if isinstance(value, Mapping):
        return "; ".join(f"{esc(k)}: {_value(v, depth + 1)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_value(v, depth + 1) for v in value)
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return linkify(str(value))


def _text(value: Any) -> str | None:
    """A string field of a newer part of the report, or None when it is not a string."""
    return value if isinstance(value, str) else None


def _short_license(value: Any, origins: _Origins) -> str:
    """``{id, verdict, source, origin}`` (report 1.2) as one line."""
    if not isinstance(value, Mapping):
        return "–"
    verdict = look(VERDICT_LOOKS, value.get("verdict"))
    out = (f'<span class="chip {verdict.tone}">{esc(verdict.symbol)} '
           f'{esc(_text(value.get("id")) or "no license")} · {esc(verdict.word)}</span>')
    source = _text(value.get("source"))
    if source and source != "none":
        out += f' <span class="muted">from {esc(source)}</span>'
    origin = _text(value.get("origin"))
    if origin:
        out += f" {origins.render(origin)}"
    return out


def _rest(item: Mapping[str, Any], known: set[str]) -> str:
    """Keys of ``item`` this page does not know, shown plainly (they come from newer reports)."""
    return "".join(
        f'<span class="sub"><b>{esc(k)}</b>: {_value(v)}</span>'
        for k, v in item.items()
        if k not in known
    )


_STAGE_KEYS = {"stage", "name", "state", "inherited_from", "available", "license",
               "data_information", "sources"}
_SOURCE_KEYS = {"name", "kind", "dataset", "corpus", "available", "license", "origin", "context"}


def _stage_sources(sources: Any, ctx: PageContext, origins: _Origins) -> str:
    if not isinstance(sources, list) or not sources:
        return '<span class="muted">no source named</span>'
    items = []
    for src in sources:
        if not isinstance(src, Mapping):
            items.append(f"<li>{_value(src)}</li>")
            continue
        name = esc(_text(src.get("name")) or "?")
        dataset = _text(src.get("dataset"))
        if dataset:
            name = f"{_repo_ref(ctx, dataset, 'dataset')}"
        extra = [esc(v) for v in (_text(src.get("kind")), _text(src.get("available"))) if v]
        corpus = _text(src.get("corpus"))
        if corpus:
            extra.append(f"corpus {esc(corpus)}")
        origin = _text(src.get("origin"))
        context = _text(src.get("context"))
        items.append(
            f"<li>{name} <span class=\"muted\">({', '.join(extra)})</span> "
            f"{_short_license(src.get('license'), origins)}"
            + (f" {origins.render(origin)}" if origin else "")
            + (f'<span class="sub muted">“{linkify(context)}”</span>' if context else "")
            + _rest(src, _SOURCE_KEYS)
            + "</li>"
        )
    return f'<ul class="plain">{"".join(items)}</ul>'


def _stages(report: Mapping[str, Any], ctx: PageContext, origins: _Origins) -> str:
    found = stages(report)
    if not found:
        return ""
    rows = []
    for name, stage in found:
        item = stage_summary(stage)
        inherited = _text(stage.get("inherited_from"))
        where = "this model"
        if inherited:
            bases = ", ".join(_repo_ref(ctx, b.strip()) for b in inherited.split(",") if b.strip())
            where = f"inherited from {bases}"
        info = stage.get("data_information")
        points = ""
        if isinstance(info, Mapping) and info:
            points = '<span class="sub">data information: ' + ", ".join(
                f"{'✔' if v is True else '✘'} {esc(k.replace('_', ' '))}" for k, v in info.items()
            ) + "</span>"
        available = _text(stage.get("available"))
        rows.append(
            f'<tr><th scope="row">{esc(name)}<span class="sub muted">{where}</span></th>'
            f'<td class="{item.tone}">{esc(item.symbol)} {esc(item.word)}'
            + (f'<span class="sub">{esc(available)}</span>' if available else "")
            + f"</td><td>{_short_license(stage.get('license'), origins)}{points}"
            f"{_rest(stage, _STAGE_KEYS)}</td>"
            f"<td>{_stage_sources(stage.get('sources'), ctx, origins)}</td></tr>"
        )
    return (
        '<section aria-labelledby="stages-h"><h2 id="stages-h">Training data by stage</h2>'
        "<p>The data row is as open as its least open stage; a derived model inherits its "
        'bases\' stages.</p><table class="list"><thead><tr><th scope="col">Stage</th>'
        '<th scope="col">State</th><th scope="col">License</th><th scope="col">Sources</th>'
        f'</tr></thead><tbody>{"".join(rows)}</tbody></table></section>'
    )


_CODE_KEYS = {"url", "repository", "role", "covers", "counts", "why", "context", "origin", "via",
              "license", "forge"}


def _code_repositories(report: Mapping[str, Any], origins: _Origins) -> str:
    repos = report.get("code_repositories")
    if not isinstance(repos, list) or not repos:
        return ""
    rows = []
    for repo in repos:
        if not isinstance(repo, Mapping):
            continue
        url = _text(repo.get("url")) or ""
        shown = _text(repo.get("repository")) or url
        name = (link(url, shown, external=True)
                if url.lower().startswith(("https://", "http://")) else esc(shown))
        role = esc(_text(repo.get("role")) or "?")
        counts = repo.get("counts")
        if counts is True:
            role += ' <span class="chip good">✔ counts</span>'
        elif counts is False:
            role += ' <span class="chip none">– does not count</span>'
        why = _text(repo.get("why"))
        forge = repo.get("forge")
        answer = "–"
        if isinstance(forge, Mapping):
            answer = esc(_text(forge.get("status")) or "?")
            if _text(forge.get("license")):
                answer += f" · {esc(forge['license'])}"
            if _text(forge.get("message")):
                answer += f'<span class="sub muted">{linkify(forge["message"])}</span>'
        origin = _text(repo.get("origin"))
        rows.append(
            f"<tr><th scope=\"row\">{name}"
            + (f" {origins.render(origin)}" if origin else "")
            + f"</th><td>{role}"
            + (f'<span class="sub muted">{linkify(why)}</span>' if why else "")
            + f"</td><td>{_short_license(repo.get('license'), origins)}</td><td>{answer}"
            f"{_rest(repo, _CODE_KEYS)}</td></tr>"
        )
    return (
        '<section aria-labelledby="code-h"><h2 id="code-h">Code repositories</h2>'
        "<p>Every repository the card links, with its role; only the model's own training and "
        "data-processing code counts for the code row.</p>"
        '<table class="list"><thead><tr><th scope="col">Repository</th><th scope="col">Role</th>'
        '<th scope="col">License</th><th scope="col">Forge</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></section>'
    )


def _frameworks(report: Mapping[str, Any]) -> str:
    rows = []
    for key, (short, full) in FRAMEWORK_NAMES.items():
        item = look(FRAMEWORK_LOOKS[key], report["frameworks"][key])
        rows.append(
            f'<tr><th scope="row">{esc(full)} <span class="muted">({esc(short)})</span></th>'
            f'<td class="{item.tone}">{esc(item.symbol)} {esc(item.word)}</td></tr>'
        )
    return (
        '<section aria-labelledby="fw-h"><h2 id="fw-h">Frameworks</h2>'
        "<p>Outside definitions of openness, side by side; they disagree mostly about training "
        'data.</p><table class="list"><thead><tr><th scope="col">Framework</th>'
        f'<th scope="col">Verdict</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
        "</section>"
    )


def _evidence(report: Mapping[str, Any], origins: _Origins) -> str:
    parts = []
    for name in COMPONENTS:
        facts = report["components"][name]["evidence"]
        if facts:
            items = "".join(
                f"<li>{linkify(fact['claim'])} <span class=\"origin\">"
                f"{origins.render(fact['origin'])}</span></li>"
                for fact in facts
            )
            parts.append(f"<h3>{esc(name.capitalize())}</h3><ul>{items}</ul>")
        else:
            parts.append(f'<h3>{esc(name.capitalize())}</h3><p class="muted">nothing found</p>')
    return (
        '<section aria-labelledby="ev-h"><h2 id="ev-h">Evidence</h2>'
        f'{"".join(parts)}</section>'
    )


def _lineage(report: Mapping[str, Any], ctx: PageContext, origins: _Origins) -> str:
    links = report["lineage"]
    inferred = _inferred_bases(report, ctx, origins)
    if not links:
        none = "" if inferred else (
            '<p class="muted">No base model: owcheck found none in the metadata, the files or '
            "the card's words (a model read from disk has its bases named, not looked up).</p>"
        )
        return (f'<section aria-labelledby="lin-h"><h2 id="lin-h">Lineage</h2>{none}{inferred}'
                "</section>")
    root = report["subject"]["id"]
    bases: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for item in links:
        bases[item["child"]].append(item)
    placed: set[str] = {root}

    def node(item: Mapping[str, Any]) -> str:
        lic = item["license"]
        verdict = look(VERDICT_LOOKS, lic["verdict"])
        relation = item["relation"] or "base"
        missing = "" if item["found"] else ' <span class="muted">(not found)</span>'
        inner = children(item["id"])
        return (
            f"<li>{_repo_ref(ctx, item['id'])} <span class=\"rel\">{esc(relation)}</span> "
            f'<span class="chip {verdict.tone}">{esc(verdict.symbol)} '
            f'{esc(lic["id"] or "no license")} · {esc(verdict.word)}</span>{missing}{inner}</li>'
        )

    def children(parent: str) -> str:
        items = []
        for item in bases.get(parent, []):
            if item["id"] in placed:
                continue  # drawn once: a diamond's shared base or a cycle
            placed.add(item["id"])
            items.append(node(item))
        return f"<ul>{''.join(items)}</ul>" if items else ""

    tree = children(root)
    orphans = []
    for item in links:
        if item["id"] not in placed:  # its child is not in the tree: hang it under the root
            placed.add(item["id"])
            orphans.append(node(item))
    if orphans:
        tree += f"<p>Also named as a base model:</p><ul>{''.join(orphans)}</ul>"
    return (
        '<section aria-labelledby="lin-h"><h2 id="lin-h">Lineage</h2>'
        "<p>A model is never more open than its base models; each branch is a base model "
        "(a merge has several).</p>"
        f'<ul class="tree"><li><bdi>{esc(root)}</bdi> <span class="muted">(this model)</span>'
        f"{tree}</li></ul>{inferred}</section>"
    )


_BASE_KEYS = {"name", "family", "signal", "confidence", "relation", "applied", "license", "quote",
              "origin"}


def _inferred_bases(report: Mapping[str, Any], ctx: PageContext, origins: _Origins) -> str:
    """Bases read from other signals than the Hub's lineage (report 1.2's ``inferred_bases``)."""
    found = report.get("inferred_bases")
    if not isinstance(found, list) or not found:
        return ""
    rows = []
    for base in found:
        if not isinstance(base, Mapping):
            continue
        name = _text(base.get("name")) or "?"
        shown = _repo_ref(ctx, name) if "/" in name else f"<bdi>{esc(name)}</bdi>"
        how = " · ".join(esc(v) for v in (_text(base.get("signal")), _text(base.get("confidence")))
                         if v)
        origin = _text(base.get("origin"))
        quote = _text(base.get("quote"))
        applied = base.get("applied")
        chip = ('<span class="chip none">applied</span>' if applied is True
                else '<span class="chip none muted">not applied</span>' if applied is False else "")
        rows.append(
            f'<tr><th scope="row">{shown}</th><td>{how}'
            + (f" {origins.render(origin)}" if origin else "")
            + (f'<span class="sub muted">{esc(quote)}</span>' if quote else "")
            + f"</td><td>{esc(_text(base.get('relation')) or 'base')}</td>"
            f"<td>{_short_license(base.get('license'), origins)} {chip}"
            f"{_rest(base, _BASE_KEYS)}</td></tr>"
        )
    return (
        "<h3>Bases read from the card and its files</h3><p>Found besides the Hub's lineage (the "
        "metadata known offline, config files, weight-file headers, the model tree, the title "
        "and the card's words); an applied base can lower the weights' verdict, never raise it."
        '</p><table class="list"><thead><tr><th scope="col">Base</th><th scope="col">Read from'
        '</th><th scope="col">Relation</th><th scope="col">License</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table>'
    )


def _datasets(report: Mapping[str, Any], ctx: PageContext) -> str:
    items = report["datasets"]
    if not items:
        return (
            '<section aria-labelledby="ds-h"><h2 id="ds-h">Datasets</h2>'
            '<p class="muted">No dataset named in the card metadata.</p></section>'
        )
    rows = []
    for item in items:
        lic = item["license"]
        verdict = look(VERDICT_LOOKS, lic["verdict"])
        found = {True: "yes", False: "no", None: "not looked up"}.get(item["found"], "?")
        rows.append(
            f'<tr><th scope="row">{_repo_ref(ctx, item["id"], "dataset")}</th>'
            f"<td>{esc(found)}</td><td>{esc(lic['id'] or 'no license')}</td>"
            f'<td class="{verdict.tone}">{esc(verdict.symbol)} {esc(verdict.word)}</td></tr>'
        )
    return (
        '<section aria-labelledby="ds-h"><h2 id="ds-h">Datasets</h2>'
        '<table class="list"><thead><tr><th scope="col">Dataset</th>'
        '<th scope="col">Found</th><th scope="col">License</th><th scope="col">Verdict</th>'
        f'</tr></thead><tbody>{"".join(rows)}</tbody></table></section>'
    )


def _rule_ref(finding: Mapping[str, Any]) -> str:
    rule = esc(finding["rule"])
    url = finding["url"]
    if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
        rule = f'<a href="{esc(url)}" rel="noopener noreferrer nofollow">{rule}</a>'
    return f"{rule} <span class=\"muted\">{esc(finding['name'])}</span>"


def _findings(report: Mapping[str, Any], origins: _Origins) -> str:
    found: Sequence[Mapping[str, Any]] = report["findings"]
    active = sorted(
        (f for f in found if f["suppressed"] is None),
        key=lambda f: (-_SEVERITY_RANK.get(f["severity"], -1), f["rule"]),
    )
    suppressed = [f for f in found if f["suppressed"] is not None]
    out = ['<section aria-labelledby="fi-h">']
    if active:
        out.append(f'<h2 id="fi-h">Findings ({len(active)})</h2>')
        rows = []
        for f in active:
            where = f["location"]
            place = where["path"] or ""
            if place and where["line"]:
                place = f"{place}:{where['line']}"
            location = origins.render(place) if place else "–"
            rows.append(
                f'<tr><td class="sev-{esc(f["severity"])}">{esc(f["severity"])}</td>'
                f'<td>{_rule_ref(f)}</td><td class="where">{location}</td>'
                f'<td>{linkify(f["message"])}<span class="fix">fix: {linkify(f["fix"])}</span>'
                "</td></tr>"
            )
        out.append(
            '<table class="list findings"><thead><tr><th scope="col">Severity</th>'
            '<th scope="col">Rule</th><th scope="col">Where</th><th scope="col">Message</th>'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        )
    else:
        out.append('<h2 id="fi-h">Findings</h2><p>No findings.</p>')
    if suppressed:
        items = "".join(
            f"<li>{_rule_ref(f)}: {esc(f['message'])} <span class=\"muted\">(suppressed: "
            f"{esc(f['suppressed'])})</span></li>"
            for f in suppressed
        )
        out.append(f"<h3>Suppressed ({len(suppressed)})</h3><ul>{items}</ul>")
    unused = report["unused_suppressions"]
    if unused:
        items = "".join(
            f"<li>{esc(u['rule'])} at line {esc(u['line'])} matches no finding</li>"
            for u in unused
        )
        out.append(f"<h3>Unused suppressions</h3><ul>{items}</ul>")
    out.append("</section>")
    return "".join(out)


def render_page(report: Mapping[str, Any], ctx: PageContext) -> str:
    """The page of one (validated) report."""
    origins = _Origins(report, ctx)
    sid = report["subject"]["id"]
    body = (
        f"{_header(report, ctx)}<main>"
        f"{_grid(report)}{_stages(report, ctx, origins)}{_frameworks(report)}"
        f"{_lineage(report, ctx, origins)}{_datasets(report, ctx)}"
        f"{_code_repositories(report, origins)}"
        f"{_evidence(report, origins)}{_findings(report, origins)}"
        f'</main><footer><p><a href="{ROOT}index.html">← All models</a></p></footer>'
    )
    title = f"{sid}: {report['grade']} {report['tier']}"
    return document(title, body, root=ROOT, script=False, description=report["reason"])
