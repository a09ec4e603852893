"""Each family's check on answers that satisfy it and answers that do not, including edge
cases (trailing whitespace, quotes with punctuation after them, `-` vs `*` bullets ...)."""

from __future__ import annotations

import pytest

from personaco_tui.core.reflectors.rules import measures as C
from personaco_tui.core.reflectors.rules import parse_signal
from personaco_tui.core.reflectors.rules.lang import detect_language


def words(n: int) -> str:
    return " ".join(["word"] * n)


# (signal, answers that pass, answers that fail)
CASES: list[tuple[str, list[str], list[str]]] = [
    (
        "I like replies written entirely in lowercase letters, no capitals at all.",
        [
            "all lowercase here.",
            "numbers 123 and symbols # stay fine.",
            "* bullet one\n* bullet two",
        ],
        ["Capital at the start.", "lowercase except NASA.", "", "123 !!!"],
    ),
    (
        "Respond in all caps.",
        ["ALL CAPS HERE.", "NUMBERS 123 STAY FINE!"],
        ["ALL CAPS except this.", "", "123"],
    ),
    (
        "Please never use commas in your replies.",
        ["No commas here.", "", "Semicolons; dashes - and periods."],
        ["Well, one.", "1,000 counts.", '"Quoted, still."', "Trailing,"],
    ),
    (
        "Keep answers under 80 words; I read on my phone.",
        [words(79), "", words(79) + "  \n\n"],
        [words(80), words(81), "it's " * 40],  # it's = 2 word tokens
    ),
    ("Between 5 and 7 words.", [words(5), words(7)], [words(4), words(8)]),
    ("Write at least 10 words.", [words(10), words(50)], [words(9), ""]),
    ("Exactly 3 words.", ["one two three.", "well-known fact"], ["one two", "one two three four"]),
    (
        "Use no more than 2 sentences.",
        ["One. Two.", "Dr. Smith came home. He slept.", "Just one sentence without a period"],
        ["One. Two. Three.", "One! Two? Three."],
    ),
    ("Answer in one sentence.", ["It costs 3.50 dollars, e.g. cheap."], ["One. Two."]),
    (
        "Keep it under 20 characters.",
        ["short answer", "  padded   "],
        ["this answer is far too long"],
    ),
    (
        "Write exactly 3 paragraphs.",
        ["A.\n\nB.\n\nC.", "A.\n\n\n\nB.\n  \nC.\n", "A.\n***\nB.\n\nC."],
        ["A.\n\nB.", "A.\nB.\nC.", "A.\n\nB.\n\nC.\n\nD."],
    ),
    (
        "Use exactly 2 paragraphs separated by the markdown divider ***.",
        ["A.\n***\nB.", "A.\n\n***\n\nB.", "***\nA.\n***\nB.\n***", "A. *** B."],
        ["A.\n\nB.", "A.\n***\n***\nB.", "A.\n***\nB.\n***\nC."],
    ),
    ("Separate paragraphs with ***.", ["A.\n***\nB.", "One paragraph only."], ["A.\n\nB."]),
    (
        "I want exactly 3 bullet points, written as markdown '* ' items.",
        [
            "* a\n* b\n* c",
            "- a\n- b\n- c",
            "Intro:\n* a\n- b\n  * c\n\nOutro.",
            "* a\n* b\n* c\n---\nFooter",  # a horizontal rule is not a bullet
            "*Note:* intro\n* a\n* b\n* c",  # nor is a line that starts with *italics*
        ],
        ["* a\n* b", "* a\n* b\n* c\n* d", "1. a\n2. b\n3. c", "• a\n• b\n• c", "*a\n*b\n*c"],
    ),
    ("Use bullet points.", ["* a", "- a\n- b", "• a"], ["No list.", "1. numbered"]),
    ("Use a numbered list.", ["1. a\n2. b", "1) a"], ["* a", "No list."]),
    (
        "No bullet lists.",
        ["Plain prose.", "A sentence - with a dash.", "---\nA rule.", "In 2024. it happened."],
        ["* a", "- a", "1. numbered", "• typographic", "  - indented"],
    ),
    ("No numbered lists.", ["* bullets are fine"], ["1. a\n2. b"]),
    (
        "Give every answer a short title wrapped in double angle brackets, like <<my title>>.",
        ["<<Title>>\nBody.", "Body. <<Title at the end>>", "# <<Markdown>>", '"<<Quoted>> text"'],
        ["No title.", "<< >>", "<<>>", "<Title>", "<<Title\nbroken>>", "«Title»"],
    ),
    (
        "Wrap your whole reply in double quotation marks.",
        ['"Quoted."', '  "Quoted with spaces around."  \n', '"A\n\nmultiline\n* reply"', '""'],
        [
            "Not quoted.",
            '"Quoted" then more.',
            '"Punctuation after".',
            "“Curly.”",
            '"',
            'He said "hi".',
        ],
    ),
    (
        "Start your reply with 'Hello there'.",
        ["Hello there, friend.", "  hello there!", '"Hello there," she said.', "**Hello there**"],
        ["Well, Hello there.", "Hello therefore.", ""],
    ),
    (
        "The first word should be 'Yes'.",
        ["Yes, indeed.", "yes it is", "**Yes**."],
        ["Yesterday.", "No."],
    ),
    (
        "Always finish with the exact sign-off 'Talk soon.' and nothing after it.",
        ["Body.\nTalk soon.", "Body. Talk soon.   \n", "body. talk soon.", '"Body. Talk soon."'],
        ["Talk soon. Bye.", "Body. Talk soon", "Body. Talk soon.!", "Body.", "**Talk soon.**"],
    ),
    ("End with the word 'Amen'.", ["Let us pray. Amen.", "amen"], ["Amen to that.", "Amend"]),
    (
        "Add a postscript at the very end that starts with P.S.",
        [
            "Body.\n\nP.S. Remember this.",
            "Body.\np.s. lowercase.",
            "Body. P.S. Same line, after a sentence.",
            "Body.\n\nP. S. Spaced.",
            "Body.\n\n**P.S.** Bold.",
        ],
        [
            "No postscript.",
            "Body.\n\nPS: no dots.",
            "Body.\n\nP.S missing dot.",
            "The P.S. mid-sentence.",
        ],
    ),
    ("Add a P.P.S", ["Body.\n\nP.P.S. Another note."], ["Body.\n\nP.S. Only one."]),
    (
        "I'm learning the words 'thunder' and 'summit', so please use both of them.",
        ["Thunder at the SUMMIT.", "thunders and summits", "the summit's edge and thunder's roar"],
        ["Only thunder here.", "Neither.", "thunderstorm and summit", "thun der and summit"],
    ),
    ("Please use either 'calm' or 'still'.", ["Stay calm.", "Still water."], ["Quiet."]),
    (
        "Don't use the words 'delve' or 'tapestry'.",
        ["Let us dig in.", "Delved? no: the word delved is a different word."],
        ["Let us delve.", "A rich TAPESTRY.", "delves into it"],
    ),
    ("Don't use the word 'I'.", ["This is it.", "Me."], ["I think.", "Yes, i do."]),
    ("Avoid saying 'as an AI'.", ["I think so."], ["As an  AI, I think so."]),
    (
        "Use the word 'river' at least 3 times.",
        ["river river river", "River, RIVER and rivers."],
        ["river river", "riverbank riverbank riverbank"],
    ),
    ("Mention 'budget' exactly twice.", ["budget and budget"], ["budget", "budget budget budget"]),
    ("Use the letter 'z' at least 3 times.", ["zigzag zoo", "Zebra zone Zen"], ["zz", "none"]),
    ("Don't use the letter e.", ["A lipogram: a good story.", ""], ["Every word."]),
    (
        "Include at least 2 placeholders in square brackets, like [address].",
        ["Dear [name], at [address].", "[a] [b] [c]"],
        ["Dear [name].", "No placeholders.", "See [link](http://x) and [name]."],
    ),
    (
        "Highlight at least 2 sections with markdown, i.e. *highlighted section*.",
        ["*one* and *two*", "**bold** and *italic*", "**a** **b**"],
        ["*one* only", "no highlights", "* bullet\n* bullet", "****", "2 * 3 * 4"],
    ),
    ("Bold the key terms.", ["A **key** term.", "__also__ bold"], ["*italic* only", "plain"]),
    (
        "Your answer must have 3 sections. Mark the beginning of each section with SECTION X.",
        [
            "SECTION 1\nA\nSECTION 2\nB\nSECTION 3\nC",
            "## Section 1\nA\n## Section 2\nB\n## Section 3\nC",
        ],
        [
            "SECTION 1\nA\nSECTION 2\nB",
            "No sections.",
            "See section 2 and section 3 and section 4.",
        ],
    ),
    (
        "Respond only in valid JSON.",
        [
            '{"a": 1}',
            '```json\n{"a": 1}\n```',
            "```\n[1, 2]\n```",
            "  [1]  ",
            '```JSON\n{"x": "y"}\n```',
        ],
        ["not json", '{"a": 1', "", "```json\n```", 'Here it is: {"a": 1}'],
    ),
    ("No exclamation marks.", ["Calm.", ""], ["Wow!", "Hello！"]),
    ("No semicolons.", ["Fine."], ["One; two."]),
    ("Never use em dashes.", ["A - hyphen is fine."], ["An — em dash."]),
    (
        "Never use dashes.",
        ["A well-known fact."],
        ["An — em dash.", "A - spaced hyphen.", "A -- double."],
    ),
    (
        "Finish with a question.",
        ["What do you think?", "Ready?  \n", '"Is it?"', "Really? **Really?**"],
        ["A statement.", "Why? Because."],
    ),
    (
        "No emojis please.",
        ["Plain text :)", "Arrows → are fine.", "© 2024"],
        ["Nice 😀", "Love ❤️", "👍🏽", "🇫🇷"],
    ),
    ("Use emojis!", ["Nice 😀", "Sun ☀", "Heart ❤️"], ["Plain text :)", ""]),
    ("Please include 3 emojis.", ["😀 😀 😀", "👨‍👩‍👧 🎉 🇫🇷 ✅"], ["😀 😀", "👨‍👩‍👧‍👦"]),
    (
        "Respond in Spanish.",
        ["La gracia es el equivalente femenino de la caballerosidad en la vida diaria."],
        ["Grace is the female equivalent of chivalry in daily life.", "", "123"],
    ),
    (
        "Please answer in French.",
        ["La grâce est l'équivalent féminin de la chevalerie dans la vie de tous les jours."],
        ["La gracia es el equivalente femenino de la caballerosidad."],
    ),
    (
        "Respond in German.",
        ["Die Anmut ist das weibliche Gegenstück zur Ritterlichkeit und nicht mehr."],
        ["Het antwoord is dat gratie het vrouwelijke equivalent van ridderlijkheid is."],
    ),
    (
        "Write in Dutch.",
        ["Het antwoord is dat gratie het vrouwelijke equivalent van ridderlijkheid is."],
        ["Die Anmut ist das weibliche Gegenstück zur Ritterlichkeit."],
    ),
    (
        "Italian only.",
        ["La grazia è l'equivalente femminile della cavalleria nella vita di tutti i giorni."],
        ["A graça é o equivalente feminino do cavalheirismo na vida diária."],
    ),
    (
        "I only speak Portuguese.",
        ["A graça é o equivalente feminino do cavalheirismo na vida diária, não é?"],
        ["La grazia è l'equivalente femminile della cavalleria."],
    ),
    (
        "No headings.",
        ["Plain.", "#hashtag is not a heading", "**Bold line**"],
        ["# Title", "  ## Sub"],
    ),
    ("Use headings to organize the answer.", ["# Title\nText"], ["Plain.", "#nospace"]),
    (
        "Include a code block.",
        ["```python\nprint(1)\n```", "~~~\nx\n~~~"],
        ["`inline`", "```unclosed"],
    ),
    (
        "Plain text only, no markdown.",
        ["Just text. With sentences - and a dash.", "Math: 2 * 3 = 6."],
        ["**bold**", "# Heading", "* bullet", "[link](http://x)", "```\ncode\n```", "> quote"],
    ),
    ("Write no more than 2 lines.", ["one\ntwo", "one\n\n\ntwo\n"], ["one\ntwo\nthree"]),
]


@pytest.mark.parametrize(("signal", "good", "bad"), CASES, ids=[c[0][:50] for c in CASES])
def test_check_on_answers(signal: str, good: list[str], bad: list[str]) -> None:
    check = parse_signal(signal)
    assert check is not None, signal
    for answer in good:
        assert check.check(answer), (signal, "should pass", answer)
    for answer in bad:
        assert not check.check(answer), (signal, "should fail", answer)


def test_measures() -> None:
    assert C.count_words("It's a well-known fact: 3.14!") == 8
    assert C.count_sentences("Mr. Smith left. He came back! Did he? Yes") == 4
    assert C.count_sentences("") == 0
    assert C.count_paragraphs("a\n\n\nb\n \n c") == 3
    assert C.count_paragraphs("a\n***\n***\nb", "***") == -1
    assert C.count_bullets("* a\n- b\n+ c\n• d\n---\n* * *") == 3
    assert C.count_bullets("• d", typographic=True) == 1
    assert C.count_numbered("1. a\n2) b\n2024. year") == 2
    assert C.count_highlights("*a* **b** * c *") == 2
    assert C.count_placeholders("[a] [] [ ] [b](url)") == 1
    assert C.count_emojis("😀 👨‍👩‍👧 🇫🇷 ❤️ 👍🏽") == 5
    assert C.count_term("Rivers, river's and RIVER but not riverbank", "river") == 3


def test_language_detector() -> None:
    assert detect_language("The cat is on the table and it is happy.") == "en"
    assert detect_language("El gato está en la mesa y es feliz.") == "es"
    assert detect_language("Le chat est sur la table et il est content.") == "fr"
    assert detect_language("Die Katze ist auf dem Tisch und sie ist froh.") == "de"
    assert detect_language("Il gatto è sul tavolo ed è felice.") == "it"
    assert detect_language("O gato está na mesa e ele é feliz.") == "pt"
    assert detect_language("De kat is op de tafel en het is blij.") == "nl"
    assert detect_language("") is None
    assert detect_language("12345 !!!") is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("日本語で答えてください。これはテストです。", "ja"),
        ("这是一个测试，我们今天去学校。", "zh"),
        ("안녕하세요 저는 학생입니다", "ko"),
        ("Это тест, и мы идём домой.", "ru"),
        ("Це тест, і ми йдемо додому.", "uk"),
        ("هذا اختبار ونحن ذاهبون إلى المنزل", "ar"),
        ("این یک آزمایش است و ما به خانه می‌رویم", "fa"),
        ("یہ ایک ٹیسٹ ہے اور ہم گھر جا رہے ہیں", "ur"),
        ("यह एक परीक्षण है और हम घर जा रहे हैं", "hi"),
        ("हे एक चाचणी आहे आणि आम्ही घरी जात आहोत", "mr"),
        ("זה מבחן ואנחנו הולכים הביתה", "he"),
        ("นี่คือการทดสอบ", "th"),
        ("To jest test i nie wiem, czy to działa.", "pl"),
        ("Tämä on testi ja se ei ole vaikea.", "fi"),
        ("Hii ni kwa watu wote na pia kwa sisi.", "sw"),
        ("Đây là một bài kiểm tra và tôi không biết.", "vi"),
        # a few words in another script do not make an English answer foreign
        ("The word 日本 means Japan, and that is all there is to it.", "en"),
    ],
)
def test_language_detector_scripts(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_capital_words_and_paragraph_openings() -> None:
    assert C.count_capital_words("NASA and the ESA, I think, are BIG.") == 4
    caps = parse_signal("Put at least 3 words in ALL CAPS in every reply.")
    assert caps is not None and caps.kind == "capital_word_count"
    assert caps.check("NASA and ESA are BIG") and not caps.check("NASA and ESA are big")
    check = parse_signal(
        "Use exactly five paragraphs; the third should open with the word 'Importantly'."
    )
    assert check is not None and [c.kind for c in check.parts] == [
        "paragraph_count",
        "paragraph_starts",
    ]
    good = "One.\n\nTwo.\n\nImportantly, three.\n\nFour.\n\nFive."
    assert check.check(good)
    assert not check.check(good.replace("Importantly", "Also"))
    assert not check.check(good.replace("\n\nFive.", ""))  # four paragraphs
    last = parse_signal("Write 3 paragraphs and start the last one with the word 'Overall'.")
    assert last is not None and last.parts[1].params["nth"] == 0
    assert last.check("A.\n\nB.\n\nOverall, C.") and not last.check("Overall, A.\n\nB.\n\nC.")


def test_composite_check_needs_every_part() -> None:
    check = parse_signal("Use lowercase, no commas, and end with 'bye.'")
    assert check is not None
    assert check.check("all good here. bye.")
    assert not check.check("All good here. bye.")
    assert not check.check("all good, here. bye.")
    assert not check.check("all good here.")
