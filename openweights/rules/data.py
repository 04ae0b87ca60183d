"""OW4xx: the training data."""

from __future__ import annotations

from collections.abc import Iterator

from openweights.evidence import Evidence, datasets_in_prose
from openweights.licensing.grader import Verdict
from openweights.rules import Hit, Severity, rule

TRAINING_DATA = r"training\s+data|data\s*sets?|training\s+corpus|pre-?training\s+data|^data$"


def _named_datasets(ev: Evidence) -> set[str]:
    return {d.id.lower() for d in ev.datasets}


@rule(
    "OW401",
    "no-training-data-section",
    Severity.WARNING,
    "data",
    "Add a '## Training Data' section naming every source, or an `openness.data` block.",
)
def no_training_data_section(ev: Evidence) -> Iterator[Hit]:
    """The card says nothing about the training data.

    Training data is the source code of a model. Without even a description, no one can judge
    what the model learned from, whether it may be reused, or rebuild it.

    Fails::

        ---
        license: apache-2.0
        ---
        # My model

    Passes::

        ---
        license: apache-2.0
        ---
        # My model

        ## Training Data

        Trained on the English Wikipedia dump of 2024-01-01 (about 4B tokens).
    """
    card = ev.card
    if card is None:
        return
    if (
        card.find_sections(TRAINING_DATA)
        or ev.datasets
        or isinstance(ev.openness.get("data"), dict)
    ):
        return
    yield Hit("no section about the training data and no `datasets:`", card.body_start_line)


@rule(
    "OW402",
    "training-data-placeholder",
    Severity.WARNING,
    "data",
    "Describe the training data: sources with links and sizes, processing, licenses.",
)
def training_data_placeholder(ev: Evidence) -> Iterator[Hit]:
    """The training-data section is empty or a template placeholder.

    An empty "Training Data" heading, or one that still says "[More Information Needed]",
    looks like documentation but tells the reader nothing.

    Fails::

        ---
        license: apache-2.0
        ---
        ## Training Data

        [More Information Needed]

    Passes::

        ---
        license: apache-2.0
        ---
        ## Training Data

        Trained on the English Wikipedia dump of 2024-01-01 (about 4B tokens).
    """
    card = ev.card
    if card is None:
        return
    sections = card.find_sections(TRAINING_DATA)
    # A heading that only groups sub-sections is not empty: look at what follows it too.
    for i, s in enumerate(sections):
        nxt = [t for t in card.sections if t.line > s.line and t.level > s.level]
        children = [t for t in nxt if t.line <= s.end_line + 1 or t in nxt[:1]]
        if s.is_placeholder and not any(not c.is_placeholder for c in children[:3]):
            yield Hit(f"section '{s.title}' is empty or a placeholder", s.line)
            return
        if i > 3:
            return


@rule(
    "OW403",
    "datasets-only-in-prose",
    Severity.WARNING,
    "data",
    "List the Hub dataset ids in `datasets:` so the Hub and owcheck can follow them.",
)
def datasets_only_in_prose(ev: Evidence) -> Iterator[Hit]:
    """Hub datasets are linked in the text but not listed in ``datasets:``.

    The Hub's "Datasets used to train" list and owcheck's data grading follow ``datasets:``
    only; a link in prose is invisible to them.

    Fails::

        ---
        license: apache-2.0
        ---
        Trained on https://huggingface.co/datasets/example/corpus

    Passes::

        ---
        license: apache-2.0
        datasets:
          - example/corpus
        ---
        Trained on https://huggingface.co/datasets/example/corpus
    """
    card = ev.card
    if card is None:
        return
    named = _named_datasets(ev)
    for did, line in datasets_in_prose(card):
        if did.lower() not in named:
            yield Hit(f"dataset {did} is linked in the text but not listed in `datasets:`", line)
            return


@rule(
    "OW404",
    "data-information-insufficient",
    Severity.INFO,
    "data",
    "Fill in `openness.data`: sources with pointers and sizes, processing code, provenance "
    "and license per source, what was not shared and why, labelling.",
)
def data_information_insufficient(ev: Evidence) -> Iterator[Hit]:
    """The training data is not released and its description falls short of OSAID.

    When data cannot be shared, OSAID 1.0 accepts "data information" detailed enough for a
    skilled person to build a substantially equivalent system. owcheck asks for five things:
    a per-source inventory with pointers and sizes, the filtering and deduplication code,
    provenance and license per source, what was not shared and why, and labelling procedures.

    Fails::

        ---
        license: apache-2.0
        ---
        ## Training Data

        A mix of public web data.

    Passes::

        ---
        license: apache-2.0
        openness:
          data:
            released: false
            sources:
              - name: Web crawl
                url: https://example.org/crawl-2024
                size: 1.2T tokens
                license: cc-by-4.0
                provenance: Crawled in January 2024, robots.txt honoured.
                shared: false
                reason_not_shared: Contains personal data.
            processing_code:
              url: https://github.com/example/data-pipeline
              license: apache-2.0
            labelling: none
        ---
    """
    if ev.card is None or all(s.described for s in ev.stages):
        return
    info = ev.data_information
    if info.sufficient and ev.stages:
        return
    missing = [name for name, ok in info.points.items() if not ok]
    yield Hit(
        "data not released and data information incomplete; missing: " + "; ".join(missing),
        ev.card.line_of("openness", "data") or 1,
    )


@rule(
    "OW405",
    "dataset-not-found",
    Severity.WARNING,
    "data",
    "Fix the dataset id in `datasets:` (org/name as on the Hub).",
)
def dataset_not_found(ev: Evidence) -> Iterator[Hit]:
    """A dataset named in ``datasets:`` does not exist on the Hub.

    A misspelt or deleted dataset id breaks the link from the model to its data.

    Fails::

        ---
        license: apache-2.0
        datasets: [example/corpus, example/missing-corpus]
        ---
        ==> hub-dataset:example/corpus/README.md <==
        ---
        license: cc-by-4.0
        ---

    Passes::

        ---
        license: apache-2.0
        datasets: [example/corpus]
        ---
        ==> hub-dataset:example/corpus/README.md <==
        ---
        license: cc-by-4.0
        ---
    """
    for d in ev.datasets:
        if d.found is False:
            yield Hit(f"dataset {d.id} was not found on the Hub", d.origin.line)


@rule(
    "OW406",
    "dataset-license-unknown",
    Severity.WARNING,
    "data",
    "Ask the dataset's authors to set `license:` on its card, or pick a dataset that has one.",
)
def dataset_license_unknown(ev: Evidence) -> Iterator[Hit]:
    """A named dataset has no license owcheck can resolve.

    Data without a license cannot be reused; the data row of the grid becomes "unknown".

    Fails::

        ---
        license: apache-2.0
        datasets: [example/corpus]
        ---
        ==> hub-dataset:example/corpus/README.md <==
        # A corpus

    Passes::

        ---
        license: apache-2.0
        datasets: [example/corpus]
        ---
        ==> hub-dataset:example/corpus/README.md <==
        ---
        license: cc-by-4.0
        ---
    """
    for d in ev.datasets:
        if d.found and d.license.entry is None:
            yield Hit(f"dataset {d.id} has no resolvable license", d.origin.line)


@rule(
    "OW407",
    "dataset-not-open",
    Severity.WARNING,
    "data",
    "Nothing to fix if intended; the model's data cannot be more open than this dataset.",
)
def dataset_not_open(ev: Evidence) -> Iterator[Hit]:
    """A named dataset is under a restricted or not-open license.

    Mixed data takes the most restrictive terms: one non-commercial dataset makes the training
    data not open.

    Fails::

        ---
        license: apache-2.0
        datasets: [example/corpus]
        ---
        ==> hub-dataset:example/corpus/README.md <==
        ---
        license: cc-by-nc-4.0
        ---

    Passes::

        ---
        license: apache-2.0
        datasets: [example/corpus]
        ---
        ==> hub-dataset:example/corpus/README.md <==
        ---
        license: cc-by-4.0
        ---
    """
    for d in ev.datasets:
        v = d.license.verdict
        if d.found and d.license.entry and v in (Verdict.RESTRICTED, Verdict.NOT_OPEN):
            yield Hit(
                f"dataset {d.id} is under {d.license.raw or d.license.entry.id} ({v.value})",
                d.origin.line,
            )


@rule(
    "OW408",
    "training-corpus-withdrawn",
    Severity.INFO,
    "data",
    "Nothing to fix in the card if it is accurate; point to a copy that is still distributed, "
    "or document the data well enough to rebuild it.",
)
def training_corpus_withdrawn(ev: Evidence) -> Iterator[Hit]:
    """The model was trained on a corpus its publisher no longer distributes.

    Some well-known corpora were withdrawn after their release (the Pile after takedown notices
    over its Books3 part; LAION-5B, pulled and later re-released cleaned). Data that cannot be
    obtained cannot be studied or reused: at best it is described well enough to be rebuilt.

    Fails::

        ---
        license: apache-2.0
        ---
        ## Training data

        The model was trained on the Pile.

    Passes::

        ---
        license: apache-2.0
        ---
        ## Training data

        The model was trained on FineWeb-Edu.
    """
    seen: set[str] = set()
    for stage in ev.stages:
        for source in stage.sources:
            if not source.availability_note or source.corpus_id in seen:
                continue
            if source.origin.repo is not None:
                continue  # named by a base model: its card, not this one
            seen.add(source.corpus_id or source.name)
            yield Hit(
                f"{source.name} ({source.corpus_id}) is no longer distributed: "
                f"{source.availability_note}",
                source.origin.line,
            )
