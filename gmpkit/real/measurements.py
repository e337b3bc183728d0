"""The table of measurements: :class:`Measurement` (one quantity, its runs) and
:class:`Measurements` (rows with provenance, shown as text, HTML or a bar chart,
saved as JSON).

Siblings: :mod:`gmpkit.real.benches` (what is measured, and how),
:mod:`gmpkit.real.measure` (running them: ``measure_all``, the recorded table,
the command line), :mod:`gmpkit.real.calibrate` (turning a table into the
simulator's ``costs.json``).
"""

from __future__ import annotations

import html
import json
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..i18n import N_, tr

__all__ = ["Measurement", "Measurements", "GROUP_COLOURS"]

# the columns of a measurements table
_HEAD = (N_("what"), N_("median"), N_("range"), N_("runs"), N_("key"))

# Okabe-Ito: distinguishable with every common colour-vision deficiency.
GROUP_COLOURS = {"process": "#D55E00", "thread": "#E69F00", "syscall": "#CC79A7",
                 "goroutine": "#0072B2", "memory": "#009E73"}


@dataclass
class Measurement:
    """One measured quantity: per-operation values from ``len(samples)`` runs."""
    name: str             # stable key, e.g. "go.handoff.p1"
    label: str            # what a learner reads
    unit: str             # "ns" or "B"
    group: str            # process | thread | syscall | goroutine | memory
    samples: list
    command: str = ""
    params: dict = field(default_factory=dict)

    @property
    def median(self):
        return statistics.median(self.samples)

    @property
    def low(self):
        return min(self.samples)

    @property
    def high(self):
        return max(self.samples)

    @property
    def spread(self):
        """(max - min) / median: how much the runs disagree."""
        return (self.high - self.low) / self.median if self.median else 0.0


def _fmt(value, unit):
    if unit == "B":
        return f"{value:,.0f} B"
    for scale, suffix in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
        if value >= scale:
            return f"{value / scale:.3g} {suffix}"
    return f"{value:.3g} ns"


class Measurements:
    """A table of :class:`Measurement` with provenance; renders, plots, saves.

    ``extra`` holds structured results that are not one number (the stack
    growth steps).
    """

    def __init__(self, items=(), provenance=None, extra=None):
        self.items = list(items)
        self.provenance = dict(provenance or {})
        self.extra = dict(extra or {})

    # ---- access -----------------------------------------------------------
    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __contains__(self, name):
        return any(m.name == name for m in self.items)

    def __getitem__(self, name):
        for m in self.items:
            if m.name == name:
                return m
        raise KeyError(f"no measurement {name!r}; have: {', '.join(m.name for m in self.items)}")

    def median(self, name):
        return self[name].median

    def add(self, m):
        self.items = [x for x in self.items if x.name != m.name] + [m]

    # ---- display ------------------------------------------------------------
    def rows(self):
        return [(tr(m.label), _fmt(m.median, m.unit),   # i18n: labels are N_() in benches.py
                 f"{_fmt(m.low, m.unit)} – {_fmt(m.high, m.unit)}",
                 len(m.samples), m.name) for m in self.items]

    def __repr__(self):
        head = tuple(tr(h) for h in _HEAD)   # i18n: N_() in _HEAD
        rows = [head] + [tuple(map(str, r)) for r in self.rows()]
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
        p = self.provenance
        lines.append(tr("({cpu}, {cores} cores, {go}, {date})", cpu=p.get("cpu_model", "?"),
                        cores=p.get("cores", "?"), go=p.get("go_version") or tr("no Go"),
                        date=p.get("date", "?")))
        return "\n".join(lines)

    def _repr_html_(self):
        e = html.escape
        body = "".join(
            f"<tr><td style='text-align:left'>{e(r[0])}</td><td><b>{e(r[1])}</b></td>"
            f"<td>{e(r[2])}</td><td>{r[3]}</td><td style='text-align:left'><code>{e(r[4])}</code></td></tr>"
            for r in self.rows())
        p = self.provenance
        cap = e(tr("{cpu}, {cores} cores, {os}, {go}, {date}", cpu=p.get("cpu_model", "?"),
                   cores=p.get("cores", "?"), os=p.get("os", "?"),
                   go=p.get("go_version") or tr("no Go"), date=p.get("date", "?")))
        what, median, range_, runs, key = (e(tr(h)) for h in _HEAD)   # i18n: N_() in _HEAD
        return (f"<table><thead><tr><th style='text-align:left'>{what}</th><th>{median}</th>"
                f"<th>{range_}</th><th>{runs}</th><th style='text-align:left'>{key}</th></tr></thead>"
                f"<tbody>{body}</tbody><caption style='caption-side:bottom'>{cap}</caption></table>")

    def plot(self, ax=None, *, unit="ns", names=None):
        """Horizontal bars of the medians (log scale) with min–max whiskers.

        Colours by group (Okabe-Ito palette); ``unit="B"`` plots the memory rows.
        Returns the matplotlib Axes.
        """
        import matplotlib.pyplot as plt
        items = [m for m in self.items if m.unit == unit and (names is None or m.name in names)]
        if ax is None:
            _, ax = plt.subplots(figsize=(12, 0.5 * len(items) + 1.8))
        y = range(len(items))
        med = [m.median for m in items]
        err = [[m.median - m.low for m in items], [m.high - m.median for m in items]]
        ax.barh(list(y), med, xerr=err, color=[GROUP_COLOURS.get(m.group, "#999999") for m in items],
                capsize=3, ecolor="#333333")
        ax.set_yticks(list(y))
        ax.set_yticklabels([tr(m.label) for m in items], fontsize=12)   # i18n: N_() in benches.py
        ax.invert_yaxis()
        top = max((m.high for m in items), default=1)
        if unit == "ns":
            ax.set_xscale("log")
            ax.set_xlim(right=top * 30)
            ax.set_xlabel(tr("ns per operation, log scale (whisker: min–max)"), fontsize=12)
        else:
            ax.set_xlim(right=top * 1.35)
            ax.set_xlabel(tr("bytes per goroutine (bar: median; whisker: min–max)"), fontsize=12)
        for i, m in enumerate(items):
            x = m.high * 1.25 if unit == "ns" else m.high + top * 0.02
            ax.text(x, i, _fmt(m.median, m.unit), va="center", fontsize=11)
        p = self.provenance
        ax.set_title(f"Measured on {p.get('cpu_model', '?')} ({p.get('cores', '?')} cores), "
                     f"{p.get('go_version') or 'no Go'}", fontsize=13)
        from matplotlib.patches import Patch
        groups = [g for g in GROUP_COLOURS if any(m.group == g for m in items)]
        ax.legend(handles=[Patch(color=GROUP_COLOURS[g], label=g) for g in groups],
                  loc="lower right", fontsize=11)
        ax.grid(axis="x", which="major", alpha=0.3)
        ax.figure.tight_layout()
        return ax

    def stack_growth(self):
        """The stack moves of a deep recursion: ``[{"depth", "used_bytes", "stack_bytes"}, ...]``.

        Each row is one ``runtime.newstack`` copy: at ``depth`` frames the
        goroutine had used ``used_bytes`` and its stack became ``stack_bytes``.
        """
        if "stack_growth" not in self.extra:
            raise KeyError("no stack growth recorded (measure_all with Go records it)")
        return list(self.extra["stack_growth"]["moves"])

    def plot_stack_growth(self, ax=None):
        """Stack size (steps) and bytes in use (dots) against recursion depth, log-log."""
        import matplotlib.pyplot as plt
        moves = self.stack_growth()
        if ax is None:
            _, ax = plt.subplots(figsize=(9, 5))
        last = self.extra["stack_growth"].get("depth", moves[-1]["depth"] if moves else 1)
        depth = [0] + [m["depth"] for m in moves] + [last]
        size = [2048] + [m["stack_bytes"] for m in moves]
        size.append(size[-1])
        ax.step(depth, size, where="post", color=GROUP_COLOURS["goroutine"], lw=2.5,
                label="stack size (copied to twice the size at each step)")
        ax.plot([m["depth"] for m in moves], [m["used_bytes"] for m in moves], "o",
                color=GROUP_COLOURS["process"], ms=7, label="bytes in use when it moved")
        ax.set_xscale("symlog", linthresh=10)
        ax.set_yscale("log", base=2)
        ax.set_xlabel("recursion depth (frames)", fontsize=12)
        ax.set_ylabel("bytes", fontsize=12)
        ax.set_title("A goroutine's stack grows by copying: 2 KiB, 4 KiB, 8 KiB ...", fontsize=13)
        ax.legend(fontsize=11)
        ax.grid(alpha=0.3)
        ax.figure.tight_layout()
        return ax

    # ---- persistence -----------------------------------------------------------
    def to_dict(self):
        return {"provenance": self.provenance, "measurements": [asdict(m) for m in self.items],
                "extra": self.extra}

    @classmethod
    def from_dict(cls, d):
        try:
            items = [Measurement(**m) for m in d["measurements"]]
        except (KeyError, TypeError) as e:
            raise ValueError(f"not a gmpkit measurements file ({e})") from None
        return cls(items, d.get("provenance"), d.get("extra"))

    def save(self, path):
        """Write JSON (provenance included); returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=1) + "\n")
        return path

    @classmethod
    def load(cls, path):
        return cls.from_dict(json.loads(Path(path).read_text()))
