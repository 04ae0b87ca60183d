"""The index page: every model in one semantic table, the tier chart, the legend, the filters.

The whole table is in the HTML, so the page reads without JavaScript (and with it switched off,
every row shows). ``site.js`` only sorts, filters and pages what is already there; its controls
are written ``hidden`` and revealed by the script, so a reader without it never sees dead
buttons. Rows come in a fixed order (grade, then id), so the same reports give the same bytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from openweights.choices import Letter
from openweights.site.chart import tier_chart
from openweights.site.markup import document, esc
from openweights.site.view import (
    FRAMEWORK_NAMES,
    TONE_MEANING,
    TONES,
    Column,
    Row,
)

PAGE_SIZES = (25, 100, 500)
DEFAULT_PAGE_SIZE = 100
TIER_MEANING = {
    Letter.A: "weights, complete training code and training data all released under open terms",
    Letter.B: "weights and training code open; data not released but described well enough to "
         "rebuild it (OSAID data information)",
    Letter.C: "weights under an open license; training code or data short of B",
    Letter.D: "weights available under a restricted license (use policies, user caps, naming "
         "duties)",
    Letter.F: "weights not open: non-commercial, research-only, not released, or license unknown",
}


def row_order(row: Row) -> tuple[int, str]:
    """Rows sort by grade, best first, then by id (code-point order: locale-independent)."""
    return (Letter(row.grade).rank, row.subject_id)


def _header(col: Column) -> str:
    order = f' data-order="{esc(" ".join(col.order))}"' if col.order else ""
    marked = " data-marked" if col.marked else ""
    label = esc(col.label)
    if col.title and col.title != col.label:
        label = f'<abbr title="{esc(col.title)}">{label}</abbr>'
    return (
        f'<th scope="col" data-key="{esc(col.key)}" data-sort="{col.sort}"{order}{marked}>'
        f"{label}</th>"
    )


def _row(row: Row) -> str:
    # End tags of cells and rows are left out (HTML allows it), and dir="auto" isolates an id's
    # text direction as <bdi> would, without one more element per row: the browser's cost of
    # reading 10,000 rows is mostly their element count.
    org = "" if row.org_in_id else f' data-org="{esc(row.org)}"'
    cells = [
        f'<tr{org}><th scope="row"><a href="{esc(row.page)}" dir="auto">{esc(row.subject_id)}'
        "</a></th>"
    ]
    for cell in row.cells:
        klass = f' class="{esc(cell.tone)}"' if cell.tone else ""
        cells.append(f"<td{klass}>{esc(cell.text)}")
    return "".join(cells)


def _option(value: str, label: str, count: int) -> str:
    return (
        f'<option value="{esc(value)}" data-label="{esc(label)}">'
        f"{esc(label)} ({count})</option>"
    )


def _filters(rows: Sequence[Row]) -> str:
    tiers = Counter(row.grade for row in rows)
    licenses = Counter(row.license for row in rows)
    orgs = sorted({row.org for row in rows})
    tier_options = "".join(
        _option(letter.tier.value, f"{letter.value} {letter.tier.value}",
                tiers.get(letter.value, 0))
        for letter in Letter
    )
    license_options = "".join(
        _option(lic, lic, n) for lic, n in sorted(licenses.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    org_options = "".join(f'<option value="{esc(org)}"></option>' for org in orgs)
    sizes = "".join(
        f'<option value="{n}"{" selected" if n == DEFAULT_PAGE_SIZE else ""}>{n}</option>'
        for n in PAGE_SIZES
    )
    total = len(rows)
    return (
        '<form class="filters" id="filters" role="search" aria-label="Filter models" hidden>'
        '<div class="field"><label for="f-q">Search</label>'
        '<input type="search" id="f-q" name="q" autocomplete="off" spellcheck="false" '
        'placeholder="id, license, tier…"></div>'
        '<div class="field"><label for="f-tier">Tier</label><select id="f-tier" name="tier">'
        f'{_option("", "all tiers", total)}{tier_options}</select></div>'
        '<div class="field"><label for="f-license">Weights license</label>'
        f'<select id="f-license" name="license">{_option("", "all licenses", total)}'
        f"{license_options}</select></div>"
        '<div class="field"><label for="f-org">Organisation</label>'
        '<input type="search" id="f-org" name="org" list="orgs" autocomplete="off" '
        f'spellcheck="false"><datalist id="orgs">{org_options}</datalist></div>'
        '<div class="field"><label for="f-size">Rows per page</label>'
        f'<select id="f-size" name="size">{sizes}</select></div>'
        '<div class="field"><button type="reset" id="f-reset">Clear</button></div>'
        "</form>"
    )


def _legend(columns: Sequence[Column]) -> str:
    tones = "".join(
        f'<li><span class="chip {tone}">{esc(TONE_MEANING[tone][0])}</span> '
        f"{esc(TONE_MEANING[tone][1])}</li>"
        for tone in TONES
    )
    grades = "".join(
        f'<li><span class="chip g{letter.value}">{letter.value}</span> '
        f"<b>{letter.tier.value}</b>: {esc(TIER_MEANING[letter])}</li>"
        for letter in Letter
    )
    frameworks = "".join(
        f"<li><b>{esc(short)}</b>: {esc(full)}</li>" for short, full in FRAMEWORK_NAMES.values()
    )
    cols = "".join(
        f"<li><b>{esc(col.label)}</b>: {esc(col.title)}</li>"
        for col in columns
        if not col.key.startswith("fw-")
    )
    return (
        '<section class="legend" aria-labelledby="legend-h"><h2 id="legend-h">How to read it</h2>'
        '<div class="legend-cols">'
        f'<div><h3>Marks</h3><ul class="plain">{tones}</ul>'
        "<p>Every coloured cell also says its value in words or a symbol.</p></div>"
        f'<div><h3>Grades</h3><ul class="plain">{grades}</ul></div>'
        f'<div><details><summary>What each column means</summary><ul class="plain">{cols}'
        f"{frameworks}</ul></details></div>"
        "</div></section>"
    )


def render_index(
    rows: Sequence[Row], columns: Sequence[Column], *, title: str, version: str
) -> str:
    """The index page for ``rows`` (in any order: they are put in the canonical order here)."""
    ordered = sorted(rows, key=row_order)
    counts = Counter(row.grade for row in rows)
    total = len(ordered)
    noun = "model" if total == 1 else "models"
    head = "".join(_header(col) for col in columns)
    body_rows = "\n".join(_row(row) for row in ordered)
    summary = (
        f"{total} {noun} graded by owcheck: are their weights, training code and training data "
        "open, and under what terms?"
    )
    empty = "" if ordered else '<p class="empty">No reports were given.</p>'
    body = (
        '<a class="skip" href="#models">Skip to the table</a>'
        f"<header><h1>{esc(title)}</h1><p>{esc(summary)}</p></header>"
        "<main>"
        '<div class="overview">'
        '<section class="dist" aria-labelledby="dist-h"><h2 id="dist-h">Tiers</h2>'
        f"<figure>{tier_chart(counts)}</figure></section>"
        f"{_legend(columns)}"
        "</div>"
        '<section aria-labelledby="list-h"><h2 id="list-h">Models</h2>'
        f"{_filters(ordered)}"
        f'<p id="status" class="status" role="status" aria-live="polite">{total} {noun}.</p>'
        '<div class="scroll" role="region" aria-labelledby="models-caption" tabindex="0">'
        '<table id="models" class="index">'
        f'<caption id="models-caption">{total} {noun}, by grade (A first), then by id</caption>'
        f'<thead><tr><th scope="col" data-key="model" data-sort="text">Model</th>{head}</tr>'
        f"</thead>\n<tbody>\n{body_rows}\n</tbody></table></div>{empty}"
        '<nav class="pager" id="pager" aria-label="Pages" hidden>'
        '<button type="button" id="prev">Previous page</button> '
        '<span id="pageinfo"></span> '
        '<button type="button" id="next">Next page</button></nav>'
        "</section></main>"
        f'<footer><p>Built by owcheck {esc(version)} from {total} report'
        f'{"" if total == 1 else "s"}. Grades '
        "follow the four freedoms (use, study, modify, share) for weights, training code and "
        "training data; each model's page cites the clause or card line behind every verdict."
        "</p></footer>"
    )
    return document(title, body, root="", script=True, description=summary)
