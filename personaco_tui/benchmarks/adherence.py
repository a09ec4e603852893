"""Adherence benchmark: how often the pick satisfies the signals, judged by an independent
judge, never by the project's own rules: the IFEval checkers of the `if-verifiable` package
for checks with an `instruction_id`, and for checks with a `kind` (persona facts) the
`check(check, text)` of a checks file the user names (e.g. the shared implicit/checks.py).
Items with an `answer` regex are also scored for correctness, against one plain answer to
the query without signals. Each reflector's cells get an AUC: over every pair of one
passing and one failing candidate of a signal, how often the cells rank the passing one
higher (0.5 = chance).

For each item (seed = its position): one baseline sample with the paper's prompt, then k
candidates; every candidate is scored by the checkers once, and each pick (every reflector,
a seeded random candidate, the best-of-k oracle) is read off that table, so all picks are
compared on the very same candidates."""

from __future__ import annotations

import importlib.util
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.helpfulness import addresses_scores, query_pmi
from ..core.personaco import choose
from ..core.prompts import personalization_prompt
from ..core.reflectors.base import ReflectionInput, Reflector
from ..core.sampling import Sampling
from ..engines.base import Engine, SamplingParams
from ..errors import PersonacoError, not_utf8
from ..evaluation.ifeval import Checkers  # the checkers, shared with the verifiable judge

__all__ = [
    "AdherenceReport",
    "Checkers",
    "DevItem",
    "SetJudge",
    "load_dev_set",
    "run_adherence",
]


@dataclass
class DevItem:
    id: str
    query: str
    signals: list[str]
    checks: list[dict[str, Any]]
    answer: str | None = None  # a case-insensitive regex a correct answer matches


class SetJudge:
    """The checks of a set, each by its own independent judge: IFEval checkers for
    `instruction_id`, the user's checks file for `kind`. Both load before any work."""

    def __init__(self, items: list[DevItem], checks_file: Path | None = None) -> None:
        kinds = [c for i in items for c in i.checks if "kind" in c]
        self._ifeval = (
            Checkers() if any("instruction_id" in c for i in items for c in i.checks) else None
        )
        for check in (c for i in items for c in i.checks if "instruction_id" in c):
            self._known(check)
        self._kind_check: Callable[[dict[str, Any], str], bool] | None = None
        if kinds:
            if checks_file is None:
                raise PersonacoError(
                    "This set has checks by `kind`, which need a checks file to judge them.",
                    "Pass --checks PATH: a Python file with check(check, text), e.g. "
                    "implicit/checks.py beside the set.",
                )
            self._kind_check = _load_check(checks_file)

    def passed(self, answer: str, check: dict[str, Any]) -> bool:
        if "kind" in check and self._kind_check is not None:
            return bool(self._kind_check(check, answer))
        if self._ifeval is None:
            raise PersonacoError(f"No judge for the check {check}.", "Check the set's lines.")
        try:
            return self._ifeval.passed(answer, check)
        except LookupError as e:  # NLTK data a checker needs (sentence splitting) is missing
            if isinstance(e, KeyError | IndexError):
                raise
            raise _nltk_error(e, check["instruction_id"]) from None

    def _known(self, check: dict[str, Any]) -> None:
        """Refuse, before any work, an IFEval check with an unknown id or kwargs its checker
        does not take (an empty answer builds the checker but runs no check)."""
        assert self._ifeval is not None
        iid = check["instruction_id"]
        try:
            self._ifeval.passed("", check)
        except KeyError:
            raise PersonacoError(
                f"The set has an unknown IFEval instruction_id {iid!r}.", "Check the set's lines."
            ) from None
        except (TypeError, ValueError) as e:
            raise PersonacoError(
                f"The IFEval check {iid} refuses its kwargs {check.get('kwargs')} ({e}).",
                "Check the set's lines.",
            ) from None


def _nltk_error(e: LookupError, instruction_id: str) -> PersonacoError:
    """One line for NLTK's banner: the resource it names and how to get it."""
    text = str(e)
    found = re.search(r"nltk\.download\('([^']+)'", text) or re.search(r"Resource '([^']+)'", text)
    if found is None:
        first = next((ln.strip() for ln in text.splitlines() if ln.strip("* \n")), text)
        return PersonacoError(
            f"The IFEval check {instruction_id} failed: {first}",
            "Install the NLTK data it names: python -m nltk.downloader NAME",
        )
    name = found.group(1)
    return PersonacoError(
        f"The IFEval check {instruction_id} needs the NLTK data '{name}', which NLTK cannot load.",
        f"Get it with: python -m nltk.downloader {name}",
    )


def _load_check(path: Path) -> Callable[[dict[str, Any], str], bool]:
    spec = importlib.util.spec_from_file_location("personaco_external_checks", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise PersonacoError(
            f"Cannot load checks from {path}.", "Pass --checks PATH to a .py file."
        )
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as e:  # noqa: BLE001 - the user's file: say what broke, in one line
        raise PersonacoError(
            f"{path} failed to load ({type(e).__name__}: {e}).", "Fix it, or pass another file."
        ) from None
    check = getattr(module, "check", None)
    if not callable(check):
        raise PersonacoError(f"{path} has no check(check, text) function.", "Add one.")
    return check


def auc_pairs(scores: list[float | None], passed: list[bool]) -> tuple[float, int]:
    """(passing-above-failing wins, pairs) of one signal's cells; a tie counts half and a
    cell nobody scored counts as 0.5."""
    s = [0.5 if v is None else v for v in scores]
    num, den = 0.0, 0
    for a in range(len(s)):
        for b in range(len(s)):
            if passed[a] and not passed[b]:
                den += 1
                num += 1.0 if s[a] > s[b] else 0.5 if s[a] == s[b] else 0.0
    return num, den


_LINE_TODO = (
    'Each line must be a JSON object with "id", "query", "signals" (a list of strings) and '
    '"checks" (a list of objects, one per signal).'
)

_JSON_TYPES = {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}


def load_dev_set(path: Path) -> list[DevItem]:
    """The items of a JSONL set; a PersonacoError naming the line for anything malformed, and
    for a file that holds no items."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise PersonacoError(f"Cannot read {path}: {e.strerror}.", "Pass --set PATH.") from None
    except UnicodeDecodeError as e:
        raise not_utf8(str(path), e, "Pass a JSONL set, one JSON object a line.") from None
    items = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            raise PersonacoError(f"{path}:{n} is not JSON ({e}).", _LINE_TODO) from None
        items.append(_dev_item(d, f"{path}:{n}"))
    if not items:
        raise PersonacoError(f"{path} holds no items.", _LINE_TODO)
    return items


def _dev_item(d: Any, where: str) -> DevItem:
    def bad(what: str) -> PersonacoError:
        return PersonacoError(f"{where} {what}.", _LINE_TODO)

    if not isinstance(d, dict):
        raise bad(f"is a JSON {_JSON_TYPES.get(type(d), 'null')}, not an object")
    missing = [key for key in ("id", "query", "signals", "checks") if key not in d]
    if missing:
        raise bad(f"has no {', '.join(repr(m) for m in missing)}")
    query, signals, checks, answer = d["query"], d["signals"], d["checks"], d.get("answer")
    if not isinstance(query, str) or not query.strip():
        raise bad('has a "query" that is not a non-empty string')
    if not isinstance(signals, list) or not all(isinstance(s, str) for s in signals):
        raise bad('has "signals" that are not a list of strings')
    if not isinstance(checks, list) or not all(isinstance(c, dict) for c in checks):
        raise bad('has "checks" that are not a list of objects')
    if len(checks) != len(signals):
        raise bad(f"has {len(signals)} signals but {len(checks)} checks (one per signal)")
    for c in checks:
        if not isinstance(c.get("instruction_id", c.get("kind")), str):
            raise bad('has a check with neither an "instruction_id" nor a "kind" string')
        if not isinstance(c.get("kwargs") or {}, dict):
            raise bad('has a check whose "kwargs" is not an object')
    if answer is not None:
        try:
            re.compile(str(answer))
        except re.error as e:
            raise bad(f'has an "answer" that is not a valid regex ({e})') from None
    return DevItem(str(d["id"]), query, signals, checks, None if answer is None else str(answer))


@dataclass
class PickScore:
    satisfied: int = 0
    wins: int = 0  # per (item, signal): the pick satisfies it and the baseline does not
    losses: int = 0
    ties: int = 0


@dataclass
class AdherenceReport:
    model: str
    k: int
    max_tokens: int
    items: int
    signals: int
    picks: dict[str, PickScore] = field(default_factory=dict)
    seconds: float = 0.0
    auc: dict[str, list[float]] = field(default_factory=dict)  # reflector -> [wins, pairs]
    correct: dict[str, list[int]] = field(default_factory=dict)  # pick -> [correct, items]

    def as_dict(self) -> dict[str, Any]:
        adh = {  # None for a set of answers only (no signals)
            name: round(p.satisfied / self.signals, 3) if self.signals else None
            for name, p in self.picks.items()
        }
        out: dict[str, Any] = {
            "model": self.model,
            "k": self.k,
            "max_tokens": self.max_tokens,
            "items": self.items,
            "signals": self.signals,
            "adherence": adh,
            "vs_baseline": {
                name: {"wins": p.wins, "losses": p.losses, "ties": p.ties}
                for name, p in self.picks.items()
                if name != "baseline"
            },
            "seconds": round(self.seconds, 1),
        }
        out["auc"] = {n: round(w / p, 3) if p else None for n, (w, p) in self.auc.items()}
        if self.correct:
            out["correct"] = {n: round(c / t, 3) for n, (c, t) in self.correct.items() if t}
        oracle = adh.get("oracle")
        if oracle:  # then every pick has a figure
            out["of_oracle"] = {
                n: round((a or 0.0) / oracle, 2) for n, a in adh.items() if n not in ("oracle",)
            }
        return out


def run_adherence(
    engine: Engine,
    items: list[DevItem],
    reflectors: dict[str, Reflector],
    *,
    k: int = 8,
    max_tokens: int = 192,
    temperature: float = 1.0,
    sampling: Sampling | None = None,
    checkers: Checkers | SetJudge | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> AdherenceReport:
    checkers = checkers or SetJudge(items)
    names = ["baseline", *reflectors, "random", "oracle"]
    report = AdherenceReport(
        engine.name,
        k,
        max_tokens,
        len(items),
        sum(len(i.signals) for i in items),
        {n: PickScore() for n in names},
    )
    report.auc = {n: [0.0, 0] for n in reflectors}
    t0 = time.perf_counter()
    for seed, item in enumerate(items):
        messages = [{"role": "user", "content": personalization_prompt(item.query, item.signals)}]
        if sampling is None:  # the engine's chain at `temperature`
            params = SamplingParams(temperature=temperature, max_tokens=max_tokens, seed=seed)
        else:
            params = SamplingParams(
                temperature=sampling.temperature,
                top_p=sampling.top_p,
                min_p=sampling.min_p,
                top_k=sampling.top_k,
                max_tokens=max_tokens,
                seed=seed,
            )
        base = engine.sample(messages, 1, params)[0].text
        outs = engine.sample(messages, k, params)
        cands = [o.text for o in outs]
        finished = [o.finish_reason != "length" for o in outs]  # as the product's pick does
        truth = [[checkers.passed(c, chk) for chk in item.checks] for c in cands]
        base_truth = [checkers.passed(base, chk) for chk in item.checks]
        picks: dict[str, list[bool]] = {"baseline": base_truth}
        inp = ReflectionInput(messages, item.query, cands, item.signals)
        chosen: dict[str, str] = {"baseline": base}
        pmi: list[float] | None = None
        for name, reflector in reflectors.items():
            cells = reflector.score(inp)
            addresses = None
            if any(c.reflector == "persona" for c in cells):  # as the product's pick does
                pmi = pmi or query_pmi(engine, item.query, None, cands)
                addresses = addresses_scores(pmi) if pmi is not None else None
            best, _ = choose(
                cells,
                k,
                finished=finished,
                texts=cands,
                addresses=addresses,
                query=item.query,
                signals=item.signals,
            )
            picks[name] = truth[best]
            chosen[name] = cands[best]
            grid: list[list[float | None]] = [[None] * len(item.signals) for _ in cands]
            for c in cells:
                grid[c.candidate][c.signal] = c.score
            for j in range(len(item.checks)):
                w, n = auc_pairs([row[j] for row in grid], [t[j] for t in truth])
                report.auc[name][0] += w
                report.auc[name][1] += n
        if item.answer is not None:
            plain = engine.sample([{"role": "user", "content": item.query}], 1, params)[0].text
            for name, text in {"plain": plain, **chosen}.items():
                tally = report.correct.setdefault(name, [0, 0])
                tally[0] += bool(re.search(item.answer, text, re.I))
                tally[1] += 1
        picks["random"] = truth[random.Random(seed).randrange(k)]
        picks["oracle"] = max(truth, key=sum)
        for name, row in picks.items():
            score = report.picks[name]
            score.satisfied += sum(row)
            for got, had in zip(row, base_truth, strict=True):
                if got and not had:
                    score.wins += 1
                elif had and not got:
                    score.losses += 1
                else:
                    score.ties += 1
        log(
            f"[{seed + 1}/{len(items)}] {item.id}: "
            + " ".join(f"{n}={sum(r)}/{len(r)}" for n, r in picks.items())
        )
    report.seconds = time.perf_counter() - t0
    return report
