# ruff: noqa: E501 - word lists read best on one line
"""Development checks for tests/data/persona_dev/dev.jsonl: my own copy, never the shared judge,
never imported by the product (`personaco adherence --set tests/data/persona_dev/dev.jsonl`
finds it beside the set)."""

import re

MEAT = r"\b(chicken|beef|pork|bacon|ham|fish|salmon|tuna|shrimp|prawns?|turkey|lamb|sausages?|meat|meats|steak|anchov\w*|veal|duck|crab|lobster|cod|pepperoni|salami|mutton|goat|venison|meatballs?|burgers?)\b"
IMPERIAL = r"(°\s*F\b|\bfahrenheit\b|\bmiles?\b|\bfeet\b|\bfoot\b|\binch(es)?\b|\bpounds?\b|\blbs?\b|\bounces?\b|\boz\b|\bgallons?\b|\byards?\b|\bmph\b)"
METRIC = r"(°\s*C\b|\bcelsius\b|\bkm\b|\bkilomet\w*|\bmet(er|re)s?\b|\bkg\b|\bkilogram\w*|\bcm\b|\bcentimet\w*|\blit(er|re)s?\b|\bgrams?\b|\bm\b)"

NUTS = r"\b(nuts?|peanuts?|almonds?|walnuts?|cashews?|pecans?|hazelnuts?|pistachios?|macadamias?|pine nuts|praline|marzipan|nutella|trail mix)\b"
DAIRY = r"(?<!almond )(?<!oat )(?<!soy )(?<!coconut )(?<!peanut )(?<!cocoa )(?<!rice )(?<!plant )(?<!vegan )\b(milk|cheese|butter|cream|yogh?urt|ghee|parmesan|mozzarella|cheddar|feta|ricotta|dairy)\b(?!-free)"
GLUTEN = r"(?<!gluten-free )(?<!rice )(?<!corn )\b(bread|pasta|wheat|flour|barley|rye|noodles|couscous|toast|bagels?|croissants?|pizza|crackers?|cereal|tortillas?|sandwich(es)?|wraps?|cake|cookies|muffins?|biscuits?|spaghetti|beer)\b"
ALCOHOL = r"\b(wine|beer|cocktails?|vodka|rum|whiske?y|gin|champagne|alcohol|liquor|sangria|margaritas?|mojitos?|prosecco|tequila|brandy|bourbon|cider|sake|spritz)\b"
SUGAR = r"\b(sugar|candy|candies|cake|cookies?|soda|honey|syrup|chocolate|ice cream|donuts?|doughnuts?|pastr(y|ies)|desserts?|brownies?|sweets|jam|caramel|cupcakes?)\b(?!-free)"
SHELL = r"\b(pork|bacon|ham|shrimp|prawns?|lobster|crab|clams?|oysters?|mussels?|scallops?|shellfish|squid|calamari|octopus|sausages?|pepperoni|prosciutto|cheeseburgers?)\b"
CURRENCY = {
    "eur": (r"(€|\beuros?\b|\bEUR\b)", r"(\$|\bdollars?\b|£|\bpounds?\b)"),
    "gbp": (r"(£|\bpounds?\b|\bGBP\b|\bquid\b)", r"(\$|\bdollars?\b|€|\beuros?\b)"),
    "jpy": (r"(¥|\byen\b|\bJPY\b|円)", r"(\$|\bdollars?\b|€|£)"),
}
OS = {
    "mac": (
        r"(\bcmd\b|\bcommand\b|⌘|\bfinder\b|\bmacos\b|\bmac\b|\bshift-command|\boption\b)",
        r"(\bctrl\b|\bcontrol key|\bwindows\b|\bprtsc|\bprint screen|\bsnipping\b)",
    ),
    "windows": (
        r"(\bctrl\b|\bcontrol\b|\bwindows\b|\bstart menu|\bpowershell\b|\bwin\b)",
        r"(\bcmd\b|\bcommand key|⌘|\bmac\b|\bmacos\b|\bfinder\b|\bapt\b)",
    ),
    "linux": (
        r"(\bapt(-get)?\b|\bsudo\b|\bterminal\b|\blinux\b|\bubuntu\b|\bsnap\b|\bsoftware center\b|\bdpkg\b)",
        r"(\bexe\b|\.exe\b|\bwindows\b|\bmac\b|\bapp store\b|\bmicrosoft store\b)",
    ),
}
STOP = {
    "en": {
        "the",
        "and",
        "is",
        "of",
        "to",
        "a",
        "in",
        "that",
        "it",
        "you",
        "for",
        "with",
        "are",
        "this",
        "be",
    },
    "es": {
        "el",
        "la",
        "de",
        "que",
        "y",
        "en",
        "los",
        "las",
        "es",
        "un",
        "una",
        "por",
        "para",
        "con",
        "del",
        "se",
    },
    "fr": {
        "le",
        "la",
        "les",
        "de",
        "des",
        "et",
        "est",
        "un",
        "une",
        "en",
        "que",
        "qui",
        "pour",
        "dans",
        "du",
        "pas",
    },
}


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
    if k == "no_nuts":
        return not re.search(NUTS, text, re.I)
    if k == "no_dairy":
        return not re.search(DAIRY, text, re.I)
    if k == "gluten_free":
        return not re.search(GLUTEN, text, re.I)
    if k == "no_alcohol":
        return not re.search(ALCOHOL, text, re.I)
    if k == "no_sugar":
        return not re.search(SUGAR, text, re.I)
    if k == "kosher":
        return not re.search(SHELL, text, re.I)
    if k == "no_beef":
        return not re.search(
            r"\b(beef|steak|veal|hamburgers?|burgers?|brisket|oxtail)\b", text, re.I
        )
    if k == "currency":
        want, other = CURRENCY[a["cur"]]
        return bool(re.search(want, text, re.I)) and not re.search(other, text, re.I)
    if k == "os":
        want, other = OS[a["os"]]
        return bool(re.search(want, text, re.I)) and not re.search(other, text, re.I)
    if k == "lang":
        words = re.findall(r"[a-zà-ÿ]+", text.lower())
        own = sum(w in STOP[a["lang"]] for w in words)
        return own >= 3 and own > 2 * sum(w in STOP["en"] for w in words)
    if k == "grade_min":
        return grade(text) >= a["grade"] and len(text.split()) >= 20
    raise KeyError(k)
