"""``manage.py demo_setup``: the study `make demo` serves, and an experimenter login."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from studyapp.errors import ServiceError
from studyapp.manifest import ManifestError
from studyapp.studies import study_build


class Command(BaseCommand):
    help = ("Build the demo study (custom design) from a manifest, create or reset the "
            "'experimenter' staff login, and print the participant link.")

    def add_arguments(self, parser):
        parser.add_argument("manifest", help="the demo stimulus set's manifest.json")
        parser.add_argument("--slug", default="demo", help="study slug (default: %(default)s)")
        parser.add_argument("--host", default="127.0.0.1", help="host the server will listen on")
        parser.add_argument("--port", default="8000", help="port the server will listen on")

    def handle(self, *args, manifest, slug, host, port, **options):
        try:
            result = study_build(manifest=manifest, design="custom", slug=slug,
                                 title="Expressive talking avatars (demo)")
        except (ManifestError, ServiceError) as exc:
            if isinstance(exc, ServiceError) and exc.status == 409:
                slug = f"{slug}-{secrets.token_hex(2)}"
                self.stdout.write(f"the old demo study has participants; building {slug!r}.")
                result = study_build(manifest=manifest, design="custom", slug=slug,
                                     title="Expressive talking avatars (demo)")
            else:
                raise CommandError(str(exc)) from None
        password = secrets.token_urlsafe(9)
        user, _ = get_user_model().objects.get_or_create(username="experimenter")
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        base = f"http://{host}:{port}"
        self.stdout.write(self.style.SUCCESS(
            f"\nDemo study {result.study.slug!r} is ready.\n"
            f"  Participant link : {base}/s/{result.study.slug}/\n"
            f"  Experimenter     : {base}/admin/  user 'experimenter', password '{password}'\n"
            f"  Export answers   : DEBUG=1 .venv/bin/python manage.py export_responses "
            f"{result.study.slug} --out responses.csv\n"))
