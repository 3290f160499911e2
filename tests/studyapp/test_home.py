"""The site root: open studies and their links for staff, nothing about studies for anyone else."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from studyapp.studies import study_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_study(make_set, small_rows):
    study = study_build(manifest=make_set("hidden", small_rows), design="custom",
                        slug="hidden").study
    study.is_open = False
    study.save()
    return study


def test_staff_see_open_studies_with_participant_and_dashboard_links(small_study, closed_study):
    staff = get_user_model().objects.create_user("exp", password="pw", is_staff=True)
    client = Client()
    client.force_login(staff)
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/s/small/"' in html and "http://testserver/s/small/" in html
    assert 'href="/staff/small/"' in html
    assert "hidden" not in html   # closed: not listed


def test_everyone_else_gets_a_neutral_page_that_names_no_study(small_study, walker):
    signed_in = Client()
    signed_in.force_login(get_user_model().objects.create_user("not-staff", password="pw"))
    for client in (Client(), walker.client, signed_in):
        page = client.get("/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "follow the link you were given" in html
        assert "small" not in html and "/s/" not in html and "/staff/" not in html
