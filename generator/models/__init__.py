"""ETAD, the EVP-style baseline, character adaptation, their training and evaluation (docs/models.md)."""
