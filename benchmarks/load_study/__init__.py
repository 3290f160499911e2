"""The load and fault benchmark of the production set-up: ``python -m benchmarks.load_study``.

Its parts: ``participant`` (the simulated participants' HTTP flow, over
``lite_http``), ``probe`` (the disk stalls beside the run), ``report`` (read
back, judged, printed, saved) and ``__main__`` (the set-up, the run, the faults).
"""
