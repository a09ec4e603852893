"""The paper's pairwise evaluation prompt, a strict parser for the judge's answer, and the
mapping from the order the responses were shown in back to the two methods.

Verdicts: "A" (method A satisfies the signal better), "B", "SAME", "N/A" (the signal does not
apply), and "INVALID" for any answer that is not exactly one of those four (kept, never
dropped, so a bad judge shows up in the counts).
"""

from __future__ import annotations

import re

VERDICTS: tuple[str, ...] = ("A", "B", "SAME", "N/A")
INVALID = "INVALID"
ALL_VERDICTS: tuple[str, ...] = (*VERDICTS, INVALID)
ORDERS: tuple[str, ...] = ("AB", "BA")

# Who gave a verdict: an OpenAI-compatible judge server, a person on the rating screen, or
# the IFEval checkers.
HUMAN = "human"
JUDGE_KINDS: tuple[str, ...] = ("external", HUMAN, "verifiable")
# The judges a run can be told to use; a person rates on the rating screen instead.
AUTOMATIC_JUDGE_KINDS: tuple[str, ...] = tuple(k for k in JUDGE_KINDS if k != HUMAN)

# Section 4.1, "Evaluation Prompt", verbatim (the quote marks as printed in the paper).
_PREAMBLE = (
    "Below is a query and two responses. You will be asked to evaluate the degree to which "
    "each response satisfies a personalization criterion.\n"
    "\n"
    "Respond only with one of the following (do not include the quotes and do not include "
    "any other text):\n"
    "\n"
    "- \u2018A\u2019 if response A satisfies the criterion better than response B\n"
    "- \u2018B\u2019 if response B satisfies the criterion better than response A\n"
    "- \u2018N/A\u2019 if the criterion is not applicable to either response\n"
    "- \u2018SAME\u2019 if both responses satisfy the criterion to the same degree\n"
)


def evaluation_prompt(query: str, signal: str, response_a: str, response_b: str) -> str:
    """The judge prompt for one (query, signal) pair; `response_a` is shown as "Response 1"
    and `response_b` as "Response 2" (pass them swapped for the order-swapped pass).

    The paper's template never says where the criterion itself goes, yet the judge cannot
    evaluate "the criterion" without seeing it, so this adds one line,
    "Personalization criterion: {signal}", just before the query. Everything else is the
    paper's text.
    """
    return (
        f"{_PREAMBLE}\n"
        f"Personalization criterion: {signal}\n"
        "\n"
        f"Query: {query}\n"
        "\n"
        f"Response 1: {response_a}\n"
        "\n"
        f"Response 2: {response_b}\n"
    )


# Characters peeled off both ends of an answer: whitespace, quotes of every kind, markdown
# emphasis. A single trailing period is removed after that.
_STRIP = " \t\r\n\f\v\"'`\u2018\u2019\u201c\u201d*"

_WORDS = {
    "A": "A",
    "B": "B",
    "1": "A",
    "2": "B",
    "SAME": "SAME",
    "N/A": "N/A",
    "NA": "N/A",
    "N.A": "N/A",
}
_RESPONSE = re.compile(r"^RESPONSE\s+([AB12])$")


def parse_verdict(text: object) -> str:
    """One of "A", "B", "SAME", "N/A", or "INVALID"; never raises.

    Tolerated: surrounding whitespace and quotes, one trailing period, any letter case,
    "NA" for "N/A", and "Response A"/"Response 1" (1 -> A, 2 -> B, as the prompt labels the
    responses 1 and 2). Anything else (two verdicts, prose, empty) is INVALID.
    """
    if not isinstance(text, str):
        return INVALID
    s = text.strip(_STRIP)
    if s.endswith("."):
        s = s[:-1].strip(_STRIP)
    s = re.sub(r"\s+", " ", s).upper()
    if s in _WORDS:
        return _WORDS[s]
    m = _RESPONSE.match(s)
    if m:
        return _WORDS[m.group(1)]
    return INVALID


def unswap(verdict: str, order_shown: str) -> str:
    """The verdict about the true methods, given one about the shown order.

    `order_shown` "AB" means method A was shown first (as Response 1); "BA" means method B
    was. A judge's "A" always means "the first response shown". SAME, N/A and INVALID do not
    depend on the order.
    """
    if order_shown not in ORDERS:
        raise ValueError(f"order_shown must be 'AB' or 'BA', not {order_shown!r}")
    if verdict not in ALL_VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r}")
    if order_shown == "BA" and verdict in ("A", "B"):
        return "B" if verdict == "A" else "A"
    return verdict


def shown_pair(response_a: str, response_b: str, order_shown: str) -> tuple[str, str]:
    """(Response 1, Response 2) for the true responses of methods A and B."""
    if order_shown not in ORDERS:
        raise ValueError(f"order_shown must be 'AB' or 'BA', not {order_shown!r}")
    return (response_a, response_b) if order_shown == "AB" else (response_b, response_a)
