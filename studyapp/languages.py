"""Which language a participant's pages speak (English and Simplified Chinese so far;
a language is added by a catalogue in locale/ and a line in settings.LANGUAGES).

A study fixes its language (``en``, ``zh-hans``: the usual case for a lab
study) or leaves it to the participant (``choice``): then the study link's
``?lang=`` (for recruiters), else the browser's Accept-Language, else English,
and a switch on the information sheet. The language a participant saw is
stored with them (``Participant.language``) and exported.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header

CHOICE = "choice"
DEFAULT = "en"


def languages() -> dict[str, str]:
    """The languages participants can be shown: code -> the language's own name."""
    return dict(settings.LANGUAGES)


def study_language_choices() -> list[tuple[str, str]]:
    """What a study's language setting may be: a fixed language, or the participant's choice."""
    return [*settings.LANGUAGES, (CHOICE, "participant's choice")]


def supported(code: str | None) -> str | None:
    """``code`` (any case, ``zh-Hans`` or ``zh_hans``) as a supported language, or None."""
    if not code:
        return None
    try:
        variant = get_supported_language_variant(code.replace("_", "-").lower())
    except LookupError:
        return None
    return variant if variant in languages() else None


def language_pick(study_language: str, asked: str | None = None, accept: str = "") -> str:
    """The language a participant of a study set to ``study_language`` sees: the study's
    own, or with ``choice`` the one ``asked`` for (``?lang=``), else the first of the
    browser's Accept-Language that the platform speaks, else English."""
    if study_language != CHOICE:
        return supported(study_language) or DEFAULT
    if supported(asked):
        return supported(asked)
    for code, _ in parse_accept_lang_header(accept or ""):
        if supported(code):
            return supported(code)
    return DEFAULT


OWN_TEXTS = ("title", "information_sheet")


def texts_problem(texts) -> str:
    """What is wrong with a study's translated texts (Study.texts), or "" when nothing."""
    if not isinstance(texts, dict):
        return 'write a table of languages, e.g. {"zh-hans": {"title": "..."}}.'
    for code, fields in texts.items():
        if code not in languages():
            return f"{code!r} is not a language of the platform ({', '.join(languages())})."
        if not isinstance(fields, dict) or set(fields) - set(OWN_TEXTS) or not all(
                isinstance(v, str) for v in fields.values()):
            return f"{code}: give text for {' and/or '.join(OWN_TEXTS)} only."
    return ""
