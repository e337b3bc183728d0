"""Assignment 2: M:N and blocking (N:1 green threads vs GMP vs 1:1)."""

from __future__ import annotations

from ..checks import exact, within
from ..i18n import N_, tr
from .common import gmp, green, problem_text, run
from .core import AssignmentInfo, Problem, REGISTRY, WorkloadTask, make_question, question

N = 2
REGISTRY[N] = AssignmentInfo(N, N_("M:N scheduling and blocking"))


def _blocking_workload(rng):
    a, c = rng.randint(2, 9) * 100, rng.randint(2, 9) * 100
    b1, b2 = rng.randint(1, 4) * 100, rng.randint(1, 3) * 100
    sys_ms = rng.randint(2, 6)
    spec = [("go", [("compute", a)], "A"),
            ("go", [("compute", b1), ("syscall", sys_ms * 1000), ("compute", b2)], "B"),
            ("go", [("compute", c)], "C"), ("wait",)]
    return spec, dict(a_us=a, b1_us=b1, b2_us=b2, syscall_ms=sys_ms, c_us=c)


@question(N, "q1", N_("N:1: one blocking system call"),
          hint=N_("N:1 has one thread: a blocking system call stops every goroutine"))
def q1(rng):
    spec, prm = _blocking_workload(rng)
    text = problem_text(spec, tr("GreenThreads() (N:1: one kernel thread), "
                                 "goroutine_switch_ns=200"),
                        tr("What is the makespan, in µs? answer_q1 = a number (within 2% "
                           "counts)."))

    def explain(exp):
        work = prm["a_us"] + prm["b1_us"] + prm["b2_us"] + prm["c_us"]
        return tr("N:1 has one thread: while B is in its {ms} ms system call the thread is "
                  "blocked in the kernel and no other goroutine can run. So everything is serial: "
                  "{work} µs of compute + {us} µs of syscall + a few 0.2 µs switches = "
                  "{exp:,.1f} µs.", ms=prm["syscall_ms"], work=work,
                  us=prm["syscall_ms"] * 1000, exp=exp)

    q = make_question("q1", "makespan µs", lambda: run(spec, green()).makespan_ns / 1000,
                      explain, compare=within(rel=0.02))
    return Problem("q1", "", text, q, prm)


@question(N, "q2", N_("M:N: the same workload on GMP"),
          hint=N_("under M:N a system call blocks only its own M; idle Ps get Ms that steal"))
def q2(rng):
    spec, prm = _blocking_workload(rng)
    procs = rng.choice([2, 4])
    text = problem_text(spec, f"GMP(procs={procs}), goroutine_switch_ns=200, "
                              f"thread_create_ns=20,000",
                        tr("What is the makespan, in µs? answer_q2 = a number (within 15% "
                           "counts)."))

    def explain(exp):
        path = prm["b1_us"] + prm["syscall_ms"] * 1000 + prm["b2_us"]
        if procs >= 3:
            where = tr("With {procs} Ps, C runs at once on P0 (it is in runnext) and the Ms "
                       "woken for the idle Ps steal A and B within tens of µs, so B starts "
                       "almost at once: the makespan is about B's own path, {path:,} µs",
                       procs=procs, path=path)
        else:
            where = tr("With 2 Ps, C runs first on P0 (runnext) and P1's new M steals half of "
                       "P0's ring [A, B], i.e. A; B waits until C is done ({c} µs), so the "
                       "makespan is about {c2} + {path:,} µs", c=prm["c_us"], c2=prm["c_us"],
                       path=path)
        return tr("Under M:N a system call blocks only B's thread (M), not the others. {where}; "
                  "the model says {exp:,.1f} µs, against the serial sum under N:1.",
                  where=where, exp=exp)

    q = make_question("q2", "makespan µs", lambda: run(spec, gmp(procs)).makespan_ns / 1000,
                      explain, compare=within(rel=0.15))
    return Problem("q2", "", text, q, dict(prm, procs=procs))


@question(N, "q3", N_("Network I/O on an event loop"),
          hint=N_("without an event loop a network read blocks the one thread like a system "
                  "call"))
def q3(rng):
    io, cpu = rng.randint(2, 8) * 500, rng.randint(2, 8) * 500
    poller = rng.choice([True, False])
    spec = [("go", [("netio", io)], "A"), ("go", [("compute", cpu)], "B"), ("wait",)]
    text = problem_text(spec, f"GreenThreads(io_poller={poller}), goroutine_switch_ns=200",
                        tr("What is the makespan, in µs? answer_q3 = a number (within 2% "
                           "counts)."))

    def explain(exp):
        if poller:
            how = tr("with an event loop (io_poller=True) A's network wait parks only A, so B's "
                     "{cpu} µs of compute overlaps it: about max({io}, {cpu2}) µs", cpu=cpu,
                     io=io, cpu2=cpu)
        else:
            how = tr("without an event loop (io_poller=False) A's network read blocks the one "
                     "thread like a system call, so B waits: about {io} + {cpu} µs", io=io,
                     cpu=cpu)
        return tr("N:1 has one thread; {how}. The model says {exp:,.1f} µs.", how=how, exp=exp)

    q = make_question("q3", "makespan µs",
                      lambda: run(spec, green(io_poller=poller)).makespan_ns / 1000, explain,
                      compare=within(rel=0.02))
    return Problem("q3", "", text, q, dict(io_us=io, cpu_us=cpu, io_poller=poller))


@question(N, "q4", N_("How many threads does GMP create?"),
          hint=N_("sysmon retakes the P of a long system call and handoffp starts another M"))
def q4(rng):
    n = rng.randint(3, 9)
    spec = [("go", [("syscall", 1000)], "S", n), ("wait",)]
    text = problem_text(spec, "GMP(procs=2), thread_create_ns=20,000",
                        tr("How many threads (Ms) does the runtime create in all, counting M0 "
                           "(main's thread) and sysmon's thread? answer_q4 = an int."))

    def explain(exp):
        return tr("Each of the {n} goroutines blocks its M in a 1 ms system call. The M keeps "
                  "its P, but sysmon (which checks every 20 µs) retakes a P whose syscall has "
                  "lasted a tick while goroutines wait, and handoffp starts another M for it. So "
                  "every blocked syscall ends up holding its own thread: {n2} syscall threads + "
                  "main's M0 and sysmon, minus any M that was reused = {exp} threads. Only 2 of "
                  "them run Go code at a time (GOMAXPROCS=2).", n=n, n2=n, exp=exp)

    q = make_question("q4", "threads", lambda: run(spec, gmp(2)).stats["threads_created"],
                      explain)
    return Problem("q4", "", text, q, dict(n=n))


@question(N, "q5", N_("Write a workload: make N:1 slow"),
          hint=N_("what makes the single thread of N:1 wait while others could run"))
def q5(rng):
    ratio = rng.choice([3, 4, 5])
    procs = rng.choice([2, 4])
    max_g = rng.choice([6, 8])
    prompt = tr("Write a workload with at most {max_g} goroutines (main excluded) that takes at "
                "least {ratio}x longer under GreenThreads() (N:1) than under GMP(procs={procs}).",
                max_g=max_g, ratio=ratio, procs=procs)

    def goal(spec):
        gs = _count_goroutines(spec)
        if gs > max_g:
            return False, tr("your workload starts {n} goroutines; at most {max} are allowed.",
                             n=gs, max=max_g)
        a = run(spec, green()).makespan_ns
        b = run(spec, gmp(procs)).makespan_ns
        r = a / b
        text = tr("N:1 took {a:,.1f} µs and GMP(procs={procs}) {b:,.1f} µs: {r:.2f}x (goal: at "
                  "least {ratio}x). ", a=a / 1000, procs=procs, b=b / 1000, r=r, ratio=ratio)
        if r >= ratio:
            return True, text + tr("Blocking system calls serialise N:1 (its one thread sleeps "
                                   "in the kernel), while GMP blocks only the caller's M and runs "
                                   "the rest in parallel.")
        return False, text + tr("Hint: compute alone gains at most the number of Ps. System "
                                "calls are what freeze N:1's only thread while M:N keeps going: "
                                "make several goroutines block in syscalls at the same time.")

    example = [("go", [("syscall", 5000)], "S", min(max_g, 6)), ("wait",)]
    task = WorkloadTask("q5", prompt, goal, example=example)
    text = prompt + "\n\n" + tr(
        "A workload is a list of operations for main, e.g.\n"
        "  [(\"go\", [(\"compute\", 500), (\"syscall\", 2000)], \"W\", 3), (\"wait\",)]\n"
        "starts 3 goroutines named W and waits for them. Operations: (\"compute\", µs), "
        "(\"syscall\", µs), (\"netio\", µs), (\"sleep\", µs), (\"gosched\",), "
        "(\"go\", [ops], name, count), (\"wait\",).\n"
        "Try yours with hw.try_workload(workload, model) before you check it.")
    return Problem("q5", "", text, task, dict(ratio=ratio, procs=procs, max_goroutines=max_g),
                   kind="workload")


def _count_goroutines(spec):
    from .workload import validate
    total = 0

    def walk(ops, mult):
        nonlocal total
        for op in ops:
            if op[0] == "go":
                total += mult * op[3]
                walk(op[1], mult * op[3])

    walk(validate(spec), 1)
    return total
