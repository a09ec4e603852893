"""Reflectors score every (candidate, signal) pair with P(the candidate satisfies the signal)."""

from .base import ReflectionInput, Reflector
from .self_reflector import SelfReflector

__all__ = ["ReflectionInput", "Reflector", "SelfReflector"]
