"""What a study link may carry, and the signed links only the server can make.

A participant can edit their link, so nothing in it is trusted as written:

- Prolific's ``PROLIFIC_PID`` and ``STUDY_ID`` are 24 hexadecimal characters
  (MongoDB object ids); anything else, such as an unfilled ``{{%PROLIFIC_PID%}}``
  placeholder or a value with a NUL character, is refused with a page that says
  so, instead of enrolling everyone who has it under one shared record.
- ``pilot=`` marks pilot data, which the analysis leaves out, so a bare
  ``pilot=1`` would let anyone hide their answers: only a pilot link signed with
  the server's SECRET_KEY counts (``pilot_link``, shown by study_status and the
  dashboard).
- ``bot=`` enrols a simulated participant (run_bots), which the watch-time rule
  exempts: it is signed too, and expires after an hour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from studyapp.models import Study

PROLIFIC_ID = re.compile(r"[0-9a-fA-F]{24}")
SESSION_ID = re.compile(r"[0-9A-Za-z_-]{1,100}")
BOT_LINK_MAX_AGE_S = 3600
_PILOT_SALT, _BOT_SALT = "studyapp.links.pilot", "studyapp.links.bot"


class LinkError(ValueError):
    """A study link that cannot be used as it is; the message is for the participant."""


@dataclass(frozen=True)
class EntryLink:
    """What a checked study link asks for."""

    external_pid: str = ""
    external_study_id: str = ""
    external_session_id: str = ""
    is_pilot: bool = False
    is_bot: bool = False


def _study_value(study: Study) -> str:
    # The study's row id as well as its slug: a study rebuilt under the same slug
    # does not accept the old study's signed links.
    return f"{study.pk}:{study.slug}"


def pilot_param(study: Study) -> str:
    """The ``pilot=`` value of ``study``'s pilot link (stable: it can be shared)."""
    return signing.Signer(salt=_PILOT_SALT).signature(_study_value(study))


def pilot_link(study: Study) -> str:
    """The path of the study link that enrols pilot participants."""
    return f"{reverse('studyapp:entry', args=[study.slug])}?pilot={pilot_param(study)}"


def bot_param(study: Study) -> str:
    """A ``bot=`` value for ``study``, valid for BOT_LINK_MAX_AGE_S (run_bots makes one per bot)."""
    return signing.TimestampSigner(salt=_BOT_SALT).sign(_study_value(study))


def _bot_valid(study: Study, value: str) -> bool:
    try:
        signed = signing.TimestampSigner(salt=_BOT_SALT).unsign(value, max_age=BOT_LINK_MAX_AGE_S)
    except signing.BadSignature:  # includes SignatureExpired
        return False
    return constant_time_compare(signed, _study_value(study))


def entry_link_parse(study: Study, query) -> EntryLink:
    """Check the query parameters of ``study``'s link; raise LinkError naming what is wrong."""
    fields = {}
    for param, field, pattern in (("PROLIFIC_PID", "external_pid", PROLIFIC_ID),
                                  ("STUDY_ID", "external_study_id", PROLIFIC_ID),
                                  ("SESSION_ID", "external_session_id", SESSION_ID)):
        value = query.get(param, "")
        if value and not pattern.fullmatch(value):
            raise LinkError(
                _("This link's %(param)s is not a Prolific ID. If you came from Prolific, "
                  "please open the study from Prolific again; otherwise ask the researcher "
                  "for the right link.") % {"param": param})
        fields[field] = value.lower() if pattern is PROLIFIC_ID else value
    pilot = query.get("pilot")
    if pilot is not None and not constant_time_compare(pilot, pilot_param(study)):
        raise LinkError(_("This pilot link is not valid. Please ask the researcher for the "
                          "current pilot link, or use the study's ordinary link."))
    bot = query.get("bot")
    if bot is not None and not _bot_valid(study, bot):
        raise LinkError(_("This rehearsal link is not valid or has expired."))
    return EntryLink(**fields, is_pilot=pilot is not None, is_bot=bot is not None)
