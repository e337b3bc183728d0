"""Assignment 4: GMP's queues, stealing, syscalls and preemption (``gk.GMP``)."""

from __future__ import annotations

from ..checks import within
from .common import exit_order, gmp, problem_text, run
from .core import AssignmentInfo, Problem, REGISTRY, WorkloadTask, make_question, question

N = 4
REGISTRY[N] = AssignmentInfo(N, "GMP: local queues, stealing, syscalls and preemption")
COSTS = "goroutine_switch_ns=200, goroutine_create_ns=200, thread_create_ns=20,000"


@question(N, "q1", "runnext, the ring and the global queue", points=2,
          hint="runnext first, then the local ring in order, then the global queue")
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
                        "In which order do the goroutines finish? answer_q1 = a list of names.")

    def explain(exp):
        y = (f" {', '.join(sorted(yielders))} calls Gosched, which puts it on the *global* "
             f"queue's tail: it runs again only when the local queue is empty.") if yielders else ""
        return (f"`go` puts the new goroutine in runnext, and the one it displaces goes to the "
                f"tail of the ring. So after main spawns {', '.join(names)}, runnext holds "
                f"{names[-1]} (it runs first when main blocks) and the ring holds "
                f"{', '.join(names[:-1])} in order.{y} Order: {exp}.")

    q = make_question("q1", "finish order", lambda: exit_order(run(spec, gmp(1))), explain)
    return Problem("q1", "", text, q, dict(spec=spec, names=list(names), yielders=sorted(yielders)))


@question(N, "q2", "A full ring overflows",
          hint='runnext holds one, the ring 256; a full ring moves half of it to the global queue')
def q2(rng):
    n = rng.randint(270, 800)
    spec = [("go", [("compute", 10)], "g", n), ("wait",)]
    text = problem_text(spec, f"GMP(procs=1), {COSTS}",
                        "How many goroutines are in the global run queue right after main's "
                        "last go statement (its peak)? answer_q2 = an int.")

    def explain(exp):
        return (f"With one P nobody runs while main spawns. The newest goroutine sits in "
                f"runnext and the rest go to the 256-slot ring. When the ring is full, "
                f"runqputslow moves half of it (128) plus the goroutine being queued, 129 in "
                f"all, to the global queue in one batch. {n} goroutines: 1 in runnext, and each "
                f"overflow moves 129: {exp} in the global queue ({exp // 129} overflows).")

    q = make_question("q2", "global queue", lambda: run(spec, gmp(1)).stats["global_queue_peak"],
                      explain)
    return Problem("q2", "", text, q, dict(n=n))


@question(N, "q3", "Stealing half",
          hint="a P with nothing to run steals half of another P's ring, rounded up")
def q3(rng):
    n = rng.randint(4, 40)
    spec = [("go", [("compute", 200)], "g", n), ("wait",)]
    text = problem_text(spec, "GMP(procs=2), goroutine_create_ns=0 (the go statements are "
                              "instant), thread_create_ns=20,000",
                        "P1's M starts 20 µs after the first go statement and steals from P0. "
                        "How many goroutines does its first steal take? answer_q3 = an int.")

    def steal_n():
        r = run(spec, gmp(2, goroutine_create_ns=0))
        ev = [e for e in r.timeline.events_of("steal") if e.p == 1]
        return int(ev[0].detail.split("=")[1]) if ev else 0

    def explain(exp):
        return (f"All {n} go statements happen at t=0: the last goroutine is in P0's runnext "
                f"(P0 runs it when main waits) and the other {n - 1} are in P0's ring. The new "
                f"M on P1 finds nothing locally or globally and steals half of the victim's "
                f"ring, rounded up (runqgrab takes n - n/2): {exp}. runnext is only stolen as a "
                f"last resort.")

    q = make_question("q3", "stolen", steal_n, explain)
    return Problem("q3", "", text, q, dict(n=n))


@question(N, "q4", "When does sysmon retake the P?",
          hint="sysmon's wake-ups, and how long a syscall must last before its P is retaken")
def q4(rng):
    b, c = rng.randint(2, 9) * 50, rng.randint(2, 12) * 50
    sys_ms = rng.randint(1, 3)
    spec = [("go", [("syscall", sys_ms * 1000)], "S"), ("go", [("compute", b)], "B"),
            ("go", [("compute", c)], "C"), ("wait",)]
    text = problem_text(spec, f"GMP(procs=1), {COSTS}; sysmon wakes every 20 µs",
                        "At what time (µs after the start) does sysmon retake P0 from S's "
                        "system call? answer_q4 = a number (within 25 µs counts).")

    def retake_us():
        r = run(spec, gmp(1))
        ev = r.timeline.events_of("retake")
        q4.sysmon = [t for t, _ in r.model.sysmon_log]
        return ev[0].time / 1000 if ev else -1

    def explain(exp):
        return (f"main spawns S, B, C: C is in runnext, S and B in the ring, so C runs first "
                f"(until about {exp - 20:g}-{exp:g} µs), then S enters its syscall: its M blocks "
                f"but keeps P0, and B waits in P0's ring. sysmon wakes every 20 µs (20, 40, ... "
                f"µs). This is P0's first syscall, so the syscall count sysmon remembers (0) "
                f"already matches and there is no grace round: the first round after the "
                f"syscall began retakes P0, because P0 has local work (B). handoffp then starts "
                f"another M for P0 so B runs: at {exp:g} µs.")

    q = make_question("q4", "retake µs", retake_us, explain,
                      compare=lambda g, e: isinstance(g, (int, float)) and not isinstance(g, bool)
                      and abs(g - e) <= 25)
    q.compare.describe = "within 25 µs"
    return Problem("q4", "", text, q, dict(b_us=b, c_us=c, syscall_ms=sys_ms))


@question(N, "q5", "Preempting a tight loop",
          hint='a loop without function calls can only be stopped by asynchronous preemption')
def q5(rng):
    hog = rng.randint(15, 40)
    asyncp = rng.choice([True, False])
    spec = [("go", [("compute", hog * 1000, "tight")], "hog"),
            ("go", [("compute", 10)], "tick"), ("go", [("compute", 1000)], "first"), ("wait",)]
    text = problem_text(spec, f"GMP(procs=1, async_preempt={asyncp}), {COSTS}",
                        "At what time (ms) does `tick` finish? answer_q5 = a number (within "
                        "1 ms counts).")

    def tick_done():
        r = run(spec, gmp(1, async_preempt=asyncp))
        tl = r.timeline
        return [e.time for e in tl.events_of("exit") if tl.g_names[e.g] == "tick"][0] / 1e6

    def explain(exp):
        start = ("`first` is in runnext, so it runs first (1 ms); then the ring: hog, then tick. "
                 "hog's loop has no function calls, so cooperative preemption cannot stop it")
        if asyncp:
            how = ("with asynchronous preemption (Go 1.14+, SIGURG) sysmon stops it once its "
                   "time slice has lasted 10 ms; hog goes to the global queue and tick runs")
        else:
            how = ("without asynchronous preemption (asyncpreemptoff=1, or Go before 1.14) "
                   f"nothing stops it: tick waits for all {hog} ms of the loop")
        return f"{start}: {how}. tick finishes at {exp:.3f} ms."

    q = make_question("q5", "ms", tick_done, explain, compare=within(abs_=1.0, rel=0))
    return Problem("q5", "", text, q, dict(hog_ms=hog, async_preempt=asyncp))


@question(N, "q6", "Write a workload: make P1 steal", points=2,
          hint="an idle P steals half of another P's ring")
def q6(rng):
    k = rng.randint(1, 3)
    prompt = (f"Write a workload that makes P1 steal from P0 exactly {k} time(s) under "
              f"GMP(procs=2) (steal events whose thief is P1).")

    def goal(spec):
        r = run(spec, gmp(2))
        steals = [e for e in r.timeline.events_of("steal")]
        mine = [e for e in steals if e.p == 1]
        text = (f"P1 stole {len(mine)} time(s) (goal: exactly {k}); all steals: "
                + (", ".join(f"P{e.p}<-P{e.other} at {e.time / 1000:,.1f} µs ({e.detail})"
                             for e in steals[:8]) or "none") + ". ")
        if len(mine) == k:
            return True, text + ("A spinning M on an idle P finds its own queues and the global "
                                 "queue empty and takes half of a busy P's ring.")
        if len(mine) < k:
            return False, text + ("Hint: P1 steals only when P0's ring holds work and P1 is "
                                  "idle; a burst of go statements followed by a wait gives one "
                                  "chance; repeat the pattern.")
        return False, text + ("Hint: too many: long bursts let P1 come back for more. Use "
                              "short bursts (3 goroutines) separated by waits.")

    example = [x for _ in range(k) for x in (("go", [("compute", 200)], "w", 3), ("wait",))]
    text = prompt + ("\n\nWrite it in the homework workload language; experiment with "
                     "hw.try_workload(workload, \"gmp\", procs=2), which counts the steals.")
    return Problem("q6", "", text, WorkloadTask("q6", prompt, goal, example=example),
                   dict(k=k), kind="workload")
