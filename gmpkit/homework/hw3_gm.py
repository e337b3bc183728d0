"""Assignment 3: the Go 1.0 GM scheduler and its bottlenecks (``gk.GM``)."""

from __future__ import annotations

from .. import scenarios
from ..checks import within
from .common import describe, exit_order, gm, problem_text, run
from .core import AssignmentInfo, Problem, REGISTRY, WorkloadTask, make_question, question

N = 3
REGISTRY[N] = AssignmentInfo(N, "the GM scheduler's bottlenecks")
GM_LINE = "schedlock_hold_ns=200, schedlock_spin_ns=1,000, kernel_switch_ns=5,000, " \
          "thread_create_ns=20,000"


@question(N, "q1", "One global FIFO queue", points=2,
          hint="one global queue, first in first out, behind one lock")
def q1(rng):
    k = rng.randint(4, 5)
    names = "ABCDE"[:k]
    yielders = set(rng.sample(names, rng.randint(1, 2)))
    spec = []
    for nm in names:
        a = rng.randint(1, 4) * 50
        ops = [("compute", a), ("gosched",), ("compute", 50)] if nm in yielders else [("compute", a)]
        spec.append(("go", ops, nm))
    spec.append(("wait",))
    text = problem_text(spec, f"GM(procs=1) (Go 1.0, GOMAXPROCS=1), {GM_LINE}",
                        "In which order do the goroutines finish? answer_q1 = a list of names.")

    def explain(exp):
        return (f"Go 1.0 has one run queue, first in first out. main queues {', '.join(names)} in "
                f"that order and, with GOMAXPROCS=1, they run one at a time when main waits. "
                f"runtime.Gosched() puts a goroutine back at the *tail* of the global queue "
                f"({', '.join(sorted(yielders))} here), so it finishes after the others queued "
                f"before it came back: {exp}.")

    q = make_question("q1", "finish order", lambda: exit_order(run(spec, gm(1))), explain)
    return Problem("q1", "", text, q, dict(spec=spec, yielders=sorted(yielders)))


@question(N, "q2", "More processors, slower program?",
          hint="every park and wake takes Go 1.0's one scheduler lock")
def q2(rng):
    kind = rng.choice(["channels", "cpu"])
    if kind == "channels":
        g, rounds = rng.choice([8, 12, 16]), rng.randint(3, 5)
        sc = scenarios.lock_heavy(goroutines=g, rounds=rounds, work_ns=500)
        desc = (f"scenario lock_heavy(goroutines={g}, rounds={rounds}, work_ns=500): {g} workers "
                f"take jobs from a channel, do 0.5 µs of work each, send the result back; main "
                f"sends {g} jobs per round and collects the results, {rounds} rounds")
        runner = lambda p: sc.run(gm(p)).makespan_ns  # noqa: E731
    else:
        n, work = rng.choice([16, 24, 32]), rng.choice([200, 400])
        spec = [("go", [("compute", work)], "W", n), ("wait",)]
        desc = describe(spec)
        runner = lambda p: run(spec, gm(p)).makespan_ns  # noqa: E731
    text = (f"{desc}\n\nmodel: GM(procs=P) for P in 1, 2, 4; {GM_LINE}\n\n"
            f"Which GOMAXPROCS gives the shortest makespan? answer_q2 = 1, 2 or 4.")

    def best():
        times = {p: runner(p) for p in (1, 2, 4)}
        best.times = times
        return min(times, key=times.get)

    def explain(exp):
        t = ", ".join(f"P={p}: {v / 1000:,.1f} µs" for p, v in best.times.items())
        if kind == "channels":
            why = ("every channel operation wakes or parks a goroutine, and each of those takes "
                   "Go 1.0's one scheduler lock; with more Ms they queue on the lock (spinning, "
                   "then sleeping in futex) and matchmg hands woken goroutines to other threads "
                   "that must be woken first, so more processors only add waiting")
        else:
            why = ("each goroutine computes for a long time between scheduling operations, so "
                   "the lock is rarely contended and more Ms really run in parallel")
        return f"The model: {t}. Here {why}; the best is GOMAXPROCS={exp}."

    q = make_question("q2", "best GOMAXPROCS", best, explain)
    return Problem("q2", "", text, q, dict(kind=kind))


@question(N, "q3", "Memory caches stuck in system calls",
          hint='in Go 1.0 the memory cache belongs to the M, also while it sits in a syscall')
def q3(rng):
    n = rng.randint(3, 8)
    spec = [("go", [("syscall", 2000)], "S", n), ("go", [("compute", 500)], "W", 2), ("wait",)]
    text = problem_text(spec, f"GM(procs=2), mcache_bytes = 2 MiB per M, {GM_LINE}",
                        "At the peak, how many MiB of memory caches (mcache) belong to Ms that "
                        "are blocked in system calls? answer_q3 = a number.")

    def explain(exp):
        return (f"In Go 1.0 the memory cache belongs to the M, not to a P. Each of the {n} "
                f"goroutines blocks its M in a system call at the same time, and each of those "
                f"Ms keeps its 2 MiB cache while doing nothing with it: {exp:g} MiB. The 2012 "
                f"design moved mcache to the P: only GOMAXPROCS caches, whatever the syscalls.")

    q = make_question("q3", "MiB",
                      lambda: run(spec, gm(2)).stats["mcache_bytes_in_syscall_peak"] / 2**20,
                      explain, compare=within(rel=0.001))
    return Problem("q3", "", text, q, dict(n=n, mcache_mib=2))


@question(N, "q4", "Write a workload: thread churn at syscall exit",
          hint='what happens to an M when its system call ends and the G must be scheduled again')
def q4(rng):
    k = rng.randint(3, 6)
    max_g = k + 2
    prompt = (f"Write a workload with at most {max_g} goroutines (main excluded) that makes "
              f"GM(procs=1) park a thread returning from a system call at least {k} times "
              f"(stat exitsyscall_requeues: the syscall returned, mcpu was already at "
              f"mcpumax, so the goroutine went to the global queue and its M went to sleep).")

    def goal(spec):
        from .hw2_mn import _count_goroutines
        gs = _count_goroutines(spec)
        if gs > max_g:
            return False, f"your workload starts {gs} goroutines; at most {max_g} are allowed."
        st = run(spec, gm(1)).stats
        got = st["exitsyscall_requeues"]
        text = (f"exitsyscall_requeues = {got} (goal: at least {k}); thread parks "
                f"{st['thread_parks']}, wake-ups {st['thread_wakeups']}. ")
        if got >= k:
            return True, text + ("Each syscall gave up the one Go slot (mcpu--), another "
                                 "goroutine took it, and the returning goroutine found the house "
                                 "full: its thread parked and another had to be woken later: the "
                                 "block/unblock churn Vyukov's design doc complains about.")
        return False, text + ("Hint: a requeue needs the slot to be taken while the syscall "
                              "runs: have several goroutines compute, make a short syscall, and "
                              "compute again, so that others are running when each returns.")

    example = [("go", [("compute", 100), ("syscall", 200), ("compute", 100)], "S", max_g),
               ("wait",)]
    text = prompt + ("\n\nWrite the workload in the homework workload language (see "
                     "assignment 2); try it with hw.try_workload(workload, \"gm\", procs=1).")
    return Problem("q4", "", text, WorkloadTask("q4", prompt, goal, example=example),
                   dict(k=k, max_goroutines=max_g), kind="workload")
