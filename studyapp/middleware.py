"""Every request starts and ends in the site's language (English).

Participant views switch to the participant's language (views._speak); Django
keeps an activated language on the thread, so without this the next request a
worker serves (a staff page, the admin, another participant's error page) would
inherit it.
"""

from django.conf import settings
from django.utils import translation


def language_per_request(get_response):
    def middleware(request):
        translation.activate(settings.LANGUAGE_CODE)
        try:
            return get_response(request)
        finally:
            translation.deactivate()
    return middleware
