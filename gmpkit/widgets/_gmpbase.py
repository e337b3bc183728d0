"""What the GMP panels of notebooks 06 and 07 share: the seed, the colours, the margins."""

from __future__ import annotations

from .. import plots
from . import Panel

SEED = 1
LOCAL = plots.SERIES_PALETTE[0]      # blue: local queue / GMP
GLOBAL = plots.SERIES_PALETTE[1]     # vermilion: global queue / GM
OTHER = plots.SERIES_PALETTE[2]      # green

# Each draw function of these panels places its axes itself (margins, not constrained
# layout): the figures keep their shape while a slider moves.
MARGINS = dict(left=0.07, right=0.98, bottom=0.14, top=0.9, wspace=0.22, hspace=0.45)


def fmt(ns):
    return plots.fmt_time(int(ns))


def gmp_panel(title, controls, compute, draw, figsize, margins=None):
    """A :class:`~gmpkit.widgets.Panel` drawn in the course style with fixed margins
    (``MARGINS`` updated by ``margins``)."""
    return Panel(title, controls, compute=compute, draw=draw, figsize=figsize,
                 margins={**MARGINS, **(margins or {})}, course_style=True)
