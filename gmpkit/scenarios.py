"""Named workloads shared by the notebooks, homework, benchmarks and real-Go mirrors.

Each factory returns a :class:`Scenario`: a workload (a ``main`` generator
function and its parameters) that any model can run.  Scenarios that have a
Go twin name it in ``go_program`` (``gmpkit/real/programs/<name>.go``), so the
course can run both and compare.

>>> import gmpkit as gk
>>> sc = cpu_fanout(goroutines=4, work_us=100)
>>> run = sc.run(gk.GreenThreads())
>>> run.results["done"]
4
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from . import ops as gk
from .sync import Chan, Mutex, WaitGroup

__all__ = ["Scenario", "SCENARIOS", "get", "cpu_fanout", "ping_pong", "syscall_storm",
           "short_syscalls", "netio_server", "cpu_hog", "spawn_burst", "lock_heavy", "mixed"]


@dataclass(frozen=True)
class Scenario:
    """A named workload: ``main(results)`` (a generator function that may record
    results in the dict it is given), its parameters, and what it is for."""

    name: str
    title: str
    main: Callable
    params: dict = field(default_factory=dict)
    go_program: str | None = None
    teaches: str = ""

    def run(self, model, seed=0, **kw):
        """Simulate under ``model``; the Run gets ``results`` filled by the workload."""
        from .sim import simulate
        results: dict = {}
        run = simulate(self.main, results, model=model, seed=seed, **kw)
        run.results = results
        run.scenario = self
        return run

    def simulation(self, model, seed=0, **kw):
        """A stepping :class:`~gmpkit.sim.Simulation` of this scenario (for animations)."""
        from .sim import Simulation
        sim = Simulation(self.main, {}, model=model, seed=seed, **kw)
        return sim


def _positive(name, value, lo=1):
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise ValueError(f"{name}={value!r} must be an int >= {lo}")
    return value


def _fan_out(n, worker, *args, name=None, pass_results=False):
    """A ``main`` that starts ``n`` goroutines running ``worker(wg, *args)`` (and the
    results dict last, with ``pass_results``) and waits for all of them."""
    def main(results):
        wg = WaitGroup()
        wg.add(n)
        extra = (results,) if pass_results else ()
        for _ in range(n):
            yield gk.go(worker, wg, *args, *extra, name=name)
        yield wg.wait()
    return main


# ---------------------------------------------------------------------------
def cpu_fanout(goroutines=8, work_us=1000):
    """``goroutines`` workers each compute ``work_us``; main waits for all.

    Under GMP with P processors the makespan is about
    ``ceil(goroutines / P) * work_us``: the ideal parallel speed-up.
    """
    _positive("goroutines", goroutines)

    def worker(wg, results):
        yield gk.compute(us=work_us)
        results["done"] = results.get("done", 0) + 1
        yield wg.done()

    main = _fan_out(goroutines, worker, pass_results=True)

    return Scenario("cpu_fanout", f"CPU fan-out: {goroutines} x {work_us} µs", main,
                    dict(goroutines=goroutines, work_us=work_us),
                    go_program="cpu_fanout",
                    teaches="parallel speed-up is bounded by the number of processors")


def ping_pong(rounds=1000, work_ns=0):
    """Two goroutines bounce a value over unbuffered channels ``rounds`` times."""
    _positive("rounds", rounds)

    def pong(ping, pongc):
        while True:
            v, ok = yield ping.recv_ok()
            if not ok:
                return
            if work_ns:
                yield gk.compute(ns=work_ns)
            yield pongc.send(v + 1)

    def main(results):
        ping, pongc = Chan(name="ping"), Chan(name="pong")
        yield gk.go(pong, ping, pongc, name="pong")
        t0 = yield gk.now()
        v = 0
        for _ in range(rounds):
            yield ping.send(v)
            v = yield pongc.recv()
        t1 = yield gk.now()
        yield ping.close()
        results["handoff_ns"] = (t1 - t0) / (2 * rounds)
        results["final"] = v

    return Scenario("ping_pong", f"channel ping-pong, {rounds} rounds", main,
                    dict(rounds=rounds, work_ns=work_ns),
                    go_program="ping_pong",
                    teaches="a channel hand-off between goroutines never enters the kernel")


def syscall_storm(goroutines=32, syscall_us=1000, compute_us=50):
    """Goroutines each compute a little then make a blocking system call."""
    _positive("goroutines", goroutines)

    def worker(wg):
        yield gk.compute(us=compute_us)
        yield gk.syscall(us=syscall_us)
        yield gk.compute(us=compute_us)
        yield wg.done()

    main = _fan_out(goroutines, worker)

    return Scenario("syscall_storm", f"{goroutines} blocking syscalls of {syscall_us} µs", main,
                    dict(goroutines=goroutines, syscall_us=syscall_us, compute_us=compute_us),
                    go_program="syscall_storm",
                    teaches="a blocking syscall takes its thread; the runtime adds threads")


def short_syscalls(goroutines=32, rounds=4, syscall_us=100, compute_us=20):
    """Goroutines each make ``rounds`` short blocking calls, with a little compute
    before each: a call that sysmon sees on two of its rounds loses its P, a
    shorter one keeps it (the ``exitsyscall`` fast path)."""
    _positive("goroutines", goroutines)
    _positive("rounds", rounds)

    def worker(wg):
        for _ in range(rounds):
            yield gk.compute(us=compute_us)
            yield gk.syscall(us=syscall_us)
        yield wg.done()

    main = _fan_out(goroutines, worker)

    return Scenario("short_syscalls",
                    f"{goroutines} goroutines x {rounds} short syscalls of {syscall_us} µs", main,
                    dict(goroutines=goroutines, rounds=rounds, syscall_us=syscall_us,
                         compute_us=compute_us),
                    go_program="short_syscalls",
                    teaches="only syscalls that outlive a sysmon tick cost a thread hand-off")


def netio_server(connections=32, io_us=1000, compute_us=50, requests=1):
    """A server: one goroutine per connection waits on the network, then works."""
    _positive("connections", connections)

    def conn(wg):
        for _ in range(requests):
            yield gk.netio(us=io_us)
            yield gk.compute(us=compute_us)
        yield wg.done()

    main = _fan_out(connections, conn, name="conn")

    return Scenario("netio_server", f"{connections} connections on the netpoller", main,
                    dict(connections=connections, io_us=io_us, compute_us=compute_us,
                         requests=requests),
                    go_program="netio_server",
                    teaches="network waits park goroutines, not threads")


def cpu_hog(hog_ms=50, tight=True, ticks=10, tick_us=1000):
    """A CPU hog next to a latency-sensitive goroutine that wakes every ``tick_us``.

    ``results["latency_ns"]`` lists how late each wake-up ran (0 = on time).
    With ``tight=True`` the hog has no preemption point: only asynchronous
    preemption (Go 1.14+) can stop it.
    """

    def hog():
        yield gk.compute(ms=hog_ms, tight=tight)

    def ticker(results, wg):
        lat = results.setdefault("latency_ns", [])
        for _ in range(ticks):
            due = (yield gk.now()) + tick_us * 1000
            yield gk.sleep(us=tick_us)
            lat.append((yield gk.now()) - due)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(1)
        yield gk.go(ticker, results, wg, name="ticker")
        yield gk.go(hog, name="hog")
        yield wg.wait()

    return Scenario("cpu_hog", f"{'tight ' if tight else ''}CPU hog of {hog_ms} ms vs a ticker",
                    main, dict(hog_ms=hog_ms, tight=tight, ticks=ticks, tick_us=tick_us),
                    go_program="cpu_hog",
                    teaches="preemption bounds how long a hog can delay others")


def spawn_burst(goroutines=300, work_us=10):
    """One goroutine starts ``goroutines`` children in a burst (overflows a 256 ring)."""
    _positive("goroutines", goroutines)

    def child(wg):
        yield gk.compute(us=work_us)
        yield wg.done()

    main = _fan_out(goroutines, child)

    return Scenario("spawn_burst", f"burst of {goroutines} go statements", main,
                    dict(goroutines=goroutines, work_us=work_us),
                    go_program="spawn_burst",
                    teaches="a full local ring spills half of itself to the global queue")


def lock_heavy(goroutines=64, rounds=20, work_ns=500):
    """Many goroutines doing tiny work and frequent channel operations.

    Every operation wakes or parks a goroutine, so a scheduler with one global
    lock (Go 1.0) spends its time queueing on that lock.
    """
    _positive("goroutines", goroutines)

    def worker(jobs, done):
        while True:
            v, ok = yield jobs.recv_ok()
            if not ok:
                return
            yield gk.compute(ns=work_ns)
            yield done.send(v)

    def main(results):
        jobs, done = Chan(cap=goroutines), Chan(cap=goroutines)
        for _ in range(goroutines):
            yield gk.go(worker, jobs, done)
        total = 0
        for r in range(rounds):
            for i in range(goroutines):
                yield jobs.send(i)
            for _ in range(goroutines):
                total += yield done.recv()
        yield jobs.close()
        results["total"] = total

    return Scenario("lock_heavy", f"{goroutines} workers x {rounds} rounds of tiny jobs", main,
                    dict(goroutines=goroutines, rounds=rounds, work_ns=work_ns),
                    teaches="a global scheduler lock stops throughput from scaling")


def mixed(goroutines=16, seed_work_us=200):
    """A bit of everything: compute, channel, mutex, syscall, netio, sleep."""
    _positive("goroutines", goroutines)

    def worker(i, mu, shared, out, wg):
        yield gk.compute(us=seed_work_us + 10 * i)
        if i % 4 == 0:
            yield gk.syscall(us=300)
        elif i % 4 == 1:
            yield gk.netio(us=300)
        elif i % 4 == 2:
            yield gk.sleep(us=100)
        yield mu.lock()
        shared["n"] = shared.get("n", 0) + 1
        yield mu.unlock()
        yield out.send(i)
        yield wg.done()

    def main(results):
        mu, out, wg = Mutex(), Chan(cap=goroutines), WaitGroup()
        wg.add(goroutines)
        for i in range(goroutines):
            yield gk.go(worker, i, mu, results, out, wg)
        yield wg.wait()
        got = []
        for _ in range(goroutines):
            got.append((yield out.recv()))
        results["order"] = got

    return Scenario("mixed", f"{goroutines} goroutines of mixed work", main,
                    dict(goroutines=goroutines, seed_work_us=seed_work_us),
                    teaches="all mechanisms together")


SCENARIOS = {f.__name__: f for f in (cpu_fanout, ping_pong, syscall_storm, short_syscalls,
                                     netio_server, cpu_hog, spawn_burst, lock_heavy, mixed)}


def get(name, **params):
    """A scenario by name: ``get("ping_pong", rounds=100)``."""
    if name not in SCENARIOS:
        raise KeyError(f"no scenario {name!r}; choose from {', '.join(SCENARIOS)}")
    return SCENARIOS[name](**params)
