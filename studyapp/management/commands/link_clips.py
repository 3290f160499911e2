"""``manage.py link_clips``: a thin shell over clip_links.clip_links_sync."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from studyapp.clip_links import clip_links_root, clip_links_sync


class Command(BaseCommand):
    help = ("Make the links nginx sends clips from without the app: one per clip and poster "
            "of every study, at CLIP_LINKS_ROOT/<study>/<n>.mp4 (the path of the clip's URL); "
            "links of studies or stimuli that are gone are removed. build_study does this for "
            "the study it builds; run this after setting CLIP_LINKS_ROOT on a running site.")

    def add_arguments(self, parser):
        parser.add_argument("--root", type=Path, default=None,
                            help="the links' folder (default: the CLIP_LINKS_ROOT setting)")

    def handle(self, *args, root, **options):
        root = root or clip_links_root()
        if root is None:
            raise CommandError("CLIP_LINKS_ROOT is not set and no --root was given: "
                               "there is nowhere to put the links.")
        counts = clip_links_sync(root)
        for slug, n in counts.items():
            self.stdout.write(f"{slug}: {n} link(s)")
        self.stdout.write(f"{sum(counts.values())} link(s) for {len(counts)} study(ies) "
                          f"in {root}")
