"""Evaluation of answers and citations (the runner and the seed set are built on `qa`'s public API)."""
