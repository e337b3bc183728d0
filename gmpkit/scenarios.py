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

from . import ops
from .i18n import tr
from .sync import Chan, Mutex, WaitGroup

__all__ = ["Scenario", "SCENARIOS", "get", "cpu_fanout", "ping_pong", "syscall_storm",
           "short_syscalls", "netio_server", "cpu_hog", "spawn_burst", "lock_heavy", "mixed",
           "animation_mix", "long_syscall", "netio_waits", "tight_hogs", "burst_and_look",
           "gosched_fairness", "go_bursts", "syscall_behind_queue", "hog_vs_ticker",
           "server_mix"]


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
        raise ValueError(tr("{name}={value!r} must be an int >= {lo}", name=name, value=value,
                            lo=lo))
    return value


def _fan_out(n, worker, *args, name=None, pass_results=False):
    """A ``main`` that starts ``n`` goroutines running ``worker(wg, *args)`` (and the
    results dict last, with ``pass_results``) and waits for all of them."""
    def main(results):
        wg = WaitGroup()
        wg.add(n)
        extra = (results,) if pass_results else ()
        for _ in range(n):
            yield ops.go(worker, wg, *args, *extra, name=name)
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
        yield ops.compute(us=work_us)
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
                yield ops.compute(ns=work_ns)
            yield pongc.send(v + 1)

    def main(results):
        ping, pongc = Chan(name="ping"), Chan(name="pong")
        yield ops.go(pong, ping, pongc, name="pong")
        t0 = yield ops.now()
        v = 0
        for _ in range(rounds):
            yield ping.send(v)
            v = yield pongc.recv()
        t1 = yield ops.now()
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
        yield ops.compute(us=compute_us)
        yield ops.syscall(us=syscall_us)
        yield ops.compute(us=compute_us)
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
            yield ops.compute(us=compute_us)
            yield ops.syscall(us=syscall_us)
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
            yield ops.netio(us=io_us)
            yield ops.compute(us=compute_us)
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
        yield ops.compute(ms=hog_ms, tight=tight)

    def ticker(results, wg):
        lat = results.setdefault("latency_ns", [])
        for _ in range(ticks):
            due = (yield ops.now()) + tick_us * 1000
            yield ops.sleep(us=tick_us)
            lat.append((yield ops.now()) - due)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(1)
        yield ops.go(ticker, results, wg, name="ticker")
        yield ops.go(hog, name="hog")
        yield wg.wait()

    return Scenario("cpu_hog", f"{'tight ' if tight else ''}CPU hog of {hog_ms} ms vs a ticker",
                    main, dict(hog_ms=hog_ms, tight=tight, ticks=ticks, tick_us=tick_us),
                    go_program="cpu_hog",
                    teaches="preemption bounds how long a hog can delay others")


def spawn_burst(goroutines=300, work_us=10):
    """One goroutine starts ``goroutines`` children in a burst (overflows a 256 ring)."""
    _positive("goroutines", goroutines)

    def child(wg):
        yield ops.compute(us=work_us)
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
            yield ops.compute(ns=work_ns)
            yield done.send(v)

    def main(results):
        jobs, done = Chan(cap=goroutines), Chan(cap=goroutines)
        for _ in range(goroutines):
            yield ops.go(worker, jobs, done)
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
        yield ops.compute(us=seed_work_us + 10 * i)
        if i % 4 == 0:
            yield ops.syscall(us=300)
        elif i % 4 == 1:
            yield ops.netio(us=300)
        elif i % 4 == 2:
            yield ops.sleep(us=100)
        yield mu.lock()
        shared["n"] = shared.get("n", 0) + 1
        yield mu.unlock()
        yield out.send(i)
        yield wg.done()

    def main(results):
        mu, out, wg = Mutex(), Chan(cap=goroutines), WaitGroup()
        wg.add(goroutines)
        for i in range(goroutines):
            yield ops.go(worker, i, mu, results, out, wg)
        yield wg.wait()
        got = []
        for _ in range(goroutines):
            got.append((yield out.recv()))
        results["order"] = got

    return Scenario("mixed", f"{goroutines} goroutines of mixed work", main,
                    dict(goroutines=goroutines, seed_work_us=seed_work_us),
                    teaches="all mechanisms together")


# ---------------------------------------------------------------------------
# Workloads of single experiments (notebooks 06 and 07).  They are not in SCENARIOS,
# the set every model, the wheel test and the real-Go mirrors run; each is what one
# panel or one animation needs, and the panel's assertions depend on its exact shape.

def animation_mix():
    """Six compute workers, two blocking syscalls and two network waits (the G-M-P
    animation's first workload)."""

    def worker(wg):
        yield ops.compute(us=150)
        yield wg.done()

    def sys_g(wg):
        yield ops.compute(us=20)
        yield ops.syscall(us=400)
        yield ops.compute(us=20)
        yield wg.done()

    def net_g(wg):
        yield ops.netio(us=250)
        yield ops.compute(us=30)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(10)
        for _ in range(2):
            yield ops.go(sys_g, wg, name="syscall")
        for _ in range(2):
            yield ops.go(net_g, wg, name="netio")
        for _ in range(6):
            yield ops.go(worker, wg, name="worker")
        yield wg.wait()

    return Scenario("animation_mix", "burst + syscalls + netio", main,
                    teaches="every mechanism of the G-M-P scheduler in one short run")


def long_syscall():
    """One long blocking syscall (1.5 ms) while its P still has four Gs queued."""

    def worker(wg):
        yield ops.compute(us=300)
        yield wg.done()

    def blocker(wg):
        yield ops.syscall(us=1500)
        yield ops.compute(us=50)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(5)
        for _ in range(4):
            yield ops.go(worker, wg, name="worker")
        yield ops.go(blocker, wg, name="syscall")
        yield wg.wait()

    return Scenario("long_syscall", "a long syscall with work queued", main,
                    teaches="sysmon retakes the P of a thread stuck in a syscall")


def netio_waits(connections=8):
    """``connections`` goroutines wait on the network (200 µs, 250 µs, ...), then work 40 µs."""
    _positive("connections", connections)

    def conn(wg, i):
        yield ops.netio(us=200 + 50 * i)
        yield ops.compute(us=40)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(connections)
        for i in range(connections):
            yield ops.go(conn, wg, i, name="conn")
        yield wg.wait()

    return Scenario("netio_waits", f"{connections} staggered network waits", main,
                    dict(connections=connections),
                    teaches="Gs park on the netpoller; no thread waits with them")


def tight_hogs(hogs=4, hog_ms=25):
    """``hogs`` tight loops (no function calls) and a goroutine that wants to run every 1 ms."""
    _positive("hogs", hogs)

    def hog(wg):
        yield ops.compute(ms=hog_ms, tight=True)
        yield wg.done()

    def ticker(wg):
        for _ in range(3):
            yield ops.sleep(us=1000)
            yield ops.compute(us=20)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(hogs + 1)
        yield ops.go(ticker, wg, name="ticker")
        for _ in range(hogs):
            yield ops.go(hog, wg, name="hog")
        yield wg.wait()

    return Scenario("tight_hogs", f"{hogs} tight loops and a ticker", main,
                    dict(hogs=hogs, hog_ms=hog_ms),
                    teaches="sysmon preempts a G that ran for 10 ms")


def burst_and_look(goroutines=300, work_us=10):
    """Like :func:`spawn_burst`, but main computes 5 µs after the burst, so the
    queues hold still for a look before anything else runs."""
    _positive("goroutines", goroutines)

    def child(wg):
        yield ops.compute(us=work_us)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(goroutines)
        for _ in range(goroutines):
            yield ops.go(child, wg)
        yield ops.compute(us=5)
        yield wg.wait()

    return Scenario("burst_and_look", f"burst of {goroutines} go statements, then a pause",
                    main, dict(goroutines=goroutines, work_us=work_us),
                    teaches="runnext, the 256-slot ring and its overflow to the global queue")


def gosched_fairness(local=200, rounds=4, work_us=20):
    """``local`` workers queued behind one G that yields (``runtime.Gosched``, to the
    global queue) ``rounds`` times; ``results["yields"]``/``["turns"]`` hold when it
    yielded and when it ran again."""

    def worker(wg):
        yield ops.compute(us=work_us)
        yield wg.done()

    def yielder(wg, results):
        for _ in range(rounds):
            results.setdefault("yields", []).append((yield ops.now()))
            yield ops.gosched()           # to the tail of the global queue
            results.setdefault("turns", []).append((yield ops.now()))
            yield ops.compute(us=1)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(local + 1)
        yield ops.go(yielder, wg, results, name="yielder")
        for _ in range(local):
            yield ops.go(worker, wg, name="local")
        yield wg.wait()

    return Scenario("gosched_fairness", f"one yielder behind {local} local Gs", main,
                    dict(local=local, rounds=rounds, work_us=work_us),
                    teaches="the global queue gets a turn every 61st schedtick")


def go_bursts(rounds=10, burst=8, gap_us=100, work_us=40):
    """``rounds`` bursts of ``burst`` go statements, ``gap_us`` of main's own work apart."""

    def worker(wg):
        yield ops.compute(us=work_us)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(rounds * burst)
        for _ in range(rounds):
            for _ in range(burst):
                yield ops.go(worker, wg)
            yield ops.compute(us=gap_us)
        yield wg.wait()

    return Scenario("go_bursts", f"{rounds} bursts of {burst} go statements", main,
                    dict(rounds=rounds, burst=burst, gap_us=gap_us, work_us=work_us),
                    teaches="spinning Ms pick up bursts without a thread wake-up per G")


def syscall_behind_queue(duration_us=100, local_work=True):
    """main makes one blocking syscall of ``duration_us``, with two Gs queued on
    its P (``local_work``) or none."""

    def worker(wg):
        # long enough that P1, stealing, cannot empty P0's ring before sysmon
        # looks twice (even with a calibrated, longer sysmon tick)
        yield ops.compute(us=300)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        # A P's very first syscall matches sysmon's zero-initialised record and
        # can be retaken at first sight; one short syscall first avoids that.
        yield ops.syscall(ns=100)
        if local_work:
            wg.add(2)
            for _ in range(2):
                yield ops.go(worker, wg, name="queued")
        yield ops.syscall(us=duration_us)
        yield wg.wait()

    return Scenario("syscall_behind_queue", f"a {duration_us} µs syscall"
                    + (" with 2 Gs queued" if local_work else ""), main,
                    dict(duration_us=duration_us, local_work=local_work),
                    teaches="sysmon retakes a P in a syscall sooner when it has work")


def hog_vs_ticker(hog_ms=30, tight=True, ticks=3):
    """A hog computing ``hog_ms`` and a ticker that sleeps 1 ms ``ticks`` times;
    ``results["latency_ns"]`` says how late each tick ran, ``results["ticks"]``
    holds (due, ran) pairs.  Unlike :func:`cpu_hog`, the hog starts first."""

    def hog(wg):
        yield ops.compute(ms=hog_ms, tight=tight)
        yield wg.done()

    def ticker(wg, results):
        lat = results.setdefault("latency_ns", [])
        for _ in range(ticks):
            due = (yield ops.now()) + 1_000_000
            yield ops.sleep(us=1000)
            ran = yield ops.now()
            lat.append(ran - due)
            results.setdefault("ticks", []).append((due, ran))
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(2)
        yield ops.go(hog, wg, name="hog")
        yield ops.go(ticker, wg, results, name="ticker")
        yield wg.wait()

    return Scenario("hog_vs_ticker", f"a {hog_ms} ms hog vs a 1 ms ticker", main,
                    dict(hog_ms=hog_ms, tight=tight, ticks=ticks),
                    teaches="cooperative vs asynchronous preemption")


def server_mix(pairs=8, rounds=20, work_us=5, syscall_every=2, syscall_us=10):
    """Client/server pairs over unbuffered channels; the server does a blocking
    syscall every ``syscall_every`` requests.  Channel hand-offs, wake-ups and
    syscalls: everything the 2012 design doc blamed GM for."""

    def server(req, resp):
        i = 0
        while True:
            v, ok = yield req.recv_ok()
            if not ok:
                return
            yield ops.compute(us=work_us)
            i += 1
            if i % syscall_every == 0:
                yield ops.syscall(us=syscall_us)
            yield resp.send(v)

    def client(req, resp, wg):
        for r in range(rounds):
            yield req.send(r)
            yield resp.recv()
            yield ops.compute(us=work_us)
        yield req.close()
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(pairs)
        for _ in range(pairs):
            req, resp = Chan(), Chan()
            yield ops.go(server, req, resp, name="server")
            yield ops.go(client, req, resp, wg, name="client")
        yield wg.wait()

    return Scenario("server_mix", f"{pairs} client/server pairs", main,
                    dict(pairs=pairs, rounds=rounds, work_us=work_us,
                         syscall_every=syscall_every, syscall_us=syscall_us),
                    teaches="the four problems of Go 1.0's scheduler in one workload")


SCENARIOS = {f.__name__: f for f in (cpu_fanout, ping_pong, syscall_storm, short_syscalls,
                                     netio_server, cpu_hog, spawn_burst, lock_heavy, mixed)}


def get(name, **params):
    """A scenario by name: ``get("ping_pong", rounds=100)``."""
    if name not in SCENARIOS:
        raise KeyError(tr("no scenario {name!r}; choose from {names}", name=name,
                          names=", ".join(SCENARIOS)))
    return SCENARIOS[name](**params)
