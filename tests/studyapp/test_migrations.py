"""The migrations describe the models: a model change without its migration would
reach a lab's database only as an error at the first request that needs it."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)  # exits 1 when not
    assert "No changes detected" in out.getvalue()
