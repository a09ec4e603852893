# ruff: noqa: E501 - word lists read best on one line
"""Development checks for tests/data/persona_dev/dev.jsonl: my own copy, never the shared judge,
never imported by the product (`personaco adherence --set tests/data/persona_dev/dev.jsonl`
finds it beside the set)."""

import re

MEAT = r"\b(chicken|beef|pork|bacon|ham|fish|salmon|tuna|shrimp|prawns?|turkey|lamb|sausages?|meat|meats|steak|anchov\w*|veal|duck|crab|lobster|cod|pepperoni|salami|mutton|goat|venison|meatballs?|burgers?)\b"
IMPERIAL = r"(°\s*F\b|\bfahrenheit\b|\bmiles?\b|\bfeet\b|\bfoot\b|\binch(es)?\b|\bpounds?\b|\blbs?\b|\bounces?\b|\boz\b|\bgallons?\b|\byards?\b|\bmph\b)"
METRIC = r"(°\s*C\b|\bcelsius\b|\bkm\b|\bkilomet\w*|\bmet(er|re)s?\b|\bkg\b|\bkilogram\w*|\bcm\b|\bcentimet\w*|\blit(er|re)s?\b|\bgrams?\b|\bm\b)"


def syll(w):
    w = w.lower()
    g = re.findall(r"[aeiouy]+", w)
    n = len(g)
    if w.endswith("e") and n > 1:
        n -= 1
    return max(1, n)


def grade(t):
    sents = max(1, len(re.findall(r"[.!?]+", t)))
    words = re.findall(r"[A-Za-z']+", t)
    if not words:
        return 99.0
    return 0.39 * len(words) / sents + 11.8 * sum(syll(w) for w in words) / len(words) - 15.59


CODE = {
    "python": [
        r"\bdef \w+\(",
        r"\bprint\(",
        r"```python",
        r"\bimport \w+",
        r"\bfor \w+ in ",
        r"\bwith open\(",
    ],
    "javascript": [
        r"\bconst ",
        r"\blet ",
        r"\bfunction\b",
        r"console\.log",
        r"=>",
        r"```(javascript|js)",
        r"\.forEach\(",
        r"\bnew Set\(",
    ],
    "rust": [r"\bfn \w+", r"\blet mut\b", r"println!", r"```rust", r"\bVec<", r"\bimpl\b"],
    "go": [r"\bfunc \w+", r"fmt\.Print", r"```go", r":= ", r"\bpackage main\b"],
}


def check(c, text):
    k = c["kind"]
    a = c.get("args", {})
    if k == "no_meat":
        return not re.search(MEAT, text, re.I)
    if k == "no_pork_alcohol":
        return not re.search(
            r"\b(pork|bacon|ham|wine|beer|alcohol|rum|vodka|sausages?|pepperoni|prosciutto|lard)\b",
            text,
            re.I,
        )
    if k == "vegan":
        return not re.search(
            MEAT + r"|\b(cheese|milk|butter|eggs?|yogh?urt|cream|honey)\b", text, re.I
        )
    if k == "metric":
        return bool(re.search(METRIC, text)) and not re.search(IMPERIAL, text, re.I)
    if k == "grade_max":
        return grade(text) <= a["grade"]
    if k == "code_lang":
        ok = sum(bool(re.search(p, text)) for p in CODE[a["lang"]])
        other = max(
            sum(bool(re.search(p, text)) for p in ps)
            for lang, ps in CODE.items()
            if lang != a["lang"]
        )
        return ok >= 1 and ok >= other
    if k == "max_words":
        return len(text.split()) <= a["n"]
    if k == "min_words":
        return len(text.split()) >= a["n"]
    raise KeyError(k)
