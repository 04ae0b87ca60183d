"""OW1xx: the card and its metadata."""

from __future__ import annotations

from collections.abc import Iterator

from openweights.card import PLACEHOLDER
from openweights.evidence import Evidence
from openweights.rules import Hit, Severity, all_rules, rule
from openweights.suppressions import parse_directives

KNOWN_KEYS = (
    "license",
    "license_name",
    "license_link",
    "license_details",
    "datasets",
    "base_model",
    "base_model_relation",
    "library_name",
    "pipeline_tag",
    "tags",
    "language",
    "metrics",
    "model-index",
    "new_version",
    "inference",
    "widget",
    "thumbnail",
    "openness",
    "extra_gated_prompt",
    "extra_gated_fields",
    "extra_gated_heading",
    "extra_gated_description",
    "extra_gated_button_content",
)
# Spellings seen in the wild that the Hub silently ignores.
_MISSPELLINGS = {
    "licence": "license",
    "licenses": "license",
    "licence_name": "license_name",
    "licence_link": "license_link",
    "base_models": "base_model",
    "basemodel": "base_model",
    "base-model": "base_model",
    "dataset": "datasets",
    "data_sets": "datasets",
    "pipeline-tag": "pipeline_tag",
    "library": "library_name",
    "license-name": "license_name",
    "license-link": "license_link",
}


@rule(
    "OW101",
    "card-empty",
    Severity.ERROR,
    None,
    "Write the card: metadata between '---' lines, then what the model is and how it was made.",
)
def card_empty(ev: Evidence) -> Iterator[Hit]:
    """The model card is empty.

    An empty README.md tells a reader nothing: no license, no lineage, no training data.
    Every verdict about the model becomes "unknown".

    Fails::



    Passes::

        ---
        license: apache-2.0
        ---
        # A small model
    """
    if ev.card is not None and ev.card.front_matter == "empty":
        yield Hit("the model card is empty", 1)


@rule(
    "OW102",
    "no-front-matter",
    Severity.WARNING,
    None,
    "Add a YAML block between '---' lines at the top of README.md with at least `license:`.",
)
def no_front_matter(ev: Evidence) -> Iterator[Hit]:
    """The card has no YAML metadata block.

    The Hub, registries and owcheck read the license, base model and datasets from the YAML
    block at the very top of README.md. Without it they have to guess from prose.

    Fails::

        # My model
        Released under the Apache 2.0 license.

    Passes::

        ---
        license: apache-2.0
        ---
        # My model
    """
    if ev.card is not None and ev.card.front_matter == "absent":
        yield Hit("the card has no YAML metadata block at the top", 1)


@rule(
    "OW103",
    "front-matter-unusable",
    Severity.ERROR,
    None,
    "Fix the YAML between the '---' lines so that it parses to a mapping of keys.",
)
def front_matter_unusable(ev: Evidence) -> Iterator[Hit]:
    """The card's metadata block cannot be used.

    Invalid YAML, a block that is not a mapping of keys, a missing closing ``---``, or a block
    that expands without bound (an alias bomb): the Hub then shows no metadata at all.

    Fails::

        ---
        license: [apache-2.0
        ---
        # My model

    Passes::

        ---
        license: apache-2.0
        ---
        # My model
    """
    card = ev.card
    if card is not None and card.front_matter in ("invalid", "not-mapping", "unclosed"):
        yield Hit(card.front_matter_error or "unusable front matter", card.front_matter_error_line)


@rule(
    "OW104",
    "metadata-schema",
    Severity.WARNING,
    None,
    "Give the key the type the model-card schema asks for (see schemas/model-card.schema.json).",
)
def metadata_schema(ev: Evidence) -> Iterator[Hit]:
    """A metadata value has the wrong type or an unknown value.

    The Hub and tools expect, for instance, ``language`` to be a code or a list of codes,
    ``base_model_relation`` one of adapter, merge, quantized, finetune, and URLs in the
    ``openness:`` block (checked here too) to be http(s) URLs. A value of the wrong type that
    owcheck would have graded from is reported by OW109 instead, which says it was ignored.

    Fails::

        ---
        license: apache-2.0
        base_model_relation: fine-tuned
        ---

    Passes::

        ---
        license: apache-2.0
        base_model_relation: finetune
        ---
    """
    for issue in ev.metadata_issues:
        yield Hit(issue.claim, issue.origin.line)


@rule(
    "OW105", "misspelt-key", Severity.WARNING, None, "Rename the key to the spelling the Hub reads."
)
def misspelt_key(ev: Evidence) -> Iterator[Hit]:
    """A metadata key looks like a misspelling of one the Hub reads.

    The Hub ignores unknown keys silently, so ``licence:`` or ``-license:`` (a dash stuck to the
    key) leaves the model without a license as far as every tool is concerned.

    Fails::

        ---
        licence: mit
        ---

    Passes::

        ---
        license: mit
        ---
    """
    if ev.card is None:
        return
    keys = set(ev.card.metadata)
    for key in ev.card.metadata:
        if key in KNOWN_KEYS:
            continue
        k = key.strip().lstrip("-").strip()
        target = _MISSPELLINGS.get(k.lower())
        if target is None and k in KNOWN_KEYS and k != key:
            target = k
        if target is None:
            import difflib  # only for a key the card's schema does not know: off the hot path

            close = difflib.get_close_matches(k.lower(), KNOWN_KEYS, n=1, cutoff=0.88)
            target = close[0] if close else None
        if target and target not in keys:
            yield Hit(f"key {key!r} looks like a misspelling of {target!r}", ev.card.line_of(key))


@rule(
    "OW106",
    "template-placeholders",
    Severity.WARNING,
    None,
    "Fill in or delete the sections that still say [More Information Needed].",
)
def template_placeholders(ev: Evidence) -> Iterator[Hit]:
    """The card still holds the template's "[More Information Needed]" placeholders.

    Unfilled template sections look like documentation but say nothing; readers (and owcheck)
    cannot tell what the model was trained on or how.

    Fails::

        ---
        license: mit
        ---
        ## Training Data

        [More Information Needed]

    Passes::

        ---
        license: mit
        ---
        ## Training Data

        The model was trained on the public-domain books listed in data/sources.csv.
    """
    card = ev.card
    if card is None or PLACEHOLDER not in card.text:
        return
    count = card.text.count(PLACEHOLDER)
    first = card.line_at_offset(card.text.index(PLACEHOLDER))
    yield Hit(
        f"{count} template placeholder(s) '[More Information Needed]' left in the card", first
    )


@rule(
    "OW107",
    "unreadable-file",
    Severity.WARNING,
    None,
    "Store license texts and cards as UTF-8 text under 1 MiB, and fix the references.",
)
def unreadable_file(ev: Evidence) -> Iterator[Hit]:
    """A file the grade depends on could not be read, or a reference in the card is unusable.

    A binary or non-UTF-8 LICENSE, one over 1 MiB, a ``license_link`` to a file the repo does
    not have, or a ``base_model``/``datasets`` value that is not a repo id: owcheck grades
    without it and says so, rather than guessing.

    Fails::

        ---
        license: mit
        ---
        ==> LICENSE <==
        (binary)

    Passes::

        ---
        license: mit
        ---
        ==> LICENSE <==
        The terms are in the card above.
    """
    for problem in ev.bundle.subject.problems:
        yield Hit(problem, None, ev.bundle.subject.card_path)


@rule(
    "OW108",
    "evidence-missing",
    Severity.INFO,
    None,
    "Run once online (or with a token that can read the files) to fill the cache.",
)
def evidence_missing(ev: Evidence) -> Iterator[Hit]:
    """Some evidence could not be fetched, so the grade rests on less than usual.

    Offline runs read only the cache; gated files need a token with access; a lone card file
    has no repo around it. Each missing piece is listed so the grade can be read with care.

    Fails::

        ---
        license: mit
        ---
        ==> (missing) <==
        LICENSE of example/model (gated: no access)

    Passes::

        ---
        license: mit
        ---
    """
    seen: list[str] = list(ev.bundle.subject.missing)
    for material in ev.bundle.ancestors.values():
        if material is not None:
            seen += [f"{material.id}: {m}" for m in material.missing]
    for dataset in ev.bundle.datasets.values():
        if dataset is not None:
            seen += [f"{dataset.id}: {m}" for m in getattr(dataset, "missing", ())]
    for item in dict.fromkeys(seen):
        yield Hit(f"not available: {item}", None, ev.bundle.subject.card_path)


@rule(
    "OW109",
    "metadata-type-ignored",
    Severity.WARNING,
    None,
    "Write the value with the type the Hub expects: a string, a list of strings, true/false...",
)
def metadata_type_ignored(ev: Evidence) -> Iterator[Hit]:
    """A metadata value owcheck grades from has the wrong type, so it was ignored.

    ``license``, ``base_model``, ``datasets``, ``pipeline_tag``, ``tags``, ``license_name``,
    ``license_link`` and the parts of the ``openness:`` block are read only when they have the
    type the Hub's model-card spec gives them. A ``license: true`` or a ``pipeline_tag`` written
    as a list is left out of the grade as if it were not there; this finding says which.

    Fails::

        ---
        license: true
        pipeline_tag: [text-generation]
        ---

    Passes::

        ---
        license: apache-2.0
        pipeline_tag: text-generation
        ---
    """
    for fact in ev.ignored_metadata:
        yield Hit(fact.claim, fact.origin.line)


@rule(
    "OW110",
    "malformed-suppression",
    Severity.WARNING,
    None,
    "Write the directive as `<!-- owcheck: ignore CODE[, CODE] -- reason -->`, with rule codes "
    "or prefixes from `owcheck rules`.",
)
def malformed_suppression(ev: Evidence) -> Iterator[Hit]:
    """An ``owcheck`` comment in the card that does not read as a directive, or names no rule.

    A typo in a suppression (``ignroe``, a missing colon, a reason without ``--``, a code that
    does not exist) would otherwise leave the finding it meant to silence in place with no word
    of why. Each comment is read on its own; comments inside code blocks are examples and are
    not read.

    Fails::

        ---
        license: mit
        ---
        # Model
        <!-- owcheck: ignroe OW301 -- the code is internal -->

    Passes::

        ---
        license: mit
        ---
        # Model
        <!-- owcheck: ignore OW301 -- the code is internal -->
    """
    if ev.card is None:
        return
    directives = parse_directives(ev.card.text)
    for problem in directives.problems:
        yield Hit(problem.message, problem.line, ev.card.path)
    codes = all_rules()
    for s in directives.suppressions:
        for selector in s.selectors:
            if selector != "ALL" and not any(code.startswith(selector) for code in codes):
                yield Hit(f"'{selector}' names no owcheck rule (see `owcheck rules`)", s.line,
                          ev.card.path)
