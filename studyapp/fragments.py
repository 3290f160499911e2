"""Participant pages, and parts of them, that are the same for every participant of a
study in one language, drawn once per process and kept.

The questions of the trial page and the list of them on the instructions page
were about half of those pages' CPU (template loops over every option of every
question), and the unanswered consent and questionnaire forms most of theirs
(a template per widget; BENCHMARKS.md, "Launch day"): every arrival draws them
all. What is kept is keyed by the questions themselves (what the study holds,
with their translations) or the form's class, and the language, so a study
whose questions are edited gets new markup at once; nothing of a participant
goes in (the CSRF token stays in the page around it).

Whole pages are kept too (``page_kept``) where nothing but the CSRF token and the
participant's resume code differs between participants: the information sheet,
the questionnaire and the instructions, about 1 ms of rendering each, which
every arrival of a launch pays (BENCHMARKS.md, "Launch day").
"""

from __future__ import annotations

import secrets

from django.forms import Form
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from studyapp.context_processors import resume_code
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
    """``template`` drawn with ``context`` once per ``what`` (what the context holds, as
    text) and language, and kept."""
    key = (template, what, get_language())
    markup = _KEPT.get(key)
    if markup is None:
        if len(_KEPT) >= _MOST:
            _KEPT.clear()
        markup = _KEPT[key] = mark_safe(render_to_string(template, context))
    return markup


# Stand-ins drawn into a kept page where each request's own values go: random per
# process, so that no text of a study can contain them.
_CSRF = f"csrf{secrets.token_hex(12)}"
_RESUME = f"resume{secrets.token_hex(12)}"


def page_kept(request, template: str, context: dict) -> HttpResponse:
    """``render(request, template, context)`` for a page whose ``context`` (a study and
    values the same for everyone who sees the page: an unanswered form, a count)
    decides all of it but the CSRF token and the participant's resume code.

    The page is drawn once per process for ``context``'s values (the study's every
    field among them, so an edit in the admin shows at once) and the language, with
    stand-ins for the token and the code, which each request then puts in. The page
    is drawn without the request, so nothing else of one participant can be kept
    and shown to another: a template that reads the request gets nothing there
    (tests/studyapp/test_kept_pages.py compares every kept page with its plain
    rendering)."""
    code = resume_code(request)["resume_code"]
    page = _kept(template, f"page, resume code {bool(code)}, {_state(context)}", {
        **context, "csrf_token": _CSRF, "resume_code": _RESUME if code else "",
        "LANGUAGE_CODE": get_language()})
    return HttpResponse(page.replace(_CSRF, get_token(request)).replace(_RESUME, code))


def _state(context: dict) -> str:
    """What a kept page is drawn from, as text: model objects by their fields' values."""
    return repr(sorted((name, _value(value)) for name, value in context.items()))


def _value(value):
    meta = getattr(value, "_meta", None)
    if meta is None:
        return value
    return meta.label, [(f.attname, getattr(value, f.attname)) for f in meta.concrete_fields]
