"""Assignment 5: model vs reality (recorded measurements and traces, ``gmpkit.real``).

The numbers come from the data recorded on the course's machine (``data/``),
so every student can do this assignment without Go installed.
"""

from __future__ import annotations

from .. import scenarios
from ..checks import exact, within
from ..models.gmp import GMP
from .common import gmp
from .core import AssignmentInfo, Problem, REGISTRY, make_question, question

N = 5
REGISTRY[N] = AssignmentInfo(N, "model vs reality")

PAIRS = [("py.handoff.threads", "go.handoff.p1"), ("go.handoff.locked.p1", "go.handoff.p1"),
         ("go.thread.create", "go.spawn.p1"), ("py.process.fork", "go.spawn.p2"),
         ("go.syscall", "go.syscall.raw"), ("go.handoff.locked.p2", "go.handoff.p2")]


def _table():
    from ..real import load_recorded
    return load_recorded()


def _row(m):
    return f"  {m.name:<22} {m.median:>14,.0f} {m.unit:<3} {m.label}"


@question(N, "q1", "Reading the measurements",
          hint='user-space goroutine operations vs operations that need the kernel')
def q1(rng):
    a, b = rng.choice(PAIRS)
    t = _table()
    text = ("Measured on the course's machine (medians of several runs; `gmpkit.real."
            "load_recorded()`):\n\n" + _row(t[a]) + "\n" + _row(t[b]) +
            f"\n\nHow many times more expensive is {a} than {b}? answer_q1 = a number "
            f"(within 5% counts).")

    def explain(exp):
        return (f"{t[a].median:,.0f} / {t[b].median:,.0f} = {exp:.1f}. A goroutine operation "
                f"stays in user space (a few hundred ns); anything that needs the kernel to "
                f"block, wake or create a thread or process costs microseconds or more. That gap "
                f"is the reason Go multiplexes goroutines on few threads.")

    q = make_question("q1", "ratio", lambda: t[a].median / t[b].median, explain,
                      compare=within(rel=0.05))
    return Problem("q1", "", text, q, dict(a=a, b=b))


@question(N, "q2", "The model's hand-off vs the measured one",
          hint="a hand-off in the model is one goroutine switch; "
               "error = (model - measured) / measured")
def q2(rng):
    switch = rng.choice([100, 150, 250, 300, 400])
    rounds = rng.choice([50, 100])
    procs = rng.choice([1, 2])
    t = _table()
    real = t[f"go.handoff.p{procs}"].median
    text = (f"scenario ping_pong(rounds={rounds}): two goroutines bounce a value over unbuffered "
            f"channels\nmodel: GMP(procs={procs}, goroutine_switch_ns={switch})\n"
            f"measured (go.handoff.p{procs}): {real:,.0f} ns per hand-off\n\n"
            f"By what percentage does the model's hand-off time (results['handoff_ns']) differ "
            f"from the measured one? answer_q2 = (model - measured) / measured * 100, "
            f"e.g. -40 (within 2 points counts).")

    def diff():
        r = scenarios.ping_pong(rounds=rounds).run(gmp(procs, goroutine_switch_ns=switch))
        q2.model_ns = r.results["handoff_ns"]
        return round((r.results["handoff_ns"] - real) / real * 100, 1)

    def explain(exp):
        return (f"In the model a hand-off costs exactly one goroutine switch: the receiver is "
                f"put in the sender's runnext and runs next on the same P, so handoff_ns = "
                f"goroutine_switch_ns = {q2.model_ns:g} ns, {exp:+.1f} % from the measured "
                f"{real:,.0f} ns. The real one also pays for the channel's lock, copying the value, "
                f"and on {procs} P(s) cache traffic{' and wake-ups of the other P' if procs > 1 else ''}"
                f": the model's cost is a parameter, which data/costs.json sets from this very "
                f"measurement.")

    q = make_question("q2", "percent", diff, explain,
                      compare=lambda g, e: isinstance(g, (int, float)) and not isinstance(g, bool)
                      and abs(g - e) <= 2)
    return Problem("q2", "", text, q, dict(switch_ns=switch, rounds=rounds, procs=procs,
                                           measured_ns=real))


@question(N, "q3", "Reading a real schedtrace",
          hint='schedtrace: runqueue= is the global queue, the brackets are the per-P rings')
def q3(rng):
    from ..real.recorded import read_trace
    from ..real.schedtrace import schedtrace_snapshots
    trace, meta = read_trace("schedtrace_demo")
    snaps = schedtrace_snapshots(trace)
    k = rng.randrange(1, len(snaps))
    snap = snaps[k]
    text = (f"Recorded with `{meta.get('command', 'GODEBUG=schedtrace=50')}` "
            f"({meta.get('go_version', 'Go')}):\n\n" + trace.strip() +
            f"\n\nAt SCHED {snap.time_ns // 1_000_000}ms, how many goroutines were waiting in "
            f"run queues (global and local together)? answer_q3 = an int.")

    def explain(exp):
        f = snap.fields
        return (f"runqueue={f['runqueue']} is the global queue and [ {' '.join(map(str, f['runq']))} ] "
                f"are the per-P rings: {exp} in all. runnext is not counted in the brackets, "
                f"and running goroutines are in no queue, so the real number of runnable "
                f"goroutines can be a little higher.")

    q = make_question("q3", "waiting", lambda: snap.fields["runqueue"] + sum(snap.fields["runq"]),
                      explain)
    return Problem("q3", "", text, q, dict(time_ms=snap.time_ns // 1_000_000))


@question(N, "q4", "What the model leaves out",
          hint='GMP.SIMPLIFIES lists what the model leaves out')
def q4(rng):
    left_out = rng.choice([x for x in GMP.SIMPLIFIES if x.startswith("No ") or "left out" in x
                           or "does not" in x or "never" in x] or list(GMP.SIMPLIFIES))
    modelled = rng.sample(GMP.MODELS, 3)
    options = modelled + [left_out]
    rng.shuffle(options)
    letters = "ABCD"
    correct = letters[options.index(left_out)]
    text = ("Three of these statements describe what the GMP model does; one is something it "
            "leaves out (or simplifies away):\n\n"
            + "\n".join(f"  {letters[i]}. {o}" for i, o in enumerate(options))
            + "\n\nWhich one is left out? answer_q4 = 'A', 'B', 'C' or 'D'.")

    def explain(exp):
        return (f"{exp} is in GMP.SIMPLIFIES: \"{left_out}\" The others are in GMP.MODELS. "
                f"When the model and a real trace disagree, look first at what it leaves out.")

    q = make_question("q4", "letter", lambda: correct, explain)
    return Problem("q4", "", text, q, dict(options=options))


@question(N, "q5", "Goroutines per thread stack",
          hint="a thread's fixed stack (plus guard page) against a goroutine's measured size")
def q5(rng):
    key = rng.choice(["go.mem.sys_per_g", "go.mem.stack_per_g"])
    t = _table()
    per_g = t[key].median
    stack_mib = rng.choice([2, 8])
    text = (f"Measured: {_row(t[key]).strip()}\nA 1:1 thread reserves a {stack_mib} MiB stack "
            f"plus a 4 KiB guard page.\n\nHow many goroutines fit in the memory one thread "
            f"reserves, by this measurement? answer_q5 = a number (within 2% counts).")

    def explain(exp):
        return (f"({stack_mib} MiB + 4 KiB) / {per_g:,.0f} B = {exp:,.0f}. A goroutine starts "
                f"with a 2 KiB stack that grows by copying when needed, while a thread's stack is "
                f"fixed at creation and must be big enough for the worst case.")

    q = make_question("q5", "goroutines", lambda: (stack_mib * 2**20 + 4096) / per_g, explain,
                      compare=within(rel=0.02))
    return Problem("q5", "", text, q, dict(measurement=key, per_g_bytes=per_g,
                                           stack_mib=stack_mib))
