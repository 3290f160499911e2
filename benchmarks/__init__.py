"""The project's benchmarks, run by hand from the repository root; BENCHMARKS.md has their figures.

    .venv/bin/python -m benchmarks.render_speed     # the generator: render + encode
    .venv/bin/python -m benchmarks.models_speed     # Soft-DTW, ETAD and EVP-style inference
    .venv/bin/python -m benchmarks.analysis_speed   # the statistics report, the ANOVA engine
    .venv/bin/python -m benchmarks.load_study       # the study app under load and faults

Not shipped (pyproject.toml packages the three parts and the contract only).
The tests may import from here (the tiny stimulus sets of stimulus_fixtures);
nothing here imports from tests/.
"""
