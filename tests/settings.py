"""Settings for the test run: the project's settings for local use (DEBUG=1).

DEBUG defaults to off (production), which needs a SECRET_KEY and turns on the
HTTPS redirect that every test-client request would follow. The tests run with
the local default instead, put in the environment (not only here) so that the
`manage.py` and Django subprocesses some tests start get it too; a test that
wants production settings passes DEBUG=0 to its subprocess, which this keeps.
pytest-django still runs each test with settings.DEBUG = False.
"""

import os

os.environ.setdefault("DEBUG", "1")

from studyapp.settings import *  # noqa: E402, F403
