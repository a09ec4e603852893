from personaco_tui.core.helpfulness import new_words, says_nothing


def test_echoes_and_restatements_of_the_question_say_nothing():
    assert says_nothing(
        "How do airplanes stay up in the air?", "How do airplanes stay up in the air?"
    )
    assert says_nothing("Cats purr.", "Why do cats purr?")  # a plural is its singular
    assert says_nothing("The answer is: electricity.", "What is electricity?")
    assert says_nothing("Great! I'd be happy to help with your question.", "What is a p-value?")
    assert says_nothing("", "What is a p-value?")


def test_an_answer_with_words_of_its_own_says_something():
    assert not says_nothing("Rayleigh scattering makes it blue.", "Why is the sky blue?")
    assert not says_nothing("About £800, depending on the model.", "How much is a laptop?")
    assert new_words("It costs 800 pounds.", "How much is it?") == {"cost", "800", "pound"}


def test_words_are_compared_whatever_the_case_or_script():
    assert says_nothing("WHY IS THE SKY BLUE", "why is the sky blue?")
    assert new_words("Der Himmel ist blau.", "Warum ist der Himmel blau?") == set()
    assert not says_nothing("東京です。首都です。", "日本の首都は?")


def test_the_function_words_are_scikit_learns_read_without_importing_it():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from personaco_tui.core.helpfulness import _function_words

    assert _function_words() == ENGLISH_STOP_WORDS


DINNER = "Suggest a quick dinner I can cook tonight."
SIGNALS = ["I'm vegetarian.", "Commas annoy me, so leave them out completely."]


def test_an_answer_that_says_the_signals_back_says_nothing():
    # the issue's own turn: the pick was the person's fact said back to them
    assert says_nothing("I'm a vegetarian.", DINNER, SIGNALS)
    assert says_nothing("I'm a vegetarian. No commas.", DINNER, SIGNALS)
    dorm = "All I have in my dorm is a microwave."
    assert says_nothing(f"{dorm} How do I cook rice?", "How do I cook rice?", [dorm])
    # without the signals it is an answer with a word of its own
    assert not says_nothing("I'm a vegetarian.", DINNER)


def test_an_answer_that_uses_some_of_a_signals_words_still_says_something():
    assert not says_nothing("Try a vegetarian chili with beans.", DINNER, SIGNALS)
    # the answer is the signal's word, but not all of what the signal says
    assert not says_nothing(
        "Paris.", "Which city is the Eiffel Tower in?", ["I live in Paris and love it."]
    )
    assert not says_nothing("Paris.", "Which city is the Eiffel Tower in?", ["I live in Paris."])
    # a signal that adds nothing to the question makes no answer an echo
    assert not says_nothing("Cook pasta.", DINNER, ["Dinner tonight."])


def test_an_answer_that_repeats_itself_loops():
    from personaco_tui.core.helpfulness import loops, passed_over

    stuck = "I'm a helpful AI named SmolLM. You can ask about what I can eat tonight. " * 4
    assert loops(stuck)
    assert passed_over(stuck, DINNER, SIGNALS) == "loop"
    # a list whose lines share a frame but not their words is no loop
    greens = ["rice", "beans", "onion", "garlic", "tomato", "pepper", "carrot", "celery", "kale"]
    recipe = "\n".join(f"- {n} cup of {w}, chopped" for n, w in enumerate(greens, 1))
    assert not loops(recipe)
    # a numbered list of one line over and over loops, its numbers notwithstanding
    stuck_list = "\n".join(f"{n}. effective recruitment recruitment" for n in range(1, 21))
    assert loops(stuck_list)
    # one sentence said twice in a long answer is no loop either
    told = "Rayleigh scattering sends blue light every way across the sky. " * 2
    assert not loops(told + "Red light passes straight through, so sunsets look red and orange.")
    assert not loops("Short. " * 10)  # too few words to tell
    # repetition inside a word: too few words for 4-grams, but it compresses away
    assert loops("1. h" + "i" * 300)
    assert loops("damp_" + "spring_" * 60)
    prose = (
        "Airplanes stay up because their wings are shaped and tilted so that air flowing over "
        "them is pushed downward. By Newton's third law the air pushes the wing up in return, "
        "and that upward force is called lift. Engines keep the plane moving forward fast "
        "enough for the wings to make more lift than the plane weighs. Pilots change the "
        "tilt of the wings with flaps to climb, turn or slow down before landing."
    )
    assert not loops(prose)
    assert not loops(told + "Red light passes straight through, so sunsets look red and orange.")
    # without spaces between words, characters are the units
    zh = (
        "天空之所以是蓝色的，是因为阳光穿过大气层时，短波长的蓝光比其他颜色的光更容易被空气"
        "分子散射。这种现象叫做瑞利散射。日落时，蓝光被散射掉，剩下红色和橙色的光。"
    )
    assert not loops(zh)
    assert loops("我是一个乐于助人的人工智能助手。" * 8)
    assert passed_over("Try a vegetarian chili with beans.", DINNER, SIGNALS) == ""
    assert passed_over("I'm a vegetarian.", DINNER, SIGNALS) == "echo"


def test_an_answer_about_itself_as_an_ai_is_passed_over():
    from personaco_tui.core.helpfulness import about_itself, passed_over

    dinner = "Suggest a quick dinner I can cook tonight."
    # the issue's own pick, and the ways the bundled model declines
    issue = "I'm a helpful AI named SmolLM, trained to find quick dinner suggestions."
    assert passed_over(issue, dinner, ["I'm vegetarian."]) == "itself"
    assert about_itself(
        "I'm sorry, but as a meal planning AI, I don't have the capability to cook food.", dinner
    )
    assert about_itself("Sure! As a chatbot, my job is to help. Try pasta.", dinner)
    assert about_itself(  # persona_dev's stored pick: four words before "AI"
        "I'm sorry, but as a language and linguistics AI, I don't have the ability to create "
        "meal plans.",
        "Plan my meals for the week.",
    )
    assert about_itself("I’m a language model trained to help.", dinner)  # a curly apostrophe
    assert about_itself("Being an A.I. I cannot eat. Try pasta.", dinner)
    # an answer that speaks of AI, or of someone else, is no answer about itself
    assert not about_itself("Artificial intelligence is a branch of computer science.", "Why?")
    assert not about_itself("As an AI researcher once said, data matters. I agree.", "Why?")
    assert not about_itself("The robot cleaned the kitchen, then cooked rice.", dinner)
    assert passed_over("Fry some tofu with rice and greens.", dinner) == ""
    # where the question or a signal speaks of it, such a sentence may be the answer
    assert not about_itself("Yes, I'm an AI assistant.", "Are you an AI?")
    assert not about_itself("As a chatbot builder, I'd start with intents.", "Where do I start?",
                            ["I build chatbots for a living."])  # fmt: skip
    assert about_itself("As a chatbot, I'd start with intents.", "Where do I start?",
                        ["I build websites."])  # fmt: skip
