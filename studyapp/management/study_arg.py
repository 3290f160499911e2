"""The study a management command names by its slug (export_responses, run_bots,
study_status): one lookup, one message that lists the studies there are."""

from __future__ import annotations

from django.core.management.base import CommandError

from studyapp.models import Study


def study_from_slug(slug: str) -> Study:
    """The study called ``slug``; CommandError naming the known slugs when there is none."""
    study = Study.objects.filter(slug=slug).first()
    if study is None:
        known = ", ".join(Study.objects.order_by("slug").values_list("slug", flat=True))
        raise CommandError(f"no study {slug!r} (studies: {known or 'none yet'}).")
    return study
