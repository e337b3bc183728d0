"""Property tests: random workloads on every model, procs and seed.

For any workload the models must: keep the Timeline's invariants; give an
identical timeline for the same seed; and either finish every goroutine
exactly once or report a deadlock.
"""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gmpkit as gk

MODELS = {
    "GreenThreads": lambda procs: gk.GreenThreads(),
    "Threads": lambda procs: gk.Threads(cpus=procs),
    "GM": lambda procs: gk.GM(procs=procs),
    "GMP": lambda procs: gk.GMP(procs=procs),
    "GMP-noasync": lambda procs: gk.GMP(procs=procs, async_preempt=False),
}

# A workload is a list of goroutine programs; a program is a list of steps
# (kind, amount or channel index, matched).  Every channel operation marked
# ``matched`` gets a helper goroutine doing the other half (a receive for a
# send, a send for a receive).  Programs send on one set of channels and receive
# on another, so helpers cannot pair with each other and never wait for anything
# else: every matched operation completes, in any order, while several
# goroutines still share each channel.  About one channel operation in
# CHANCE_UNMATCHED is unmatched: it goes to a channel nobody else uses and blocks
# for ever, so the workload deadlocks.  Whether a workload deadlocks is thus
# known in advance (``expect_deadlock``) and must not depend on the scheduler.
KINDS = ("compute", "tight", "syscall", "netio", "sleep", "gosched", "send", "recv",
         "locked", "spawn")
AMOUNT = {"compute": (0, 3_000), "tight": (1, 15_000_000), "syscall": (1, 40_000),
          "netio": (1, 40_000), "sleep": (0, 40_000), "gosched": (0, 0), "send": (0, 2),
          "recv": (0, 2), "locked": (0, 5_000), "spawn": (0, 2_000)}
CHANCE_UNMATCHED = 50
MAX_STEPS, MAX_PROGRAMS = 6, 12


def gen_workload(draw_int):
    """A workload from ``draw_int(lo, hi)`` (an inclusive random int): used with
    hypothesis (``st.integers``) and with a seeded ``random.Random``."""
    programs = []
    for _ in range(draw_int(1, MAX_PROGRAMS)):
        prog = []
        for _ in range(draw_int(0, MAX_STEPS)):
            kind = KINDS[draw_int(0, len(KINDS) - 1)]
            lo, hi = AMOUNT[kind]
            x = draw_int(lo, hi)
            # (a middle value: hypothesis draws the ends of a range more often)
            matched = (kind not in ("send", "recv")
                       or draw_int(1, CHANCE_UNMATCHED) != CHANCE_UNMATCHED // 2)
            prog.append((kind, x, matched))
        programs.append(prog)
    return programs


def expect_deadlock(programs):
    return any(not matched for prog in programs for _, _, matched in prog)


@st.composite
def workload(draw):
    return gen_workload(lambda lo, hi: draw(st.integers(lo, hi)))


def build(programs):
    """A main that runs each program as a goroutine (plus the helpers of its
    matched channel operations) and waits for the programs."""

    def child(us):
        yield gk.compute(ns=us)

    def helper(op):
        yield op

    def goroutine(prog, sends, recvs, mu, wg):
        lost = gk.Chan()    # nobody else uses it: an unmatched operation blocks for ever
        for kind, x, matched in prog:
            if kind == "compute":
                yield gk.compute(ns=x)
            elif kind == "tight":
                yield gk.compute(ns=x, tight=True)
            elif kind == "syscall":
                yield gk.syscall(ns=x)
            elif kind == "netio":
                yield gk.netio(ns=x)
            elif kind == "sleep":
                yield gk.sleep(ns=x)
            elif kind == "gosched":
                yield gk.gosched()
            elif kind == "send":
                yield (sends[x] if matched else lost).send(x)
            elif kind == "recv":
                yield (recvs[x] if matched else lost).recv()
            elif kind == "locked":
                yield mu.lock()
                yield gk.compute(ns=x)
                yield mu.unlock()
            elif kind == "spawn":
                yield gk.go(child, x)
        yield wg.done()

    def main():
        sends = [gk.Chan(), gk.Chan(cap=1), gk.Chan(cap=4)]   # programs send, helpers receive
        recvs = [gk.Chan(), gk.Chan(cap=1), gk.Chan(cap=4)]   # helpers send, programs receive
        mu, wg = gk.Mutex(), gk.WaitGroup()
        wg.add(len(programs))
        for prog in programs:
            yield gk.go(goroutine, prog, sends, recvs, mu, wg)
            for kind, x, matched in prog:
                if matched and kind == "send":
                    yield gk.go(helper, sends[x].recv(), name="helper")
                elif matched and kind == "recv":
                    yield gk.go(helper, recvs[x].send(x), name="helper")
        yield wg.wait()

    return main


def run_or_deadlock(programs, model, seed):
    try:
        return gk.simulate(build(programs), model=model, seed=seed, max_events=2_000_000)
    except gk.Deadlock as e:
        return e


@pytest.mark.parametrize("name", sorted(MODELS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs=workload(), procs=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
def test_invariants_determinism_and_completion(name, programs, procs, seed):
    first = run_or_deadlock(programs, MODELS[name](procs), seed)
    second = run_or_deadlock(programs, MODELS[name](procs), seed)
    assert isinstance(first, gk.Deadlock) == expect_deadlock(programs)
    if isinstance(first, gk.Deadlock):
        assert isinstance(second, gk.Deadlock)
        assert first.waiting == second.waiting
        assert "all goroutines are asleep" in str(first)
        # the blocked: main (on the WaitGroup) and each program with an unmatched
        # operation, on that operation
        # (GM's Go 1.0 timer goroutine parks too once no timer is left)
        waits = sorted(w for _, n, w in first.waiting
                       if n not in ("child", "helper", "timerproc"))
        first_lost = [next(k for k, _, m in prog if not m) for prog in programs
                      if any(not m for _, _, m in prog)]
        assert waits == sorted(["sync.WaitGroup.Wait"] + [
            "chan send" if k == "send" else "chan receive" for k in first_lost])
        return
    tl = first.timeline
    tl.check_invariants()
    # same seed -> identical record
    assert tl.spans == second.timeline.spans
    assert tl.events == second.timeline.events
    assert first.stats == second.stats
    # main waited for all workers, so every goroutine but the spawned children
    # exited exactly once; children may still be running when main returns.
    exits = [e.g for e in tl.events_of("exit")]
    assert len(exits) == len(set(exits))
    workers = {g for g, n in tl.g_names.items() if n == "goroutine"}
    assert len(workers) == len(programs)
    assert workers | {1} <= set(exits)
    assert first.stats["unfinished"] == first.stats["goroutines"] - len(exits)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs=workload(), procs=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
def test_every_model_gives_the_same_deadlock_verdict(programs, procs, seed):
    """Whether a workload deadlocks depends on the program, not on the scheduler:
    every model finishes it, or every model reports the deadlock."""
    verdicts = {name: isinstance(run_or_deadlock(programs, make(procs), seed), gk.Deadlock)
                for name, make in MODELS.items()}
    assert set(verdicts.values()) == {expect_deadlock(programs)}, verdicts


def test_most_generated_workloads_complete():
    """The generator makes workloads that mostly finish (so the properties above
    check real runs, not just a repeated deadlock), yet still some deadlocks."""
    rng = random.Random(2026)
    n, dead = 300, 0
    for i in range(n):
        programs = gen_workload(rng.randint)
        if isinstance(run_or_deadlock(programs, gk.GMP(procs=1 + i % 4), seed=i), gk.Deadlock):
            dead += 1
    print(f"{dead} of {n} generated workloads deadlock ({100 * dead / n:.1f} %)")
    assert 0 < dead <= 0.10 * n
