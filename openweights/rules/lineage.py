"""OW5xx: lineage (base models)."""

from __future__ import annotations

from collections.abc import Iterator

from openweights.evidence import (
    Confidence,
    Evidence,
    LicenseFinding,
    Signal,
    base_models_in_prose,
)
from openweights.repoids import repo_id_from
from openweights.rules import Hit, Severity, rule

_SIGNAL_WORDS = {
    Signal.BASE_MODEL: "known offline from",
    Signal.ADAPTER_CONFIG: "adapter_config.json says",
    Signal.CONFIG: "config.json says",
    Signal.WEIGHT_HEADER: "the weight file's header says",
    Signal.MODEL_TREE: "the Hub's model tree says",
    Signal.TITLE: "the card's title says",
    Signal.PROSE: "the card says",
    Signal.TAGS: "the card's tags say",
}


@rule(
    "OW501",
    "lineage-not-checked",
    Severity.INFO,
    None,
    "Run owcheck on the Hub id (`owcheck ORG/NAME`) to follow the base model's license.",
)
def lineage_not_checked(ev: Evidence) -> Iterator[Hit]:
    """The model names a base model that owcheck could not look up.

    A fine-tune, adapter, quantization or merge is never more open than its base. On a local
    repo owcheck does not go to the network, and a batch over a card dump reads only the dump's
    rows (unless ``--fill-from-hub``), so the base model's own terms are not checked: the grade
    shown is an upper bound (well-known bases are still judged from owcheck's catalogue).

    Fails::

        ---
        license: apache-2.0
        base_model: example/base-model
        ---

    Passes::

        ---
        license: apache-2.0
        ---
    """
    if ev.base_models and not ev.bundle.lineage_resolvable:
        names = ", ".join(raw for raw, _ in ev.base_models)
        yield Hit(
            f"base model {names} not looked up (local mode): lineage unknown",
            ev.base_models[0][1].line,
        )
        return
    unresolved = [bid for bid in ev.bundle.unresolved if bid in ev.bundle.parents.get(
        ev.bundle.subject.id, ())]
    if unresolved:
        # A dump's rows did not hold the base (owcheck batch --fill-from-hub asks the Hub).
        yield Hit(
            f"base model {', '.join(unresolved)} not looked up (not in the input): "
            "lineage known only from owcheck's catalogue",
            ev.base_models[0][1].line if ev.base_models else None,
        )


@rule(
    "OW502",
    "base-model-only-in-prose",
    Severity.WARNING,
    None,
    "Add `base_model: ORG/NAME` (and `base_model_relation:`) to the metadata.",
)
def base_model_only_in_prose(ev: Evidence) -> Iterator[Hit]:
    """The text names a base model, but ``base_model`` is missing.

    The Hub's model tree and owcheck's lineage check follow ``base_model`` only. A fine-tune
    that says "fine-tuned from org/name" in prose escapes its base model's license terms in
    every tool.

    Fails::

        ---
        license: apache-2.0
        ---
        This model is fine-tuned from example/base-model on our chat data.

    Passes::

        ---
        license: apache-2.0
        base_model: example/base-model
        ---
        This model is fine-tuned from example/base-model on our chat data.
    """
    card = ev.card
    if card is None or ev.base_models:
        return
    for name, line in base_models_in_prose(card):
        yield Hit(f"the text names base model {name} but `base_model:` is missing", line)
        return
    for base in ev.inferred_bases:
        if base.signal is Signal.PROSE and base.confidence is not Confidence.LOW:
            yield Hit(
                f"the text names base model {base.name} but `base_model:` is missing",
                base.origin.line,
            )
            return


def _see_clause(lic: LicenseFinding) -> str:
    """``; see ID CLAUSE``: the clause that decides a base's license, when the grade has one."""
    feats = lic.grade.decisive_clauses() if lic.grade else []
    return f"; see {lic.entry.id} {feats[0].clause}" if feats and lic.entry else ""


@rule(
    "OW503",
    "license-launders-base",
    Severity.ERROR,
    "weights",
    "Use the base model's license (or one its terms allow) for the derived weights.",
)
def license_launders_base(ev: Evidence) -> Iterator[Hit]:
    """The card's license claims more than a base model allows.

    A model derived from a restricted base (say an ``apache-2.0`` fine-tune of a Llama model)
    still carries the base's terms: Llama's licence binds derivatives and requires its own
    terms to travel with them. Relabelling it is license laundering; owcheck grades the weights
    by the most restrictive ancestor. The base is known from the Hub when it can be fetched, and
    otherwise from owcheck's catalogue of well-known base models, so this is caught offline too
    (the pre-commit hook), from ``base_model:``, ``adapter_config.json``, ``config.json``, a
    weight file's header, the Hub's model tree, or the card's own words (its title, "fine-tuned
    from X", "merge of X", "quantized from X"), with the words quoted. A licensor may relicense
    its own model; a base whose reading is uncertain (a bare tag) is reported, not applied.

    Fails::

        ---
        license: apache-2.0
        base_model: meta-llama/Llama-3.1-8B
        ---

    Passes::

        ---
        license: llama3.1
        base_model: meta-llama/Llama-3.1-8B
        ---
    """
    # The claim is what the card's metadata says (else its own reading): a LICENSE file or a
    # header that already carries the base's terms does not excuse a more open `license:`.
    claimed = [d for d in ev.declared if d.entry is not None and d.entry.kind != "placeholder"]
    own = min(claimed, key=lambda d: -d.verdict.rank) if claimed else ev.own_license
    if ev.own_license.source == "license-file" or own.entry is None:
        own = ev.own_license
    if own.entry is None:
        return
    # Every base whose terms apply: those inferred from any signal, then those the Hub answered
    # for (a licensor may relicense its own model).
    bases = [
        (b.license, f"base {b.license.origin.repo or b.name}",
         f"; {_SIGNAL_WORDS[b.signal]} \"{b.quote}\"")
        for b in ev.inferred_bases if b.applies
    ]
    subject_org = ev.bundle.subject.id.split("/", 1)[0].lower()
    bases += [
        (link.license, f"base model {link.id}", "")
        for link in ev.lineage
        if link.found
        and not (ev.bundle.lineage_resolvable and link.id.split("/", 1)[0].lower() == subject_org)
    ]
    for lic, base, words in bases:
        if lic.entry is None or lic.entry.id == own.entry.id:
            continue
        if lic.verdict.rank > own.verdict.rank:
            yield Hit(
                f"license {own.entry.id} ({own.verdict.value}) claims more than {base} allows: "
                f"{lic.entry.id} ({lic.verdict.value}){_see_clause(lic)}{words}",
                own.origin.line if own.origin.repo is None else None,
            )


@rule(
    "OW504",
    "base-model-not-found",
    Severity.WARNING,
    None,
    "Fix `base_model:` to the exact Hub id of the model this one derives from.",
)
def base_model_not_found(ev: Evidence) -> Iterator[Hit]:
    """A ``base_model`` repo cannot be found on the Hub.

    A wrong or deleted base id hides where the model comes from and which terms bind it.

    Fails::

        ---
        license: apache-2.0
        base_model: example/missing-base
        ---
        ==> hub:example/other/README.md <==
        ---
        license: mit
        ---

    Passes::

        ---
        license: mit
        base_model: example/other
        ---
        ==> hub:example/other/README.md <==
        ---
        license: mit
        ---
    """
    for link in ev.lineage:
        if not link.found:
            yield Hit(
                f"base model {link.id} was not found on the Hub",
                ev.card.line_of("base_model")
                if ev.card and link.child == (ev.bundle.subject.id)
                else None,
            )


@rule(
    "OW505",
    "lineage-truncated",
    Severity.WARNING,
    None,
    "Fix `base_model:` so that the chain ends at the original model without loops.",
)
def lineage_truncated(ev: Evidence) -> Iterator[Hit]:
    """The chain of base models has a cycle or is deeper than owcheck follows.

    A model cannot descend from itself; a loop in ``base_model`` is a metadata error, and a
    very deep chain is cut off, so the oldest ancestors are not checked.

    Fails::

        ---
        license: mit
        base_model: example/a
        ---
        ==> hub:example/a/README.md <==
        ---
        license: mit
        base_model: example/b
        ---
        ==> hub:example/b/README.md <==
        ---
        license: mit
        base_model: example/a
        ---

    Passes::

        ---
        license: mit
        base_model: example/a
        ---
        ==> hub:example/a/README.md <==
        ---
        license: mit
        ---
    """
    for item in ev.bundle.lineage_truncated:
        yield Hit(
            f"lineage not followed past {item}", ev.card.line_of("base_model") if ev.card else None
        )


@rule(
    "OW506",
    "base-model-not-an-id",
    Severity.WARNING,
    None,
    "Write `base_model:` as a Hub id (ORG/NAME), not a URL or a description.",
)
def base_model_not_an_id(ev: Evidence) -> Iterator[Hit]:
    """``base_model`` is not written as a Hub repo id.

    The Hub's model tree understands ``org/name`` only; a URL or free text breaks the link
    (owcheck still follows a huggingface.co URL, but other tools do not).

    Fails::

        ---
        license: mit
        base_model: https://huggingface.co/example/base
        ---

    Passes::

        ---
        license: mit
        base_model: example/base
        ---
    """
    for raw, origin in ev.base_models:
        value = raw.strip()
        if repo_id_from(value, "model") != value:
            yield Hit(f"base_model {raw!r} is not a Hub repo id (org/name)", origin.line)


_FILE_SIGNALS = {
    Signal.ADAPTER_CONFIG: "adapter_config.json",
    Signal.CONFIG: "config.json",
    Signal.WEIGHT_HEADER: "the header of",
    Signal.MODEL_TREE: "the Hub's model tree",
}


@rule(
    "OW507",
    "base-model-undeclared",
    Severity.WARNING,
    None,
    "List the base in `base_model:` as its Hub id (the files already name it).",
)
def base_model_undeclared(ev: Evidence) -> Iterator[Hit]:
    """A file of the repo names a base model that ``base_model`` does not list.

    ``adapter_config.json`` (``base_model_name_or_path``), ``config.json`` (``_name_or_path``),
    the header of a GGUF or safetensors file (``general.base_model.*``, ``general.name``) and the
    Hub's model tree are written by tools, and they say what the weights were made from. When
    ``base_model:`` is missing or names something else, the card hides its lineage from the Hub
    and from every tool that reads the metadata.

    Fails::

        ---
        license: apache-2.0
        ---
        ==> adapter_config.json <==
        {"base_model_name_or_path": "mistralai/Mistral-7B-v0.1", "peft_type": "LORA"}

    Passes::

        ---
        license: apache-2.0
        base_model: mistralai/Mistral-7B-v0.1
        ---
        ==> adapter_config.json <==
        {"base_model_name_or_path": "mistralai/Mistral-7B-v0.1", "peft_type": "LORA"}
    """
    declared = {raw.strip().lower() for raw, _o in ev.base_models}
    declared_ids = {(repo_id_from(raw, "model") or raw).lower() for raw, _o in ev.base_models}
    declared_families = {
        b.family for b in ev.inferred_bases if b.signal is Signal.BASE_MODEL and b.family
    }
    for base in ev.inferred_bases:
        if base.signal not in _FILE_SIGNALS or base.confidence is Confidence.LOW:
            continue
        name = base.name.strip().lower()
        if name in declared or name in declared_ids:
            continue
        if base.family is not None and base.family in declared_families:
            continue
        where = _FILE_SIGNALS[base.signal]
        if base.signal is Signal.WEIGHT_HEADER:
            where = f"the header of {base.origin.path}"
        listed = ", ".join(raw for raw, _o in ev.base_models)
        said = f"`base_model:` says {listed}" if listed else "`base_model:` is missing"
        yield Hit(f"{where} names base {base.name} ({base.quote}) but {said}",
                  ev.base_models[0][1].line if ev.base_models else None)
