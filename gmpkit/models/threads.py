"""1:1 kernel threads (being written)."""

from .base import Model

__all__ = ["Threads"]


class Threads(Model):
    name = "Threads"

    def __init__(self, *a, **k):
        raise NotImplementedError("Threads is not written yet")
