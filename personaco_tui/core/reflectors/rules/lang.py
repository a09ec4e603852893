"""A small language detector for the "respond in <language>" signals: counts frequent function
words of each language (a word shared by several languages counts for each, split between
them) and names the language with the highest score. No dependency, deterministic."""

from __future__ import annotations

import re

LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
}

_STOPWORDS = {
    "en": """the and is are was were of to in that it with for as on this be by not you your have
        has had from they we he she or which will would can an at but what there their so if about
        more when also do does been these those than its our how into my me i who them his her
        should could just only very some any all no yes because while where why here each other
        such most many much been being our us one""",
    "es": """el la los las de del que y en un una es por con para no se su sus al lo como más pero
        sí muy también este esta estos estas hay son está están ser fue ha han le les yo tú usted
        nosotros porque cuando donde qué cómo sobre entre hasta desde todo todos puede tiene
        hacer bien ya o u ni pero otro otra cada sin mi tu ese esa eso aquí así""",
    "fr": """le la les de des du et est un une en que qui pour dans ce cette ces il elle ils elles
        nous vous je tu ne pas plus sur avec par au aux sont mais ou où comme son sa ses leur
        leurs été être avoir fait très aussi bien tout tous peut c est d l qu n s j y donc car
        mon ton notre votre sans chez ici""",
    "de": """der die das und ist nicht ein eine einen einem einer zu mit sich auf für von den dem
        des im auch es sind war wird werden bei oder aber wie noch nach nur kann können über
        diese dieser dieses wenn ich du sie wir ihr man sehr hat haben schon dass mehr um aus
        wo was warum weil hier jetzt kein keine""",
    "it": """il lo la gli le di del della dei delle che e è un una uno per con non sono ma come
        anche più questo questa nel nella alla al da dal si ha hanno essere molto perché quando
        tutto tutti cosa io tu lui lei noi voi loro mi ti ci ne sul sulla gli degli nelle""",
    "pt": """o os a as de do da dos das que e é um uma em no na nos nas para com por não se mais
        como mas ao seu sua são foi ser está também muito isso este esta ele ela eles você eu
        nós já quando porque onde pode tem ter há pelo pela seus suas entre sobre""",
    "nl": """de het een en van is dat die in op te voor met niet zijn er aan ook als maar om bij dit
        deze wordt worden naar uit door kan heeft hebben nog wel geen meer was werd ik je jij
        we wij zij hun ons onze veel zo dan of al wat hoe waarom omdat""",
}

_WEIGHTS: dict[str, dict[str, float]] = {}


def _build() -> None:
    owners: dict[str, set[str]] = {}
    for code, words in _STOPWORDS.items():
        for w in words.split():
            owners.setdefault(w, set()).add(code)
    for w, codes in owners.items():
        _WEIGHTS[w] = {c: 1.0 / len(codes) for c in codes}


_build()
_TOKEN = re.compile(r"[^\W\d_]+")


def language_scores(text: str) -> dict[str, float]:
    scores = dict.fromkeys(LANGUAGE_NAMES, 0.0)
    for tok in _TOKEN.findall(text.lower()):
        for code, w in _WEIGHTS.get(tok, {}).items():
            scores[code] += w
    return scores


def detect_language(text: str) -> str | None:
    """The language code with the highest score, or None when no function word was seen or
    two languages tie."""
    scores = language_scores(text)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    best, top = ranked[0]
    if top <= 0 or ranked[1][1] == top:
        return None
    return best
