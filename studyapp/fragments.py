"""Parts of participant pages that are the same for every participant of a study in
one language, drawn once per process and kept.

The questions of the trial page and the list of them on the instructions page
were about half of those pages' CPU (template loops over every option of every
question), and the unanswered consent and questionnaire forms most of theirs
(a template per widget; BENCHMARKS.md, "Launch day"): every arrival draws them
all. What is kept is keyed by the questions themselves (what the study holds,
with their translations) or the form's class, and the language, so a study
whose questions are edited gets new markup at once; nothing of a participant
goes in (the CSRF token stays in the page around it).
"""

from __future__ import annotations

from django.forms import Form
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from studyapp.questions import Question

_KEPT: dict[tuple, SafeString] = {}
_MOST = 256  # studies x languages x fragments one process keeps


def questions_markup(template: str, questions: tuple[Question, ...]) -> SafeString:
    """``template`` drawn for ``questions`` in the active language (kept per process)."""
    return _kept(template, repr(questions), {"questions": questions})


def form_markup(template: str, form: Form) -> SafeString:
    """``template`` drawn for ``form``: kept per process while the form is unanswered
    (its markup is then the same for everyone), drawn anew with the answers and their
    errors once it is bound."""
    if form.is_bound:
        return mark_safe(render_to_string(template, {"form": form}))
    return _kept(template, type(form).__qualname__, {"form": form})


def _kept(template: str, what: str, context: dict) -> SafeString:
    key = (template, what, get_language())
    markup = _KEPT.get(key)
    if markup is None:
        if len(_KEPT) >= _MOST:
            _KEPT.clear()
        markup = _KEPT[key] = mark_safe(render_to_string(template, context))
    return markup
