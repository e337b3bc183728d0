"""Assignment 1: threads and switching costs (the 1:1 model, ``gk.Threads``)."""

from __future__ import annotations

from ..checks import exact, within
from ..i18n import N_, tr
from .common import exit_order, problem_text, run, threads
from .core import AssignmentInfo, Problem, REGISTRY, make_question, question

N = 1
REGISTRY[N] = AssignmentInfo(N, N_("threads and switching costs"))

NAMES = "ABCDEF"


def _rr_workload(rng):
    k = rng.randint(3, 4)
    works = [rng.randint(1, 8) for _ in range(k)]
    spec = [("go", [("compute", w * 1000)], NAMES[i]) for i, w in enumerate(works)] + [("wait",)]
    return spec, works


@question(N, "q1", N_("Round robin: who finishes first?"), points=2,
          hint=N_("a time slice each, in queue order; an unfinished thread goes to the tail"))
def q1(rng):
    spec, works = _rr_workload(rng)
    slice_ms = rng.choice([2, 3])
    model = lambda: threads(1, slice_ns=slice_ms * 1_000_000, kernel_switch_ns=20_000)
    text = problem_text(
        spec, tr("Threads(cpus=1, slice = {slice} ms, kernel_switch_ns=20,000), thread creation "
                 "free", slice=slice_ms),
        tr("In which order do the threads finish? answer_q1 = a list of names, e.g. "
           "['B', 'A', 'C']."))

    def explain(exp):
        return tr("One CPU runs the runnable threads round robin: each gets a {slice} ms slice in "
                  "queue order ({names}), and one that still has work goes to the tail of the "
                  "queue. A thread needing at most one slice finishes in its first turn; longer "
                  "ones come back every round, so they finish in the order {order}.",
                  slice=slice_ms, names=", ".join(NAMES[:len(works)]), order=exp)

    q = make_question("q1", "finish order", lambda: exit_order(run(spec, model())), explain)
    return Problem("q1", "", text, q, dict(spec=spec, works_ms=works, slice_ms=slice_ms))


@question(N, "q2", N_("Counting context switches"),
          hint=N_("a switch is paid each time a CPU puts a different thread on"))
def q2(rng):
    spec, works = _rr_workload(rng)
    slice_ms = rng.choice([2, 3])
    model = lambda: threads(1, slice_ns=slice_ms * 1_000_000, kernel_switch_ns=20_000)
    text = problem_text(
        spec, tr("Threads(cpus=1, slice = {slice} ms, kernel_switch_ns=20,000), thread creation "
                 "free", slice=slice_ms),
        tr("How many context switches does the CPU make, from main's start to main's end? "
           "(Count every time a thread is put on the CPU, main included.) answer_q2 = an int."))

    def explain(exp):
        return tr("A CPU pays a switch each time it puts a thread on: main at the start, each "
                  "thread's first turn, each turn after a preemption, and main again when the "
                  "wait group wakes it. A slice that ends with nobody else waiting costs nothing "
                  "(the thread keeps the CPU). That makes {n} switches, {us} µs of CPU time that "
                  "runs nobody's code.", n=exp, us=exp * 20)

    q = make_question("q2", "context switches",
                      lambda: run(spec, model()).stats["context_switches"], explain)
    return Problem("q2", "", text, q, dict(spec=spec, works_ms=works, slice_ms=slice_ms))


@question(N, "q3", N_("Makespan with switch costs"), points=2,
          hint=N_("total work plus every switch, shared by the CPUs"))
def q3(rng):
    n = rng.randint(3, 6)
    work = rng.randint(4, 12)
    cpus = rng.choice([1, 2])
    switch_us = rng.choice([10, 20, 50])
    spec = [("go", [("compute", work * 1000)], "T", n), ("wait",)]
    model = lambda: threads(cpus, slice_ns=1_000_000, kernel_switch_ns=switch_us * 1000)
    text = problem_text(
        spec, tr("Threads(cpus={cpus}, slice = 1 ms, kernel_switch_ns={switch:,}), thread "
                 "creation free", cpus=cpus, switch=switch_us * 1000),
        tr("How long does the program run (its makespan), in ms? answer_q3 = a number "
           "(within 3% counts)."))

    def explain(exp):
        total = n * work
        return tr("{n} threads x {work} ms = {total} ms of work on {cpus} CPU(s) is at least "
                  "{least:g} ms; every 1 ms slice is followed by a {switch} µs switch while "
                  "others wait, so each ms of work costs about {each:g} ms of CPU: {exp:.3f} ms "
                  "in the model.", n=n, work=work, total=total, cpus=cpus, least=total / cpus,
                  switch=switch_us, each=1 + switch_us / 1000, exp=exp)

    q = make_question("q3", "makespan ms", lambda: run(spec, model()).makespan_ns / 1e6, explain,
                      compare=within(rel=0.03))
    return Problem("q3", "", text, q, dict(n=n, work_ms=work, cpus=cpus, switch_us=switch_us,
                                           slice_ms=1))


@question(N, "q4", N_("How much of the CPU is useful?"),
          hint=N_("each slice of work is followed by one switch: useful = slice / (slice + "
                  "switch)"))
def q4(rng):
    slice_us = rng.choice([500, 1000, 2000, 3000])
    switch_us = rng.choice([5, 10, 25, 50, 100])
    spec = [("go", [("compute", 30_000)], "T", 3), ("wait",)]
    model = lambda: threads(1, slice_ns=slice_us * 1000, kernel_switch_ns=switch_us * 1000)
    text = problem_text(
        spec, f"Threads(cpus=1, slice = {slice_us:,} µs, kernel_switch_ns={switch_us * 1000:,})",
        tr("What share of the CPU's busy time runs the threads' own code (not switching)? "
           "answer_q4 = a percentage, e.g. 97.5 (within 0.5 points counts)."))

    def useful():
        st = run(spec, model()).stats
        return round(100 * st["running_ns_total"] / (st["running_ns_total"] + st["switch_ns_total"]), 2)

    def explain(exp):
        ideal = 100 * slice_us / (slice_us + switch_us)
        return tr("While several threads are runnable every slice of S = {slice} µs of work is "
                  "followed by a switch of C = {switch} µs, so the useful share is S / (S + C) = "
                  "{ideal:.2f} %; the model measures {exp} % (its first and last turns differ a "
                  "little). Shorter slices or costlier switches waste more.", slice=slice_us,
                  switch=switch_us, ideal=ideal, exp=exp)

    def close(given, exp):
        return isinstance(given, (int, float)) and not isinstance(given, bool) and abs(given - exp) <= 0.5
    close.describe = "within 0.5 points"
    close.tolerance_text = N_("within 0.5 points")
    q = make_question("q4", "useful share %", useful, explain, compare=close,
                      hint=lambda g, e: tr("give a percentage (e.g. 97.5), not a fraction")
                      if isinstance(g, float) and g <= 1 else "")
    return Problem("q4", "", text, q, dict(slice_us=slice_us, switch_us=switch_us))


@question(N, "q5", N_("Virtual memory of threads"),
          hint=N_("every thread, main included, reserves a full stack plus a guard page"))
def q5(rng):
    n = rng.randint(5, 60)
    spec = [("go", [("sleep", 1000)], "T", n), ("wait",)]
    model = lambda: threads(2)
    text = problem_text(
        spec, tr("Threads(cpus=2): each thread reserves an 8 MiB stack (glibc's default) plus a "
                 "4 KiB guard page"),
        tr("How much virtual memory do the threads reserve at the peak, in MiB (main's thread "
           "included)? answer_q5 = a number (within 1% counts)."))

    def explain(exp):
        return tr("{n} threads plus main = {all} threads, each reserving 8 MiB + 4 KiB of address "
                  "space: {exp:.2f} MiB. Reserved, not resident: pages become real memory only "
                  "when touched, but 1:1 threads make every task pay for a full stack.",
                  n=n, all=n + 1, exp=exp)

    q = make_question("q5", "virtual MiB",
                      lambda: run(spec, model()).stats["virtual_bytes_peak"] / 2**20, explain,
                      compare=within(rel=0.01))
    return Problem("q5", "", text, q, dict(n=n))
