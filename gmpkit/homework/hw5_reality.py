"""Assignment 5: model vs reality (recorded measurements and traces, ``gmpkit.real``).

The numbers come from the data recorded on the course's machine (``data/``),
so every student can do this assignment without Go installed.
"""

from __future__ import annotations

from .. import scenarios
from ..checks import exact, within
from ..i18n import N_, tr
from ..models.gmp import GMP
from .common import gmp
from .core import AssignmentInfo, Problem, REGISTRY, make_question, question

N = 5
REGISTRY[N] = AssignmentInfo(N, N_("model vs reality"))

PAIRS = [("py.handoff.threads", "go.handoff.p1"), ("go.handoff.locked.p1", "go.handoff.p1"),
         ("go.thread.create", "go.spawn.p1"), ("py.process.fork", "go.spawn.p2"),
         ("go.syscall", "go.syscall.raw"), ("go.handoff.locked.p2", "go.handoff.p2")]


def _table():
    from ..real import load_recorded
    return load_recorded()


def _row(m):
    return f"  {m.name:<22} {m.median:>14,.0f} {m.unit:<3} {m.label}"


@question(N, "q1", N_("Reading the measurements"),
          hint=N_("user-space goroutine operations vs operations that need the kernel"))
def q1(rng):
    a, b = rng.choice(PAIRS)
    t = _table()
    text = (tr("Measured on the course's machine (medians of several runs; "
               "`gmpkit.real.load_recorded()`):") + "\n\n" + _row(t[a]) + "\n" + _row(t[b]) +
            "\n\n" + tr("How many times more expensive is {a} than {b}? answer_q1 = a number "
                        "(within 5% counts).", a=a, b=b))

    def explain(exp):
        return tr("{a:,.0f} / {b:,.0f} = {exp:.1f}. A goroutine operation stays in user space "
                  "(a few hundred ns); anything that needs the kernel to block, wake or create a "
                  "thread or process costs microseconds or more. That gap is the reason Go "
                  "multiplexes goroutines on few threads.", a=t[a].median, b=t[b].median,
                  exp=exp)

    q = make_question("q1", "ratio", lambda: t[a].median / t[b].median, explain,
                      compare=within(rel=0.05))
    return Problem("q1", "", text, q, dict(a=a, b=b))


@question(N, "q2", N_("The model's hand-off vs the measured one"),
          hint=N_("a hand-off in the model is one goroutine switch; "
                  "error = (model - measured) / measured"))
def q2(rng):
    switch = rng.choice([100, 150, 250, 300, 400])
    rounds = rng.choice([50, 100])
    procs = rng.choice([1, 2])
    t = _table()
    real = t[f"go.handoff.p{procs}"].median
    text = tr("scenario ping_pong(rounds={rounds}): two goroutines bounce a value over "
              "unbuffered channels\nmodel: GMP(procs={procs}, goroutine_switch_ns={switch})\n"
              "measured (go.handoff.p{procs2}): {real:,.0f} ns per hand-off\n\n"
              "By what percentage does the model's hand-off time (results['handoff_ns']) differ "
              "from the measured one? answer_q2 = (model - measured) / measured * 100, e.g. -40 "
              "(within 2 points counts).", rounds=rounds, procs=procs, switch=switch,
              procs2=procs, real=real)

    def diff():
        r = scenarios.ping_pong(rounds=rounds).run(gmp(procs, goroutine_switch_ns=switch))
        q2.model_ns = r.results["handoff_ns"]
        return round((r.results["handoff_ns"] - real) / real * 100, 1)

    def explain(exp):
        extra = tr(" and wake-ups of the other P") if procs > 1 else ""
        return tr("In the model a hand-off costs exactly one goroutine switch: the receiver is "
                  "put in the sender's runnext and runs next on the same P, so handoff_ns = "
                  "goroutine_switch_ns = {model:g} ns, {exp:+.1f} % from the measured {real:,.0f} "
                  "ns. The real one also pays for the channel's lock, copying the value, and on "
                  "{procs} P(s) cache traffic{extra}: the model's cost is a parameter, which "
                  "data/costs.json sets from this very measurement.", model=q2.model_ns,
                  exp=exp, real=real, procs=procs, extra=extra)

    q = make_question("q2", "percent", diff, explain,
                      compare=lambda g, e: isinstance(g, (int, float)) and not isinstance(g, bool)
                      and abs(g - e) <= 2)
    return Problem("q2", "", text, q, dict(switch_ns=switch, rounds=rounds, procs=procs,
                                           measured_ns=real))


@question(N, "q3", N_("Reading a real schedtrace"),
          hint=N_("schedtrace: runqueue= is the global queue, the brackets are the per-P rings"))
def q3(rng):
    from ..real.recorded import read_trace
    from ..real.schedtrace import schedtrace_snapshots
    trace, meta = read_trace("schedtrace_demo")
    snaps = schedtrace_snapshots(trace)
    k = rng.randrange(1, len(snaps))
    snap = snaps[k]
    text = (tr("Recorded with `{command}` ({version}):",
               command=meta.get("command", "GODEBUG=schedtrace=50"),
               version=meta.get("go_version", "Go")) + "\n\n" + trace.strip() + "\n\n"
            + tr("At SCHED {ms}ms, how many goroutines were waiting in run queues (global and "
                 "local together)? answer_q3 = an int.", ms=snap.time_ns // 1_000_000))

    def explain(exp):
        f = snap.fields
        return tr("runqueue={g} is the global queue and [ {rings} ] are the per-P rings: {exp} "
                  "in all. runnext is not counted in the brackets, and running goroutines are in "
                  "no queue, so the real number of runnable goroutines can be a little higher.",
                  g=f["runqueue"], rings=" ".join(map(str, f["runq"])), exp=exp)

    q = make_question("q3", "waiting", lambda: snap.fields["runqueue"] + sum(snap.fields["runq"]),
                      explain)
    return Problem("q3", "", text, q, dict(time_ms=snap.time_ns // 1_000_000))


@question(N, "q4", N_("What the model leaves out"),
          hint=N_("GMP.SIMPLIFIES lists what the model leaves out"))
def q4(rng):
    left_out = rng.choice([x for x in GMP.SIMPLIFIES if x.startswith("No ") or "left out" in x
                           or "does not" in x or "never" in x] or list(GMP.SIMPLIFIES))
    modelled = rng.sample(GMP.MODELS, 3)
    options = modelled + [left_out]
    rng.shuffle(options)
    letters = "ABCD"
    correct = letters[options.index(left_out)]
    text = (tr("Three of these statements describe what the GMP model does; one is something "
               "it leaves out (or simplifies away):") + "\n\n"
            + "\n".join(f"  {letters[i]}. {tr(o)}"   # i18n: N_() in GMP.MODELS/SIMPLIFIES
                        for i, o in enumerate(options))
            + "\n\n" + tr("Which one is left out? answer_q4 = 'A', 'B', 'C' or 'D'."))

    def explain(exp):
        return tr("{letter} is in GMP.SIMPLIFIES: \"{statement}\" The others are in GMP.MODELS. "
                  "When the model and a real trace disagree, look first at what it leaves out.",
                  letter=exp, statement=tr(left_out))   # i18n: N_() in GMP.SIMPLIFIES

    q = make_question("q4", "letter", lambda: correct, explain)
    return Problem("q4", "", text, q, dict(options=options))


@question(N, "q5", N_("Goroutines per thread stack"),
          hint=N_("a thread's fixed stack (plus guard page) against a goroutine's measured size"))
def q5(rng):
    key = rng.choice(["go.mem.sys_per_g", "go.mem.stack_per_g"])
    t = _table()
    per_g = t[key].median
    stack_mib = rng.choice([2, 8])
    text = tr("Measured: {row}\nA 1:1 thread reserves a {mib} MiB stack plus a 4 KiB guard "
              "page.\n\nHow many goroutines fit in the memory one thread reserves, by this "
              "measurement? answer_q5 = a number (within 2% counts).",
              row=_row(t[key]).strip(), mib=stack_mib)

    def explain(exp):
        return tr("({mib} MiB + 4 KiB) / {per_g:,.0f} B = {exp:,.0f}. A goroutine starts with "
                  "a 2 KiB stack that grows by copying when needed, while a thread's stack is "
                  "fixed at creation and must be big enough for the worst case.",
                  mib=stack_mib, per_g=per_g, exp=exp)

    q = make_question("q5", "goroutines", lambda: (stack_mib * 2**20 + 4096) / per_g, explain,
                      compare=within(rel=0.02))
    return Problem("q5", "", text, q, dict(measurement=key, per_g_bytes=per_g,
                                           stack_mib=stack_mib))
