"""Steering generation toward the signals."""
