"""Statistics of the perception studies (paper sections 5.1.5-5.1.6); see docs/analysis.md.

Front doors: ``python -m analysis.report`` (the statistics PDF), ``python -m
analysis.anova`` (one ANOVA as JSON), ``python -m analysis.simulate`` (responses
drawn from the paper's results). Its speed benchmark: benchmarks/analysis_speed.py.
"""
