"""Helpers every part uses: the one input error, worker pools, file formats and atomic writes."""
