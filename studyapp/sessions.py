"""Django's database sessions, read with a query compiled once (prepared.py).

Every participant request reads its session (the participant it holds); with
Django's own store that read compiles a query each time. This store reads the
row by its key with a prepared query and checks the expiry date in Python,
which is what ``expire_date__gt=now`` in Django's query does. Everything else
(saving, cycling the key on enrolment, clearing expired rows) is Django's.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from studyapp.prepared import Prepared

_SESSION = Prepared(lambda key: Session.objects.filter(session_key=key), key=str)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        found = _SESSION.fetch(key=self.session_key) if self.session_key else []
        if found and found[0].expire_date > timezone.now():
            return found[0]
        self._session_key = None
        return None
