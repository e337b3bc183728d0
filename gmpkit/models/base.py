"""What every scheduler model provides, and the helpers they share.

A model is created with its parameters (``gk.GMP(procs=4)``), attached to one
simulation by ``setup``, and then driven by events.  Each model runs a G by
calling ``self.sim.advance(g)`` and handing the returned operation to
:meth:`Model.dispatch`, which calls the model's ``do_compute``,
``do_syscall``, ``do_netio``, ``do_sleep``, ``do_gosched``, ``do_go``,
``do_blocked`` or ``do_exit``.
"""

from __future__ import annotations

from numbers import Integral

from ..costs import default_costs
from ..i18n import tr
from ..ops import BLOCKED, EXITED, Compute, Go, Gosched, NetIO, Sleep, Syscall
from ..sync import GoYield, Spin

__all__ = ["Model", "check_count"]

# More processors than this is a typo, not an experiment: the simulator would
# still run, but slowly and with nothing to learn.
MAX_PROCS = 1024


def check_count(model, label, value, lo=1, hi=MAX_PROCS):
    """Validate a count parameter such as ``procs`` with a clear message."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(tr("{model}({label}={value!r}): {label} must be a whole number",
                           model=model, label=label, value=value))
    if value < lo:
        raise ValueError(tr("{model}({label}={value}): {label} must be at least {lo} (a "
                            "scheduler needs somewhere to run goroutines)", model=model,
                            label=label, value=value, lo=lo))
    if value > hi:
        raise ValueError(tr("{model}({label}={value}): {label} must be at most {hi}; this "
                            "machine-scale simulator is not meant for more", model=model,
                            label=label, value=value, hi=hi))
    return int(value)


class Model:
    """Base class of the four models.  Subclasses set ``procs``, ``max_parallel``
    and ``SIMPLIFIES``, and implement the ``do_*`` handlers."""

    name = "model"
    SIMPLIFIES: tuple[str, ...] = ()
    MODELS: tuple[str, ...] = ()   # what the model does reproduce
    # sync.Mutex under this runtime (gmpkit/sync.py asks the model):
    # MUTEX_STARVATION: Go 1.9+'s starvation mode (a waiter that waited > 1 ms
    # gets the lock handed over; a waiter that lost a race queues first again).
    MUTEX_STARVATION = True

    def __init__(self, costs=None, **cost_overrides):
        self.sim = None
        c = default_costs()
        for k, v in {**(costs or {}), **cost_overrides}.items():
            if k not in c:
                raise TypeError(tr("{model}: unknown cost {cost!r}; known costs: {known}",
                                   model=type(self).__name__, cost=k,
                                   known=", ".join(sorted(c))))
            if isinstance(v, bool) or not isinstance(v, Integral) or v < 0:
                raise ValueError(tr("{model}({cost}={value!r}): a cost is a whole number of ns "
                                    "(or bytes) >= 0", model=type(self).__name__, cost=k,
                                    value=v))
            c[k] = int(v)
        self.costs = c
        self.procs = None
        self.max_parallel = None

    # ---- attached to a simulation -----------------------------------------
    def setup(self, sim):
        self.sim = sim
        self.engine = sim.engine
        self.tl = sim.tl
        self.rng = sim.engine.rng
        self.stats_extra: dict = {}
        self._handlers = self._make_handlers()
        self._advance = sim.advance    # bound once: run_g is on every G's path
        # The timeline's recorders, bound once (the recording mode chose them)
        self._mspan = sim.tl._add_m_span
        self._sample = sim.tl._sample
        self._event = sim.tl._add_event

    def start(self, g):
        raise NotImplementedError

    def ready(self, g, waker):
        raise NotImplementedError

    def finish(self, now):
        """Close spans still open when main returns."""

    def stats(self):
        return dict(self.stats_extra)

    def snapshot(self):
        return {}

    def describe(self):
        return self.name

    def drive_schedtrace(self, period_ns, record):
        """Offer to call ``record()`` for GODEBUG=schedtrace the way this model's
        runtime would.  Return True if the model does (GMP: from sysmon), False to
        let the simulation print on an exact period."""
        return False

    # ---- what sync.Mutex needs from a model ----------------------------------
    def mutex_can_spin(self, g, iters):
        """runtime_canSpin: may ``g`` (running, wanting a held Mutex) spin once more
        after ``iters`` spins?  Only a model with processors to spin on says yes;
        the default is never (a spin needs another CPU running the owner)."""
        return False

    def do_goyield(self, m, g, op):
        """goyield (starvation-mode Unlock): ``g`` lets the G it handed the lock to
        run now.  Default: as Gosched; GMP puts ``g`` on its P's local queue."""
        self.do_gosched(m, g, op)

    # ---- running a G --------------------------------------------------------
    def run_g(self, m, g):
        """Let ``g`` run on ``m`` until it needs the scheduler, then handle that."""
        op = self._advance(g)
        self._handlers[type(op)](m, g, op)

    def dispatch(self, m, g, op):
        """Hand ``op`` (returned by ``sim.advance(g)``) to its ``do_*`` handler."""
        self._handlers[type(op)](m, g, op)

    def _make_handlers(self):
        return {
            Compute: self.do_compute, Go: self.do_go, Syscall: self.do_syscall,
            NetIO: self.do_netio, Sleep: self.do_sleep, Gosched: self.do_gosched,
            Spin: self.do_compute, GoYield: self.do_goyield,
            type(BLOCKED): lambda m, g, op: self.do_blocked(m, g),
            type(EXITED): lambda m, g, op: self.do_exit(m, g),
        }

    # ---- recording helpers --------------------------------------------------
    def span(self, state, start, end, m=-1, p=-1, g=-1):
        if end > start:
            self._mspan(state, start, end, m, p, g)

    def event(self, kind, g=-1, m=-1, p=-1, other=-1, detail=""):
        self._event(kind, self.engine.now, g, m, p, other, detail)

    def counter(self, name, value):
        self._sample(name, self.engine.now, value)

