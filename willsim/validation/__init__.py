"""Validation experiments that reproduce published results with the model."""
