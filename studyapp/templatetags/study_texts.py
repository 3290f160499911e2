"""``{{ study|own_text:"title" }}``: a study's own text in the page's language (Study.texts),
else as the experimenter wrote it."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def own_text(study, field: str) -> str:
    return study.text(field, get_language() or "en")
