"""What to look up beyond the model repo itself: pure functions over the material a source read.

The sources never decide this on their own: the forge lookups (``with_forge``) and, later, the
Hub source's extra datasets ask these functions, so the rules for "which code repositories and
which datasets matter to this model" live in one place. No I/O.
"""

from __future__ import annotations

from openweights.card import parse_card
from openweights.codelinks import code_links, forge_targets
from openweights.repoids import ForgeRepo
from openweights.sources import Bundle


def forge_lookups(bundle: Bundle) -> tuple[ForgeRepo, ...]:
    """Code repositories of the subject worth asking a forge about, in card order.

    The model's own training, data-processing and evaluation code, as the card links or
    declares it; general libraries and links of unknown role are skipped (they never count for
    the code row, and GitHub allows 60 anonymous requests an hour).
    """
    subject = bundle.subject
    if subject.card_text is None:
        return ()
    card = parse_card(subject.card_text, subject.card_path or "README.md")
    return forge_targets(code_links(card))
