"""Sessions: a participant's in a signed cookie, a staff member's in the database.

A participant's session holds the participant it belongs to and their language
(views._bind), nothing the server must be able to take back: what they may do
is decided by their row (stage, next trial), not by the session. Kept in the
cookie itself, signed with SECRET_KEY (Django's ``signed_cookies`` store), it
costs no query on any page, and enrolment no session row (issue 18: every
newcomer's first pages). The cookie can be read, not forged: it names the
participant's row number and language, nothing of their group or trials.

A session that logs a staff member in (Django's auth keys in it) is kept in the
database, under a random key, so that logging out ends it for good, which a
signed cookie cannot do; its row is read with a query compiled once
(prepared.py) and its expiry checked in Python, which is what
``expire_date__gt=now`` in Django's query does.
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.core import signing
from django.utils import timezone

from studyapp.prepared import Prepared

SALT = "studyapp.sessions"
_SESSION = Prepared(lambda key: Session.objects.filter(session_key=key), key=str)


def _signed(key: str | None) -> bool:
    """A signed session's key is its data and signature (``value:time:signature``); a
    database session's key is 32 letters and digits."""
    return key is not None and ":" in key


class SessionStore(db.SessionStore):
    def _is_staff(self) -> bool:
        return SESSION_KEY in self._get_session(no_load=True)

    def load(self):
        if not _signed(self.session_key):
            return super().load()
        try:
            return signing.loads(self.session_key, salt=SALT, serializer=self.serializer,
                                 max_age=self.get_session_cookie_age())
        except (signing.BadSignature, ValueError):  # forged, expired or malformed
            self._session_key = None
            return {}

    def _get_session_from_db(self):
        found = _SESSION.fetch(key=self.session_key) if self.session_key else []
        if found and found[0].expire_date > timezone.now():
            return found[0]
        self._session_key = None
        return None

    def create(self):
        if self._is_staff():
            return super().create()
        self.save(must_create=True)
        self.modified = True

    def save(self, must_create=False):
        if not self._is_staff():
            self._session_key = signing.dumps(self._get_session(no_load=must_create), salt=SALT,
                                              serializer=self.serializer, compress=True)
            return
        if _signed(self.session_key):  # logged in now: the session moves to the database
            self._session_key = None
        super().save(must_create)

    def delete(self, session_key=None):
        if not _signed(self.session_key if session_key is None else session_key):
            super().delete(session_key)
