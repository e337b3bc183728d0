"""Measure what processes, threads and goroutines cost on *this* machine.

Each measurement is repeated (``repeats`` runs, each a loop of many
operations) and reported as the median per operation with its spread
(min and max over the runs).  Python measures the operating system's side
(fork, posix_spawn, thread creation, a system call, a hand-off between two
threads or two processes over pipes); the course's Go programs measure the
runtime's side (goroutine creation, channel hand-off with and without
``LockOSThread``, thread creation by the runtime, ``entersyscall`` overhead,
memory per blocked goroutine, stack growth, and what sysmon's short sleep
really lasts).

>>> table = measure_all(quick=True, progress=False)        # doctest: +SKIP
>>> table                  # doctest: +SKIP
>>> table.median("go.handoff.p1") < table.median("py.handoff.threads")  # doctest: +SKIP
True
>>> table.save("/tmp/this_machine.json")       # doctest: +SKIP
>>> Measurements.load("/tmp/this_machine.json").plot()   # doctest: +SKIP

Add a Go measurement by adding a :class:`~gmpkit.real.benches.GoBench` to
:data:`~gmpkit.real.benches.GO_BENCHES` (the program's JSON output field becomes
the measured value).

This module runs the measurements and records them; its siblings hold the
rest: :mod:`gmpkit.real.measurements` (the table: ``Measurement``,
``Measurements``), :mod:`gmpkit.real.benches` (the Python and Go benchmarks),
:mod:`gmpkit.real.calibrate` (``write_costs``: the table -> ``costs.json``).
Their public names are importable from here too.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .. import resources
from ..resources import data_dir
from .benches import GO_BENCHES, PY_BENCHES, GoBench, _go_steps, measure_go, measure_python
from .calibrate import write_costs
from .measurements import Measurement, Measurements
from .recorded import provenance

__all__ = ["Measurement", "Measurements", "GoBench", "GO_BENCHES", "PY_BENCHES", "measure_all",
           "measure_some", "measure_python", "measure_go", "load_recorded", "measurements_or_recorded",
           "write_costs", "Progress"]


# ---- progress ---------------------------------------------------------------------

def _in_notebook():
    shell = sys.modules.get("IPython") and getattr(sys.modules["IPython"], "get_ipython", lambda: None)()
    return type(shell).__name__ == "ZMQInteractiveShell"


class Progress:
    """A progress bar: an ipywidgets bar in a notebook, a text bar on stderr otherwise.

    ``enabled=False`` makes it silent (tests).

    >>> with Progress(3, "demo", enabled=False) as bar:
    ...     for _ in range(3): bar.step("work")
    """

    def __init__(self, total, desc="", enabled=True, stream=None):
        self.total, self.desc, self.enabled, self.done = max(1, total), desc, enabled, 0
        self.stream = stream or sys.stderr
        self._widget = None
        if enabled and _in_notebook():
            try:
                import ipywidgets as w
                from IPython.display import display
                self._bar = w.IntProgress(value=0, max=self.total, description=desc[:20])
                self._label = w.Label("")
                self._widget = w.HBox([self._bar, self._label])
                display(self._widget)
            except ImportError:
                self._widget = None

    def step(self, what=""):
        self.done += 1
        if not self.enabled:
            return
        if self._widget is not None:
            self._bar.value, self._label.value = self.done, what
            return
        width = 30
        filled = int(width * self.done / self.total)
        self.stream.write(f"\r{self.desc} [{'#' * filled}{' ' * (width - filled)}] "
                          f"{self.done}/{self.total} {what[:40]:<40}")
        self.stream.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.enabled and self._widget is None:
            self.stream.write("\n")
            self.stream.flush()


def measure_all(repeats=5, *, quick=False, progress=True, go=None, python=True, golang=True):
    """Measure everything this module knows; returns :class:`Measurements`.

    Without Go the table holds the Python rows only and
    ``provenance["go_version"]`` is ``None``.  A full run takes about a minute
    on 2 cores; ``quick=True`` a few seconds.
    """
    from .toolchain import GoUnavailable, find_go
    tc = None
    if golang:
        try:
            tc = find_go(go)
        except GoUnavailable:
            tc = None
    total = (len(PY_BENCHES) * repeats if python else 0) + (_go_steps(repeats) if tc else 0)
    table = Measurements(provenance=provenance(
        f"gmpkit.real.measure.measure_all(repeats={repeats}, quick={quick})", tc))
    with Progress(total, "measuring", enabled=progress) as bar:
        if python:
            for m in measure_python(repeats, quick, bar):
                table.add(m)
        if tc is not None:
            items, extra = measure_go(repeats, quick, bar, go=go)
            for m in items:
                table.add(m)
            table.extra.update(extra)
    return table


# ---- recorded data and the simulator's costs ------------------------------------------------

RECORDED = "this_machine.json"


def load_recorded(name=RECORDED) -> Measurements:
    """The measurements recorded on the course's machine (``gmpkit/data/measurements/NAME``)."""
    return Measurements.from_dict(resources.read_json(f"measurements/{name}"))


def measurements_or_recorded(quick=True, **kw) -> Measurements:
    """Measure here when Go is available, else load the recorded table."""
    from .toolchain import GoUnavailable, find_go
    try:
        find_go(kw.get("go"))
    except GoUnavailable:
        return load_recorded()
    return measure_all(quick=quick, **kw)


def measure_some(names, repeats=9, *, quick=False, go=None, out=None, costs=None):
    """Measure only the Go measurements ``names`` (e.g. ``["go.usleep.20"]``) and
    merge them into the recorded table (``out``) and ``costs.json`` (``costs``):
    each new row carries its own provenance (``params["provenance"]``), the costs
    it gives are rewritten, every other entry is kept.  Returns the new table."""
    from .toolchain import find_go
    tc = find_go(go)
    known = {n for b in GO_BENCHES for n in b.fields}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise KeyError(f"no Go measurement {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    prov = provenance(f"gmpkit.real.measure.measure_some({list(names)}, repeats={repeats}, "
                      f"quick={quick})", tc)
    items, _ = measure_go(repeats, quick, go=go, only=names)
    items = [m for m in items if m.name in names]
    new = Measurements(items, provenance=prov)
    out = Path(out) if out else data_dir() / "measurements" / RECORDED
    table = Measurements.load(out) if out.is_file() else Measurements(provenance=prov)
    for m in items:
        table.add(Measurement(m.name, m.label, m.unit, m.group, m.samples, m.command,
                              dict(m.params, provenance=prov)))
    table.save(out)
    write_costs(new, costs)
    return new


def main(argv=None):
    """``python -m gmpkit.real.measure [--quick] [--only NAME,...]``: measure, record
    and write costs.json (with ``--only``: just those Go measurements, merged in)."""
    import argparse
    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--only", default="", help="comma-separated Go measurement names, "
                                               "e.g. go.usleep.20,go.usleep.100,go.usleep.1000")
    ap.add_argument("--out", default=str(data_dir() / "measurements" / RECORDED))
    ap.add_argument("--costs", default=str(data_dir() / "costs.json"))
    a = ap.parse_args(argv)
    if a.only:
        print(measure_some([n.strip() for n in a.only.split(",") if n.strip()], a.repeats,
                           quick=a.quick, out=a.out, costs=a.costs))
        return
    table = measure_all(a.repeats, quick=a.quick)
    table.provenance["command"] = "python -m gmpkit.real.measure " + " ".join(argv or sys.argv[1:])
    if a.out:
        table.save(a.out)
    else:
        resources.write_json(f"measurements/{RECORDED}", table.to_dict())
    write_costs(table, a.costs)
    print(table)


if __name__ == "__main__":
    main()
