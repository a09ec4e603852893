"""parse_signal: many phrasings of each checkable family give the right kind and parameters;
uncheckable, negated, conditional or vague signals give None."""

from __future__ import annotations

import itertools
import json

import pytest

from personaco_tui.core.reflectors.rules import Check, describe, parse_signal
from tests.support.paths import shared_file

# (signal, kind, expected parameters: a subset of check.params)
PHRASINGS: list[tuple[str, str, dict]] = [
    # all lowercase
    ("I like replies written entirely in lowercase letters, no capitals at all.", "lowercase", {}),
    ("all lowercase please", "lowercase", {}),
    ("Write everything in lower case.", "lowercase", {}),
    ("No capital letters, ever.", "lowercase", {}),
    ("Please don't use any uppercase letters.", "lowercase", {}),
    ("Never capitalize anything.", "lowercase", {}),
    ("I'd like my answers in lowercase only.", "lowercase", {}),
    ("i prefer all-lowercase responses.", "lowercase", {}),
    ("Can you reply using only lowercase letters?", "lowercase", {}),
    # all caps
    ("RESPOND IN ALL CAPS", "uppercase", {}),
    ("Write your entire answer in capital letters.", "uppercase", {}),
    ("Use uppercase only.", "uppercase", {}),
    ("I want everything in uppercase letters.", "uppercase", {}),
    ("No lowercase letters at all.", "uppercase", {}),
    # no commas
    ("Please never use commas in your replies.", "no_commas", {}),
    ("No commas!", "no_commas", {}),
    ("Can you avoid using commas?", "no_commas", {}),
    ("I'd like comma-free answers.", "no_commas", {}),
    ("Don’t use a single comma.", "no_commas", {}),
    ("Commas are banned.", "no_commas", {}),
    ("Zero commas.", "no_commas", {}),
    ("Never use ','.", "no_commas", {}),
    # word counts
    ("Keep answers under 80 words; I read on my phone.", "word_count", {"relation": "<", "n": 80}),
    ("Less than eighty words please.", "word_count", {"relation": "<", "n": 80}),
    ("Fewer than 60 words.", "word_count", {"relation": "<", "n": 60}),
    ("Keep the whole reply shorter than 70 words.", "word_count", {"relation": "<", "n": 70}),
    ("No more than 100 words.", "word_count", {"relation": "<=", "n": 100}),
    ("at most 120 words", "word_count", {"relation": "<=", "n": 120}),
    ("Maximum of sixty words.", "word_count", {"relation": "<=", "n": 60}),
    ("Max 60 words", "word_count", {"relation": "<=", "n": 60}),
    ("Please stay within 150 words.", "word_count", {"relation": "<=", "n": 150}),
    ("Don't exceed 200 words.", "word_count", {"relation": "<=", "n": 200}),
    ("Responses must not exceed one hundred words.", "word_count", {"relation": "<=", "n": 100}),
    ("Up to 90 words.", "word_count", {"relation": "<=", "n": 90}),
    ("Keep it to 80 words or less.", "word_count", {"relation": "<=", "n": 80}),
    ("80 words max", "word_count", {"relation": "<=", "n": 80}),
    ("An 80-word limit applies.", "word_count", {"relation": "<=", "n": 80}),
    ("Word limit: 80.", "word_count", {"relation": "<=", "n": 80}),
    ("Never write more than eighty words.", "word_count", {"relation": "<=", "n": 80}),
    ("Write at least 300 words.", "word_count", {"relation": ">=", "n": 300}),
    ("A minimum of 250 words.", "word_count", {"relation": ">=", "n": 250}),
    ("No fewer than 100 words.", "word_count", {"relation": ">=", "n": 100}),
    ("300+ words please.", "word_count", {"relation": ">=", "n": 300}),
    ("More than two hundred words please.", "word_count", {"relation": ">", "n": 200}),
    ("Answers longer than 50 words.", "word_count", {"relation": ">", "n": 50}),
    ("Exactly 50 words.", "word_count", {"relation": "==", "n": 50}),
    ("Write 100 words, no more, no less.", "word_count", {"relation": "==", "n": 100}),
    ("Between 50 and 100 words.", "word_count", {"relation": "between", "n": 50, "m": 100}),
    ("50-100 words please", "word_count", {"relation": "between", "n": 50, "m": 100}),
    ("I like short answers, under 50 words.", "word_count", {"relation": "<", "n": 50}),
    # sentences
    ("Answer in one sentence.", "sentence_count", {"relation": "==", "n": 1}),
    ("Answer in a single sentence.", "sentence_count", {"relation": "==", "n": 1}),
    ("Use no more than three sentences.", "sentence_count", {"relation": "<=", "n": 3}),
    ("At least 5 sentences.", "sentence_count", {"relation": ">=", "n": 5}),
    ("Write exactly 4 sentences.", "sentence_count", {"relation": "==", "n": 4}),
    ("Answer in 2-3 sentences.", "sentence_count", {"relation": "between", "n": 2, "m": 3}),
    ("1 sentence answers only.", "sentence_count", {"relation": "==", "n": 1}),
    # characters
    ("Keep it under 280 characters.", "char_count", {"relation": "<", "n": 280}),
    ("No more than 500 characters.", "char_count", {"relation": "<=", "n": 500}),
    ("Keep it between 100 and 200 characters.", "char_count", {"relation": "between", "n": 100}),
    ("A 280-character limit.", "char_count", {"relation": "<=", "n": 280}),
    # paragraphs
    ("Write exactly 3 paragraphs.", "paragraph_count", {"relation": "==", "n": 3, "sep": "blank"}),
    ("At least 4 paragraphs please.", "paragraph_count", {"relation": ">=", "n": 4}),
    ("Reply in a single paragraph.", "paragraph_count", {"relation": "==", "n": 1}),
    ("Respond with at most 2 paragraphs.", "paragraph_count", {"relation": "<=", "n": 2}),
    ("A 3-paragraph answer please.", "paragraph_count", {"relation": "==", "n": 3}),
    (
        "Use two paragraphs separated by the markdown divider ***.",
        "paragraph_count",
        {"relation": "==", "n": 2, "sep": "***"},
    ),
    (
        "There should be 3 paragraphs. Paragraphs are separated with the markdown divider: ***",
        "paragraph_count",
        {"n": 3, "sep": "***"},
    ),
    ("Separate paragraphs with ***.", "paragraph_divider", {}),
    # bullets
    (
        "I want exactly 4 bullet points, written as markdown '* ' items.",
        "bullet_count",
        {"relation": "==", "n": 4},
    ),
    (
        "Make sure there are exactly 4 bullet points, using markdown like '* point'.",
        "bullet_count",
        {"n": 4},
    ),
    ("Use 5 bullet points.", "bullet_count", {"relation": "==", "n": 5}),
    ("Give me 3 bullet points, no more, no less.", "bullet_count", {"relation": "==", "n": 3}),
    ("Your answer should contain exactly two bullet points.", "bullet_count", {"n": 2}),
    ("Please format the answer as exactly 3 markdown bullets.", "bullet_count", {"n": 3}),
    ("Give me at least 3 bullets.", "bullet_count", {"relation": ">=", "n": 3}),
    ("No more than 4 bullet points.", "bullet_count", {"relation": "<=", "n": 4}),
    ("In 5 bullet points or fewer.", "bullet_count", {"relation": "<=", "n": 5}),
    ("Use a bulleted list of 4 items.", "bullet_count", {"relation": "==", "n": 4}),
    ("Between 3 and 5 bullet points.", "bullet_count", {"relation": "between", "n": 3, "m": 5}),
    ("Use bullet points.", "use_bullets", {}),
    ("I love bullet points.", "use_bullets", {}),
    ("Format your answer as a bulleted list.", "use_bullets", {}),
    ("Bullet points, please.", "use_bullets", {}),
    ("Use a numbered list.", "use_numbered", {}),
    # no lists
    ("No bullet points.", "no_lists", {"which": "all"}),
    ("Don't use lists.", "no_lists", {"which": "all"}),
    ("Avoid bullet points.", "no_lists", {"which": "all"}),
    ("I hate bullet lists.", "no_lists", {"which": "all"}),
    ("Do not use any bullet lists in the response.", "no_lists", {"which": "all"}),
    ("Never use bullet points or numbered lists.", "no_lists", {"which": "all"}),
    ("Please write paragraphs instead of bullet points.", "no_lists", {"which": "all"}),
    ("No numbered lists.", "no_lists", {"which": "numbered"}),
    # title
    (
        "Give every answer a short title wrapped in double angle brackets, like <<my title>>.",
        "title",
        {},
    ),
    ("Put a title in double angle brackets, e.g. <<Title>>.", "title", {}),
    ("Include a title wrapped in << >>.", "title", {}),
    ("Every answer needs a title in <<double angle brackets>>.", "title", {}),
    (
        "Please include a title, wrapped in double angular brackets such as <<poem of joy>>.",
        "title",
        {},
    ),
    # quotation marks
    ("Wrap your whole reply in double quotation marks.", "quoted", {}),
    ("Wrap your entire response in double quotes.", "quoted", {}),
    ("Put your whole answer in quotation marks.", "quoted", {}),
    ("Please put quotation marks around your entire response.", "quoted", {}),
    ("Your response should be enclosed in double quotation marks.", "quoted", {}),
    ('I\'d like every reply enclosed in "double quotes".', "quoted", {}),
    ("Can you make sure the whole answer is inside double quotation marks?", "quoted", {}),
    # start with
    (
        "Start your reply with 'Hello there'.",
        "starts_with",
        {"phrase": "Hello there", "word": False},
    ),
    (
        'Begin every answer with the word "Indeed".',
        "starts_with",
        {"phrase": "Indeed", "word": True},
    ),
    ("Always open with “Greetings,”", "starts_with", {"phrase": "Greetings,"}),
    ("The first word should be 'Yes'.", "starts_with", {"phrase": "Yes", "word": True}),
    ('Kick off your answers with "Alright,".', "starts_with", {"phrase": "Alright,"}),
    ("Your first line should be «Summary:».", "starts_with", {"phrase": "Summary:"}),
    # end with
    (
        "Always finish with the exact sign-off 'Hope that helps!' and nothing after it.",
        "ends_with",
        {"phrase": "Hope that helps!", "word": False},
    ),
    ("End every reply with 'Talk soon.'", "ends_with", {"phrase": "Talk soon."}),
    (
        "Please end every answer with ‘Talk soon.’ — nothing after it.",
        "ends_with",
        {"phrase": "Talk soon."},
    ),
    ('Sign off with "Cheers!"', "ends_with", {"phrase": "Cheers!"}),
    ("Close your answer with «À bientôt».", "ends_with", {"phrase": "À bientôt"}),
    ("Your last sentence must be 'That is all.'", "ends_with", {"phrase": "That is all."}),
    (
        'Make sure your reply ends with the phrase "Hope that helps!"',
        "ends_with",
        {"phrase": "Hope that helps!"},
    ),
    (
        "The last words of your reply should be “Over and out.”",
        "ends_with",
        {"phrase": "Over and out."},
    ),
    (
        "Sign off with 'Stay curious.' and don't add anything after it.",
        "ends_with",
        {"phrase": "Stay curious."},
    ),
    ("End with the word 'Amen'.", "ends_with", {"phrase": "Amen", "word": True}),
    # postscript
    ("Add a postscript at the very end that starts with P.S.", "postscript", {"marker": "P.S."}),
    ("Include a P.S. at the end.", "postscript", {"marker": "P.S."}),
    ("I'd like a P.S. at the bottom of every reply.", "postscript", {"marker": "P.S."}),
    ("Always add a postscript (P.S.) after the main answer.", "postscript", {"marker": "P.S."}),
    ("Please add a postscript.", "postscript", {"marker": "P.S."}),
    ("Add a P.P.S", "postscript", {"marker": "P.P.S"}),
    # include words
    (
        "I'm learning the words 'thunder' and 'summit', so please use both of them.",
        "include_words",
        {"words": ("thunder", "summit"), "mode": "all"},
    ),
    ("Use the words 'apple' and 'pear'.", "include_words", {"words": ("apple", "pear")}),
    (
        'Make sure to mention both "thunder" and "summit".',
        "include_words",
        {"words": ("thunder", "summit")},
    ),
    ("Include the words ‘garden’ and ‘willow’.", "include_words", {"words": ("garden", "willow")}),
    (
        "Work in the words 'compass' and 'budget' somewhere.",
        "include_words",
        {"words": ("compass", "budget")},
    ),
    (
        'I\'m practising the words "ledger" and "compass" — please use them.',
        "include_words",
        {"words": ("ledger", "compass")},
    ),
    ("Mention 'Paris' in your answer.", "include_words", {"words": ("Paris",)}),
    (
        'Include the keywords "growth", "risk" and "return".',
        "include_words",
        {"words": ("growth", "risk", "return")},
    ),
    (
        "Please use either 'calm' or 'still'.",
        "include_words",
        {"words": ("calm", "still"), "mode": "any"},
    ),
    ("Use the word synergy.", "include_words", {"words": ("synergy",)}),
    (
        'Please always include the phrase "in a nutshell".',
        "include_words",
        {"words": ("in a nutshell",)},
    ),
    # exclude words
    ("Avoid the word 'very'.", "exclude_words", {"words": ("very",)}),
    ('Never say "basically".', "exclude_words", {"words": ("basically",)}),
    (
        "Don't use the words 'delve' or 'tapestry'.",
        "exclude_words",
        {"words": ("delve", "tapestry")},
    ),
    ("The word 'literally' is banned.", "exclude_words", {"words": ("literally",)}),
    ('I never want to see the word "delve".', "exclude_words", {"words": ("delve",)}),
    ('Please avoid saying "As an AI".', "exclude_words", {"words": ("As an AI",)}),
    ("The word 'synergy' should never appear.", "exclude_words", {"words": ("synergy",)}),
    # word frequency
    (
        "Use the word 'river' at least 3 times.",
        "word_frequency",
        {"word": "river", "relation": ">=", "n": 3},
    ),
    ('Mention "budget" twice.', "word_frequency", {"word": "budget", "relation": "==", "n": 2}),
    (
        "Say 'hello' no more than once.",
        "word_frequency",
        {"word": "hello", "relation": "<=", "n": 1},
    ),
    ("Use the word 'like' no more than 2 times.", "word_frequency", {"relation": "<=", "n": 2}),
    (
        "Don't say 'like' more than twice.",
        "word_frequency",
        {"word": "like", "relation": "<=", "n": 2},
    ),
    (
        'Use "however" exactly twice.',
        "word_frequency",
        {"word": "however", "relation": "==", "n": 2},
    ),
    # letter frequency
    (
        "The letter 'z' should appear at least 5 times.",
        "letter_frequency",
        {"letter": "z", "relation": ">=", "n": 5},
    ),
    (
        "Use the letter q fewer than 3 times.",
        "letter_frequency",
        {"letter": "q", "relation": "<", "n": 3},
    ),
    ("Use the letter 'z' at least three times.", "letter_frequency", {"letter": "z", "n": 3}),
    ("Don't use the letter e.", "letter_frequency", {"letter": "e", "relation": "==", "n": 0}),
    # placeholders
    (
        "Include at least 2 placeholders in square brackets, like [address].",
        "placeholder_count",
        {"relation": ">=", "n": 2},
    ),
    ("Use placeholders such as [name].", "placeholder_count", {"relation": ">=", "n": 1}),
    ("Add 3 placeholders represented by square brackets.", "placeholder_count", {"n": 3}),
    # highlights
    (
        "Highlight at least 3 sections with markdown, i.e. *highlighted section*.",
        "highlight_count",
        {"relation": ">=", "n": 3},
    ),
    ("Use at least 3 highlighted sections.", "highlight_count", {"n": 3}),
    ("Please use *italics* to highlight at least 2 key phrases.", "highlight_count", {"n": 2}),
    ("Bold the key terms.", "bold_count", {"relation": ">=", "n": 1}),
    ("Use bold for key terms.", "bold_count", {"n": 1}),
    # sections
    (
        "Your answer must have 3 sections, marked SECTION 1, SECTION 2, SECTION 3.",
        "section_count",
        {"n": 3, "marker": "section"},
    ),
    (
        "Your answer must have 3 sections. Mark the beginning of each section with SECTION X.",
        "section_count",
        {"n": 3, "marker": "section"},
    ),
    (
        "Divide your answer into 4 sections, each starting with 'Section X'.",
        "section_count",
        {"n": 4},
    ),
    (
        "Split your answer into 4 parts labeled 'PART X'.",
        "section_count",
        {"n": 4, "marker": "part"},
    ),
    # JSON
    ("Respond only in valid JSON.", "json", {}),
    ("Wrap the entire output in JSON format.", "json", {}),
    ("Answer in JSON.", "json", {}),
    ("Reply in JSON format only.", "json", {}),
    ("Return a JSON object.", "json", {}),
    # exclamation marks
    ("No exclamation marks.", "no_exclamation", {}),
    ("Never use '!'.", "no_exclamation", {}),
    ("Don't use exclamation points.", "no_exclamation", {}),
    # other punctuation
    ("No semicolons.", "no_punct", {"mark": "semicolon"}),
    ("Never use em dashes.", "no_punct", {"mark": "em_dash"}),
    ("No question marks.", "no_punct", {"mark": "question"}),
    # end with a question
    ("Finish with a question.", "ends_with_question", {}),
    ("End your answer by asking me a follow-up question.", "ends_with_question", {}),
    ("Always ask a question at the end.", "ends_with_question", {}),
    ("Always end with a question for me.", "ends_with_question", {}),
    # emoji
    ("No emojis please.", "no_emoji", {}),
    ("Make sure there are no emojis in your answers.", "no_emoji", {}),
    ("Emoji-free answers, please.", "no_emoji", {}),
    ("Use emojis!", "emoji_count", {"relation": ">=", "n": 1}),
    ("Add some emojis.", "emoji_count", {"n": 1}),
    ("Please include 3 emojis.", "emoji_count", {"relation": ">=", "n": 3}),
    ("At least two emojis per answer.", "emoji_count", {"relation": ">=", "n": 2}),
    # language
    ("Respond in Spanish.", "language", {"lang": "es"}),
    ("Please answer in French.", "language", {"lang": "fr"}),
    ("Always reply in German, please.", "language", {"lang": "de"}),
    ("Italian only.", "language", {"lang": "it"}),
    ("I only speak Portuguese.", "language", {"lang": "pt"}),
    ("Write in Dutch.", "language", {"lang": "nl"}),
    ("English only please.", "language", {"lang": "en"}),
    ("Please write in Español.", "language", {"lang": "es"}),
    ("Contesta en español, por favor.", "language", {"lang": "es"}),
    ("Use German for all replies.", "language", {"lang": "de"}),
    # headings
    ("No headings.", "no_headings", {}),
    ("Don't use markdown headers.", "no_headings", {}),
    ("Never use headers.", "no_headings", {}),
    ("Use headings to organize the answer.", "use_headings", {}),
    ("Organize your answer with clear headings.", "use_headings", {}),
    # code block
    ("Include a code block.", "code_block", {}),
    ("Always include a code example.", "code_block", {}),
    ("Include at least one code snippet.", "code_block", {}),
    # markdown
    ("Plain text only, no markdown.", "no_markdown", {}),
    ("Avoid markdown formatting.", "no_markdown", {}),
    # lines
    ("Write no more than 4 lines.", "line_count", {"relation": "<=", "n": 4}),
    # tastes, when they are about the answers
    ("I love emojis!", "emoji_count", {"relation": ">=", "n": 1}),
    ("I prefer bullet points when possible.", "use_bullets", {}),
    ("I don't want bullet points.", "no_lists", {"which": "all"}),
    ("I don't like emojis.", "no_emoji", {}),
    ("Write in lowercase for everything.", "lowercase", {}),
    ("Keep your answer to 3 sentences.", "sentence_count", {"relation": "<=", "n": 3}),
    ("Keep it to 3-7 sentences.", "sentence_count", {"relation": "between", "n": 3, "m": 7}),
    ("No bullet points anymore.", "no_lists", {}),
]


@pytest.mark.parametrize(
    ("signal", "kind", "params"), PHRASINGS, ids=[p[0][:50] for p in PHRASINGS]
)
def test_phrasing_parses_to_kind_and_params(signal: str, kind: str, params: dict) -> None:
    check = parse_signal(signal)
    assert check is not None, signal
    assert check.kind == kind, (signal, check.kind, dict(check.params))
    for key, value in params.items():
        assert check.params.get(key) == value, (signal, key, dict(check.params))
    assert check.description and isinstance(check.description, str)


NOT_CHECKABLE = [
    # the paper's example signals that state no checkable format
    "I can understand complicated language at the level of a PhD in music history.",
    "I prefer when the response uses detailed anecdotes. Do not speak in generalities.",
    "I prefer answers as concise as possible.",
    "Do include citations.",
    "I have a PhD in epidemiology.",
    # tone, style, expertise, humour, sources
    "Use a friendly, casual tone.",
    "Make me laugh.",
    "I like humour in answers.",
    "Please be formal.",
    "Keep it short.",
    "Be concise.",
    "I'm a beginner, explain like I'm five.",
    "No jargon.",
    "Use British spelling.",
    "Cite your sources.",
    "Give examples from everyday life.",
    "Use simple words.",
    "Answer the question directly.",
    "Make it sound like a pirate.",
    "Answer as if you were a 19th-century poet.",
    "Don't use passive voice.",
    "Avoid cliches.",
    "Use quotes from famous people.",
    "Include a quote from Einstein.",
    "Write in plain English.",
    "Keep paragraphs short.",
    "I read on my phone.",
    "Thanks!",
    "",
    "   ",
    # facts about the user, not requests
    "I'm learning Spanish.",
    "My native language is German.",
    "I like French cuisine.",
    "No cap, this is the best app.",
    "I love the word 'serendipity'.",
    # negated, optional, occasional, conditional
    "I don't mind bullet points.",
    "I don't need bullet points.",
    "Bullet points are optional.",
    "Lists are fine.",
    "Use bullet points when listing steps.",
    "Use bullet points unless the answer is short.",
    "If you use lists, keep them short.",
    "Sometimes use emojis.",
    "Use emojis sparingly.",
    "Don't write in all caps.",
    "Don't end with a question.",
    "Respond in English, even if I write in Spanish.",
    # vague or approximate amounts, targets, other units
    "Answer in about 100 words.",
    "Answer in 100 words.",
    "Answer in around 3 paragraphs.",
    "Avoid too many commas.",
    "Use fewer than 3 commas.",
    "No more than three examples.",
    "Give me the top 10 words.",
    "Make 3 points.",
    # about a part of the answer
    "Keep each paragraph under 50 words.",
    "Keep sentences under 20 words.",
    "Keep the title under 10 words.",
    "Start with a one-sentence summary.",
    "Start each paragraph with 'Note:'.",
    "End each bullet with a period.",
    "Use lowercase for headings.",
    "Use capital letters at the start of each sentence.",
    "Capitalize proper nouns.",
    # one checkable part and one that is not
    "Keep it under 50 words and explain it like I'm five.",
    "Use active voice and no commas.",
    "Avoid commas and jargon.",
    "Use bullet points and examples.",
    "Give me 3 bullet points and a summary.",
    # not the response language / not the whole output
    "Translate your answer into French.",
    "Use English units.",
    "Use JSON for code examples.",
    "Include a JSON example.",
    "Explain JSON.",
    "Put any code in a code block.",
    "Avoid words like 'very' and 'really'.",
    "Start with a greeting.",
    "End on a positive note.",
    "Ask me questions to clarify.",
    "Don't list more than 3 examples.",
    "Please mention the budget.",
    "Use the word count as a guide.",
    "Say hello.",
    # found while hunting false positives
    "I love emojis in texts from friends.",
    "I like bullet points in presentations.",
    "Keep lists to 5 items max.",
    "Limit each list to 3 bullets.",
    "When listing, use no more than 5 items.",
    "Answers under 100 words each.",
    "Use “smart quotes” instead of straight quotes.",
    "Don't use lowercase for proper nouns.",
    "All lowercase except for names.",
    "I used to hate bullet points.",
    "Respond as a JSON expert would.",
    "Answer in English or Spanish.",
    "I don't need emojis.",
    "Quote your sources in double quotation marks.",
    "Put book titles in double quotation marks.",
    "Use the Oxford comma.",
    "I like commas.",
    "Commas are fine.",
    "I prefer paragraphs over lists when explaining concepts.",
    "Use headings only when the answer is long.",
    "Keep it under 2 minutes to read.",
]


@pytest.mark.parametrize("signal", NOT_CHECKABLE)
def test_uncheckable_signal_gives_none(signal: str) -> None:
    assert parse_signal(signal) is None, (signal, parse_signal(signal))
    assert describe(signal) is None


def test_composite_requires_both() -> None:
    check = parse_signal("Keep it under 50 words and don't use commas")
    assert check is not None and check.kind == "all"
    assert [c.kind for c in check.parts] == ["word_count", "no_commas"]
    assert check.check("Short and sweet.")
    assert not check.check("Short, but with a comma.")
    assert not check.check(" ".join(["word"] * 60))


@pytest.mark.parametrize(
    ("signal", "kinds"),
    [
        ("Use lowercase, no commas, and end with 'bye.'", ["lowercase", "no_commas", "ends_with"]),
        (
            "Keep it under 60 words, use bullet points, and no emojis.",
            ["word_count", "use_bullets", "no_emoji"],
        ),
        ("No more than 3 bullet points and at most 50 words.", ["bullet_count", "word_count"]),
        (
            "Wrap your whole reply in double quotation marks and finish with 'Bye.'",
            ["quoted", "ends_with"],
        ),
        ("Write in lowercase and include the word 'river'.", ["lowercase", "include_words"]),
        ("Don't use semicolons or colons.", ["no_punct", "no_punct"]),
        ("Avoid exclamation marks and emojis.", ["no_exclamation", "no_emoji"]),
        ("No capitals or commas.", ["lowercase", "no_commas"]),
    ],
)
def test_composites(signal: str, kinds: list[str]) -> None:
    check = parse_signal(signal)
    assert check is not None and check.kind == "all", (signal, check)
    assert [c.kind for c in check.parts] == kinds
    assert check.description == " and ".join(c.description for c in check.parts)


@pytest.mark.parametrize(
    "signal",
    [
        "Write in lowercase and in ALL CAPS.",  # contradictory
        "Use bullet points, but no lists.",
        "Respond in Spanish and answer in French.",
    ],
)
def test_contradictions_give_none(signal: str) -> None:
    assert parse_signal(signal) is None


def test_describe() -> None:
    assert describe("Keep answers under 80 words; I read on my phone.") == "fewer than 80 words"
    assert describe("No more than 80 words.") == "at most 80 words"
    assert describe("I prefer detailed anecdotes.") is None


def test_quotes_of_any_kind_keep_the_exact_phrase() -> None:
    for signal in (
        "End with 'Talk soon.'",
        'End with "Talk soon."',
        "End with ‘Talk soon.’",
        "End with “Talk soon.”",
        "End with «Talk soon.»",
        "End with `Talk soon.`",
    ):
        check = parse_signal(signal)
        assert check is not None and check.params["phrase"] == "Talk soon.", signal


def test_quoted_text_does_not_trigger_other_families() -> None:
    # the sign-off mentions words and commas, but only the ending is required
    check = parse_signal("Always end with 'No commas, under 50 words, all lowercase.'")
    assert check is not None and check.kind == "ends_with"


def test_non_string_signal() -> None:
    assert parse_signal(None) is None  # type: ignore[arg-type]
    assert parse_signal(42) is None  # type: ignore[arg-type]


def test_every_dev_set_signal_is_recognised() -> None:
    path = shared_file("eval/dev_set.jsonl")
    kind_of = {
        "startend:quotation": "quoted",
        "punctuation:no_comma": "no_commas",
        "length_constraints:number_words": "word_count",
        "detectable_format:title": "title",
        "change_case:english_lowercase": "lowercase",
        "detectable_format:number_bullet_lists": "bullet_count",
        "startend:end_checker": "ends_with",
        "keywords:existence": "include_words",
        "detectable_content:postscript": "postscript",
    }
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    assert rows and all(row["signals"] for row in rows)
    for row in rows:
        for signal, chk in zip(row["signals"], row["checks"], strict=True):
            check = parse_signal(signal)
            assert isinstance(check, Check), signal
            assert check.kind == kind_of[chk["instruction_id"]], signal


CMPS = {
    "under": "<",
    "less than": "<",
    "fewer than": "<",
    "shorter than": "<",
    "below": "<",
    "at most": "<=",
    "no more than": "<=",
    "a maximum of": "<=",
    "max": "<=",
    "within": "<=",
    "up to": "<=",
    "not more than": "<=",
    "at least": ">=",
    "a minimum of": ">=",
    "no fewer than": ">=",
    "more than": ">",
    "longer than": ">",
    "exactly": "==",
}
UNITS = {
    "words": "word_count",
    "sentences": "sentence_count",
    "characters": "char_count",
    "paragraphs": "paragraph_count",
    "bullet points": "bullet_count",
}
NUMS = {"12": 12, "twelve": 12, "five": 5, "twenty": 20, "one hundred": 100, "seventeen": 17}
PREFIXES = ["", "Please ", "I'd like you to ", "Always ", "Make sure to ", "Can you ", "You must "]


def test_comparator_grid() -> None:
    """Every comparator, with numbers as digits or words, every unit, with politeness."""
    misses = []
    for i, ((cmp_text, rel), (unit, kind), (num_text, n)) in enumerate(
        itertools.product(CMPS.items(), UNITS.items(), NUMS.items())
    ):
        prefix = PREFIXES[i % len(PREFIXES)]
        verb = ("write", "use", "keep your answer", "respond with")[i % 4]
        signal = f"{prefix}{verb} {cmp_text} {num_text} {unit}."
        check = parse_signal(signal)
        got = check and (check.kind, check.params.get("relation"), check.params.get("n"))
        if got != (kind, rel, n):
            misses.append((signal, got))
    assert not misses


def test_between_grid() -> None:
    for unit, kind in UNITS.items():
        for signal in (
            f"Between three and 7 {unit}.",
            f"Please use between 3 and seven {unit}.",
            f"Keep it to 3-7 {unit}.",
            f"From 3 to 7 {unit}, please.",
        ):
            check = parse_signal(signal)
            assert check is not None and check.kind == kind, signal
            assert (check.params["relation"], check.params["n"], check.params["m"]) == (
                "between",
                3,
                7,
            )


QUOTES = [("'", "'"), ('"', '"'), ("‘", "’"), ("“", "”"), ("«", "»"), ("`", "`"), ("„", "“")]


@pytest.mark.parametrize(("open_q", "close_q"), QUOTES)
def test_quote_styles(open_q: str, close_q: str) -> None:
    def q(text: str) -> str:
        return open_q + text + close_q

    cases = [
        (
            f"Please start your reply with {q('Hello there')}.",
            "starts_with",
            "phrase",
            "Hello there",
        ),
        (
            f"I'd like you to end your answers with {q('Talk soon.')}",
            "ends_with",
            "phrase",
            "Talk soon.",
        ),
        (f"Can you sign off with {q('Cheers!')}?", "ends_with", "phrase", "Cheers!"),
        (f"Always use the word {q('cheers')}.", "include_words", "words", ("cheers",)),
        (f"Make sure to never say {q('basically')}.", "exclude_words", "words", ("basically",)),
        (f"Use the word {q('river')} at least 3 times.", "word_frequency", "word", "river"),
    ]
    for signal, kind, key, value in cases:
        check = parse_signal(signal)
        assert check is not None and check.kind == kind, signal
        assert check.params[key] == value, signal
