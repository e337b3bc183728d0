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
# # 07 · The GMP scheduler, part 2: system calls, the netpoller, sysmon, preemption
#
# Notebook 06 took the run queues apart: where a runnable goroutine waits, who steals it, and
# why only a few threads spin. This notebook follows a goroutine out of Go code: into a
# blocking system call, onto the network poller, and into a loop that never yields. The
# runtime's watchman in all three is **sysmon**, a thread that holds no P. The last experiment
# runs one workload under Go 1.0's GM scheduler and under GMP, and measures Vyukov's four
# problems on both.
#
# Every experiment runs `gk.GMP`, the miniature of `runtime/proc.go` from notebook 06. Runs are
# seeded, so the numbers you see are the numbers the (hidden) assert cells check.

# %% [markdown]
# ## Learning goals
#
# After this notebook you can:
#
# 1. say when **sysmon** takes a P away from a goroutine stuck in a system call, why network
#    waits need no thread, and how the time slice (`forcePreemptNS`) is enforced (cooperative
#    vs asynchronous preemption);
# 2. show, on one workload, how far GMP reduces the four problems of Go 1.0's GM scheduler,
#    and which of them it only shrinks;
# 3. correct the article's claim about GOMAXPROCS's default, and say why a P is not a CPU.

# %%
from gmpkit import facts, predictions
from gmpkit.checks import Question, answer_boxes, self_check
from gmpkit.models import gmp as gmp_model
from gmpkit.widgets import gmp

tally = predictions.tally("07_gmp_syscalls")   # your predictions in this notebook

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the article says about GOMAXPROCS and P
#
# **3. "在Go1.5之后GOMAXPROCS被默认设置可用的核数" — half right.** Since **Go 1.5** the default is
# the number of CPUs the process may use (`runtime.NumCPU`, which on Linux already honours the
# affinity mask; before 1.5 the default was 1: see notebook 05). Since **Go 1.25**, on Linux it
# is also capped by the **cgroup CPU limit** (a container given 2 CPUs on a 64-core host gets
# GOMAXPROCS=2), and the runtime updates it when the limit or the affinity changes — for
# programs whose `go.mod` says `go 1.25` or later. See the doc comment of `runtime.GOMAXPROCS`
# in `debug.go`.
#
# **4. "P … 并不是真正的物理cpu" (P is not a physical CPU) — right, and worth stressing.** A P is
# a *token*: whoever holds it may run Go code, and it carries a run queue and caches. The kernel
# still decides which CPU a thread runs on; GOMAXPROCS Ps may run on fewer CPUs (other programs
# compete), and the number of **threads** is not bounded by GOMAXPROCS at all: Ms blocked in
# system calls hold no P (experiment 1 below).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Experiment 1 · System calls: sysmon's retake, and the netpoller
#
# Since Go 1.1 a G entering a blocking system call **keeps its P** (`entersyscall`): most
# system calls are short, and handing the P off at once would cost a thread wake-up each time.
# **sysmon** is a thread with no P. Between rounds it calls `usleep(delay)`, starting from the
# shortest delay `proc.go` asks for (`usleep(20)`); like any short sleep on Linux it wakes
# somewhat later than asked (timer slack plus the wake-up), and it backs off when its rounds
# find nothing to retake. The model's tick is printed below. Each round runs `retake`. Its
# rule for a P whose G is in a system call (in Go 1.27 such a P stays `_Prunning`; older
# releases marked it `_Psyscall`), from this machine's `proc.go`:
#
# * sysmon must already have seen **the same** syscall in an earlier round (`pd.syscalltick`
#   equals `pp.syscalltick`), i.e. it has lasted at least one sysmon tick — or the P's
#   `schedtick` has not moved for `forcePreemptNS`;
# * **and** the P has work in its own run queue, **or** no P is idle and no M is spinning,
#   **or** `10*1000*1000` ns have passed since sysmon first saw the syscall (`pd.syscallwhen`).
#
# Then `takeP` and `handoffp` give the P to another M.

# %% tags=["nbval-ignore-output"]
header, text, live = gmp.runtime_excerpt("retake", keep=[
    r"schedwhen\+forcePreemptNS", r"sysretake = true", r"1 sysmon tick", r"syscalltick\) != syst",
    r"runqempty\(pp\) &&", r"takeP\(\)", r"handoffp\(pp\)"])
print(header)
print(text)
from gmpkit import diagrams
diagrams.syscall_handoff()   # a long syscall, step by step

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
_, rt, _ = gmp.runtime_excerpt("retake", keep=[r"runqempty\(pp\) &&"])
assert "nmspinning" in rt and "npidle" in rt and "10*1000*1000" in rt

# %%
print("the model, on this machine:", facts.retake_rule() + ".")

# %% [markdown]
#
# **Predict first:** `main` makes one blocking syscall on P0, with two Gs queued behind it or
# with nothing queued; P1 is idle. For which durations is P0 taken away, and how soon?

# %% tags=["nbval-ignore-output"]
tally.ask("07-retake")

# %% tags=["nbval-ignore-output"]
sysc = gmp.syscall_panel()
tally.follow("07-retake", sysc)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
sweep = gmp._syscall_sweep(2)
work = dict(sweep[True])
idle = dict(sweep[False])
tick = facts.sysmon_tick_ns(2)           # the model's delivered sysmon tick
assert all(r is None or r >= tick for r in work.values())
assert all(r is not None for d, r in work.items() if d * 1000 >= 3 * tick)
assert all(r is None for d, r in idle.items() if d * 1000 < gmp_model.SYSCALL_RETAKE_NS)
assert all(r >= gmp_model.SYSCALL_RETAKE_NS for r in idle.values() if r is not None)
print("work queued:", {d: r for d, r in work.items()})
print("nothing queued:", {d: r for d, r in idle.items()})

# %%
for sentence in facts.retake_sentences(2):
    print(sentence)

# %% [markdown]
# **What to notice:**
#
# * With work queued, the P is retaken after **one to two sysmon ticks** (the first sentence
#   printed above: where the syscall starts in sysmon's cycle decides which); a syscall
#   shorter than that never loses its P (the `fast` exit path).
# * With nothing queued and an idle P around, a lost P would gain nothing: sysmon leaves it
#   until `retake`'s limit has passed (and, having backed off, notices a little later).
# * With GOMAXPROCS=1 there is no other P to be idle, so even with nothing queued the P goes
#   after a tick or two (the third sentence).
# * When the P is gone, the returning G tries to get it back or grab an idle one
#   (`exitsyscall`); failing both, it goes to the global queue and its M parks.
#
# Network I/O is different: the G parks on the **netpoller** (epoll) and its thread goes back to
# work. Nothing blocks in the kernel except, at most, one M waiting in `netpoll`.
#
# **Predict first:** 16 goroutines each wait 1 ms at the same time, first in a blocking
# syscall, then on the network (GOMAXPROCS=2). How many threads in each case?

# %% tags=["nbval-ignore-output"]
tally.ask("07-netio")

# %% tags=["nbval-ignore-output"]
net = gmp.netio_panel()
tally.follow("07-netio", net)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
nv = net.data
assert nv["netio"]["peak"] <= nv["procs"] + 2             # Ps' Ms + sysmon, whatever n
assert nv["syscall"]["peak"] > nv["netio"]["peak"]
peaks = gmp._netio_sweep(2)
assert [p[2] for p in peaks] == sorted(p[2] for p in peaks) and peaks[-1][2] <= 4
assert peaks[-1][1] > peaks[0][1]
print(f"{nv['n']} waiting: {nv['syscall']['peak']} threads (syscall) vs "
      f"{nv['netio']['peak']} (netio)")

# %% [markdown]
# **What to notice:**
#
# * Blocking syscalls cost one thread each while they block (up to `SetMaxThreads`,
#   10 000), because the kernel holds the thread.
# * Network waits stay flat at GOMAXPROCS + sysmon: the netpoller turns 16 (or 64, or 10 000)
#   waiting connections into one `epoll_wait`.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Experiment 2 · The time slice: cooperative vs asynchronous preemption
#
# sysmon's `retake` also watches each P's `schedtick`: if it has not moved for
# `forcePreemptNS` (printed below), the G has had its slice and `preemptone` asks it to stop.
# *Cooperatively*, by poisoning `stackguard0` so the next function call enters the scheduler —
# useless for a tight loop without calls. Since **Go 1.14** also *asynchronously*: a **SIGURG**
# signal interrupts the thread wherever it is. A preempted G goes to the global queue's tail.
#
# **Predict first:** on one P, a 30 ms tight loop and a goroutine that sleeps 1 ms in a loop.
# How late does the sleeper wake up, with async preemption on, and with
# `GODEBUG=asyncpreemptoff=1`?

# %% tags=["nbval-ignore-output"]
tally.ask("07-preempt")

# %% tags=["nbval-ignore-output"]
pre = gmp.preemption_panel()
tally.follow("07-preempt", pre)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
on = gmp.preemption(30, True, True)
off = gmp.preemption(30, False, True)
calls = gmp.preemption(30, False, False)
slice_ns = gmp_model.FORCE_PREEMPT_NS
assert slice_ns <= on["first_latency_ns"] < 30_000_000 and on["preemptions"] >= 1
assert off["first_latency_ns"] >= 30_000_000 - 2_000_000     # the whole hog, less the 1 ms sleep
assert calls["first_latency_ns"] == on["first_latency_ns"]
print(f"first wake-up late by: async {on['first_latency_ns'] / 1e6:.1f} ms, "
      f"asyncpreemptoff {off['first_latency_ns'] / 1e6:.1f} ms, "
      f"loop with calls {calls['first_latency_ns'] / 1e6:.1f} ms")

# %%
print(f"forcePreemptNS = {facts.fmt(facts.force_preempt_ns())}; in the model, "
      f"{facts.preempt_sentence()}")

# %% [markdown]
# **What to notice:**
#
# * With async preemption the sleeper is late by about one time slice plus however long
#   sysmon, backing off, takes to look (the last line above), not by the whole hog.
# * With `asyncpreemptoff=1` a tight loop keeps the P until it ends — before Go 1.14 such a
#   loop could even block the garbage collector forever. A loop that makes function calls is
#   stopped cooperatively just as fast as by the signal.
# * The second tick can be later than the first: the preempted hog is taken back from the
#   global queue, and sysmon, idle for a while, checks only every few ms.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Experiment 3 · One workload, two schedulers: GM (Go 1.0) vs GMP (Go 1.1)
#
# Vyukov's 2012 design doc named four problems of GM (notebook 05). The same workload — 8
# client/server pairs over unbuffered channels, the server making a short (10 µs) blocking
# syscall every second request — runs under both models, and each problem is measured the same
# way for both:
#
# 1. **lock**: time Ms spent waiting for the one scheduler lock;
# 2. **hand-off**: wake-ups after which the woken G ran on *another thread* than its waker (its
#    data is in the other core's cache);
# 3. **mcache**: 2 MiB per M under GM, per P under GMP;
# 4. **thread churn**: how many times a thread went to sleep on the idle list.
#
# **Predict first:** which of the four does GMP reduce to (almost) zero, and which only
# shrink?

# %% tags=["nbval-ignore-output"]
tally.ask("07-gm-vs-gmp")

# %% tags=["nbval-ignore-output"]
both = gmp.gm_vs_gmp_panel()
tally.follow("07-gm-vs-gmp", both)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
both.set(model="GM")
gm_, gmp_ = both.data["GM"], both.data["GMP"]
assert both.summary.startswith("showing GM")
assert gmp_["lock_wait_ns"] == 0 < gm_["lock_wait_ns"]
assert gmp_["remote_wakeups"] * 10 < gm_["remote_wakeups"]
assert gmp_["mcache_bytes"] == both.data["procs"] * 2**21 < gm_["mcache_bytes"]
assert gmp_["thread_sleeps"] < gm_["thread_sleeps"]
for key in ("lock_wait_ns", "remote_wakeups", "mcache_bytes", "thread_sleeps", "makespan_ns"):
    print(f"{key:15s} GM {gm_[key]:>10,}   GMP {gmp_[key]:>10,}")
from gmpkit.widgets import gm as gm_widgets
ch = gm_widgets.churn(10, 4)
worst, worst_us = max(zip(ch["GMP"]["parks_per_100"], ch["sweep"]))
assert worst > 5 * max(ch["GMP"]["parks_per_100"][0], 1)   # long syscalls: GMP still parks threads

# %%
print(f"notebook 05's churn panel, GMP: {ch['GMP']['parks_per_100'][0]:g} parks per 100 syscalls "
      f"of {ch['sweep'][0]} µs, but {worst:g} per 100 syscalls of {worst_us} µs")

# %% [markdown]
# **What to notice:**
#
# * **Lock**: GMP's `go` statements and wake-ups touch only the P's own queue: no global lock
#   (the global queue still has one, but it is the rare path).
# * **Hand-off**: `ready` puts the woken G in the waker's **`runnext`**: it runs on the same
#   thread, right after, with its data still in cache. GM handed it to whichever M was idle.
# * **mcache**: GOMAXPROCS caches, however many threads sit in system calls.
# * **Churn**: short syscalls keep their P, and idle Ms spin a little before sleeping, so
#   threads sleep and wake less — fewer, not none. GMP does not remove problem 4: the last
#   line above shows that for longer syscalls it still parks a thread on a large share of them
#   (the P was retaken, so the returning thread finds none). It moves the churn to syscalls
#   long enough for a wake-up to be small beside them.
# * So, on this workload, GMP *removes* problem 1 (no time waiting for a scheduler lock),
#   *bounds* problem 3 (GOMAXPROCS caches), *nearly removes* problem 2, and only *shrinks*
#   problem 4. Toggle the model and compare the Gantt charts: GM's pink `lock-wait` bars are
#   the first problem made visible.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the model leaves out
#
# A model is a simplification; here is what `gk.GMP` does not do (its `SIMPLIFIES` list):

# %%
for item in gmp_model.GMP.SIMPLIFIES:
    print("-", item)

# %% [markdown]
# ## Summary
#
# * A syscall keeps its P until **sysmon** retakes it: after one to two sysmon ticks if the P
#   has work or no other P is idle and no M is spinning, otherwise only after `retake`'s long
#   limit; network waits park only the G, on the netpoller.
# * A G running a whole time slice (`forcePreemptNS`) without yielding is preempted:
#   cooperatively at a function call, or by **SIGURG** (Go 1.14+) anywhere.
# * On one workload, GMP removes GM's global lock, nearly removes remote hand-offs, bounds the
#   mcaches at one per P, and only shrinks thread churn: long syscalls still park threads.

# %% [markdown]
# ## Self-check
#
# Replace each `...` with your answer and run the cell. The expected answers are computed
# (by the model, or from this machine's measurements above) only when you check, and each
# comes with the reason. Prefer boxes and buttons? Use the widget under it: its **Show all
# answers** button computes and explains every answer, and it shows how many of this
# notebook's predictions you got right (save them as JSON).

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
q4 = Question(
    "retake-idle",
    "A G makes a 5 ms blocking syscall; its P has nothing queued and another P is idle. Does "
    "sysmon retake the P (True/False)?",
    answer=lambda: gmp.syscall_retake(5000, False)["retaken"],
    explain=lambda exp: ("retake leaves a syscall's P alone when its queue is empty and some "
                         "P is idle or an M is spinning, until sysmon first saw the syscall "
                         f"{facts.fmt(facts.syscall_retake_ns())} ago."))
q5 = Question(
    "netio-threads",
    "16 goroutines wait 1 ms on the network at the same time, GOMAXPROCS=2. How many threads "
    "does the runtime have at the peak, sysmon included?",
    answer=lambda: gmp.syscall_vs_netio(16, 2)["netio"]["peak"],
    explain=lambda exp: (f"{exp}: a goroutine waiting on a socket parks on the netpoller and its "
                         "thread goes back to running Go code; only a blocking system call holds "
                         "a thread for its whole length."))
questions = [q4, q5]

# %%
my_answers = {
    "retake-idle": ...,
    "netio-threads": ...,
}
self_check(questions, my_answers)

# %% tags=["nbval-ignore-output"]
answer_boxes(questions, tally)

# %% [markdown]
# ## Glossary
#
# | English | 中文 | in the runtime |
# |---|---|---|
# | goroutine (G) | goroutine（通常不译；也称 Go 协程） | `type g` |
# | machine, OS thread (M) | 工作线程 / 系统线程 | `type m` |
# | processor (P) | 处理器 P（逻辑处理器，不是 CPU） | `type p`, GOMAXPROCS of them |
# | system monitor | 系统监控 (sysmon) | `sysmon`, `retake` |
# | hand-off of a P | 移交 P / 解绑 | `handoffp` |
# | system call | 系统调用 | `entersyscall`, `exitsyscall` |
# | network poller | 网络轮询器 | `netpoll`, `injectglist` |
# | preemption | 抢占 | `preemptone`, `forcePreemptNS` |
# | cooperative / asynchronous preemption | 协作式抢占 / 异步抢占（信号 SIGURG） | `stackguard0`, `preemptM` |
# | time slice | 时间片 | `forcePreemptNS` (sysmon watches `schedtick`) |
#
# ## Further reading
#
# In this order:
#
# 1. [proc.go at go1.27.3](https://github.com/golang/go/blob/go1.27.3/src/runtime/proc.go): `entersyscall`, `exitsyscall`, `exitsyscallTryGetP` and `exitsyscallNoP`, `handoffp`, then `sysmon` and `retake`, whose comments state the rules this lecture simulated.
# 2. Austin Clements, [Proposal: Non-cooperative goroutine preemption](https://github.com/golang/proposal/blob/master/design/24543-non-cooperative-preemption.md) (2019), and the [Go 1.14 release notes](https://go.dev/doc/go1.14#runtime) that shipped it.
# 3. The netpoller: [netpoll.go](https://github.com/golang/go/blob/go1.27.3/src/runtime/netpoll.go) and [netpoll_epoll.go](https://github.com/golang/go/blob/go1.27.3/src/runtime/netpoll_epoll.go); Daniel Morsing, [The Go netpoller](https://morsmachine.dk/netpoller) (2013), for the picture.
# 4. Timers: `runtime/time.go` at the same tag; timers moved onto the Ps in Go 1.14, whose [release notes](https://go.dev/doc/go1.14#runtime) say only that internal timers became "more efficient, with less lock contention and fewer context switches".
# 5. 中文：《Go 语言设计与实现》[6.5 调度器](https://draveness.me/golang/docs/part3-runtime/ch06-concurrency/golang-goroutine/) 与 [6.6 网络轮询器](https://draveness.me/golang/docs/part3-runtime/ch06-concurrency/golang-netpoller/)。
