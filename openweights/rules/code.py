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
    """The card links no training code.

    Weights without the code that produced them are a binary without its build system: nobody
    can study how the model was made or retrain it. Link the repository (or say in the
    ``openness:`` block where it is and under which license).

    Fails::

        ---
        license: apache-2.0
        ---
        # My model

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
    if not any("training" in c.covers for c in ev.code_releases):
        yield Hit("no link to the training code", ev.card.line_of("openness") or 1)


@rule(
    "OW302",
    "code-license-unknown",
    Severity.WARNING,
    "code",
    "State the code's license, e.g. `openness.code[].license: apache-2.0`.",
)
def code_license_unknown(ev: Evidence) -> Iterator[Hit]:
    """Training code is linked but its license is not stated.

    owcheck does not follow links off the Hub, so it cannot read the code repository's
    LICENSE; say it in the card. Until then the code row of the grid is "unknown".

    Fails::

        ---
        license: apache-2.0
        ---
        ## Training

        We trained with https://github.com/example/train

    Passes::

        ---
        license: apache-2.0
        openness:
          code:
            - url: https://github.com/example/train
              license: mit
              covers: [training]
        ---
    """
    for c in ev.code_releases:
        if c.license.entry is None:
            yield Hit(f"no license stated for the code at {c.url}", c.origin.line)
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
        if c.license.verdict in (Verdict.RESTRICTED, Verdict.NOT_OPEN) and c.license.entry:
            yield Hit(
                f"code at {c.url} is under {c.license.entry.id} ({c.license.verdict.value})",
                c.origin.line,
            )
