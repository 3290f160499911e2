"""Links that let nginx send clips without asking the app.

A participant's page names a clip by study and a random name
(``/s/<study>/clip/<url_name>.mp4``, ``Stimulus.url_name``), never by file name
or manifest position, so the URL does not give the condition away. The app can
serve that URL itself (views.stimulus_file, to participants whose trials show
the clip), but a clip request per trial then costs a Django request. With
``CLIP_LINKS_ROOT`` set, every clip and poster of an open study also gets a
symbolic link at ``<CLIP_LINKS_ROOT>/<study>/<url_name>.mp4``, the path of its
URL, and nginx sends the file from there (deploy/nginx.conf.template), falling
back to the app when a link is missing. nginx checks no session, so the links
exist only while the study is open: closing it removes them, and participants
still finishing get their clips from the app. Only files a study's manifest
lists are linked, and the links hold no more than the URLs already say.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

from studyapp.models import Study


def clip_links_root() -> Path | None:
    root = settings.CLIP_LINKS_ROOT
    return Path(root) if root else None


def study_clip_files(study: Study) -> dict[str, Path]:
    """``{"<url_name>.mp4": file, "<url_name>.png": poster}`` for every stimulus of
    ``study`` whose file exists: the names its URLs end with, and the files they stand for."""
    directory = Path(settings.STIMULI_ROOT) / study.stimuli_dir
    files = {}
    for name, clip, poster in study.stimuli.values_list("url_name", "file", "poster"):
        for kind, relative in (("mp4", clip), ("png", poster)):
            if relative and (directory / relative).is_file():
                files[f"{name}.{kind}"] = (directory / relative).resolve()
    return files


def clip_links_write(study: Study, root: Path) -> int:
    """Make ``root/<slug>/`` hold exactly the links of ``study``'s clips while it is
    open, and none while it is closed; return how many.

    A link is replaced atomically (a new link renamed over the old), so nginx
    never finds a half-made one; links of stimuli no longer in the study go.
    """
    folder = root / study.slug
    folder.mkdir(parents=True, exist_ok=True)
    wanted = study_clip_files(study) if study.is_open else {}
    for entry in folder.iterdir():
        if entry.name not in wanted and entry.is_symlink():
            entry.unlink()
    for name, target in wanted.items():
        link = folder / name
        if link.is_symlink() and Path(os.readlink(link)) == target:
            continue
        temporary = folder / f".{name}.new"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(target)
        temporary.replace(link)
    return len(wanted)


def clip_links_sync(root: Path) -> dict[str, int]:
    """Links for every study, and none for studies that are gone: ``{slug: links}``."""
    root.mkdir(parents=True, exist_ok=True)
    counts = {study.slug: clip_links_write(study, root) for study in Study.objects.all()}
    for folder in root.iterdir():
        if folder.is_dir() and not folder.is_symlink() and folder.name not in counts:
            for entry in folder.iterdir():
                if entry.is_symlink():
                    entry.unlink()
            if not any(folder.iterdir()):
                folder.rmdir()
    return counts
