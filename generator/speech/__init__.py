"""Speech synthesis (espeak-ng), the Table 2 corpus and the synthetic dataset built from them."""
