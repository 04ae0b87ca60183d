"""OW3xx: the training code."""

from __future__ import annotations

from collections.abc import Iterator

from openweights.evidence import Evidence
from openweights.licensing.grader import Verdict
from openweights.rules import Hit, Severity, rule


@rule(
    "OW301",
    "no-training-code",
    Severity.WARNING,
    "code",
    "Link the training code (data processing, training, evaluation) and state its license, "
    "e.g. in `openness.code`.",
)
def no_training_code(ev: Evidence) -> Iterator[Hit]:
    """The card links no training code of its own.

    Weights without the code that produced them are a binary without its build system: nobody
    can study how the model was made or retrain it. Link the repository (or say in the
    ``openness:`` block where it is and under which license). A link to a general library the
    model was trained or is run with (transformers, DeepSpeed, llama.cpp, ...) is not the
    model's training code.

    Fails::

        ---
        license: apache-2.0
        ---
        # My model

        Load it with [transformers](https://github.com/huggingface/transformers).

    Passes::

        ---
        license: apache-2.0
        openness:
          code:
            - url: https://github.com/example/train
              license: apache-2.0
              covers: [training, data-processing]
        ---
        # My model
    """
    if ev.card is None:
        return
    if not any(c.own_code and "training" in c.covers for c in ev.code_releases):
        yield Hit("no link to the training code", ev.card.line_of("openness") or 1)


@rule(
    "OW302",
    "code-license-unknown",
    Severity.WARNING,
    "code",
    "Add a LICENSE file to the code repository, or state the code's license, e.g. "
    "`openness.code[].license: apache-2.0`.",
)
def code_license_unknown(ev: Evidence) -> Iterator[Hit]:
    """The model's training code is linked but its license is not known.

    owcheck reads a linked repository's license from its forge (GitHub, GitLab) on the Hub path
    and with ``--online``; otherwise from the card. This fires when the forge found no license
    file in the repository, names one owcheck does not recognise, or was not asked and the card
    does not say. Until then the code row of the grid is "unknown".

    Fails::

        ---
        license: apache-2.0
        ---
        ## Training

        We trained the model with https://github.com/example/train

    Passes::

        ---
        license: apache-2.0
        ---
        ## Training

        We trained the model with https://github.com/example/train
        ==> forge:github.com/example/train <==
        license: mit
    """
    for c in ev.code_releases:
        if not c.own_code or c.license.entry is not None:
            continue
        where = c.repo or c.url
        if c.forge is None:
            yield Hit(f"no license stated for the code at {where}", c.origin.line)
        elif c.forge_found_no_license:
            yield Hit(f"the code at {where} has no license file (its forge found none)",
                      c.origin.line)
        elif not c.lookup_failed:
            yield Hit(f"the code at {where} is under {c.license.raw}", c.origin.line)
        else:
            continue  # the lookup failed: OW304 says why
        return


@rule(
    "OW303",
    "code-license-not-open",
    Severity.WARNING,
    "code",
    "Release the training code under an OSI-approved license.",
)
def code_license_not_open(ev: Evidence) -> Iterator[Hit]:
    """The training code is under a restricted or not-open license.

    OSAID and the OSS Capital definition both ask for training code under an open source
    license.

    Fails::

        ---
        license: apache-2.0
        openness:
          code:
            - url: https://github.com/example/train
              license: cc-by-nc-4.0
              covers: [training]
        ---

    Passes::

        ---
        license: apache-2.0
        openness:
          code:
            - url: https://github.com/example/train
              license: apache-2.0
              covers: [training]
        ---
    """
    for c in ev.code_releases:
        if not c.own_code:
            continue
        if c.license.verdict in (Verdict.RESTRICTED, Verdict.NOT_OPEN) and c.license.entry:
            yield Hit(
                f"code at {c.repo or c.url} is under {c.license.entry.id} "
                f"({c.license.verdict.value}, read from {c.license.source})",
                c.origin.line,
            )


@rule(
    "OW304",
    "code-license-lookup-failed",
    Severity.WARNING,
    "code",
    "Run again later, or with a token (GITHUB_TOKEN / GH_TOKEN for GitHub, GITLAB_TOKEN for "
    "GitLab) when the rate limit ran out; fix the link when the repository is gone.",
)
def code_license_lookup_failed(ev: Evidence) -> Iterator[Hit]:
    """The forge could not say what license the model's training code is under.

    owcheck asks GitHub or GitLab for the license of every repository the card links as the
    model's own training, data-processing or evaluation code. When a lookup fails (the
    repository is gone or private, the rate limit is exhausted, the forge is unreachable, or an
    offline run has no cached answer) the code row stays "unknown" unless the card states the
    license itself. A failed lookup never stops the run.

    Fails::

        ---
        license: apache-2.0
        ---
        ## Training

        The training code: https://github.com/example/train
        ==> forge:github.com/example/train <==
        status: rate-limited
        message: GitHub's rate limit is exhausted

    Passes::

        ---
        license: apache-2.0
        ---
        ## Training

        The training code: https://github.com/example/train
        ==> forge:github.com/example/train <==
        license: apache-2.0
    """
    for c in ev.code_releases:
        answer = c.forge
        if answer is None or not c.lookup_failed or c.role in ("library", "unknown"):
            continue
        message = answer.message or answer.status.value
        yield Hit(f"license of {c.repo or c.url} not read: {message}", c.origin.line)


@rule(
    "OW305",
    "library-declared-as-training-code",
    Severity.WARNING,
    "code",
    "List the model's own training repository in `openness.code`, not the library it uses.",
)
def library_declared_as_training_code(ev: Evidence) -> Iterator[Hit]:
    """The ``openness:`` block names a general library as the model's code.

    transformers, DeepSpeed, llama.cpp and the like are used to train or run many models; they
    are not this model's training code, which is the configuration, scripts and data pipeline
    that produced these weights. owcheck never counts a library for the code row.

    Fails::

        ---
        license: apache-2.0
        openness:
          code:
            - url: https://github.com/huggingface/transformers
              license: apache-2.0
              covers: [training]
        ---

    Passes::

        ---
        license: apache-2.0
        openness:
          code:
            - url: https://github.com/example/train
              license: apache-2.0
              covers: [training]
        ---
    """
    for c in ev.code_releases:
        if c.role == "library" and c.declared:
            yield Hit(f"openness.code names {c.repo or c.url}: {c.context}", c.origin.line)
