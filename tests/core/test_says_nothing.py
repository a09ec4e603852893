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
