"""Pictures of schedules: Gantt charts, queue plots, scaling curves, the G-M-P diagram.

Every function draws with matplotlib only, returns the :class:`~matplotlib.figure.Figure`
it drew on and never calls ``plt.show()``.  Figures are created through pyplot
and then *closed* (detached from pyplot), so a notebook cell shows a figure
once, through its return value, and a loop that draws many does not leak.
Pass ``ax=`` to draw into an Axes of your own figure instead.

Times in a :class:`~gmpkit.timeline.Timeline` are integer ns; plots keep the
data in ns and only the tick labels are scaled (``ns``/``µs``/``ms``/``s``,
chosen from the shown window), so ``ax.get_xlim()`` is always in ns.

Modules, one topic each (everything is re-exported here: ``plots.gantt`` ...):

* ``theme`` -- palettes, ``STATE_STYLE``/``EVENT_MARKERS``/``KIND_STYLE``, colour-blind
  checks, ``rcparams``/``style``/``use``, the CJK font, time labels (``fmt_time``);
* ``charts`` -- ``gantt``, ``queues``, ``scaling``, ``compare_bars``;
* ``diagram`` -- ``GMPDiagram``, ``gmp_diagram``, ``p_label``;
* ``memmap`` -- ``memory_map``.

Examples (``import gmpkit as gk; from gmpkit import plots``)::

    run = gk.simulate(main, model=gk.GreenThreads())
    tl = run.timeline

    with plots.style(projector=True):            # big fonts for the projector
        fig = plots.gantt(tl, by="M")             # one row per thread
    plots.gantt(tl, by="P", t0=0, t1=200_000)     # per P, first 200 µs
    plots.gantt(tl, by="G", events=("preempt",))  # per goroutine, preemptions marked
    plots.queues(tl)                              # global + per-P queues, threads/idle/spinning
    plots.scaling([1, 2, 4, 8], {"GM": [1, 1.6, 1.9, 1.7], "GMP": [1, 2, 3.9, 7.6]},
                  xlabel="GOMAXPROCS", ylabel="speed-up", log2x=True)
    plots.compare_bars(["thread", "goroutine"], {"model": [1500, 200],
                       "measured": [2100, 170]}, ylabel="hand-off (ns)", log=True)
    plots.gmp_diagram(sim.snapshot())             # the G-M-P picture, now
    d = plots.GMPDiagram(sim.snapshot())          # ... or animated:
    sim.run(until=50_000); d.update(sim.snapshot())
    plots.memory_map([(0x400000, 0x401000, "a.out", "code"),
                      (0x7ffd0000, 0x7ffd8000, "[stack]", "stack")])
"""

from __future__ import annotations

from ..units import fmt_bytes
from .charts import (_MAX_LABELS, THREAD_COUNTERS, compare_bars, gantt,  # noqa: F401
                     queues, scaling)
from .diagram import GMPDiagram, gmp_diagram, p_label
from .memmap import memory_map
from .theme import (DEFAULT_EVENTS, EVENT_MARKERS, G_PALETTE, KIND_STYLE,  # noqa: F401
                    NO_G_COLOR, SERIES_HATCHES, SERIES_LINESTYLES, SERIES_MARKERS,
                    SERIES_PALETTE, STATE_STYLE, _detached_figure, _fs, _legend, _text_color,
                    colorblind_distance, fmt_time, g_color, rcparams, state_style, style,
                    time_unit, use)

# The underscored names above are shared helpers that diagrams.py and the tests use
# (a detached figure, a readable text colour on a face, the style's font size, a legend,
# the cap on Gantt labels); they stay private to the package's users.

__all__ = [
    "G_PALETTE", "SERIES_PALETTE", "STATE_STYLE", "KIND_STYLE", "EVENT_MARKERS",
    "g_color", "state_style", "colorblind_distance", "rcparams", "style", "use",
    "time_unit", "fmt_time", "fmt_bytes",
    "gantt", "queues", "scaling", "compare_bars", "gmp_diagram", "GMPDiagram", "p_label",
    "memory_map",
]
