"""Recommendations, commitments, progress with evidence, initiatives and indicators."""
