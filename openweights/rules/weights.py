"""OW2xx: the weights and their license."""

from __future__ import annotations

from collections.abc import Iterator

from openweights.evidence import (
    WEIGHT_SUFFIXES,
    Evidence,
    LicenseFinding,
    Origin,
    open_source_claims,
)
from openweights.licensing.grader import Verdict
from openweights.rules import Hit, Severity, rule


def _is_other(finding: LicenseFinding) -> bool:
    return bool(finding.raw) and str(finding.raw).strip().lower() == "other"


def _clause(finding: LicenseFinding) -> str:
    """The deciding clause of a license, for messages ("§2: user cap")."""
    if finding.grade is None:
        return ""
    for feature in finding.grade.decisive_clauses()[:1]:
        return f" ({feature.clause}: {feature.summary.rstrip('.')})"
    return ""


@rule(
    "OW201",
    "no-license",
    Severity.ERROR,
    "weights",
    "Add `license:` to the metadata (a Hub id, or `other` + license_name and a LICENSE file).",
)
def no_license(ev: Evidence) -> Iterator[Hit]:
    """The model states no license anywhere.

    Without a license nobody may use, study, modify or share the weights: copyright law's
    default is "all rights reserved". owcheck found no ``license:`` in the metadata, no LICENSE
    file and no license named in the card.

    Fails::

        ---
        library_name: transformers
        ---
        # My model

    Passes::

        ---
        license: apache-2.0
        library_name: transformers
        ---
        # My model
    """
    if ev.own_license.source == "none" and not ev.declared and not ev.license_files:
        yield Hit(
            "no license in the metadata, no LICENSE file, and none named in the card",
            1 if ev.card else None,
        )


@rule(
    "OW202",
    "other-without-name",
    Severity.ERROR,
    "weights",
    "With `license: other`, add `license_name:` (a short id) and `license_link: LICENSE`.",
)
def other_without_name(ev: Evidence) -> Iterator[Hit]:
    """``license: other`` names no license.

    ``other`` only says "a custom license". The Hub asks for ``license_name`` and
    ``license_link`` so people can find the terms; without them the license is unknown.

    Fails::

        ---
        license: other
        ---

    Passes::

        ---
        license: other
        license_name: my-model-license-1.0
        license_link: LICENSE
        ---
    """
    card = ev.card
    if card is None:
        return
    if (
        any(_is_other(d) for d in ev.declared)
        and not card.meta.text("license_name")
        and not card.meta.text("license_link")
    ):
        yield Hit("`license: other` without license_name or license_link", card.line_of("license"))


@rule(
    "OW203",
    "unknown-license-id",
    Severity.WARNING,
    "weights",
    "Use an id from the Hub's license list, or `other` with license_name and a LICENSE file.",
)
def unknown_license_id(ev: Evidence) -> Iterator[Hit]:
    """``license:`` is not an id the Hub or owcheck knows.

    The Hub accepts a fixed list of license ids. An unrecognised value is shown as no license
    and cannot be graded: owcheck never treats an unknown license as open.

    Fails::

        ---
        license: apache-two
        ---

    Passes::

        ---
        license: apache-2.0
        ---
    """
    for d in ev.declared:
        hint = ev.close_license_ids.get(str(d.raw)) if d.entry is None else None
        if hint is not None:
            extra = f"; did you mean {', '.join(hint)}?" if hint else ""
            yield Hit(f"license {d.raw!r} is not a known license id{extra}", d.origin.line)


@rule(
    "OW204",
    "unresolved-custom-license",
    Severity.WARNING,
    "weights",
    "Ship the license text as LICENSE, or use a license_name owcheck knows (`owcheck licenses`).",
)
def unresolved_custom_license(ev: Evidence) -> Iterator[Hit]:
    """A custom license could not be identified.

    ``license: other`` with a ``license_name`` owcheck does not know, and no LICENSE text that
    matches a known license: the terms cannot be graded, so the weights count as unknown.

    Fails::

        ---
        license: other
        license_name: my-own-terms
        ---

    Passes::

        ---
        license: other
        license_name: deepseek
        ---
    """
    card = ev.card
    if card is None:
        return
    name = card.meta.text("license_name")
    if not any(_is_other(d) for d in ev.declared) or not name:
        return
    if any(f.status == "match" for f in ev.license_files):
        return
    yield Hit(
        f"license_name {name!r} is not in the catalogue and no LICENSE text matches",
        card.line_of("license_name"),
    )


@rule(
    "OW205",
    "license-file-conflict",
    Severity.ERROR,
    "weights",
    "Make `license:` name the license the LICENSE file contains (the file is what binds).",
)
def license_file_conflict(ev: Evidence) -> Iterator[Hit]:
    """The metadata license differs from the LICENSE file.

    The LICENSE text is what people agree to, so owcheck grades the file and reports the
    metadata as wrong. A common case is a fine-tune tagged ``apache-2.0`` that ships its base
    model's community license. An SPDX expression (``MIT OR Apache-2.0``) agrees with a file
    that holds any license it names.

    Fails::

        ---
        license: apache-2.0
        ---
        ==> LICENSE <==
        Grok 2 Community License Agreement

        (the agreement's terms follow)

    Passes::

        ---
        license: grok2-community
        ---
        ==> LICENSE <==
        Grok 2 Community License Agreement

        (the agreement's terms follow)
    """
    declared = [d for d in ev.declared if d.entry and d.entry.kind != "placeholder"]
    if not declared:
        return
    # Every id a value names: an expression (``MIT OR Apache-2.0``) agrees with a file holding
    # any license it names.
    named = {i for d in declared for i in d.ids}
    for f in ev.license_files:
        # A matched text, or a title naming a license owcheck holds no text of.
        if not (f.decides_license or f.status == "named") or f.entry is None:
            continue
        if f.entry.id not in named:
            first = declared[0]
            yield Hit(
                f"metadata says {first.raw if len(first.ids) > 1 else first.ids[0]} but "
                f"{f.path} is {f.entry.id} ({f.description}); the file wins",
                first.origin.line,
            )


@rule(
    "OW206",
    "custom-license-without-file",
    Severity.WARNING,
    "weights",
    "Add the license text as a LICENSE file in the repo and point `license_link:` at it.",
)
def custom_license_without_file(ev: Evidence) -> Iterator[Hit]:
    """A custom license is named but its text is not in the repo.

    The Hub asks repos with ``license: other`` to include the text in a LICENSE file; the terms
    should travel with the weights.

    Fails::

        ---
        license: other
        license_name: deepseek
        ---
        ==> model.safetensors <==
        (weights)

    Passes::

        ---
        license: other
        license_name: deepseek
        license_link: LICENSE
        ---
        ==> model.safetensors <==
        (weights)
        ==> LICENSE <==
        DeepSeek license text goes here.
    """
    if not ev.bundle.subject.files or ev.license_files:
        return
    for d in ev.declared:
        if _is_other(d) or (d.entry is not None and d.entry.hub_id is None):
            yield Hit(
                "a custom license is named but there is no LICENSE file in the repo", d.origin.line
            )
            return


@rule(
    "OW207",
    "license-link-broken",
    Severity.ERROR,
    "weights",
    "Point `license_link:` at a file that exists in the repo, or at a full URL.",
)
def license_link_broken(ev: Evidence) -> Iterator[Hit]:
    """``license_link`` names a repo file that does not exist.

    A relative ``license_link`` must name a file in the repo (``LICENSE``, ``LICENSE.md``);
    otherwise the license page on the Hub is a dead link.

    Fails::

        ---
        license: other
        license_name: my-license
        license_link: LICENSE.md
        ---
        ==> model.safetensors <==
        (weights)

    Passes::

        ---
        license: other
        license_name: my-license
        license_link: LICENSE.md
        ---
        ==> model.safetensors <==
        (weights)
        ==> LICENSE.md <==
        My license terms.
    """
    link = ev.license_link
    files = ev.bundle.subject.files
    if link is None or link.remote or not files:
        return
    if link.path is None or link.path not in files:
        yield Hit(
            f"license_link {link.value!r} names a file that is not in the repo", link.origin.line
        )


@rule(
    "OW208",
    "open-source-claim",
    Severity.WARNING,
    "weights",
    "Say 'open weights' (or name the license) instead of 'open source'.",
)
def open_source_claim(ev: Evidence) -> Iterator[Hit]:
    """The card calls the model open source, but its weights license is not open.

    Restricted licenses (acceptable-use policies, user caps, non-commercial terms) are not open
    source by any definition (OSD, OSAID). Calling such a model open source misleads users.

    Fails::

        ---
        license: cc-by-nc-4.0
        ---
        # An open-source model for everyone

    Passes::

        ---
        license: cc-by-nc-4.0
        ---
        # A research model with open weights for non-commercial use
    """
    if ev.card is None or ev.weights.license.verdict not in (Verdict.RESTRICTED, Verdict.NOT_OPEN):
        return
    lines = open_source_claims(ev.card)
    if lines:
        lic = ev.weights.license.entry.id if ev.weights.license.entry else "its license"
        yield Hit(
            f"the card says 'open source' but the weights are under {lic} "
            f"({ev.weights.license.verdict.value})",
            lines[0],
        )


@rule(
    "OW209",
    "license-only-in-prose",
    Severity.WARNING,
    "weights",
    "Put the license id in the metadata: `license: <id>`.",
)
def license_only_in_prose(ev: Evidence) -> Iterator[Hit]:
    """The license is stated only in the text of the card.

    Tools and the Hub's license filter read ``license:`` from the metadata. A license named
    only in prose (or only in the gate prompt) is invisible to them.

    Fails::

        # My model

        The weights are released under the Apache 2.0 license.

    Passes::

        ---
        license: apache-2.0
        ---
        # My model

        The weights are released under the Apache 2.0 license.
    """
    named = [d for d in ev.declared if d.entry is not None and d.entry.kind != "placeholder"]
    if not named and ev.own_license.source in ("body", "gated-prompt"):
        lic = ev.own_license.entry.id if ev.own_license.entry else ev.own_license.raw
        yield Hit(
            f"license {lic} is named only in the card text, not in `license:`",
            ev.own_license.origin.line,
        )


@rule(
    "OW210",
    "no-weight-files",
    Severity.INFO,
    "weights",
    "Upload the weights (safetensors, gguf, ...) or say in the card where they are.",
)
def no_weight_files(ev: Evidence) -> Iterator[Hit]:
    """The repo has no weight files.

    owcheck looks for safetensors, bin, gguf, onnx, pt and similar files. A card-only repo may
    be fine (weights elsewhere), but then the card should say where the weights are.

    Fails::

        ---
        license: mit
        ---
        ==> config.json <==
        {}

    Passes::

        ---
        license: mit
        ---
        ==> model.safetensors <==
        (weights)
    """
    files = ev.bundle.subject.files
    if files and not any(f.lower().endswith(WEIGHT_SUFFIXES) for f in files):
        yield Hit(
            "no weight files (safetensors, bin, gguf, onnx, ...) in the repo",
            None,
            ev.bundle.subject.card_path,
        )


@rule(
    "OW211",
    "license-list",
    Severity.INFO,
    "weights",
    "If parts of the repo are under different licenses, say which part is under which.",
)
def license_list(ev: Evidence) -> Iterator[Hit]:
    """``license:`` is a list; with several licenses the most restrictive one is applied.

    The Hub's model-card spec asks for one license id. A list does not say which file is under
    which license, so owcheck assumes the weights may be under any of them and grades the least
    open; a one-item list is simply written the long way.

    Fails::

        ---
        license: [mit, cc-by-nc-4.0]
        ---

    Passes::

        ---
        license: mit
        ---
    """
    if ev.card is None or not ev.card.meta.is_list("license"):
        return
    line = ev.card.line_of("license")
    if len(ev.declared) == 1 and len(ev.card.meta.get("license")) == 1:
        yield Hit(f"license is a one-item list; write it as `license: {ev.declared[0].raw}`", line)
        return
    names = ", ".join(str(d.raw) for d in ev.declared)
    worst = ev.own_license.entry.id if ev.own_license.entry else "unknown"
    yield Hit(f"license is a list ({names}); grading the least open: {worst}", line)


@rule(
    "OW212",
    "license-text-modified",
    Severity.WARNING,
    "weights",
    "Ship the license text unmodified, or name the changes and give the license its own name.",
)
def license_text_modified(ev: Evidence) -> Iterator[Hit]:
    """A LICENSE file is a known license with changes, or with terms added to it.

    A modified license is a different license: owcheck cannot grade it from the catalogue and
    counts it as unknown until someone reads it. The finding quotes the word diff against the
    closest license (``[-removed-]{+added+}``); an addendum after a known license (a
    non-commercial rider under Apache-2.0, say) counts as a change.

    Fails::

        ---
        license: mit
        ---
        ==> LICENSE <==
        MIT License

        Permission is given to run these weights for personal study only. You may not
        use them in a product, sell access to them, or train other models with what they
        produce. The authors may withdraw this permission at any time, and the weights
        come with no warranty of any kind.

    Passes::

        ---
        license: mit
        ---
    """
    for f in ev.license_files:
        if f.status == "modified":
            changes = [f"line {line}: {wdiff}" for line, wdiff in f.changes]
            shown = "; ".join(changes[:_DIFF_SHOWN])
            more = f" (+{len(changes) - _DIFF_SHOWN} more)" if len(changes) > _DIFF_SHOWN else ""
            diff = f"; diff: {shown}{more}" if shown else ""
            yield Hit(f"{f.path}: {f.description}{diff}", f.first_change, f.path)


_DIFF_SHOWN = 3
"""Edits quoted in the finding; ``owcheck identify --diff`` shows them all."""


@rule(
    "OW213",
    "weights-not-open",
    Severity.WARNING,
    "weights",
    "Nothing to fix in the card if the terms are intended; consider an open license.",
)
def weights_not_open(ev: Evidence) -> Iterator[Hit]:
    """The weights license is restricted or not open.

    Reported so that gates and code-scanning alerts show why a model is graded D or F, with the
    clause that decides it.

    Fails::

        ---
        license: cc-by-nc-4.0
        ---

    Passes::

        ---
        license: apache-2.0
        ---
    """
    lic = ev.weights.license
    if lic.verdict in (Verdict.RESTRICTED, Verdict.NOT_OPEN) and lic.entry is not None:
        where = "" if lic.origin.repo is None else f" (inherited from {lic.origin.repo})"
        line = lic.origin.line if lic.origin.repo is None else None
        yield Hit(
            f"weights license {lic.entry.id} is {lic.verdict.value}{where}{_clause(lic)}",
            line,
            lic.origin.path if lic.origin.repo is None else None,
        )


_STATEMENT_SOURCES = {
    "metadata": "metadata",
    "license-file": "the LICENSE file",
    "openness": "the openness block",
    "body": "the card's text",
    "weight-file": "the weight file's header",
}
"""Where a statement of the weights' license can be, in the order messages list them."""


def _says(finding: LicenseFinding) -> str:
    """What a statement names: its license id, or the expression as written."""
    ids = finding.ids
    return finding.raw if len(ids) > 1 and finding.raw else ids[0]


def _usable(finding: LicenseFinding) -> bool:
    """True when a statement names a license (not ``other``, not an unknown id)."""
    return finding.entry is not None and finding.entry.kind != "placeholder"


def _disagree(a: LicenseFinding, b: LicenseFinding) -> bool:
    """Two statements name no license in common (metadata against LICENSE alone is OW205)."""
    return not set(a.ids) & set(b.ids) and not {a.source, b.source} <= {"metadata", "license-file"}


def _place(finding: LicenseFinding) -> str:
    where = _STATEMENT_SOURCES.get(finding.source, finding.source)
    if finding.source == "metadata":
        return where
    return f"{where} ({finding.origin})"


@rule(
    "OW214",
    "license-statements-disagree",
    Severity.ERROR,
    "weights",
    "State one license for the weights everywhere (`license:`, LICENSE, the `openness:` block, "
    "the card's text, weight-file headers): a catalogue id or an SPDX expression of them.",
)
def license_statements_disagree(ev: Evidence) -> Iterator[Hit]:
    """The statements of the weights' license disagree (or the openness block's is unknown).

    The metadata (``license:``), the LICENSE file, the ``openness:`` block
    (``openness.weights.license``), a sentence of the card about the weights (a license it
    names, or a restriction it states: "for non-commercial use only") and the license written
    into a weight file's header (GGUF ``general.license``, safetensors ``__metadata__``) are
    each an explicit statement of the terms; when two of them name different licenses, a reader
    cannot tell which one binds. owcheck applies the least open of the readings (a disagreement
    is never settled towards the more open side) and reports which place said what, as an
    error: an explicit statement is contradicted. Two statements agree when they name a license
    in common, so ``MIT OR Apache-2.0`` agrees with ``apache-2.0``. A block value that is
    neither a catalogue id nor an SPDX expression of them is reported too: it can be neither
    graded nor compared. (Metadata against the LICENSE file alone is OW205; a sentence about the
    code, the data or a base model's original terms is not a statement about the weights.)

    Fails::

        ---
        license: apache-2.0
        openness:
          weights: {released: true, license: cc-by-nc-4.0}
        ---
        # A model

        The model weights are released for non-commercial use only.

    Passes::

        ---
        license: apache-2.0
        openness:
          weights: {released: true, license: MIT OR Apache-2.0}
        ---
        # A model

        The model weights are released under the Apache 2.0 license.
    """
    for st in ev.statements:
        if st.source == "openness" and st.entry is None:
            yield Hit(
                f"the openness block says {st.raw!r}, neither a license id owcheck knows nor an "
                "SPDX expression of them: it can be neither graded nor compared",
                st.origin.line,
            )
    named_not_open = any(
        f.verdict is Verdict.NOT_OPEN for f in [*ev.declared, *ev.statements]
        if f.entry is not None and not f.entry.id.startswith("stated:")
    )
    readings = [d for d in ev.declared if _usable(d)]
    readings += [
        LicenseFinding(f.path, f.entry, "license-file", Origin(f.path))
        for f in ev.license_files
        if f.status == "match" and f.entry is not None and f.part == "license"
    ]
    for st in ev.statements:
        if not _usable(st):
            continue
        if st.entry is not None and st.entry.id.startswith("stated:") and named_not_open:
            continue  # the text restates the named license's own restriction
        readings.append(st)
    # One reading per license (or expression): the first place that says it.
    distinct: dict[tuple[str, ...], LicenseFinding] = {}
    for f in readings:
        distinct.setdefault(tuple(sorted(f.ids)), f)
    order = list(_STATEMENT_SOURCES)
    said = sorted(
        distinct.values(), key=lambda f: order.index(f.source) if f.source in order else len(order)
    )
    # The finding sits on the first statement that departs from one before it, in the card.
    departing = [f for i, f in enumerate(said) if any(_disagree(g, f) for g in said[:i])]
    if not departing:
        return
    card_path = ev.card.path if ev.card else None
    in_card = [f for f in [*departing, *said] if f.origin.path == card_path and f.origin.line]
    own = ev.own_license
    applied = f"{own.entry.id} ({own.verdict.value})" if own.entry else "unknown"
    yield Hit(
        f"{'; '.join(f'{_place(f)} says {_says(f)}' for f in said)}; "
        f"the least open reading applies: {applied}",
        in_card[0].origin.line if in_card else None,
    )
