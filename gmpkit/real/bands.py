"""Bands, verdicts and metrics: how a simulated value is judged against a real one.

:class:`Band` and its constructors (:func:`band`, :func:`ratio_band`, :func:`share`,
:func:`not_modelled`, :data:`INFO`), :data:`EXPECTED` (what the model leaves out, and
where it shows), :data:`VERDICTS` and :class:`Metric` (one line of a comparison), with
the value formatting a band's description uses (``_fmt``).

Siblings (the comparison of :mod:`gmpkit.real.compare`, split by topic):
:mod:`~gmpkit.real.mirrors` (the scenarios' Go mirrors and their metrics),
:mod:`~gmpkit.real.machine` (this machine's sleep overshoot, its spread, hand-off),
:mod:`~gmpkit.real.simside` (the simulator's side), :mod:`~gmpkit.real.goside` (a real
run), :mod:`~gmpkit.real.comparedata` (recording in ``gmpkit/data/compare``), and
:mod:`~gmpkit.real.compare` (``compare()``, :class:`Comparison`, the CLI; it re-exports
all of these).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import N_, tr

__all__ = ["Band", "band", "ratio_band", "share", "not_modelled", "INFO", "EXPECTED",
           "VERDICTS", "Metric"]


# ---- bands ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Band:
    """Where the simulator's value must lie, around the real one, to count as agreeing.

    ``kind`` is one of

    * ``"ratio"``: ``lo <= sim / real <= hi``, a band around the real value
      (``band(1.5)`` is ``[real / 1.5, real x 1.5]``);
    * ``"abs"``: ``|sim - real| <= width``, for values like a share of the work
      (``width`` must be smaller than the values it judges: see :meth:`check`);
    * ``"not_modelled"``: the real value is dominated by something the model
      leaves out (``expected`` names it); shown with the verdict "not
      modelled", which never counts as agreeing;
    * ``"info"``: shown, not judged (lists such as goroutines per P).

    ``why`` says where the width comes from.  There is no "or within X"
    clause: a band is the only way to agree.

    >>> band(1.5).verdict(10, 14), band(1.5).verdict(10, 16)
    ('within', 'outside')
    >>> share(0.1).verdict(0.5, 0.58), not_modelled("os").verdict(1, 50)
    ('within', 'not modelled')
    """
    kind: str
    lo: float = 0.0
    hi: float = 0.0
    why: str = ""
    width: float = 0.0
    expected: str = ""
    # a ``why`` made from figures: its English template (N_()) and the figures, so that
    # :meth:`reason` can say it in the learner's language; ``why`` keeps the English
    why_template: str = ""
    why_args: tuple = ()

    def reason(self):
        """``why`` in the learner's language."""
        if self.why_template:
            return tr(self.why_template, **dict(self.why_args))   # i18n: N_() where it is made
        return tr(self.why) if self.why else ""   # i18n: band reasons are N_() literals

    def verdict(self, sim, real):
        """"within", "outside", "not modelled", or "shown" (info, or a value is missing)."""
        if self.kind == "not_modelled":
            return "not modelled"
        if self.kind == "info" or sim is None or real is None or isinstance(sim, list):
            return "shown"
        if self.kind == "ratio":
            if real == 0 or sim == 0:
                return "within" if sim == real else "outside"
            return "within" if self.lo <= sim / real <= self.hi else "outside"
        if self.kind == "abs":
            # a width as large as the values would accept anything: never "within" then
            if self.width >= max(abs(real), abs(sim)):
                return "outside"
            return "within" if abs(sim - real) <= self.width else "outside"
        raise ValueError(f"unknown band kind {self.kind!r}")

    def check(self, sim, real):
        """True (within), False (outside) or None (not modelled, or shown only)."""
        return {"within": True, "outside": False}.get(self.verdict(sim, real))

    def interval(self, real):
        """``(low, high)``: the simulator values that agree with ``real`` (None if not judged)."""
        if real is None or isinstance(real, list):
            return None
        if self.kind == "ratio":
            return (real * self.lo, real * self.hi)
        if self.kind == "abs":
            return (real - self.width, real + self.width)
        return None

    def describe(self, unit=""):
        if self.kind == "ratio":
            if abs(self.lo * self.hi - 1) < 1e-9:
                return tr("sim within real ÷× {k:g}", k=self.hi)
            return tr("sim/real in [{lo:.3g}, {hi:.3g}]", lo=self.lo, hi=self.hi)
        if self.kind == "abs":
            return tr("|sim − real| ≤ {width}", width=_fmt(self.width, unit))
        if self.kind == "not_modelled":
            return tr("not modelled ({what})", what=self.expected)
        return tr("shown only")


def band(k, why=""):
    """A two-sided band ``[real / k, real x k]``."""
    if k < 1:
        raise ValueError(f"band(k={k}): k is a factor >= 1")
    return Band("ratio", 1 / k, k, why)


def ratio_band(lo, hi, why=""):
    """An asymmetric band: ``lo <= sim / real <= hi`` (say why it leans one way)."""
    return Band("ratio", lo, hi, why)


def share(width, why=""):
    """``|sim - real| <= width``."""
    return Band("abs", why=why, width=width)


def not_modelled(expected, why=""):
    """The real value is dominated by ``expected`` (a key of :data:`EXPECTED`)."""
    return Band("not_modelled", why=why or EXPECTED.get(expected, ""), expected=expected)


INFO = Band("info", why=N_("shown, not judged"))


# ---- what the model leaves out, and where it shows ---------------------------------------

EXPECTED = {
    "gc": N_("No garbage collector in the model. Real Go runs GC workers on the Ps and stops the "
             "world now and then, so real runs can only be slower."),
    "os": N_("No operating system in the model: a simulated thread gets a CPU the moment it is "
             "ready. Real threads wait to be woken, share the CPUs with each other (more threads "
             "than cores) and with other programs, and the kernel may run something else in the "
             "middle of a goroutine, so real makespans stretch, by a lot on a loaded machine."),
    "syscall": N_("A mirror's blocking system call is nanosleep(2), which lasts the request plus "
                  "this machine's sleep overshoot (timer slack + wake-up), different for each "
                  "call; the simulator draws each overshoot from the spread measured on the "
                  "machine (with two threads sleeping), independently, where real ones are "
                  "linked (one timer's interrupt wakes another inside its slack)."),
    "runtime_threads": N_("The model starts with 2 Ms (M0 and sysmon). Real Go has started one or "
                          "two more before main runs (for its own goroutines), so real thread "
                          "counts sit a little above the model's."),
    "runtime_goroutines": N_("The model runs only the workload's goroutines. Real Go also runs "
                             "its own (the tracer's reader, timers, netpoll), on the same Ps, and "
                             "starting or stopping the execution trace stops the world, which "
                             "preempts every running goroutine."),
    "sampling": N_("Real schedtrace samples once per ms; the model knows every instant. A real "
                   "peak is the largest *sample*, so it is at most the true peak."),
    "timers": N_("Real timers fire late: an idle P's thread waits in epoll_wait, whose timeout "
                 "is in whole ms plus the kernel's timer slack, and then must get a CPU; the "
                 "model's timers fire exactly when an M looks."),
}


# ---- the metrics ---------------------------------------------------------------------------

VERDICTS = ("within", "outside", "not modelled", "shown")


@dataclass
class Metric:
    """One line of a comparison: the simulator's value, the real one, and the verdict."""
    key: str
    label: str
    unit: str
    sim: float | None
    real: float | None
    band: Band
    verdict: str = "shown"      # one of VERDICTS
    expected: tuple = ()        # keys of EXPECTED that explain a difference
    samples: list = field(default_factory=list)   # the real value of each run
    # the simulator's value for each seed (one seed unless sleeps have a spread)
    sim_samples: list = field(default_factory=list)

    @property
    def ok(self):
        """True (within its band), False (outside) or None (not modelled, or shown only)."""
        return {"within": True, "outside": False}.get(self.verdict)

    @property
    def numeric(self):
        return isinstance(self.sim, (int, float)) and isinstance(self.real, (int, float))

    @property
    def difference(self):
        if not self.numeric:
            return None
        return self.real - self.sim

    @property
    def ratio(self):
        """real / sim (None when not both numbers, or sim is 0)."""
        if not self.numeric or self.sim == 0:
            return None
        return self.real / self.sim

    @property
    def why(self):
        """Why the band is as wide as it is (or why the metric is not modelled)."""
        return self.band.why

    def as_dict(self):
        return {"key": self.key, "label": self.label, "unit": self.unit, "sim": self.sim,
                "real": self.real, "ratio": self.ratio, "band": self.band.describe(self.unit),
                "why": self.band.why, "verdict": self.verdict, "ok": self.ok,
                "expected": list(self.expected), "samples": list(self.samples),
                "sim_samples": list(self.sim_samples)}


# ---- formatting values -----------------------------------------------------------------

def _num(v):
    if v is None:
        return "—"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.3g}"
    return f"{int(v):,}"


def _fmt(v, unit):
    if v is None:
        return "—"
    if isinstance(v, (list, tuple)):
        return " / ".join(f"P{i}: {x}" for i, x in enumerate(v))
    if unit == "ns":
        for scale, suf in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
            if abs(v) >= scale:
                return f"{v / scale:.3g} {suf}"
        return f"{v:.3g} ns"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.2f}"
    return _num(v)
