"""Assignment 3: the Go 1.0 GM scheduler and its bottlenecks (``gk.GM``)."""

from __future__ import annotations

from .. import scenarios
from ..checks import within
from ..i18n import N_, tr
from .common import describe, exit_order, gm, problem_text, run
from .core import AssignmentInfo, Problem, REGISTRY, WorkloadTask, make_question, question

N = 3
REGISTRY[N] = AssignmentInfo(N, N_("the GM scheduler's bottlenecks"))
GM_LINE = "schedlock_hold_ns=200, schedlock_spin_ns=1,000, kernel_switch_ns=5,000, " \
          "thread_create_ns=20,000"


@question(N, "q1", N_("One global FIFO queue"), points=2,
          hint=N_("one global queue, first in first out, behind one lock"))
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
                        tr("In which order do the goroutines finish? answer_q1 = a list of "
                           "names."))

    def explain(exp):
        return tr("Go 1.0 has one run queue, first in first out. main queues {names} in that "
                  "order and, with GOMAXPROCS=1, they run one at a time when main waits. "
                  "runtime.Gosched() puts a goroutine back at the *tail* of the global queue "
                  "({yielders} here), so it finishes after the others queued before it came "
                  "back: {order}.", names=", ".join(names),
                  yielders=", ".join(sorted(yielders)), order=exp)

    q = make_question("q1", "finish order", lambda: exit_order(run(spec, gm(1))), explain)
    return Problem("q1", "", text, q, dict(spec=spec, yielders=sorted(yielders)))


@question(N, "q2", N_("More processors, slower program?"),
          hint=N_("every park and wake takes Go 1.0's one scheduler lock"))
def q2(rng):
    kind = rng.choice(["channels", "cpu"])
    if kind == "channels":
        g, rounds = rng.choice([8, 12, 16]), rng.randint(3, 5)
        sc = scenarios.lock_heavy(goroutines=g, rounds=rounds, work_ns=500)
        desc = tr("scenario lock_heavy(goroutines={g}, rounds={rounds}, work_ns=500): {g2} "
                  "workers take jobs from a channel, do 0.5 µs of work each, send the result "
                  "back; main sends {g3} jobs per round and collects the results, {rounds2} "
                  "rounds", g=g, rounds=rounds, g2=g, g3=g, rounds2=rounds)
        runner = lambda p: sc.run(gm(p)).makespan_ns  # noqa: E731
    else:
        n, work = rng.choice([16, 24, 32]), rng.choice([200, 400])
        spec = [("go", [("compute", work)], "W", n), ("wait",)]
        desc = describe(spec)
        runner = lambda p: run(spec, gm(p)).makespan_ns  # noqa: E731
    text = (f"{desc}\n\n" + tr("model: GM(procs=P) for P in 1, 2, 4; {line}", line=GM_LINE)
            + "\n\n" + tr("Which GOMAXPROCS gives the shortest makespan? answer_q2 = 1, 2 or 4."))

    def best():
        times = {p: runner(p) for p in (1, 2, 4)}
        best.times = times
        return min(times, key=times.get)

    def explain(exp):
        t = ", ".join(f"P={p}: {v / 1000:,.1f} µs" for p, v in best.times.items())
        if kind == "channels":
            why = tr("every channel operation wakes or parks a goroutine, and each of those "
                     "takes Go 1.0's one scheduler lock; with more Ms they queue on the lock "
                     "(spinning, then sleeping in futex) and matchmg hands woken goroutines to "
                     "other threads that must be woken first, so more processors only add "
                     "waiting")
        else:
            why = tr("each goroutine computes for a long time between scheduling operations, so "
                     "the lock is rarely contended and more Ms really run in parallel")
        return tr("The model: {times}. Here {why}; the best is GOMAXPROCS={best}.", times=t,
                  why=why, best=exp)

    q = make_question("q2", "best GOMAXPROCS", best, explain)
    return Problem("q2", "", text, q, dict(kind=kind))


@question(N, "q3", N_("Memory caches stuck in system calls"),
          hint=N_("in Go 1.0 the memory cache belongs to the M, also while it sits in a "
                  "syscall"))
def q3(rng):
    n = rng.randint(3, 8)
    spec = [("go", [("syscall", 2000)], "S", n), ("go", [("compute", 500)], "W", 2), ("wait",)]
    text = problem_text(spec, tr("GM(procs=2), mcache_bytes = 2 MiB per M, {line}", line=GM_LINE),
                        tr("At the peak, how many MiB of memory caches (mcache) belong to Ms "
                           "that are blocked in system calls? answer_q3 = a number."))

    def explain(exp):
        return tr("In Go 1.0 the memory cache belongs to the M, not to a P. Each of the {n} "
                  "goroutines blocks its M in a system call at the same time, and each of those "
                  "Ms keeps its 2 MiB cache while doing nothing with it: {exp:g} MiB. The 2012 "
                  "design moved mcache to the P: only GOMAXPROCS caches, whatever the syscalls.",
                  n=n, exp=exp)

    q = make_question("q3", "MiB",
                      lambda: run(spec, gm(2)).stats["mcache_bytes_in_syscall_peak"] / 2**20,
                      explain, compare=within(rel=0.001))
    return Problem("q3", "", text, q, dict(n=n, mcache_mib=2))


@question(N, "q4", N_("Write a workload: thread churn at syscall exit"),
          hint=N_("what happens to an M when its system call ends and the G must be scheduled "
                  "again"))
def q4(rng):
    k = rng.randint(3, 6)
    max_g = k + 2
    prompt = tr("Write a workload with at most {max_g} goroutines (main excluded) that makes "
                "GM(procs=1) park a thread returning from a system call at least {k} times "
                "(stat exitsyscall_requeues: the syscall returned, mcpu was already at mcpumax, "
                "so the goroutine went to the global queue and its M went to sleep).",
                max_g=max_g, k=k)

    def goal(spec):
        from .hw2_mn import _count_goroutines
        gs = _count_goroutines(spec)
        if gs > max_g:
            return False, tr("your workload starts {n} goroutines; at most {max} are allowed.",
                             n=gs, max=max_g)
        st = run(spec, gm(1)).stats
        got = st["exitsyscall_requeues"]
        text = tr("exitsyscall_requeues = {got} (goal: at least {k}); thread parks {parks}, "
                  "wake-ups {wakeups}. ", got=got, k=k, parks=st["thread_parks"],
                  wakeups=st["thread_wakeups"])
        if got >= k:
            return True, text + tr("Each syscall gave up the one Go slot (mcpu--), another "
                                   "goroutine took it, and the returning goroutine found the "
                                   "house full: its thread parked and another had to be woken "
                                   "later: the block/unblock churn Vyukov's design doc complains "
                                   "about.")
        return False, text + tr("Hint: a requeue needs the slot to be taken while the syscall "
                                "runs: have several goroutines compute, make a short syscall, and "
                                "compute again, so that others are running when each returns.")

    example = [("go", [("compute", 100), ("syscall", 200), ("compute", 100)], "S", max_g),
               ("wait",)]
    text = prompt + "\n\n" + tr("Write the workload in the homework workload language (see "
                                "assignment 2); try it with hw.try_workload(workload, \"gm\", "
                                "procs=1).")
    return Problem("q4", "", text, WorkloadTask("q4", prompt, goal, example=example),
                   dict(k=k, max_goroutines=max_g), kind="workload")
