"""One way to save and load what the models write: ETAD, the EVP-style baseline,
the adaptation MLPs, the training states that resume ETAD and the small HuBERT,
and ETAD's features cache.

A checkpoint is a dict of tensors and plain values (configs as dicts, numbers,
strings) with two keys of its own: ``kind`` (what wrote it, e.g. ``"etad"``)
and ``format``. It is written under a temporary name and renamed into place, so
an interrupted write never leaves half a file under the real name, and read
with ``torch.load(weights_only=True)``, which builds no arbitrary objects: a
foreign or tampered file cannot run code. Anything else (a truncated file,
another program's, another kind, an older format) is an :class:`InputError`
whose one line names the file and what to do.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from generator.common.errors import InputError

#: Bumped when what a kind's checkpoint holds changes; older files are refused.
FORMAT = 1


def checkpoint_save(path: Path, kind: str, state: dict) -> Path:
    """Write ``state`` (plus ``kind`` and ``format``) atomically to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        torch.save({**state, "kind": kind, "format": FORMAT}, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def checkpoint_load(path: Path, kind: str, *, retrain: str) -> dict:
    """The state saved by :func:`checkpoint_save` with this ``kind``.

    ``retrain`` is the command that writes a new one, for the error message.
    """
    path = Path(path)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # truncated, not a torch file, or holding objects beyond weights
        raise InputError(f"{path}: not a readable checkpoint ({type(err).__name__}); delete it "
                         f"and run `{retrain}`") from None
    found = state.get("kind") if isinstance(state, dict) else None
    if found is None:
        raise InputError(f"{path}: not a {kind!r} checkpoint (written by an earlier version or "
                         f"another program); run `{retrain}`")
    if found != kind:
        raise InputError(f"{path}: a {found!r} checkpoint, not {kind!r}; run `{retrain}`")
    if state.get("format") != FORMAT:
        raise InputError(f"{path}: a {kind} checkpoint in format {state.get('format')}, written "
                         f"by another version (this one reads {FORMAT}); run `{retrain}`")
    return state


def checkpoint_resume(path: Path, kind: str) -> dict | None:
    """A training state to resume from, or None where there is none this version can read
    (missing, another version's, another kind): the training then starts again and
    overwrites it, so rerunning the same command is always the way on."""
    if not Path(path).is_file():
        return None
    try:
        return checkpoint_load(path, kind, retrain="")
    except InputError:
        print(f"{path}: not a {kind} state this version can resume from: starting again")
        return None
