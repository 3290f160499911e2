"""The tests' tiny clips and stimulus sets (no generator): benchmarks/stimulus_fixtures.py.

They live beside the load benchmark, which builds its study from them too, so
that both use one maker; tests import them from here by their old names.
"""

from benchmarks.stimulus_fixtures import design_factor_rows, tiny_clip, write_set
from contract import file_sha256 as sha256

__all__ = ["design_factor_rows", "sha256", "tiny_clip", "write_set"]
