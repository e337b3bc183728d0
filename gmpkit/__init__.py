"""gmpkit: how Go schedules goroutines, simulated and measured.

The workload language: a goroutine is a generator function that yields
scheduler operations.

>>> import gmpkit as gk
>>> def worker(out, wg):
...     yield gk.compute(us=50)
...     yield out.send(1)
...     yield wg.done()
>>> def main():
...     out, wg = gk.Chan(cap=8), gk.WaitGroup()
...     wg.add(4)
...     for _ in range(4):
...         yield gk.go(worker, out, wg)
...     yield wg.wait()
>>> run = gk.simulate(main, model=gk.GreenThreads(), seed=1)
>>> run.stats["goroutines"]
5
"""

from .ops import compute, syscall, netio, sleep, gosched, now, go
from .sync import Chan, Mutex, WaitGroup, GoPanic
from .sim import simulate, Simulation, Run, Deadlock, WorkloadError, SimulationLimit
from .timeline import Timeline, InvariantError
from .models import Model, GreenThreads, Threads, GM, GMP
from .i18n import set_language, language

__version__ = "0.1.0"

__all__ = [
    "compute", "syscall", "netio", "sleep", "gosched", "now", "go",
    "set_language", "language",
    "Chan", "Mutex", "WaitGroup", "GoPanic",
    "simulate", "Simulation", "Run", "Deadlock", "WorkloadError", "SimulationLimit",
    "Timeline", "InvariantError", "Model", "GreenThreads", "Threads", "GM", "GMP", "compare_runs",
]


def load_ipython_extension(ipython):
    """``%load_ext gmpkit``: registers the ``%%go`` cell magic (see :mod:`gmpkit.magic`)."""
    from .magic import load_ipython_extension as load
    load(ipython)


def compare_runs(real, sim, **kw):
    """A real traced run and a simulated Run on one time axis, with metrics and
    tolerances (see :func:`gmpkit.widgets.yourprog.compare_runs`)."""
    from .widgets.yourprog import compare_runs as _compare_runs
    return _compare_runs(real, sim, **kw)
