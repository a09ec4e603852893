"""The verifiable judge: signals mapped to IFEval checkers, verdicts from the real checkers of
`if-verifiable` on fixed responses, and a one-line error when the package is missing."""

from __future__ import annotations

import json
import sys

import pytest

from personaco_tui.errors import PersonacoError
from personaco_tui.evaluation import runner
from personaco_tui.evaluation import sessions as S
from personaco_tui.evaluation.ifeval import Checkers, ifeval_checks
from personaco_tui.evaluation.verifiable import VerifiableJudge, verdict_from
from personaco_tui.store.db import Store
from tests.support.paths import shared_file

DEV_SET = "eval/dev_set.jsonl"  # under the shared folder beside the repository


def chk(iid: str, **kwargs):
    return {"instruction_id": iid, "kwargs": kwargs}


@pytest.mark.parametrize(
    ("signal", "want"),
    [
        ("Please never use commas in your replies.", [chk("punctuation:no_comma")]),
        (
            "Keep answers under 80 words; I read on my phone.",
            [chk("length_constraints:number_words", num_words=80, relation="less than")],
        ),
        (
            "Use at most 5 sentences.",
            [chk("length_constraints:number_sentences", num_sentences=6, relation="less than")],
        ),
        (
            "Write at least 5 sentences.",
            [chk("length_constraints:number_sentences", num_sentences=5, relation="at least")],
        ),
        (
            "Between 50 and 100 words.",
            [
                chk("length_constraints:number_words", num_words=50, relation="at least"),
                chk("length_constraints:number_words", num_words=101, relation="less than"),
            ],
        ),
        (
            "Use exactly 3 bullet points.",
            [chk("detectable_format:number_bullet_lists", num_bullets=3)],
        ),
        ("Answer in French.", [chk("language:response_language", language="fr")]),
        ("Reply in valid JSON.", [chk("detectable_format:json_format")]),
        ("ALL CAPS please.", [chk("change_case:english_capital")]),
        ("Never use the word very.", [chk("keywords:forbidden_words", forbidden_words=["very"])]),
        (
            "Use the word love at least 3 times.",
            [chk("keywords:frequency", keyword="love", frequency=3, relation="at least")],
        ),
        (
            "Use the letter z at least 4 times.",
            [
                chk(
                    "keywords:letter_frequency",
                    letter="z",
                    let_frequency=4,
                    let_relation="at least",
                )
            ],
        ),
        (
            "Write exactly 3 paragraphs separated by ***",
            [chk("length_constraints:number_paragraphs", num_paragraphs=3)],
        ),
        (
            'End with "Talk soon."',
            [chk("startend:end_checker", end_phrase="Talk soon.")],
        ),
        (
            "No commas and under 50 words.",
            [
                chk("punctuation:no_comma"),
                chk("length_constraints:number_words", num_words=50, relation="less than"),
            ],
        ),
        (
            "Never more than 2 all-caps words per reply.",
            [
                chk(
                    "change_case:capital_word_frequency",
                    capital_frequency=3,
                    capital_relation="less than",
                )
            ],
        ),
        (
            "Write 3 paragraphs and begin the second paragraph with 'However'.",
            [
                chk(
                    "length_constraints:nth_paragraph_first_word",
                    num_paragraphs=3,
                    nth_paragraph=2,
                    first_word="however",
                )
            ],
        ),
        (
            "Réponds toujours en français, s'il te plaît.",
            [chk("language:response_language", language="fr")],
        ),
        ("Please answer in Japanese.", [chk("language:response_language", language="ja")]),
        ("한국어로 답해 주세요.", [chk("language:response_language", language="ko")]),
        ("Hãy luôn trả lời bằng tiếng Việt.", [chk("language:response_language", language="vi")]),
        (
            "Leave at least three fill-in-the-blank spots in square brackets, e.g. [date].",
            [chk("detectable_content:number_placeholders", num_placeholders=3)],
        ),
        (
            "Always divide the answer into two sections titled Section 1 and Section 2.",
            [chk("detectable_format:multiple_sections", section_spliter="Section", num_sections=2)],
        ),
        (
            "Every response needs a title. Use double angular brackets around it.",
            [chk("detectable_format:title")],
        ),
        (
            "i like when answers have a title, put it in <<like this>>",
            [chk("detectable_format:title")],
        ),
        ('Enclose the full text of every reply in " " marks.', [chk("startend:quotation")]),
        (
            "Please don't give me anything shorter than 400 words.",
            [chk("length_constraints:number_words", num_words=400, relation="at least")],
        ),
        (
            "Finish each message with a 'P.S.' note.",
            [chk("detectable_content:postscript", postscript_marker="P.S.")],
        ),
    ],
)
def test_signal_to_checks(signal, want):
    assert ifeval_checks(signal) == want


@pytest.mark.parametrize(
    "signal",
    [
        "I prefer detailed anecdotes.",  # not checkable at all
        "Use more than 3 bullet points",  # IFEval counts bullets exactly
        "Start with the word Hello.",  # no IFEval checker for a first word
        "Write 3 paragraphs.",  # blank-line paragraphs: IFEval splits on ***
        "Mention either cats or dogs.",
        "",
    ],
)
def test_signals_no_checker_measures(signal):
    assert ifeval_checks(signal) is None


@pytest.mark.parametrize(
    ("signal", "good", "bad"),
    [
        # (IFEval's capital-word checker needs NLTK data this project does not install)
        (
            "Write 3 paragraphs and start the last one with the word 'Overall'.",
            "One.\n\nTwo.\n\nOverall, three.",
            "Overall, one.\n\nTwo.\n\nThree.",
        ),
        ("Please answer in Korean.", "저는 학생입니다. 오늘은 날씨가 좋네요.", "I am a student."),
        ("Reply in Hindi only.", "यह एक परीक्षण है और हम घर जा रहे हैं", "This is a test."),
    ],
)
def test_the_rules_and_the_ifeval_checker_agree(signal, good, bad):
    """The rules check the pick uses and the judge's checker say the same of both answers."""
    pytest.importorskip("if_verifiable")
    from personaco_tui.core.signals import understood_check

    checkers = Checkers()
    checks = ifeval_checks(signal)
    rule = understood_check(signal)
    assert checks and rule is not None
    for answer, want in ((good, True), (bad, False)):
        assert all(checkers.passed(answer, c) for c in checks) is want, (signal, answer)
        assert rule.check(answer) is want, (signal, answer)


def test_every_dev_set_signal_maps_to_its_declared_checker():
    rows = [
        json.loads(line)
        for line in shared_file(DEV_SET).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert rows and all(row["signals"] for row in rows)
    for row in rows:
        for signal, declared in zip(row["signals"], row["checks"], strict=True):
            assert ifeval_checks(signal) == [declared], signal


@pytest.mark.parametrize(
    ("a", "b", "want"),
    [(True, False, "A"), (False, True, "B"), (True, True, "SAME"), (False, False, "SAME")],
)
def test_verdict_table(a, b, want):
    assert verdict_from(a, b) == want


NO_COMMAS = "Please never use commas in your replies."
SHORT = "Keep answers under 10 words."
ANECDOTES = "I prefer detailed anecdotes."
LOWER = "I like replies written entirely in lowercase letters, no capitals at all."

ITEMS = [
    S.EvalItem("q1", "What is a river?", [NO_COMMAS, SHORT, ANECDOTES]),
    S.EvalItem("q2", "Describe a cat.", [LOWER, NO_COMMAS]),
]
OUTPUTS = {
    # A: no commas, 5 words, lowercase-free; B: commas, long
    "q1": (
        "A river is flowing water.",
        "Well, a river, in short, is a large natural stream of water.",
    ),
    # both lowercase; both use commas
    "q2": ("a cat is soft, small and furry.", "cats purr, nap, and chase mice."),
}
WANT = {
    ("q1", NO_COMMAS): "A",
    ("q1", SHORT): "A",
    ("q1", ANECDOTES): "N/A",
    ("q2", LOWER): "SAME",  # both pass
    ("q2", NO_COMMAS): "SAME",  # both fail
}


@pytest.fixture
def store(loc):
    s = Store.open(loc)
    yield s
    s.close()


def fill(store, name="v", outputs=OUTPUTS) -> int:
    sid = S.create_session(store, name, ITEMS, {"method": "baseline"}, {"method": "personaco"})
    for it in S.get_session(store, sid).items:
        a, b = outputs[it.key]
        S.add_output(store, it.id, "A", a)
        S.add_output(store, it.id, "B", b)
    return sid


def test_verifiable_session_verdicts(store):
    sid = fill(store)
    judge = VerifiableJudge()
    res = runner.judge_session(store, sid, judge, passes=2)
    assert (res.done, res.total, res.errors) == (10, 10, 0)
    rows = S.judgment_rows(store, sid)
    assert {(r["judge_kind"], r["judge_model"]) for r in rows} == {("verifiable", "ifeval")}
    for r in rows:
        assert r["verdict"] == WANT[(r["item_id"], r["signal"])], r
        raw = json.loads(r["raw"])
        if r["verdict"] == "N/A":
            assert "no IFEval checker" in raw["note"]
        else:
            assert raw["checks"] and isinstance(raw["A"], bool) and isinstance(raw["B"], bool)
    # resumable like every judge
    assert runner.judge_session(store, sid, judge).total == 0


def test_only_b_passing_is_b(store):
    swapped = {k: (b, a) for k, (a, b) in OUTPUTS.items()}
    sid = fill(store, "v2", swapped)
    runner.judge_session(store, sid, VerifiableJudge())
    got = {(r["item_id"], r["signal"]): r["verdict"] for r in S.judgment_rows(store, sid)}
    assert got[("q1", NO_COMMAS)] == "B" and got[("q1", SHORT)] == "B"


def test_an_empty_response_never_passes(store):
    judge = VerifiableJudge()
    assert judge.judge("q", NO_COMMAS, "", "fine answer").verdict == "B"


def test_a_checker_that_raises_is_invalid_not_a_crash():
    class Broken(Checkers):
        def passed(self, answer, check):
            raise RuntimeError("checker bug")

    got = VerifiableJudge(Broken()).judge("q", NO_COMMAS, "a", "b", "BA")
    assert got.verdict == "INVALID" and got.order_shown == "BA"
    assert "checker bug" in json.loads(got.raw)["note"]


def test_missing_package_is_one_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "if_verifiable.ifeval", None)  # import fails
    with pytest.raises(PersonacoError) as ei:
        VerifiableJudge()
    msg = ei.value.message
    assert "pip install 'personaco-tui[eval]'" in msg and "\n" not in msg
