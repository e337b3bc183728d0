"""Assignment 4: GMP's queues, stealing, syscalls and preemption (``gk.GMP``)."""

from __future__ import annotations

from ..checks import within
from ..i18n import N_, tr
from .common import exit_order, gmp, problem_text, run
from .core import AssignmentInfo, Problem, REGISTRY, WorkloadTask, make_question, question

N = 4
REGISTRY[N] = AssignmentInfo(N, N_("GMP: local queues, stealing, syscalls and preemption"))
COSTS = "goroutine_switch_ns=200, goroutine_create_ns=200, thread_create_ns=20,000"


@question(N, "q1", N_("runnext, the ring and the global queue"), points=2,
          hint=N_("runnext first, then the local ring in order, then the global queue"))
def q1(rng):
    k = rng.randint(4, 6)
    names = "ABCDEF"[:k]
    yielders = set(rng.sample(names[:-1], rng.randint(0, 1)))
    spec = []
    for nm in names:
        ops = [("compute", 100), ("gosched",), ("compute", 50)] if nm in yielders else [("compute", 100)]
        spec.append(("go", ops, nm))
    spec.append(("wait",))
    text = problem_text(spec, f"GMP(procs=1), {COSTS}",
                        tr("In which order do the goroutines finish? answer_q1 = a list of "
                           "names."))

    def explain(exp):
        y = tr(" {yielders} calls Gosched, which puts it on the *global* queue's tail: it runs "
               "again only when the local queue is empty.",
               yielders=", ".join(sorted(yielders))) if yielders else ""
        return tr("`go` puts the new goroutine in runnext, and the one it displaces goes to the "
                  "tail of the ring. So after main spawns {names}, runnext holds {last} (it runs "
                  "first when main blocks) and the ring holds {ring} in order.{y} Order: "
                  "{order}.", names=", ".join(names), last=names[-1],
                  ring=", ".join(names[:-1]), y=y, order=exp)

    q = make_question("q1", "finish order", lambda: exit_order(run(spec, gmp(1))), explain)
    return Problem("q1", "", text, q, dict(spec=spec, names=list(names), yielders=sorted(yielders)))


@question(N, "q2", N_("A full ring overflows"),
          hint=N_("runnext holds one, the ring 256; a full ring moves half of it to the global "
                  "queue"))
def q2(rng):
    n = rng.randint(270, 800)
    spec = [("go", [("compute", 10)], "g", n), ("wait",)]
    text = problem_text(spec, f"GMP(procs=1), {COSTS}",
                        tr("How many goroutines are in the global run queue right after "
                           "main's last go statement (its peak)? answer_q2 = an int."))

    def explain(exp):
        return tr("With one P nobody runs while main spawns. The newest goroutine sits in "
                  "runnext and the rest go to the 256-slot ring. When the ring is full, "
                  "runqputslow moves half of it (128) plus the goroutine being queued, 129 in "
                  "all, to the global queue in one batch. {n} goroutines: 1 in runnext, and each "
                  "overflow moves 129: {exp} in the global queue ({overflows} overflows).",
                  n=n, exp=exp, overflows=exp // 129)

    q = make_question("q2", "global queue", lambda: run(spec, gmp(1)).stats["global_queue_peak"],
                      explain)
    return Problem("q2", "", text, q, dict(n=n))


@question(N, "q3", N_("Stealing half"),
          hint=N_("a P with nothing to run steals half of another P's ring, rounded up"))
def q3(rng):
    n = rng.randint(4, 40)
    spec = [("go", [("compute", 200)], "g", n), ("wait",)]
    text = problem_text(spec, tr("GMP(procs=2), goroutine_create_ns=0 (the go statements are "
                                 "instant), thread_create_ns=20,000"),
                        tr("P1's M starts 20 µs after the first go statement and steals from "
                           "P0. How many goroutines does its first steal take? answer_q3 = an "
                           "int."))

    def steal_n():
        r = run(spec, gmp(2, goroutine_create_ns=0))
        ev = [e for e in r.timeline.events_of("steal") if e.p == 1]
        return int(ev[0].detail.split("=")[1]) if ev else 0

    def explain(exp):
        return tr("All {n} go statements happen at t=0: the last goroutine is in P0's runnext "
                  "(P0 runs it when main waits) and the other {rest} are in P0's ring. The new M "
                  "on P1 finds nothing locally or globally and steals half of the victim's ring, "
                  "rounded up (runqgrab takes n - n/2): {exp}. runnext is only stolen as a last "
                  "resort.", n=n, rest=n - 1, exp=exp)

    q = make_question("q3", "stolen", steal_n, explain)
    return Problem("q3", "", text, q, dict(n=n))


@question(N, "q4", N_("When does sysmon retake the P?"),
          hint=N_("sysmon's wake-ups, and how long a syscall must last before its P is "
                  "retaken"))
def q4(rng):
    b, c = rng.randint(2, 9) * 50, rng.randint(2, 12) * 50
    sys_ms = rng.randint(1, 3)
    spec = [("go", [("syscall", sys_ms * 1000)], "S"), ("go", [("compute", b)], "B"),
            ("go", [("compute", c)], "C"), ("wait",)]
    text = problem_text(spec, tr("GMP(procs=1), {costs}; sysmon wakes every 20 µs", costs=COSTS),
                        tr("At what time (µs after the start) does sysmon retake P0 from S's "
                           "system call? answer_q4 = a number (within 25 µs counts)."))

    def retake_us():
        r = run(spec, gmp(1))
        ev = r.timeline.events_of("retake")
        q4.sysmon = [t for t, _ in r.model.sysmon_log]
        return ev[0].time / 1000 if ev else -1

    def explain(exp):
        return tr("main spawns S, B, C: C is in runnext, S and B in the ring, so C runs first "
                  "(until about {early:g}-{late:g} µs), then S enters its syscall: its M blocks "
                  "but keeps P0, and B waits in P0's ring. sysmon wakes every 20 µs (20, 40, ... "
                  "µs). This is P0's first syscall, so the syscall count sysmon remembers (0) "
                  "already matches and there is no grace round: the first round after the "
                  "syscall began retakes P0, because P0 has local work (B). handoffp then starts "
                  "another M for P0 so B runs: at {exp:g} µs.", early=exp - 20, late=exp,
                  exp=exp)

    q = make_question("q4", "retake µs", retake_us, explain,
                      compare=lambda g, e: isinstance(g, (int, float)) and not isinstance(g, bool)
                      and abs(g - e) <= 25)
    q.compare.describe = "within 25 µs"
    q.compare.tolerance_text = N_("within 25 µs")
    return Problem("q4", "", text, q, dict(b_us=b, c_us=c, syscall_ms=sys_ms))


@question(N, "q5", N_("Preempting a tight loop"),
          hint=N_("a loop without function calls can only be stopped by asynchronous "
                  "preemption"))
def q5(rng):
    hog = rng.randint(15, 40)
    asyncp = rng.choice([True, False])
    spec = [("go", [("compute", hog * 1000, "tight")], "hog"),
            ("go", [("compute", 10)], "tick"), ("go", [("compute", 1000)], "first"), ("wait",)]
    text = problem_text(spec, f"GMP(procs=1, async_preempt={asyncp}), {COSTS}",
                        tr("At what time (ms) does `tick` finish? answer_q5 = a number (within "
                           "1 ms counts)."))

    def tick_done():
        r = run(spec, gmp(1, async_preempt=asyncp))
        tl = r.timeline
        return [e.time for e in tl.events_of("exit") if tl.g_names[e.g] == "tick"][0] / 1e6

    def explain(exp):
        start = tr("`first` is in runnext, so it runs first (1 ms); then the ring: hog, then "
                   "tick. hog's loop has no function calls, so cooperative preemption cannot "
                   "stop it")
        if asyncp:
            how = tr("with asynchronous preemption (Go 1.14+, SIGURG) sysmon stops it once its "
                     "time slice has lasted 10 ms; hog goes to the global queue and tick runs")
        else:
            how = tr("without asynchronous preemption (asyncpreemptoff=1, or Go before 1.14) "
                     "nothing stops it: tick waits for all {hog} ms of the loop", hog=hog)
        return tr("{start}: {how}. tick finishes at {exp:.3f} ms.", start=start, how=how,
                  exp=exp)

    q = make_question("q5", "ms", tick_done, explain, compare=within(abs_=1.0, rel=0))
    return Problem("q5", "", text, q, dict(hog_ms=hog, async_preempt=asyncp))


@question(N, "q6", N_("Write a workload: make P1 steal"), points=2,
          hint=N_("an idle P steals half of another P's ring"))
def q6(rng):
    k = rng.randint(1, 3)
    prompt = tr("Write a workload that makes P1 steal from P0 exactly {k} time(s) under "
                "GMP(procs=2) (steal events whose thief is P1).", k=k)

    def goal(spec):
        r = run(spec, gmp(2))
        steals = [e for e in r.timeline.events_of("steal")]
        mine = [e for e in steals if e.p == 1]
        text = tr("P1 stole {n} time(s) (goal: exactly {k}); all steals: {steals}. ",
                  n=len(mine), k=k,
                  steals=", ".join(tr("P{p}<-P{other} at {us:,.1f} µs ({detail})", p=e.p,
                                      other=e.other, us=e.time / 1000, detail=e.detail)
                                   for e in steals[:8]) or tr("none"))
        if len(mine) == k:
            return True, text + tr("A spinning M on an idle P finds its own queues and the "
                                   "global queue empty and takes half of a busy P's ring.")
        if len(mine) < k:
            return False, text + tr("Hint: P1 steals only when P0's ring holds work and P1 is "
                                    "idle; a burst of go statements followed by a wait gives one "
                                    "chance; repeat the pattern.")
        return False, text + tr("Hint: too many: long bursts let P1 come back for more. Use "
                                "short bursts (3 goroutines) separated by waits.")

    example = [x for _ in range(k) for x in (("go", [("compute", 200)], "w", 3), ("wait",))]
    text = prompt + "\n\n" + tr("Write it in the homework workload language; experiment with "
                                "hw.try_workload(workload, \"gmp\", procs=2), which counts the "
                                "steals.")
    return Problem("q6", "", text, WorkloadTask("q6", prompt, goal, example=example),
                   dict(k=k), kind="workload")
