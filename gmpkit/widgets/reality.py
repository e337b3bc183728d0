"""Notebook 08 (model vs reality): the simulator next to real Go, scenario by scenario.

Panels (each runs :func:`gmpkit.real.compare.compare`: the GMP model and the
scenario's Go mirror, ``gmpkit/real/programs/scn_*.go``; without Go the real
side is the runs recorded in ``gmpkit/data/compare``, and the panel says so in red):

* ``08:gantt`` -- what each P ran over time, simulated above, real (from the
  execution trace) below; goroutines numbered and coloured alike in both.
* ``08:schedtrace`` -- the global queue and the thread count over time: the
  real ``GODEBUG=schedtrace=1`` samples next to the simulator's.
* ``08:compare`` -- every metric of the comparison as simulated / real, its
  band around the real value, and the verdict ("within", "outside", "not
  modelled"); where one is outside, the panel's text says why.

Comparisons are cached per configuration for the session (a real run takes
about a second), so moving between panels does not rerun Go.
"""

from __future__ import annotations

import ipywidgets as W

from . import Panel, register, slider
from ..i18n import N_, tr
from ..plots import fmt_time, gantt
from ..real.compare import MIRRORS, compare
from ..timeline import Timeline

__all__ = ["comparison", "gantt_panel", "schedtrace_panel", "compare_panel", "p_view",
           "schedtrace_side_by_side", "clear_cache"]

_CACHE: dict = {}
SCENARIO_NAMES = sorted(MIRRORS)


def clear_cache():
    _CACHE.clear()


def comparison(scenario, procs=2, async_preempt=True, real="auto"):
    """:func:`compare` for one configuration, computed once per session."""
    key = (scenario, int(procs), bool(async_preempt), real)
    if key not in _CACHE:
        _CACHE[key] = compare(scenario, procs=int(procs), runs=5, real=real,
                              async_preempt=bool(async_preempt))
    return _CACHE[key]


def _scenario_control(value):
    return W.Dropdown(options=SCENARIO_NAMES, value=value, description=tr("scenario"),
                      style={"description_width": "initial"})


def _procs_control(value):
    # recorded runs exist for GOMAXPROCS 1 and 2 (this course's machines have 2 cores)
    return slider(tr("GOMAXPROCS (procs)"), value, 1, 2)


def p_view(tl):
    """Only which goroutine ran on each P: the M-lane ``running`` spans that name a P.

    The same filter for a simulated and a real timeline, so the two pictures
    mean the same thing (a real trace's syscall spans keep the P they started
    on even after sysmon retook it, so they are left out).
    """
    out = Timeline(procs=tl.procs, source=tl.source, max_parallel=tl.max_parallel, meta=tl.meta)
    for s in tl.spans:
        if s.lane == "M" and s.p >= 0 and s.state == "running" and s.g >= 0:
            out.add_span(s.state, s.start, s.end, lane="M", m=s.m, p=s.p, g=s.g)
    for e in tl.events:
        out.add_event(e.kind, e.time, g=e.g, m=e.m, p=e.p, other=e.other, detail=e.detail)
    out.g_names = dict(tl.g_names)
    out.end_time = tl.end_time
    return out


def _source_colour(c):
    return "#b2182b" if c.recorded else "#333333"


# ---- Gantt per P: simulated vs real ---------------------------------------------------------

@register("08:gantt", real=True)
def gantt_panel(scenario="cpu_hog", procs=1, real="auto"):
    """Panel: the simulator's and real Go's Gantt chart per P, one above the other."""
    controls = {"scenario": _scenario_control(scenario), "procs": _procs_control(procs)}

    def compute(scenario, procs):
        c = comparison(scenario, procs, real=real)
        sim_tl = c.sim_run.timeline
        real_tl = c.real_timeline
        gs = lambda tl, lane: sorted({s.g for s in tl.spans  # noqa: E731
                                      if s.lane == lane and s.state == "running" and s.g >= 0})
        return {"scenario": scenario, "procs": procs, "comparison": c, "mode": c.mode,
                "source": c.source_line, "sim_end_ns": sim_tl.end_time,
                "real_end_ns": real_tl.end_time if real_tl is not None else None,
                "sim_gs": gs(sim_tl, "M"), "real_gs": gs(real_tl, "M") if real_tl else [],
                "sim_gs_per_p": c.metric("gs_per_p").sim if _has(c, "gs_per_p") else None,
                "real_gs_per_p": c.metric("gs_per_p").real if _has(c, "gs_per_p") else None}

    def draw(d, fig):
        c = d["comparison"]
        ax1, ax2 = fig.subplots(2, 1)
        gantt(p_view(c.sim_run.timeline), by="P", ax=ax1, events=("preempt", "retake", "steal"),
              title=tr("simulator: GMP(procs={procs}) — {scenario}", procs=d["procs"],
                       scenario=d["scenario"]), legend=False)
        if c.real_timeline is not None:
            gantt(p_view(c.real_timeline), by="P", ax=ax2, events=("preempt", "retake"),
                  title=tr("real Go, execution trace — {scenario}", scenario=d["scenario"]),
                  legend=False)
        fig.suptitle(c.source_line, fontsize=9, color=_source_colour(c))
        return tr("{scenario}, GOMAXPROCS={procs}: simulated makespan {sim}, real trace {real} "
                  "({where})", scenario=d["scenario"], procs=d["procs"],
                  sim=fmt_time(d["sim_end_ns"]), real=fmt_time(d["real_end_ns"] or 0),
                  where=tr("recorded") if c.recorded else tr("measured here"))

    return Panel(N_("08 · What each P ran: simulator vs real Go"), controls, compute, draw,
                 figsize=(10.5, 5.4),
                 notice=N_("Same goroutine, same colour: real goroutines are renumbered in the "
                           "order they were created, as the simulator numbers them."))


def _has(c, key):
    return any(m.key == key for m in c.metrics)


# ---- schedtrace: real samples vs the simulator's --------------------------------------------

def schedtrace_side_by_side(c, lines=8):
    """The first ``lines`` SCHED lines of real Go and of the simulator, as text."""
    real = [ln for ln in c.real_schedtrace.splitlines() if ln.startswith("SCHED")][:lines]
    sim = c.sim_run.schedtrace(1)[:lines]
    return ("real Go (GODEBUG=schedtrace=1):\n" + "\n".join(real)
            + "\n\nsimulator (run.schedtrace(1)):\n" + "\n".join(sim))


@register("08:schedtrace", real=True)
def schedtrace_panel(scenario="spawn_burst", procs=2, real="auto"):
    """Panel: global queue and threads over time, real schedtrace vs the simulator."""
    controls = {"scenario": _scenario_control(scenario), "procs": _procs_control(procs)}

    def compute(scenario, procs):
        from ..real.schedtrace import parse_schedtrace
        c = comparison(scenario, procs, real=real)
        rt = parse_schedtrace(c.real_schedtrace, strict=False)
        st = c.sim_run.timeline
        series = {}
        for who, tl in (("real", rt), ("sim", st)):
            for name in ("runqueue", "threads"):
                t, v = tl.counter(name) if name in tl.counter_names else ([0], [0])
                t, v = [int(x) for x in t], [int(x) for x in v]
                # a counter is sampled when it changes: hold its last value to the
                # end of the run, so a flat line is drawn as one (not as a point)
                if tl.end_time and tl.end_time > t[-1]:
                    t, v = t + [int(tl.end_time)], v + [v[-1]]
                series[(who, name)] = (t, v)
        return {"scenario": scenario, "procs": procs, "comparison": c, "series": series,
                "real_peak_runqueue": max(series[("real", "runqueue")][1]),
                "sim_peak_runqueue": max(series[("sim", "runqueue")][1]),
                "real_threads": max(series[("real", "threads")][1]),
                "sim_threads": max(series[("sim", "threads")][1]),
                "real_samples": len(rt.meta["snapshots"]),
                "real_end_ns": int(rt.end_time or 0), "sim_end_ns": int(st.end_time or 0)}

    def draw(d, fig):
        c = d["comparison"]
        axq, axt = fig.subplots(1, 2)
        styles = {"sim": dict(color="#0072B2", linestyle="-", label=tr("simulator")),
                  "real": dict(color="#D55E00", linestyle="--", marker="o", markersize=3,
                               label=tr("real Go (1 ms samples)"))}
        for ax, name, ylabel in ((axq, "runqueue", tr("global queue (Gs)")),
                                 (axt, "threads", tr("threads (Ms)"))):
            for who in ("sim", "real"):
                t, v = d["series"][(who, name)]
                ax.step([x / 1e6 for x in t], v, where="post", **styles[who])
            ax.set_xlabel(tr("time since the program started (ms)"))
            ax.set_ylabel(ylabel)
            ax.set_ylim(bottom=0)
            ax.grid(True, alpha=0.3)
            ax.legend(frameon=False, fontsize=9)
        axq.set_title(tr("{scenario}: the global run queue", scenario=d["scenario"]))
        axt.set_title(tr("threads (all Ms, sysmon too)"))
        fig.suptitle(c.source_line, fontsize=9, color=_source_colour(c))
        return tr("global queue peak: simulator {sim_q}, real {real_q} (largest of {samples} "
                  "samples); threads: simulator {sim_t}, real {real_t}",
                  sim_q=d["sim_peak_runqueue"], real_q=d["real_peak_runqueue"],
                  samples=d["real_samples"], sim_t=d["sim_threads"], real_t=d["real_threads"])

    return Panel(N_("08 · schedtrace: real samples vs the simulator"), controls, compute, draw,
                 figsize=(10, 4))


# ---- the comparison table as a plot ---------------------------------------------------------

@register("08:compare", real=True)
def compare_panel(scenario="syscall_storm", procs=2, async_preempt=True, real="auto"):
    """Panel: every metric, simulated / real, its band and verdict, and why a metric
    is outside its band or not modelled."""
    controls = {"scenario": _scenario_control(scenario), "procs": _procs_control(procs),
                "async_preempt": W.Checkbox(value=async_preempt,
                                            description=tr("asynchronous preemption (off = "
                                                           "GODEBUG=asyncpreemptoff=1)"),
                                            style={"description_width": "initial"})}

    def compute(scenario, procs, async_preempt):
        c = comparison(scenario, procs, async_preempt, real=real)
        return {"scenario": scenario, "procs": procs, "async_preempt": async_preempt,
                "comparison": c, "ok": c.ok, "mode": c.mode,
                "verdicts": {m.key: m.verdict for m in c.metrics},
                "counts": c.counts(), "plotted": [m.key for m in c.plotted()],
                "why": c.explain(),
                "metrics": {m.key: (m.sim, m.real) for m in c.metrics}}

    def draw(d, fig):
        c = d["comparison"]
        ax = fig.subplots()
        c.plot(ax=ax)
        fig.suptitle(c.source_line, fontsize=9, color=_source_colour(c))
        # the reasons are counted here, not spelled out (a live run's reasons can be long
        # enough to push the panel past a laptop screen); the table and explain() give them
        why = d["why"]
        return c.summary() + "." + (tr(" Why, for {n} of them: see the table's notes.",
                                       n=len(why)) if why else "")

    return Panel(N_("08 · Model vs reality: the metrics"), controls, compute, draw,
                 figsize=(11, 3.9),
                 notice=N_("Each marker is simulator / real Go for one metric (1 = the same); "
                           "the shaded bar is the band it must fall in. 'not modelled' metrics "
                           "are never counted as agreeing."))
