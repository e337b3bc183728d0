"""Go 1.1+ GMP scheduler (being written)."""

from .base import Model

__all__ = ["GMP"]


class GMP(Model):
    name = "GMP"

    def __init__(self, *a, **k):
        raise NotImplementedError("GMP is not written yet")
