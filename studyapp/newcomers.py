"""A newcomer between the study link and the consent form: not enrolled yet, so
nothing of theirs is in the database. What their link said (Prolific ids, pilot or
rehearsal, language) travels in a cookie signed with SECRET_KEY, scoped to the
study's pages, which the consent form turns into a participant (views.consent).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core import signing

SALT = "studyapp.newcomers"
MAX_AGE_S = 24 * 3600


def _name(slug: str) -> str:
    return f"newcomer-{slug}"


def newcomer_read(request, slug: str) -> dict | None:
    """What the study link said of a newcomer to study ``slug``, or None (no cookie, or
    one that is forged, from another key or older than a day)."""
    try:
        return json.loads(request.get_signed_cookie(_name(slug), salt=SALT, max_age=MAX_AGE_S))
    except (KeyError, signing.BadSignature, ValueError):
        return None


def newcomer_write(response, slug: str, newcomer: dict):
    """``response`` carrying ``newcomer`` for the study's next pages."""
    response.set_signed_cookie(_name(slug), json.dumps(newcomer), salt=SALT, max_age=MAX_AGE_S,
                               path=f"/s/{slug}/", httponly=True, samesite="Lax",
                               secure=settings.SESSION_COOKIE_SECURE)
    return response


def newcomer_forget(response, slug: str) -> None:
    """Drop the cookie once the newcomer is a participant."""
    response.delete_cookie(_name(slug), path=f"/s/{slug}/")
