"""How much an answer addresses the question: the persona pick's helpfulness term.

A persona score alone rewards answers that only echo the person's fact ("I'm 8 years old.")
or say nothing. So where persona cells are estimated the pick adds, per answer, how much the
question raises the answer's likelihood: the mean log-probability per token of the answer
after the question alone, minus the same after a neutral request ("Write something."), in
the spirit of domain-conditional PMI (Holtzman et al. 2021). An answer that could follow any
request scores low; one that only this question makes likely scores high. The pick uses the
rank of this pointwise mutual information among the k answers, in [0, 1].

Measured on the same candidates (k = 8, 192 tokens, seed 0; implicit/dev and the project's
own 42-fact persona set of 15 kinds, 69 facts): the pick with it fits 0.667 [0.56, 0.78],
against 0.507 with closeness to a plain answer (the earlier term, which pulls the pick toward
the answer that ignores the person) and 0.522 with no term; on 30 factual questions with one
persona fact each the pick is correct 0.567, as often as a plain answer (0.567).

Where the turn holds wishes about the answers ("Use a cooking analogy."), the question is read
with them before it ("WISHES QUESTION" against "Write something."): read after the question
alone, the answer that follows the wish looks less on-topic than the one that ignores it (on
48 wishes the term alone picked a fitting answer 0.208 / 0.375 of the time, under a random
candidate's 0.318 / 0.453; read after the wishes, the pick with the wish cells went from
0.333 / 0.542 to 0.375 / 0.625).

Both readings decode each answer once (after the question, then after the neutral request)
in batched passes; the question's pass leaves the answers in the engine's cache for the
persona reflector's replies (with wishes, after the wishes: the reflector reads the question
alone again for its cells). An engine that cannot score text gets no term (None).

The likelihood gain is highest for an answer that only restates the question ("How do
airplanes stay up in the air?", "Cats purr.", "The answer is: electricity."): every token
copies one the question made likely. So the pick never prefers an answer that adds no word of
its own to the question's (`says_nothing`: no word the question lacks, English function words
and a restatement's filler, "the answer to your question is", aside), whatever reads it,
unless every answer is like that. Measured on the same candidates (k = 8, 192 tokens, seed 0):
12 of the 98 questions of implicit/dev, persona_dev and persona_holdout had such a pick; with
the rule the persona fits are 69 of 101 as before (implicit/dev 0.630 -> 0.704, persona_dev
0.690 -> 0.667, persona_holdout 0.719 -> 0.688: the judges pass an echo of the question for a
fact that rules something out), the pick is correct on 18 of 30 factual questions with a
persona fact (17 before), and no pick of the checkable dev and guard sets changes.

An answer that says the person's signals back to them is the same kind of echo: in the app,
"I'm vegetarian." and a no-commas wish with "Suggest a quick dinner I can cook tonight." had
"I'm a vegetarian." as the pick, the answer the question made likeliest. So words of the
signals count as given too, where an answer's every word of its own is a signal's and it holds
all that one signal adds to the question (`echoes`; "Paris." stays an answer for a person who
lives in Paris). On the stored candidates of 260 questions (the three persona sets, the wish,
mixed and persona-guard sets, the checkable dev and guard sets) it marks 21 more answers, each
a signal said back ("I'm a cardiologist." to which organ pumps blood), and changes no pick
re-picked from the stored cells (end to end, one dev_set pick left such an echo for another
answer that meets all its rules).

An answer stuck in a loop ("I'm a helpful AI named SmolLM. You can ask about what I can eat
tonight." sixteen times, cut off at the token limit) fools the likelihood readings: after
text that repeats itself every next token is easy, the user's complaint included, and in
the app that loop was the pick for "I'm vegetarian.", no commas and a dinner question. So it
is passed over the same way (`loops`: half its word 4-grams repeat, rep-4 of Welleck et al.
2019), unless every answer loops or echoes.

So is an answer that speaks of itself as an AI instead of answering (`about_itself`: "I'm a
helpful AI named SmolLM...", "as a chatbot designed to assist, I don't have the ability to
..."), the issue's own example of a pick that says nothing. Judges pass such answers, since
they name nothing a person avoids. English only, and not where the question or a signal uses
the word ("Are you an AI?", "I build chatbots."). Re-picked from the stored cells of eight
sets (249 questions), 15 picks were such answers and none is now; the persona sets fit 88 of
122 facts (87 before: implicit/dev 19 -> 18, persona_dev 30 -> 31, persona_holdout2 16 ->
17), and every factual set is correct as often as before."""

from __future__ import annotations

import ast
import functools
import importlib.util
import re
import zlib
from collections.abc import Sequence
from pathlib import Path

from ..engines.base import CancelToken, ChatMessage, Engine
from ..errors import Cancelled, EngineError
from .consensus import rank_scores, words

NEUTRAL = "Write something."

# An answer must add at least this many words of its own to the question's (`says_nothing`):
# one, since "The Sahara." answers "What is the largest desert in the world?".
MIN_NEW_WORDS = 1
# What a restatement adds besides the question's words: "The answer to your question is: ...",
# "Great! I'd be happy to help."; and what "I'd", "you'll", "don't" leave of a word
# fmt: off
RESTATING = frozenset([
    "answer", "question", "ask", "asked", "asking", "help", "happy", "glad", "great", "sure",
    "certainly", "thank", "thanks", "hello", "hi",
])
CONTRACTED = frozenset(["s", "d", "ll", "ve", "re", "m", "t"])
# fmt: on
# An answer stuck in a loop (`loops`): this share of its word 4-grams repeat earlier ones.
LOOP_SHARE = 0.5
LOOP_MIN_NGRAMS = 20
LOOP_MIN_BYTES, LOOP_MAX_PACKED = 200, 0.2  # or text that compresses to a fifth of its size
# An answer about itself as an AI (`about_itself`): "as", "I'm", "I am" or "being", then up to
# four more words ("a helpful", "a language and linguistics") and one of these nouns.
SELF_NOUNS = ("ai", "a.i.", "artificial intelligence", "chatbot", "chat bot", "language model",
              "virtual assistant", "bot")  # fmt: skip
_ABOUT_ITSELF = re.compile(
    r"\b(?P<lead>as|i['’]m|i am|being)\s+(?:[\w-]+\s+){0,4}?(?P<noun>"
    + "|".join(re.escape(n) for n in SELF_NOUNS)
    + r")(?![\w-])",
    re.I,
)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@functools.cache
def _function_words() -> frozenset[str]:
    """scikit-learn's English stop words, read from their file: importing scikit-learn would
    add 1.7 s to the first pick of every `personaco ask`."""
    spec = importlib.util.find_spec("sklearn")  # finds the package without running it
    where = spec.submodule_search_locations if spec is not None else None
    path = Path(next(iter(where or []), ""), "feature_extraction", "_stop_words.py")
    try:  # ENGLISH_STOP_WORDS = frozenset([...])
        (found,) = (
            node.value
            for node in ast.parse(path.read_text(encoding="utf-8")).body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
        )
        return frozenset(str(w) for w in ast.literal_eval(found.args[0]))
    except (OSError, ValueError, SyntaxError, IndexError):  # another layout: import it
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        return frozenset(ENGLISH_STOP_WORDS)


def _stems(text: str) -> list[str]:
    return [w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words(text)]


def new_words(answer: str, query: str) -> set[str]:
    """The words (numbers too, a plural as its singular) of `answer` that `query` does not
    hold, less English function words and a restatement's filler."""
    asked = set(_stems(query))
    function_words = _function_words()
    return {
        w
        for w in _stems(answer)
        if w not in asked and w not in function_words and w not in RESTATING and w not in CONTRACTED
    }


def says_nothing(answer: str, query: str, signals: Sequence[str] = ()) -> bool:
    """Whether `answer` adds fewer than MIN_NEW_WORDS words of its own to the question, or
    only says the person's `signals` back to them (`echoes`)."""
    own = new_words(answer, query)
    return len(own) < MIN_NEW_WORDS or echoes(own, query, signals)


def _loop_units(answer: str) -> list[str]:
    """The words of `answer`, numbers as one word; in scripts written without spaces between
    words (Chinese, Japanese, Thai) each character is one."""
    out: list[str] = []
    for w in words(answer):
        if _UNSPACED.search(w):
            out.extend(w)
        else:
            out.append("#" if w.isdigit() else w)
    return out


def loops(answer: str) -> bool:
    """Whether `answer` is stuck repeating itself: at least LOOP_SHARE of its 4-grams of words
    came earlier in it (rep-4, the repetition measure of Welleck et al. 2019), over at least
    LOOP_MIN_NGRAMS of them. Numbers count as one word, so a numbered list of the same line
    over and over loops too; in Chinese or Japanese the units are characters (a paragraph of
    Chinese prose repeats 1% of its 4-grams, one sentence said eight times 87%). Text that
    compresses to a fifth of its size loops too (`_compresses_away`)."""
    w = _loop_units(answer)
    grams = [tuple(w[i : i + 4]) for i in range(len(w) - 3)]
    if len(grams) >= LOOP_MIN_NGRAMS and 1 - len(set(grams)) / len(grams) >= LOOP_SHARE:
        return True
    return _compresses_away(answer)


def _compresses_away(answer: str) -> bool:
    """Whether zlib packs `answer` into under LOOP_MAX_PACKED of its size, at least
    LOOP_MIN_BYTES long: repetition inside words that 4-grams of words cannot see
    ("hiiiii...", "spring_spring_spring..."). English prose packs to 0.35-0.5."""
    raw = answer.encode("utf-8")
    return len(raw) >= LOOP_MIN_BYTES and len(zlib.compress(raw, 9)) < LOOP_MAX_PACKED * len(raw)


def about_itself(answer: str, query: str, signals: Sequence[str] = ()) -> bool:
    """Whether the answer speaks of itself as an AI ("I'm a helpful AI named SmolLM...", "as a
    chatbot designed to assist users, I don't have the ability to ..."), in English, where
    neither the question nor a signal uses that word: to "Are you an AI?" or for a person who
    says "I build chatbots.", such a sentence may be the answer."""
    given = " ".join([query, *signals]).lower()
    for m in _ABOUT_ITSELF.finditer(answer):
        noun = m.group("noun").lower()
        if re.search(rf"(?<![\w.]){re.escape(noun)}s?(?![\w-])", given):
            continue  # the question or a signal speaks of it
        if m.group("lead").lower() not in ("as", "being"):
            return True  # "I'm a ...", "I am a ..."
        # "as a chatbot" / "being an AI" speak of the answerer only with "I" in the sentence
        # ("as a chatbot, I don't ..."; not "As an AI researcher once said, ...")
        start = max(answer.rfind(c, 0, m.start()) for c in ".!?\n") + 1
        end = _SENTENCE_END.search(answer, m.end())
        sentence = answer[start : end.start() if end else len(answer)]
        if re.search(r"\b(?:i|i['’]m|i['’]d|i['’]ve|my|me)\b", sentence, re.I):
            return True
    return False


def passed_over(answer: str, query: str, signals: Sequence[str] = ()) -> str:
    """Why the pick puts `answer` after the answers that are not passed over, short of the
    rules' verdicts: "echo" (`says_nothing`), "loop" (`loops`), "itself" (`about_itself`), or
    "" (not passed over)."""
    if says_nothing(answer, query, signals):
        return "echo"
    if loops(answer):
        return "loop"
    return "itself" if about_itself(answer, query, signals) else ""


def echoes(own: set[str], query: str, signals: Sequence[str]) -> bool:
    """Whether an answer whose words beyond the question are `own` only says back what the
    person said ("I'm a vegetarian." to "I'm vegetarian." and a dinner question): every word
    of its own is a signal's, and it holds every word that one signal adds to the question.
    An answer that shares only some of a signal's words stays ("Paris." where the person
    lives in Paris and asks which city the Eiffel Tower is in)."""
    said = [new_words(s, query) for s in signals]
    if not own or not own <= set().union(*said):
        return False
    return any(w and w <= own for w in said)


def answer_items(
    engine: Engine, context: list[ChatMessage], answers: list[str]
) -> tuple[list[list[int]], list[list[int]]]:
    """(prefix, continuation) per answer: the conversation up to the assistant's turn, then
    the answer with its end of turn (up to where the next user turn's text would start)."""
    convs = [context]
    for answer in answers:
        base: list[ChatMessage] = [*context, {"role": "assistant", "content": answer}]
        convs += [
            [*base, {"role": "user", "content": "x"}],
            [*base, {"role": "user", "content": "y"}],
        ]
    prefix, *ids = engine.prompt_tokens_batch(convs)
    prefixes, conts = [], []
    for one, two in zip(ids[::2], ids[1::2], strict=True):
        n = 0
        while n < min(len(one), len(two)) and one[n] == two[n]:
            n += 1
        start = min(len(prefix), n - 1)
        prefixes.append(one[:start])
        conts.append(one[start:n])
    return prefixes, conts


class AnswerReadings:
    """The k answers' token log-probabilities after an ask (the conversation so far, then one
    user turn), each ask read once a turn: the helpfulness term and the persona reflector's
    wish cells need some of the same readings (with one wish, "WISH QUESTION" is both)."""

    def __init__(
        self, engine: Engine, history: list[ChatMessage] | None, answers: list[str]
    ) -> None:
        self.engine = engine
        self.history = list(history or [])
        self.answers = list(answers)
        self._memo: dict[str, list[list[float]]] = {}

    def read(self, asks: list[str], cancel: CancelToken | None = None) -> list[list[list[float]]]:
        """Per ask, each answer's token log-probabilities; the asks not read yet are read in
        one batched pass."""
        todo = [a for a in dict.fromkeys(asks) if a not in self._memo]
        if todo:
            prefixes, conts = [], []
            for ask in todo:
                context: list[ChatMessage] = [*self.history, {"role": "user", "content": ask}]
                p, c = answer_items(self.engine, context, self.answers)
                prefixes += p
                conts += c
            lps = self.engine.continuation_logprobs(prefixes, conts, cancel=cancel)
            k = len(self.answers)
            for n, ask in enumerate(todo):
                self._memo[ask] = lps[k * n : k * (n + 1)]
        return [self._memo[a] for a in asks]


def query_pmi(
    engine: Engine,
    query: str,
    history: list[ChatMessage] | None,
    answers: list[str],
    cancel: CancelToken | None = None,
    wishes: str | None = None,
    readings: AnswerReadings | None = None,
) -> list[float] | None:
    """Per answer: mean log P(token) after the question (after `wishes` and the question,
    where given) minus after a neutral request, in nats per token. None where the engine
    cannot score text or the scoring fails. `readings`: the turn's shared readings."""
    if not engine.capabilities.scores_text or len(answers) < 2:
        return None
    readings = readings or AnswerReadings(engine, history, answers)
    means: dict[str, list[float]] = {}
    try:
        # the neutral reading first: the question's then stays in the cache for what follows
        asked = f"{wishes} {query}" if wishes else query
        for name, ask in (("neutral", NEUTRAL), ("query", asked)):
            (lps,) = readings.read([ask], cancel)
            means[name] = [sum(lp) / max(1, len(lp)) for lp in lps]
    except Cancelled:
        raise
    except EngineError:
        return None
    return [q - n for q, n in zip(means["query"], means["neutral"], strict=True)]


def addresses_scores(pmi: list[float]) -> list[float]:
    """The pick's term: each answer's rank of `pmi` among the answers, in [0, 1]."""
    return rank_scores(pmi)
