"""A small language detector for the "respond in <language>" signals. A text written mostly in
a script of its own (kana, Hangul, Cyrillic, Arabic, Devanagari, Thai, ...) is named by its
script, with the letters that tell the languages of one script apart (Ukrainian і ї є ґ,
Persian پ چ ژ گ, Urdu ٹ ڈ ڑ ے); a text in Latin letters by its frequent function words (a word
shared by several languages counts for each, split between them): the highest score wins.
No dependency, deterministic."""

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
    "pl": "Polish",
    "fi": "Finnish",
    "sw": "Swahili",
    "vi": "Vietnamese",
    "ru": "Russian",
    "uk": "Ukrainian",
    "bg": "Bulgarian",
    "el": "Greek",
    "ar": "Arabic",
    "fa": "Persian",
    "ur": "Urdu",
    "he": "Hebrew",
    "hi": "Hindi",
    "mr": "Marathi",
    "ne": "Nepali",
    "bn": "Bengali",
    "pa": "Punjabi",
    "gu": "Gujarati",
    "ta": "Tamil",
    "te": "Telugu",
    "kn": "Kannada",
    "ml": "Malayalam",
    "th": "Thai",
    "ja": "Japanese",
    "ko": "Korean",
    "zh": "Chinese",
}

# How a signal names a language: English names, endonyms, and the names in the other languages
# a request may be written in ("contéstame en ruso", "réponds en anglais").
LANGUAGE_WORDS = {
    "english": "en", "anglais": "en", "inglés": "en", "ingles": "en", "englisch": "en",
    "inglese": "en", "inglês": "en",
    "spanish": "es", "español": "es", "espanol": "es", "castellano": "es", "castilian": "es",
    "espagnol": "es", "spanisch": "es", "spagnolo": "es", "espanhol": "es",
    "french": "fr", "français": "fr", "francais": "fr", "francés": "fr", "frances": "fr",
    "französisch": "fr", "francese": "fr", "francês": "fr",
    "german": "de", "deutsch": "de", "alemán": "de", "aleman": "de", "allemand": "de",
    "tedesco": "de", "alemão": "de",
    "italian": "it", "italiano": "it", "italien": "it", "italienisch": "it",
    "portuguese": "pt", "português": "pt", "portugues": "pt", "portugués": "pt",
    "portugais": "pt", "portugiesisch": "pt", "portoghese": "pt",
    "dutch": "nl", "nederlands": "nl", "flemish": "nl", "holandés": "nl", "néerlandais": "nl",
    "niederländisch": "nl",
    "polish": "pl", "polski": "pl", "finnish": "fi", "suomi": "fi", "swahili": "sw",
    "kiswahili": "sw", "vietnamese": "vi", "tiếng việt": "vi",
    "russian": "ru", "ruso": "ru", "russe": "ru", "russisch": "ru", "russo": "ru",
    "русском": "ru", "русский": "ru", "ukrainian": "uk", "українською": "uk",
    "bulgarian": "bg", "greek": "el", "arabic": "ar", "árabe": "ar", "arabe": "ar",
    "arabisch": "ar", "persian": "fa", "farsi": "fa", "urdu": "ur", "hebrew": "he",
    "hindi": "hi", "हिंदी": "hi", "हिन्दी": "hi", "marathi": "mr", "nepali": "ne",
    "bengali": "bn", "bangla": "bn", "punjabi": "pa", "gujarati": "gu", "tamil": "ta",
    "telugu": "te", "kannada": "kn", "malayalam": "ml", "thai": "th",
    "japanese": "ja", "japonés": "ja", "japones": "ja", "japonais": "ja", "japanisch": "ja",
    "giapponese": "ja", "日本語": "ja", "korean": "ko", "coreano": "ko", "coréen": "ko",
    "koreanisch": "ko", "한국어": "ko", "chinese": "zh", "mandarin": "zh", "chino": "zh",
    "chinois": "zh", "chinesisch": "zh", "cinese": "zh", "中文": "zh",
}  # fmt: skip

# Each language's own name, as a request written in that language names it ("日本語で答えて
# ください", "أجب باللغة العربية"): a signal in language X that names X asks for X.
ENDONYMS = {
    "ja": ("日本語",), "ko": ("한국어", "한국말"), "zh": ("中文", "汉语", "漢語", "普通话"),
    "ar": ("العربية", "عربي"), "fa": ("فارسی",), "ur": ("اردو",), "he": ("עברית",),
    "hi": ("हिंदी", "हिन्दी"), "mr": ("मराठी",), "ne": ("नेपाली",), "bn": ("বাংলা",),
    "pa": ("ਪੰਜਾਬੀ",), "gu": ("ગુજરાતી",), "ta": ("தமிழ்",), "te": ("తెలుగు",),
    "kn": ("ಕನ್ನಡ",), "ml": ("മലയാളം",), "th": ("ไทย",), "ru": ("русск", "по-русски"),
    "uk": ("українськ",), "bg": ("български",), "el": ("ελληνικά",),
    "vi": ("tiếng việt",), "sw": ("kiswahili",), "pl": ("polsk", "po polsku"),
    "fi": ("suomeksi", "suomen kiel"), "de": ("deutsch",), "fr": ("français", "francais"),
    "es": ("español", "espanol", "castellano"), "it": ("italiano",),
    "pt": ("português", "portugues"), "nl": ("nederlands",),
}  # fmt: skip


def self_named_language(text: str) -> str | None:
    """The language a signal is written in when it also names that language, else None."""
    code = detect_language(text)
    if code is None or code == "en":
        return None
    low = text.lower()
    return code if any(name in low for name in ENDONYMS.get(code, ())) else None


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
    "pl": """i w na z że się nie to jest do jak ale o co po tak od za dla jego są czy być już przez
        tylko jeszcze może bardzo także który która które oraz lub gdy ten ta te tym można mnie
        jestem jesteś kiedy gdzie dlaczego ponieważ""",
    "fi": """ja on ei se että hän oli ovat mutta kun tai niin kuin jos myös vain sitä tämä joka
        mikä ole olla olen olet ovat hyvin paljon kanssa mitä miten miksi koska nyt sekä
        minä sinä me te he tässä siinä""",
    "sw": """na ya wa kwa ni la za katika kuwa hii huo hiyo lakini au pia kama sana watu mtu
        hivyo baada kabla kila yake wake yao zao ambao ambayo nini kwamba tu bado sasa
        mimi wewe sisi nyinyi""",
    "vi": """và của là có không được cho với các một những này đã trong người để khi thì như
        cũng từ đến về nhưng rất nhiều vì nên hay hoặc tôi bạn chúng đó ra làm hãy luôn bằng
        lời trả""",
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

# Scripts by code point range: (first, last, script). Han alone is Chinese, with kana Japanese.
_SCRIPTS = (
    (0x0370, 0x03FF, "greek"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x0900, 0x097F, "devanagari"),
    (0x0980, 0x09FF, "bn"),
    (0x0A00, 0x0A7F, "pa"),
    (0x0A80, 0x0AFF, "gu"),
    (0x0B80, 0x0BFF, "ta"),
    (0x0C00, 0x0C7F, "te"),
    (0x0C80, 0x0CFF, "kn"),
    (0x0D00, 0x0D7F, "ml"),
    (0x0E00, 0x0E7F, "th"),
    (0x1100, 0x11FF, "ko"),
    (0x3040, 0x30FF, "kana"),
    (0x3130, 0x318F, "ko"),
    (0x3400, 0x4DBF, "han"),
    (0x4E00, 0x9FFF, "han"),
    (0xAC00, 0xD7AF, "ko"),
)
# Within one script, letters only some of its languages use.
_MARKS = {
    "cyrillic": (("uk", "іїєґ"), ("ru", "ыэё"), ("bg", "ъ")),
    "arabic": (("ur", "ٹڈڑںےۓ"), ("fa", "پچژگکی")),
    "devanagari": (("mr", "ळ"),),
}
_DEVANAGARI_WORDS = {"mr": ("आहे", "आणि", "नाही"), "ne": ("छ", "छन्", "हुन्छ", "पनि")}


def _script(ch: str) -> str | None:
    o = ord(ch)
    for first, last, name in _SCRIPTS:
        if first <= o <= last:
            return name
    return None


def _by_script(text: str) -> str | None:
    """The language of a text written mostly in a non-Latin script, else None."""
    counts: dict[str, int] = {}
    letters = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            name = _script(ch)
            if name is not None:
                counts[name] = counts.get(name, 0) + 1
    if not counts or 2 * sum(counts.values()) <= letters:
        return None
    if counts.get("kana", 0) and counts.get("kana", 0) + counts.get("han", 0) >= max(
        counts.values()
    ):
        return "ja"
    name = max(counts, key=lambda n: counts[n])
    if name == "han":
        return "zh"
    if name == "greek":
        return "el"
    if name == "hebrew":
        return "he"
    if name == "kana":
        return "ja"
    if name in _MARKS:
        for code, marks in _MARKS[name]:
            if any(m in text for m in marks):
                return code
        if name == "devanagari":
            words = set(re.findall("[\u0900-\u097f]+", text))
            for code, hints in _DEVANAGARI_WORDS.items():
                if words.intersection(hints):
                    return code
        return {"cyrillic": "ru", "arabic": "ar", "devanagari": "hi"}[name]
    return name


def _vietnamese(text: str) -> bool:
    """Latin letters with Vietnamese tone marks (ạ ả ấ ... ỹ, and ơ ư đ ă) on many of them."""
    letters = [ch for ch in text if ch.isalpha()]
    marked = sum(1 for ch in letters if 0x1EA0 <= ord(ch) <= 0x1EF9 or ch in "ăđơưĂĐƠƯ")
    return marked >= 3 and marked * 20 >= len(letters)


def language_scores(text: str) -> dict[str, float]:
    """Function-word scores of the languages written in Latin letters."""
    scores = {code: 0.0 for code in _STOPWORDS}
    for tok in _TOKEN.findall(text.lower()):
        for code, w in _WEIGHTS.get(tok, {}).items():
            scores[code] += w
    return scores


def detect_language(text: str) -> str | None:
    """The language code of `text`, or None when no function word of a Latin-script language
    was seen or two tie."""
    by_script = _by_script(text)
    if by_script is not None:
        return by_script
    if _vietnamese(text):
        return "vi"
    scores = language_scores(text)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    best, top = ranked[0]
    if top <= 0 or ranked[1][1] == top:
        return None
    return best
