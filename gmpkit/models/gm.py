"""Go 1.0 GM scheduler (being written)."""

from .base import Model

__all__ = ["GM"]


class GM(Model):
    name = "GM"

    def __init__(self, *a, **k):
        raise NotImplementedError("GM is not written yet")
