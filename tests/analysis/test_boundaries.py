"""analysis/ never imports Django or torch (../shared/DESIGN.md): checked in a fresh interpreter."""

import subprocess
import sys

MODULES = [
    "analysis.anova", "analysis.report", "analysis.simulate", "analysis.database", "analysis.benchmark",
]  # fmt: skip


def test_analysis_imports_neither_django_nor_torch():
    code = (
        f"import sys\nfor m in {MODULES!r}: __import__(m)\n"
        "roots = {m.split('.')[0] for m in sys.modules}\n"
        "print(sorted(roots & {'django', 'torch', 'studyapp', 'generator'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
