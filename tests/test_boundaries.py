"""Imports run one way (docs/design.md): each part imported in a fresh interpreter.

generator/, studyapp/ and analysis/ import nothing of each other; the
dependency-free ``contract`` module is the only code they share, and each of
them uses it (a second copy of the vocabulary would show as a part that does not).
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETUP_DJANGO = ("import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
                "'studyapp.settings'); django.setup(); ")

CASES = {
    # part: (code that imports all of it, modules that must stay out)
    # The contract (docs/design.md): the only code the three parts share.
    "contract": ("import contract",
                 ("django", "torch", "numpy", "pandas", "studyapp", "generator", "analysis")),
    "studyapp": (SETUP_DJANGO + "import pkgutil, importlib, studyapp; "
                 "[importlib.import_module(m.name) for m in pkgutil.walk_packages("
                 "studyapp.__path__, 'studyapp.') if 'migrations' not in m.name]",
                 ("torch", "generator", "transformers")),
    "analysis": ("import pkgutil, importlib, analysis; "
                 "[importlib.import_module(m.name) for m in pkgutil.walk_packages("
                 "analysis.__path__, 'analysis.') if not m.name.endswith('__main__')]",
                 ("django", "torch", "studyapp", "generator")),
    "generator": ("import pkgutil, importlib, generator; "
                  "[importlib.import_module(m.name) for m in pkgutil.walk_packages("
                  "generator.__path__, 'generator.') if not m.name.endswith('__main__')]",
                  ("django", "studyapp", "analysis")),
}


@pytest.mark.parametrize("part", sorted(CASES))
def test_part_does_not_import_what_it_must_not(part):
    code, forbidden = CASES[part]
    check = code + f"; import sys; print(','.join(m for m in {forbidden!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True,
                            text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "", f"{part} imports {result.stdout.strip()}"


@pytest.mark.parametrize("part", ["generator", "studyapp", "analysis"])
def test_each_part_takes_the_vocabulary_from_the_contract(part):
    """No second copy of emotion codes or export columns: each part imports them."""
    sources = "\n".join(p.read_text() for p in (ROOT / part).rglob("*.py")
                         if "migrations" not in p.parts)
    assert "from contract import" in sources
    for literal in ('"anger", "disgust", "fear", "joy"', '"sentence_type", "sentence_group"',
                    '"Human", "Mery", "Bonnie"'):
        assert literal not in sources, f"{part} defines {literal} again"
