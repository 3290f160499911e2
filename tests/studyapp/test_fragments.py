"""Markup kept per process (fragments.py): per questions and language, never a bound form's."""

from dataclasses import replace

from django.utils import translation

from studyapp.forms import AboutYouForm
from studyapp.fragments import form_markup, questions_markup
from studyapp.questions import PAPER

TRIAL = "studyapp/trial_questions.html"


def test_questions_markup_is_kept_per_language():
    with translation.override("en"):
        english = questions_markup(TRIAL, PAPER)
        assert questions_markup(TRIAL, PAPER) is english  # drawn once
    with translation.override("zh-hans"):
        chinese = questions_markup(TRIAL, PAPER)
    assert 'name="intensity"' in english and 'name="intensity"' in chinese
    assert "Which expression" in english and "Not at all" in english
    assert "角色表现的是哪种表情" in chinese and "完全没有" in chinese and "Not at all" not in chinese


def test_edited_questions_get_new_markup():
    with translation.override("en"):
        before = questions_markup(TRIAL, PAPER)
        edited = (replace(PAPER[0], prompt="Which feeling did you see?"), *PAPER[1:])
        after = questions_markup(TRIAL, edited)
    assert "Which feeling did you see?" in after and "Which feeling did you see?" not in before


def test_a_bound_form_is_drawn_with_its_answers_not_kept():
    template = "studyapp/about_you_fields.html"
    with translation.override("en"):
        empty = form_markup(template, AboutYouForm())
        assert form_markup(template, AboutYouForm()) is empty
        answered = form_markup(template, AboutYouForm({"age": "7", "gender": "female"}))
    assert 'value="7"' in answered and 'class="error"' in answered
    assert 'value="7"' not in empty and 'class="error"' not in empty
