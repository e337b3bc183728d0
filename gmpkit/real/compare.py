"""Model vs reality: run a scenario in the simulator and its Go mirror, side by side.

Each scenario in :mod:`gmpkit.scenarios` that names a ``go_program`` has a Go
twin, ``gmpkit/real/programs/scn_<name>.go``, taking the scenario's parameters
as flags.  :func:`compare` runs the GMP model on the scenario and the Go
program on this machine (``runs`` times, with ``GODEBUG=schedtrace=1`` and a
``runtime/trace``), and lines up what both say:

==================  ==============================  ===========================================
metric              simulator                       real Go
==================  ==============================  ===========================================
makespan            ``run.makespan_ns``             the program's own clock around the workload
threads (Ms)        peak of the ``threads`` counter ``runtime/pprof`` threadcreate count
global queue peak   peak of ``runqueue``            largest schedtrace ``runqueue=`` (1 ms samples)
busiest P's share   running time per P (M lane)     running time per P (execution trace)
preemptions         ``stats["preemptions"]``        ``Running->Runnable "preempted"`` transitions
hand-off            ``results["handoff_ns"]``       the program's own clock, per hand-off
ticker's worst      first run or wake-up, latest    the same, measured by the ticker
delay
==================  ==============================  ===========================================

Real numbers are medians over ``runs`` runs.  Each metric carries a
:class:`Band` around the real value, with the reason for its width, and a
verdict: "within", "outside", or "not modelled" where the real value is
dominated by something the model leaves out on purpose (the garbage
collector, the OS, the runtime's own goroutines and threads: the result names
it, :attr:`Comparison.expected`).  "Not modelled" never counts as agreeing,
and no band has an "or within X" escape clause.

The simulator is calibrated to the machine the real runs come from: sysmon's
``usleep(20)`` there really lasts about 85 µs (timer slack plus wake-up), so
the simulator's sysmon sleeps that long (:func:`calibrated_costs`); the
overshoot is measured with the runs (:func:`machine_calibration`) and stored
with recorded ones, median and spread: each simulated sleep draws its
overshoot from the spread, and the simulated side is then the median of
:data:`SIM_SEEDS` seeds, as the real side is the median of its runs.

``real="auto"`` runs Go when it is installed and otherwise uses the runs
recorded in ``gmpkit/data/compare`` (``real="recorded"`` forces that); the result says
plainly which (:attr:`Comparison.source_line`).

>>> c = compare("spawn_burst", procs=2, runs=5)            # doctest: +SKIP
>>> c.metric("global_queue_peak").verdict, c.ok            # doctest: +SKIP
('within', True)
>>> c                                                      # doctest: +SKIP
(an HTML table in Jupyter)

This module keeps :func:`compare`, :class:`Comparison`, the before/after table and
the command line; its parts live in sibling modules, all re-exported here:
:mod:`~gmpkit.real.bands` (Band, verdicts, EXPECTED, Metric),
:mod:`~gmpkit.real.mirrors` (MIRRORS and the metric specs), :mod:`~gmpkit.real.machine`
(this machine's calibration), :mod:`~gmpkit.real.simside` (the simulator's side),
:mod:`~gmpkit.real.goside` (a real run), :mod:`~gmpkit.real.comparedata` (recorded
runs).
"""

from __future__ import annotations

import html
import statistics
from dataclasses import replace

from ..i18n import N_, tr
from .exectrace import parse_exectrace
from .recorded import provenance
from .toolchain import GoUnavailable, find_go
# The comparison's parts live in sibling modules (see above); everything is re-exported
# here, so ``cmp.MIRRORS``, ``cmp.EXPECTED``, ``cmp.calibrated_costs`` ... keep working.
from .bands import (EXPECTED, INFO, VERDICTS, Band, Metric, _fmt, _num, band, not_modelled,
                    ratio_band, share)
from .mirrors import MIRRORS, WHY_MAKESPAN, WHY_THREADS, MetricSpec, Mirror
from .machine import (CALIBRATION_ATTEMPTS, SPREAD_KEY, SPREAD_THREADS, calibrate,
                      machine_calibration, overshoot_spread, sleep_overshoot, switch_cost,
                      usleep_sample)
from .simside import (SIM_SEEDS, _median_index, _per_p, _sim_metrics, calibrated_costs,
                      sim_seeds, uncalibrated_costs)
from .goside import (_real_metrics, _real_run_retry, _sched_lines, _traced_run, quiet_share,
                     real_run, renumber_goroutines, wait_share)
from .comparedata import (CALIBRATION_HOW, QUIET_ATTEMPTS, QUIET_WAIT_SHARE, RECORD_PLAN,
                          _load_recorded, add_overshoot_spread, compare_dir, record, record_all,
                          recorded_configs)

__all__ = ["compare", "Comparison", "Metric", "Band", "band", "ratio_band", "share", "not_modelled",
           "VERDICTS", "MIRRORS", "Mirror", "EXPECTED", "record", "record_all", "recorded_configs",
           "find_go_or_none", "calibrate", "sleep_overshoot", "usleep_sample", "machine_calibration",
           "calibrated_costs", "add_overshoot_spread", "overshoot_spread", "SIM_SEEDS", "sim_seeds",
           "SPREAD_KEY", "SPREAD_THREADS",
           "uncalibrated_costs", "before_after", "print_before_after",
           "real_run", "renumber_goroutines"]


def find_go_or_none():
    """The toolchain, or None when Go is not installed."""
    try:
        return find_go()
    except GoUnavailable:
        return None


# ---- the comparison --------------------------------------------------------------------------

class Comparison:
    """The simulator and real Go on one scenario: metrics side by side, and where each came from.

    Attributes: ``scenario``, ``procs``, ``async_preempt``, ``params``,
    ``metrics`` (a list of :class:`Metric`), ``mode`` ("live" or "recorded"),
    ``provenance`` (of the real runs), ``sim_run`` (the simulator's Run),
    ``real_timeline`` (the median real run's execution trace, goroutines
    renumbered like the simulator's), ``real_schedtrace`` (its SCHED lines),
    ``expected`` (``{key: sentence}`` of the differences the model accepts).
    """

    def __init__(self, scenario, procs, async_preempt, params, metrics, mode, provenance,
                 sim_run, real_timeline, real_schedtrace, runs, calibration=None, costs=None):
        self.scenario, self.procs, self.async_preempt = scenario, procs, async_preempt
        self.params, self.metrics, self.mode = params, metrics, mode
        self.provenance, self.sim_run = provenance, sim_run
        self.real_timeline, self.real_schedtrace, self.runs = real_timeline, real_schedtrace, runs
        self.calibration = dict(calibration or {})
        self.costs = dict(costs or {})
        keys = []
        for m in metrics:
            keys += [k for k in m.expected if k not in keys]
            if m.band.kind == "not_modelled" and m.band.expected not in keys:
                keys.append(m.band.expected)
        self.expected = {k: EXPECTED[k] for k in keys}

    @property
    def recorded(self):
        return self.mode == "recorded"

    def metric(self, key):
        for m in self.metrics:
            if m.key == key:
                return m
        raise KeyError(f"no metric {key!r}; this comparison has {', '.join(m.key for m in self.metrics)}")

    @property
    def judged(self):
        """The metrics with a band: verdict "within" or "outside"."""
        return [m for m in self.metrics if m.verdict in ("within", "outside")]

    @property
    def outside(self):
        return [m for m in self.metrics if m.verdict == "outside"]

    @property
    def not_modelled(self):
        return [m for m in self.metrics if m.verdict == "not modelled"]

    @property
    def ok(self):
        """True when every judged metric is within its band ("not modelled" ones are not
        judged, and never count as within)."""
        return all(m.verdict == "within" for m in self.judged)

    def counts(self):
        """``{verdict: how many metrics}`` for the four verdicts."""
        return {v: sum(1 for m in self.metrics if m.verdict == v) for v in VERDICTS}

    @property
    def source_line(self):
        p = self.provenance or {}
        where = tr("{go} on {cpu} ({cores} cores, load {load})", go=p.get("go_version", "?"),
                   cpu=p.get("cpu_model", "?"), cores=p.get("cores", "?"), load=_load(p))
        if self.recorded:
            return tr("real Go: recorded on {date}, {where}, median of {runs} runs -- not "
                      "measured on your machine", date=str(p.get("date", "?"))[:10], where=where,
                      runs=self.runs)
        return tr("real Go: measured on this machine now, {where}, median of {runs} runs",
                  where=where, runs=self.runs)

    @property
    def calibration_line(self):
        """What the simulator was calibrated with (measured on the real side's machine)."""
        ov = self.costs.get("usleep_overhead_ns")
        if ov is None:
            return tr("simulator: default costs")
        if ov != self.calibration.get("usleep_overhead_ns", ov):
            how = tr("set by hand, not the measured figure")
        else:
            how = (tr("measured with these runs") if "usleep_overhead_ns" in self.calibration
                   else tr("default"))
        q = self.costs.get("sleep_overshoot")
        if q:
            line = tr("simulator: sysmon's usleep(20) lasts 20 µs + an overshoot drawn from the "
                      "measured spread (timer slack + wake-up; median {median}, 1–99 %: {lo} to "
                      "{hi})", median=_fmt(ov, "ns"), lo=_fmt(q[0], "ns"), hi=_fmt(q[-1], "ns"))
            if MIRRORS[self.scenario].sleep_syscalls:
                line += tr("; each nanosleep syscall draws its own, too")
            line += tr("; medians of {n} seeds", n=len(sim_seeds(self.costs)))
        else:
            line = tr("simulator: sysmon's usleep(20) lasts 20 µs + {ov} ({how}: timer slack + "
                      "wake-up)", ov=_fmt(ov, "ns"), how=how)
            if MIRRORS[self.scenario].sleep_syscalls:
                line += tr("; each nanosleep syscall lasts that much longer than asked, too")
        if self.costs.get("goroutine_switch_ns") is not None:
            line += tr("; a goroutine hand-off costs {cost}",
                       cost=_fmt(self.costs["goroutine_switch_ns"], "ns"))
        if self.costs.get("idle_threads"):
            line += tr("; it starts with {n} threads, as real Go had before the workload (M0, "
                       "sysmon and {idle} idle)", n=2 + self.costs["idle_threads"],
                       idle=self.costs["idle_threads"])
        return line

    @property
    def title(self):
        extra = "" if self.async_preempt else ", GODEBUG=asyncpreemptoff=1"
        return f"{self.scenario} (GOMAXPROCS={self.procs}{extra})"

    def rows(self):
        """Table rows as strings: metric, sim, real, sim/real, band, verdict."""
        out = []
        for m in self.metrics:
            r = None if m.ratio is None or m.ratio == 0 else 1 / m.ratio
            out.append((m.label, _fmt(m.sim, m.unit), _fmt(m.real, m.unit),
                        "" if r is None else f"{r:.2f}", m.band.describe(m.unit), m.verdict))
        return out

    def summary(self):
        c = self.counts()
        text = tr("{title}: {ok} of {n} judged metrics within their bands", title=self.title,
                  ok=c["within"], n=len(self.judged))
        if c["not modelled"]:
            text += tr(", {n} not modelled", n=c["not modelled"])
        return text + (tr(" (recorded real runs)") if self.recorded else tr(" (live real runs)"))

    def explain(self):
        """One sentence per metric outside its band or not modelled: what it is and why."""
        out = []
        for m in self.metrics:
            label = tr(m.label)   # i18n: metric labels are N_() in mirrors.py's specs
            why = m.band.reason()
            if m.verdict == "outside":
                r = m.ratio
                kw = dict(label=label, band=m.band.describe(m.unit), real=_fmt(m.real, m.unit),
                          sim=_fmt(m.sim, m.unit))
                head = (tr("{label}: outside its band ({band}): real {real} is higher than the "
                           "simulator's {sim}", **kw) if m.real > m.sim else
                        tr("{label}: outside its band ({band}): real {real} is lower than the "
                           "simulator's {sim}", **kw))
                left_out = " ".join(tr(EXPECTED[k]) for k in m.expected)  # i18n: EXPECTED N_()
                out.append(head + (f" (x{r:.2f})" if r else "")
                           + tr(" (runs: {runs}). Band: {why}. What the model leaves out here: ",
                                runs=", ".join(_fmt(x, m.unit) for x in m.samples), why=why)
                           + left_out)
            elif m.verdict == "not modelled" and m.key != "os_wait_share":
                out.append(tr("{label}: not modelled: {why}.", label=label, why=why))
        if out and any(m.key == "os_wait_share" and m.real for m in self.metrics):
            lost = self.metric("os_wait_share")
            out.append(tr("Measured with the real runs: their threads waited for a CPU {lost:.0%} "
                          "of the time they were ready to run (median; runs: {runs}).",
                          lost=lost.real, runs=", ".join(f"{x:.0%}" for x in lost.samples)))
        return out

    def __repr__(self):
        lines = [self.summary(), self.source_line, self.calibration_line]
        head = tuple(tr(h) for h in HEAD)   # i18n: HEAD words are N_()
        rows = [(tr(r[0]),) + tuple(r[1:5]) + (_verdict(r[5]),)   # i18n: N_() metric labels
                for r in self.rows()]
        w = [max(len(r[i]) for r in rows + [head]) for i in range(6)]
        for r in [head] + rows:
            lines.append("  ".join(c.ljust(w[i]) for i, c in enumerate(r)))
        why = self.explain()
        if why:
            lines.append(tr("why:"))
            lines += [f"  - {x}" for x in why]
        if self.expected:
            lines.append(tr("expected differences:"))
            lines += [f"  - {k}: {tr(v)}" for k, v in self.expected.items()]   # i18n: EXPECTED N_()
        return "\n".join(lines)

    def _repr_html_(self):
        head = "".join(f"<th style='text-align:left'>{tr(h)}</th>"  # i18n: HEAD words are N_()
                       for h in HEAD)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>"
                             for c in (tr(r[0]),) + tuple(r[1:5]))  # i18n: N_() metric labels
            + f"<td style='color:{VERDICT_STYLE[r[5]][0]};font-weight:bold'>{_verdict(r[5])}</td>"
            "</tr>" for r in self.rows())
        why = "".join(f"<li>{html.escape(x)}</li>" for x in self.explain())
        exp = "".join(f"<li><b>{html.escape(k)}</b>: {html.escape(tr(v))}</li>"  # i18n: EXPECTED N_()
                      for k, v in self.expected.items())
        src_colour = "#b2182b" if self.recorded else "#333333"
        return (f"<div class='gmpkit-compare'><b>{html.escape(self.summary())}</b><br>"
                f"<span style='color:{src_colour}'>{html.escape(self.source_line)}</span><br>"
                f"<span>{html.escape(self.calibration_line)}</span>"
                f"<table><tr>{head}</tr>{body}</table>"
                + (f"<p>{tr('Why:')}</p><ul>{why}</ul>" if why else "")
                + (f"<p>{tr('Expected differences (what the model leaves out):')}</p><ul>{exp}</ul>"
                   if exp else "") + "</div>")

    def plotted(self):
        """The metrics :meth:`plot` draws: every one with two positive numbers."""
        return [m for m in self.metrics if m.numeric and m.sim > 0 and m.real > 0]

    def plot(self, ax=None):
        """Each metric as simulator / real Go (real = 1, log scale), its band as a
        shaded bar around 1, and its verdict written above it."""
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter, NullFormatter
        ms = self.plotted()
        if ax is None:
            fig, ax = plt.subplots(figsize=(10, 4.5))
        else:
            fig = ax.figure
        ax.axhline(1, color="#333333", lw=1)
        values = []
        for i, m in enumerate(ms):
            v = m.sim / m.real
            values.append(v)
            span = m.band.interval(m.real)
            if span is not None and span[1] > 0:
                lo, hi = max(span[0], m.real * 1e-3) / m.real, span[1] / m.real
                values += [lo, hi]
                ax.bar(i, hi - lo, bottom=lo, width=0.6, color="#DDDDDD", edgecolor="#777777",
                       hatch="//", linewidth=0.8, zorder=1)
            colour, marker = VERDICT_STYLE[m.verdict]
            ax.plot([i], [v], marker=marker, markersize=13, color=colour, zorder=3,
                    markerfacecolor=colour if m.verdict != "not modelled" else "white",
                    markeredgewidth=2, linestyle="none")
            ax.annotate(f"{_verdict(m.verdict)}\n×{v:.2g}", (i, v), textcoords="offset points",
                        xytext=(0, 14), ha="center", fontsize=10, color=colour,
                        bbox=dict(facecolor="white", edgecolor="none", alpha=0.85, pad=1))
        ax.set_yscale("log")
        if values:
            ax.set_ylim(min(values + [1]) / 2.5, max(values + [1]) * 3)
        ax.set_xticks(range(len(ms)))
        labels = [tr(m.label) for m in ms]   # i18n: metric labels are N_() in mirrors.py's specs
        ax.set_xticklabels([lab.replace(" ", "\n", 1) if len(lab) > 14 else lab
                            for lab in labels])
        ax.set_xlim(-0.6, len(ms) - 0.4)
        lo_y, hi_y = ax.get_ylim()
        ticks = [t for t in (0.001, 0.01, 0.1, 0.25, 0.5, 0.67, 1, 1.5, 2, 4, 10, 100, 1000)
                 if lo_y <= t <= hi_y]
        ax.set_yticks(ticks)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_ylabel(tr("simulator / real Go (real = 1)"))
        ax.grid(True, axis="y", alpha=0.3)
        c = self.counts()
        shown = sum(1 for m in ms if m.verdict == "shown")
        nm = sum(1 for m in ms if m.verdict == "not modelled")
        ax.set_title(tr("{title}: {ok} of {n} judged within their bands (shaded)",
                        title=self.title, ok=c["within"], n=len(self.judged))
                     + (tr(", {n} not modelled", n=nm) if nm else "")
                     + (tr(", {n} shown only", n=shown) if shown else ""), fontsize=11)
        return fig

    def as_dict(self):
        return {"scenario": self.scenario, "procs": self.procs, "async_preempt": self.async_preempt,
                "params": self.params, "mode": self.mode, "provenance": self.provenance,
                "calibration": self.calibration, "costs": self.costs,
                "metrics": [m.as_dict() for m in self.metrics], "expected": self.expected}


HEAD = (N_("metric"), N_("simulator"), N_("real Go"), "sim/real", N_("band"), N_("verdict"))
_VERDICT_WORDS = {"within": N_("within"), "outside": N_("outside"),
                  "not modelled": N_("not modelled"), "shown": N_("shown")}

# a timed metric on a machine too loaded to judge it (``why`` of its "not modelled" band)
_LOADED = N_("the real runs' threads waited for a CPU {lost:.0%} of the time they were ready to "
             "run (median: wake-ups, the program's own threads beyond the cores, other programs), "
             "more than the {quiet:.0%} a judged run may wait, so the real value follows the "
             "operating system more than the scheduler; with less waiting it is judged by: {band}")


def _verdict(v):
    """A verdict as the learner reads it (the data keeps the English word)."""
    return tr(_VERDICT_WORDS[v]) if v in _VERDICT_WORDS else v   # i18n: N_() words above
# Okabe-Ito colours, and a marker shape per verdict so colour is not needed to read it.
VERDICT_STYLE = {"within": ("#0072B2", "o"), "outside": ("#D55E00", "X"),
                 "not modelled": ("#555555", "s"), "shown": ("#555555", "D")}


def _load(p):
    la = p.get("loadavg")
    return f"{la[0]:.1f}" if la else "?"


def _median(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    if isinstance(vals[0], list):
        return vals[_median_index([sum(v) for v in vals])]
    return statistics.median(vals)


def compare(scenario, procs=2, runs=5, real="auto", async_preempt=True, sim_costs=None,
            **params):
    """Run ``scenario`` in the GMP model and as real Go; return a :class:`Comparison`.

    ``procs`` is GOMAXPROCS for both; ``runs`` real runs are made (medians are
    compared); ``real`` is ``"auto"`` (live when Go is found, recorded
    otherwise), ``"live"`` or ``"recorded"``; ``async_preempt=False`` is
    ``GODEBUG=asyncpreemptoff=1`` (and ``GMP(async_preempt=False)``).  The
    simulator is calibrated to the real side's machine (see :func:`calibrated_costs`);
    ``sim_costs`` replaces costs on top of that, e.g. ``{"usleep_overhead_ns": 0}``
    to see the uncalibrated model.  Keyword ``params`` override the mirror's
    parameters (live runs only).
    """
    if scenario not in MIRRORS:
        raise KeyError(f"no Go mirror for scenario {scenario!r}; mirrored: {', '.join(MIRRORS)}")
    if real not in ("auto", "live", "recorded"):
        raise ValueError(f"real={real!r}: choose 'auto', 'live' or 'recorded'")
    mirror = MIRRORS[scenario]
    p = dict(mirror.params, **params)
    unknown = set(params) - set(mirror.params)
    if unknown:
        raise TypeError(f"{scenario} has no parameter {', '.join(sorted(unknown))}; "
                        f"it takes {', '.join(mirror.params)}")

    mode = real
    if real == "auto":
        try:
            find_go()
            mode = "live"
        except GoUnavailable:
            mode = "recorded"
    if mode == "live":
        tc = find_go()
        calib = machine_calibration(tc)
        traced = mirror.trace_params is None
        results = [_real_run_retry(scenario, procs, async_preempt, p, tc=tc, trace=traced)
                   for _ in range(runs)]
        per_run = [m for m, _ in results]
        med = _median_index([m["makespan_ns"] for m in per_run])
        raw = results[med][1]
        trace_text, sched_text = raw["exectrace"], raw["schedtrace"]
        if not traced:
            tm, trace_text = _traced_run(scenario, procs, async_preempt, p, tc)
            for k in ("p_share", "gs_per_p", "preemptions", "retakes"):
                if k in tm:
                    per_run[med][k] = tm[k]
        prov = provenance(raw["command"], tc)
    else:
        rec, trace_text = _load_recorded(scenario, procs, async_preempt, p)
        calib = {k: v for k, v in rec.get("calibration", {}).items() if k != "how"}
        raws = [dict(r, exectrace="") for r in rec["runs"]]
        med = rec["median_run"]
        raws[med]["exectrace"] = trace_text
        per_run = [_real_metrics(scenario, procs, r) for r in raws]
        # per-P and preemption figures come from the one recorded execution trace
        for k in ("p_share", "gs_per_p", "preemptions", "retakes"):
            for i, m in enumerate(per_run):
                if i != med:
                    m.pop(k, None)
        sched_text = rec["runs"][med]["schedtrace"]
        prov = rec["provenance"]
        runs = len(raws)

    starts = [m["threads_at_start"] for m in per_run if m.get("threads_at_start")]
    if starts:     # M0 and sysmon, plus the Ms real Go had made and parked before main
        calib = dict(calib, idle_threads=max(0, int(statistics.median_low(starts)) - 2))
    costs = calibrated_costs(scenario, calib, **(sim_costs or {}))
    sim, sim_run = _sim_metrics(scenario, procs, async_preempt, p, costs)
    shares = [m["os_wait_share"] for m in per_run if m.get("os_wait_share") is not None]
    lost = statistics.median(shares) if shares else None
    metrics = []
    for spec in mirror.metrics:
        samples = [m.get(spec.key) for m in per_run if m.get(spec.key) is not None]
        real_v = _median(samples)
        sim_v = sim.get(spec.key)
        b = spec.band_for(procs, async_preempt)
        if spec.timed and b.kind in ("ratio", "abs") and lost is not None \
                and lost > QUIET_WAIT_SHARE:
            args = dict(lost=lost, quiet=QUIET_WAIT_SHARE, band=b.describe(spec.unit))
            b = replace(not_modelled("os", _LOADED.format(**args)), why_template=_LOADED,
                        why_args=tuple(args.items()))
        metrics.append(Metric(spec.key, spec.label, spec.unit, sim_v, real_v, b,
                              b.verdict(sim_v, real_v), spec.expected, samples,
                              list(sim["samples"].get(spec.key, []))))
    real_tl = None
    if trace_text:
        real_tl, _ = renumber_goroutines(parse_exectrace(trace_text, meta={"recorded": mode == "recorded"}))
    return Comparison(scenario, procs, async_preempt, p, metrics, mode, prov, sim_run, real_tl,
                      sched_text, runs, calibration=calib, costs=costs)


def before_after(configs=None, real="recorded"):
    """The simulator before and after calibration, next to real Go, for every metric
    of every configuration: rows ``(config, metric, real, sim_before, verdict_before,
    sim_after, verdict_after)`` (values formatted).  "Before" is the model with
    sysmon waking exactly every 20 µs and nanosleeps lasting exactly what they ask
    for, and it starts with M0 and sysmon only (:func:`uncalibrated_costs`); "after"
    is the calibrated model."""
    configs = configs or RECORD_PLAN
    rows = []
    for s, p, a in configs:
        after = compare(s, procs=p, real=real, async_preempt=a)
        before = compare(s, procs=p, real=real, async_preempt=a,
                         sim_costs=uncalibrated_costs())
        def judged(m):
            r = m.ratio
            return m.verdict + ("" if not r else f" (sim/real {1 / r:.2f})")

        for mb, ma in zip(before.metrics, after.metrics):
            if (ma.verdict == "shown" and not ma.numeric) or ma.key == "os_wait_share":
                continue
            rows.append((after.title, ma.label, _fmt(ma.real, ma.unit), _fmt(mb.sim, mb.unit),
                         judged(mb), _fmt(ma.sim, ma.unit), judged(ma)))
        rows.append((after.title, "CPU wait of the real threads (median)",
                     f"{after.metric('os_wait_share').real:.0%}", "", "", "", ""))
    return rows


def print_before_after(rows, out=print):
    """``rows`` of :func:`before_after` as a Markdown table."""
    out("| configuration | metric | real (median) | sim before | verdict before | sim after "
        "| verdict after |")
    out("|---|---|---|---|---|---|---|")
    for r in rows:
        out("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    # python -m gmpkit.real.compare            record gmpkit/data/compare (every configuration)
    # python -m gmpkit.real.compare --table    the before/after calibration table (recorded)
    # python -m gmpkit.real.compare --add-spread  add the measured overshoot spread to
    #                                            recordings whose calibration lacks it
    import sys
    if "--table" in sys.argv[1:]:
        print_before_after(before_after())
    elif "--add-spread" in sys.argv[1:]:
        add_overshoot_spread()
    else:
        record_all()
