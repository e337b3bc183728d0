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

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# # 07 · GMP 调度器（下）：系统调用、网络轮询器、`sysmon` 与抢占
#
# 第 6 讲拆解了运行队列：可运行的 goroutine 在哪里等待，谁会窃取它，为什么只有少数几个线程在自旋。本讲跟着 goroutine 离开 Go 代码：进入阻塞的系统调用，挂到网络轮询器上，或者陷入一个永不让出的循环。这三种情况都由 **`sysmon`** 替运行时值守，它是一个不持有 P 的线程。最后一个实验把同一个负载分别放到 Go 1.0 的 GM 调度器和 GMP 调度器上运行，在两边测量 Vyukov 指出的四个问题。
#
# 所有实验都运行在 `gk.GMP` 上，即第 6 讲中 `runtime/proc.go` 的缩微版。每次运行都固定了随机种子，你看到的数字正是（隐藏的）断言单元格所检查的数字。

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# ## 学习目标
#
# 学完本讲，你将能够：
#
# 1. 说出 **`sysmon`** 何时会从卡在系统调用里的 goroutine 手中收回 P，为什么网络等待不占用线程，以及时间片（`forcePreemptNS`）是怎样强制执行的（协作式抢占与异步抢占）；
# 2. 在同一个负载上演示 GMP 把 Go 1.0 GM 调度器的四个问题减轻到什么程度，其中哪些只是有所缓解；
# 3. 纠正原文关于 `GOMAXPROCS` 默认值的说法，并解释为什么 P 不是 CPU。

# %%
from gmpkit import facts, predictions
from gmpkit.i18n import tr
from gmpkit.checks import Question, answer_boxes, self_check
from gmpkit.models import gmp as gmp_model
from gmpkit.widgets import gmp

tally = predictions.tally("07_gmp_syscalls")   # your predictions in this notebook

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 原文关于 `GOMAXPROCS` 和 P 的说法
#
# **3.“在Go1.5之后GOMAXPROCS被默认设置可用的核数”——只对了一半。** 从 **Go 1.5** 起，默认值是进程可以使用的 CPU 数（`runtime.NumCPU`，在 Linux 上它已经考虑了 CPU 亲和性掩码；1.5 之前默认值是 1，见第 5 讲）。从 **Go 1.25** 起，在 Linux 上它还受 **cgroup 的 CPU 限额**约束（在 64 核主机上只分到 2 个 CPU 的容器，得到的就是 `GOMAXPROCS=2`），而且限额或亲和性变化时，运行时会随之更新它——前提是程序的 `go.mod` 写的是 `go 1.25` 或更高版本。详见 `debug.go` 里 `runtime.GOMAXPROCS` 的文档注释。
#
# **4.“P … 并不是真正的物理cpu”——说得对，而且值得强调。** P 是一枚**令牌**：谁持有它，谁就能运行 Go 代码；它还带着一个运行队列和一些缓存。线程在哪个 CPU 上运行，仍然由内核决定；`GOMAXPROCS` 个 P 可能只跑在更少的 CPU 上（还有别的程序在争用），而**线程**的数量根本不受 `GOMAXPROCS` 限制：阻塞在系统调用里的 M 并不持有 P（见下面的实验 1）。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 实验 1 · 系统调用：`sysmon` 的 `retake` 与网络轮询器
#
# 从 Go 1.1 起，进入阻塞系统调用的 G 会**保留它的 P**（`entersyscall`）：大多数系统调用都很短，如果每次都立即把 P 交出去，每次都得付出唤醒一个线程的代价。**`sysmon`** 是一个没有 P 的线程。每两轮之间它调用 `usleep(delay)` 休眠，起始值是 `proc.go` 里要求的最短延迟（`usleep(20)`）；和 Linux 上任何短暂的休眠一样，它实际醒来的时间会比要求的晚一些（定时器松弛量，再加上唤醒本身），而且如果连续几轮都没有可收回的 P，它就会退避，逐步拉长休眠间隔。模型所用的周期打印在下面。每一轮都会执行 `retake`。对于 G 正在系统调用中的 P（Go 1.27 里这样的 P 保持 `_Prunning` 状态，更早的版本把它标为 `_Psyscall`），本机 `proc.go` 中的规则是：
#
# * `sysmon` 必须在更早的某一轮里就已经见过**同一个**系统调用（`pd.syscalltick` 等于 `pp.syscalltick`），也就是说这个调用至少持续了一个 `sysmon` 周期——或者该 P 的 `schedtick` 已经有 `forcePreemptNS` 之久没有变化；
# * **并且**该 P 自己的运行队列里有工作，**或者**没有空闲的 P、也没有自旋的 M，**或者**自 `sysmon` 第一次见到这个系统调用（`pd.syscallwhen`）以来已经过去了 `10*1000*1000` ns。
#
# 条件满足后，`takeP` 和 `handoffp` 就把这个 P 交给另一个 M。

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
print(tr("the model, on this machine: {rule}.", rule=facts.retake_rule()))

# %% [markdown] lang="en"
#
# **Predict first:** `main` makes one blocking syscall on P0, with two Gs queued behind it or
# with nothing queued; P1 is idle. For which durations is P0 taken away, and how soon?

# %% [markdown] lang="zh"
#
# **先预测**：`main` 在 P0 上发起一次阻塞的系统调用，后面分别排着两个 G，或者什么都没排；P1 空闲。系统调用持续多长时，P0 会被收回？多快被收回？

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

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 有工作排队时，P 在**一到两个 `sysmon` 周期**后被收回（见上面打印的第一句：系统调用落在 `sysmon` 周期中的哪个位置，决定了是一个还是两个）；比这更短的系统调用永远不会失去它的 P（走 `fast` 退出路径）。
# * 没有工作排队、旁边又有空闲的 P 时，收回 P 得不到任何好处：`sysmon` 会一直等到超过 `retake` 的时限（而且它已经退避，发现得还要稍晚一点）。
# * `GOMAXPROCS=1` 时没有别的 P 可以空闲，所以即使什么都没排队，P 也会在一两个周期后被收回（见第三句）。
# * P 被收回之后，系统调用返回的 G 会先设法把它要回来，或者抢一个空闲的 P（`exitsyscall`）；两样都落空，G 就进入全局运行队列，它的 M 则去休眠。
#
# 网络 I/O 就不一样了：G 挂起在**网络轮询器**（epoll）上，它的线程回去接着干活。内核里没有任何线程被阻塞，至多有一个 M 在 `netpoll` 里等待。
#
# **先预测**：16 个 goroutine 同时各等待 1 ms，第一次是在阻塞的系统调用里等，第二次是在网络上等（`GOMAXPROCS=2`）。两种情况下各有多少个线程？

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

# %% [markdown] lang="en"
# **What to notice:**
#
# * Blocking syscalls cost one thread each while they block (up to `SetMaxThreads`,
#   10 000), because the kernel holds the thread.
# * Network waits stay flat at GOMAXPROCS + sysmon: the netpoller turns 16 (or 64, or 10 000)
#   waiting connections into one `epoll_wait`.

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 阻塞的系统调用在阻塞期间每个都要占用一个线程（上限是 `SetMaxThreads` 设定的 10 000 个），因为线程被内核扣住了。
# * 网络等待的线程数始终持平在 `GOMAXPROCS` 加上 `sysmon`：网络轮询器把 16 个（或 64 个、10 000 个）等待中的连接变成了一次 `epoll_wait`。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 实验 2 · 时间片：协作式抢占与异步抢占
#
# `sysmon` 的 `retake` 还盯着每个 P 的 `schedtick`：如果它在 `forcePreemptNS`（打印在下面）之内都没有变化，说明这个 G 已经用完了自己的时间片，`preemptone` 就会要求它停下。**协作式**的做法是往 `stackguard0` 里写一个“毒”值，让下一次函数调用进入调度器——对没有函数调用的紧凑循环毫无作用。从 **Go 1.14** 起还有**异步**的做法：一个 **SIGURG** 信号可以在线程执行到任何位置时打断它。被抢占的 G 会排到全局运行队列的队尾。
#
# **先预测**：一个 P 上运行两个 goroutine，一个是 30 ms 的紧凑循环，另一个在循环里每次睡眠 1 ms。开启异步抢占时和设置 `GODEBUG=asyncpreemptoff=1` 时，睡眠的 goroutine 分别会晚醒多久？

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
print(tr("forcePreemptNS = {force}; in the model, {sentence}",
         force=facts.fmt(facts.force_preempt_ns()), sentence=facts.preempt_sentence()))

# %% [markdown] lang="en"
# **What to notice:**
#
# * With async preemption the sleeper is late by about one time slice plus however long
#   sysmon, backing off, takes to look (the last line above), not by the whole hog.
# * With `asyncpreemptoff=1` a tight loop keeps the P until it ends — before Go 1.14 such a
#   loop could even block the garbage collector forever. A loop that makes function calls is
#   stopped cooperatively just as fast as by the signal.
# * The second tick can be later than the first: the preempted hog is taken back from the
#   global queue, and sysmon, idle for a while, checks only every few ms.

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 开启异步抢占时，睡眠的 goroutine 晚醒的时间大约是一个时间片，再加上已经退避的 `sysmon` 过来查看所需的时间（见上面最后一行），而不是那个霸占 CPU 的循环的全部时长。
# * 设置 `asyncpreemptoff=1` 后，紧凑循环会一直占着 P 直到结束——在 Go 1.14 之前，这样的循环甚至能让垃圾回收器永远等下去。而带有函数调用的循环，靠协作式抢占就能停下，和发信号一样快。
# * 第二次唤醒可能比第一次还晚：被抢占的循环又从全局运行队列里被取了回来，而闲了一阵的 `sysmon` 要每隔几毫秒才检查一次。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 实验 3 · 同一负载，两种调度器：GM（Go 1.0）与 GMP（Go 1.1）
#
# Vyukov 在 2012 年的设计文档里指出了 GM 的四个问题（见第 5 讲）。同一个负载——8 对客户端/服务端，通过无缓冲的 channel 通信，服务端每处理两个请求就发起一次短暂（10 µs）的阻塞系统调用——分别在两个模型下运行，每个问题在两边都用相同的方法测量：
#
# 1. **锁**：各个 M 等待那把唯一的调度器锁所花的时间；
# 2. **交接**：被唤醒的 G 没有在唤醒者的线程上、而是在*另一个线程*上运行的唤醒次数（它的数据还留在另一个核的缓存里）；
# 3. **mcache**：GM 下每个 M 一份 2 MiB，GMP 下每个 P 一份；
# 4. **线程颠簸**：线程进入空闲列表休眠的次数。
#
# **先预测**：这四个问题中，GMP 把哪些降到了（几乎）为零，哪些只是缩小了？

# %% tags=["nbval-ignore-output"]
tally.ask("07-gm-vs-gmp")

# %% tags=["nbval-ignore-output"]
both = gmp.gm_vs_gmp_panel()
tally.follow("07-gm-vs-gmp", both)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
both.set(model="GM")
gm_, gmp_ = both.data["GM"], both.data["GMP"]
assert both.summary.replace("。", ".").split(".")[0].endswith(" GM")   # "showing GM" / "当前显示 GM"
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
print(tr("notebook 05's churn panel, GMP: {parks:g} parks per 100 syscalls of {us} µs, "
         "but {worst:g} per 100 syscalls of {worst_us} µs",
         parks=ch["GMP"]["parks_per_100"][0], us=ch["sweep"][0], worst=worst, worst_us=worst_us))

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# **观察要点**：
#
# * **锁**：在 GMP 里，`go` 语句和唤醒只涉及 P 自己的队列，不需要全局锁（全局运行队列仍然有一把锁，但那是很少走到的路径）。
# * **交接**：`ready` 把被唤醒的 G 放进唤醒者的 **`runnext`**：它紧接着就在同一个线程上运行，数据还在缓存里。GM 则把它交给碰巧空闲的那个 M。
# * **mcache**：不管有多少线程停在系统调用里，缓存都只有 `GOMAXPROCS` 份。
# * **线程颠簸**：短系统调用保留自己的 P，空闲的 M 休眠前会先自旋一小会儿，所以线程休眠、唤醒的次数少了——是变少，而不是没有。GMP 并没有解决问题 4：上面最后一行表明，对较长的系统调用，它仍然会在相当大比例的调用上让线程休眠（P 已被收回，返回的线程找不到 P）。它只是把颠簸挪到了那些足够长、长到一次唤醒的开销相比之下可以忽略的系统调用上。
# * 所以在这个负载上，GMP *消除*了问题 1（不再有等待调度器锁的时间），*限定*了问题 3（`GOMAXPROCS` 份缓存），*几乎消除*了问题 2，对问题 4 则只是*缩小*。切换模型，对比两张甘特图：GM 里粉色的 `lock-wait`（等锁）条，就是第一个问题的直观呈现。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## What the model leaves out
#
# A model is a simplification; here is what `gk.GMP` does not do (its `SIMPLIFIES` list):

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 模型省略了什么
#
# 模型总是一种简化。下面列出 `gk.GMP` 没有模拟的东西（即它的 `SIMPLIFIES` 列表）：

# %%
for item in gmp_model.GMP.SIMPLIFIES:
    print("-", tr(item))

# %% [markdown] lang="en"
# ## Summary
#
# * A syscall keeps its P until **sysmon** retakes it: after one to two sysmon ticks if the P
#   has work or no other P is idle and no M is spinning, otherwise only after `retake`'s long
#   limit; network waits park only the G, on the netpoller.
# * A G running a whole time slice (`forcePreemptNS`) without yielding is preempted:
#   cooperatively at a function call, or by **SIGURG** (Go 1.14+) anywhere.
# * On one workload, GMP removes GM's global lock, nearly removes remote hand-offs, bounds the
#   mcaches at one per P, and only shrinks thread churn: long syscalls still park threads.

# %% [markdown] lang="zh"
# ## 小结
#
# * 系统调用会一直保留它的 P，直到 **`sysmon`** 把 P 收回：如果该 P 有工作，或者没有别的空闲 P、也没有自旋的 M，就在一到两个 `sysmon` 周期后收回；否则要等过了 `retake` 那个较长的时限。网络等待只把 G 挂起在网络轮询器上。
# * 一个 G 如果运行满一整个时间片（`forcePreemptNS`）都不让出，就会被抢占：协作式抢占发生在函数调用处，而 **SIGURG**（Go 1.14 及以后）可以在任何位置抢占。
# * 在同一个负载上，GMP 去掉了 GM 的全局锁，几乎消除了跨线程交接，把 mcache 限定为每个 P 一份，而线程颠簸只是减轻了：长系统调用仍然会让线程休眠。

# %% [markdown] lang="en"
# ## Self-check
#
# Replace each `...` with your answer and run the cell. The expected answers are computed
# (by the model, or from this machine's measurements above) only when you check, and each
# comes with the reason. Prefer boxes and buttons? Use the widget under it: its **Show all
# answers** button computes and explains every answer, and it shows how many of this
# notebook's predictions you got right (save them as JSON).

# %% [markdown] lang="zh"
# ## 自测
#
# 把每个 `...` 换成你的答案，然后运行这个单元格。只有在你检查时，才会计算预期答案（由模型算出，或取自上文本机的测量结果），并附上理由。更喜欢输入框和按钮？用下面的小部件：它的**显示全部答案**按钮会计算并解释每一个答案，还会显示你在本讲中的预测答对了几个（可以保存为 JSON）。

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
q4 = Question(
    "retake-idle",
    {"en": "A G makes a 5 ms blocking syscall; its P has nothing queued and another P is idle. "
           "Does sysmon retake the P (True/False)?",
     "zh": "一个 G 发起一次 5 ms 的阻塞系统调用；它的 P 上没有排队的工作，另有一个 P 空闲。"
           "sysmon 会收回这个 P 吗？（填 True 或 False）"},
    answer=lambda: gmp.syscall_retake(5000, False)["retaken"],
    explain=lambda exp: {
        "en": ("retake leaves a syscall's P alone when its queue is empty and some "
               "P is idle or an M is spinning, until sysmon first saw the syscall "
               f"{facts.fmt(facts.syscall_retake_ns())} ago."),
        "zh": ("当系统调用所在 P 的队列为空，且有 P 空闲或有 M 在自旋时，retake 不会动这个 P，"
               "除非距 sysmon 第一次看到这个系统调用已经过了 "
               f"{facts.fmt(facts.syscall_retake_ns())}。")})
q5 = Question(
    "netio-threads",
    {"en": "16 goroutines wait 1 ms on the network at the same time, GOMAXPROCS=2. How many "
           "threads does the runtime have at the peak, sysmon included?",
     "zh": "16 个 goroutine 同时在网络上各等待 1 ms，GOMAXPROCS=2。峰值时运行时共有多少个线程"
           "（包括 sysmon）？"},
    answer=lambda: gmp.syscall_vs_netio(16, 2)["netio"]["peak"],
    explain=lambda exp: {
        "en": (f"{exp}: a goroutine waiting on a socket parks on the netpoller and its "
               "thread goes back to running Go code; only a blocking system call holds "
               "a thread for its whole length."),
        "zh": (f"{exp}：在 socket 上等待的 goroutine 挂起在网络轮询器上，它的线程回去继续运行 "
               "Go 代码；只有阻塞的系统调用才会在整个调用期间一直占住一个线程。")})
questions = [q4, q5]

# %%
my_answers = {
    "retake-idle": ...,
    "netio-threads": ...,
}
self_check(questions, my_answers)

# %% tags=["nbval-ignore-output"]
answer_boxes(questions, tally)

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# ## 术语表
#
# | 中文 | English | 含义 |
# |---|---|---|
# | goroutine（通常不译；也称 Go 协程） | goroutine (G) | 运行时中的 `type g` |
# | 工作线程 / 系统线程 | machine, OS thread (M) | 运行时中的 `type m` |
# | 处理器 P（逻辑处理器，不是 CPU） | processor (P) | 运行时中的 `type p`，共 `GOMAXPROCS` 个 |
# | 系统监控（sysmon） | system monitor | 对应 `sysmon`、`retake` |
# | 移交 P / 解绑 | hand-off of a P | 对应 `handoffp` |
# | 系统调用 | system call | 对应 `entersyscall`、`exitsyscall` |
# | 网络轮询器 | network poller | 对应 `netpoll`、`injectglist` |
# | 抢占 | preemption | 对应 `preemptone`、`forcePreemptNS` |
# | 协作式抢占 / 异步抢占（信号 SIGURG） | cooperative / asynchronous preemption | 对应 `stackguard0`、`preemptM` |
# | 时间片 | time slice | 对应 `forcePreemptNS`（由 `sysmon` 盯着 `schedtick`） |
#
# ## 延伸阅读
#
# 建议按以下顺序阅读：
#
# 1. [go1.27.3 版的 proc.go](https://github.com/golang/go/blob/go1.27.3/src/runtime/proc.go)：先读 `entersyscall`、`exitsyscall`、`exitsyscallTryGetP` 与 `exitsyscallNoP`、`handoffp`，再读 `sysmon` 和 `retake`，它们的注释写明了本讲所模拟的规则。
# 2. Austin Clements 的提案[《非协作式 goroutine 抢占》](https://github.com/golang/proposal/blob/master/design/24543-non-cooperative-preemption.md)（2019，英文），以及正式引入这一机制的 [Go 1.14 发布说明](https://go.dev/doc/go1.14#runtime)。
# 3. 网络轮询器：[netpoll.go](https://github.com/golang/go/blob/go1.27.3/src/runtime/netpoll.go) 与 [netpoll_epoll.go](https://github.com/golang/go/blob/go1.27.3/src/runtime/netpoll_epoll.go)；想要一幅直观的全景图，可以读 Daniel Morsing 的 [The Go netpoller](https://morsmachine.dk/netpoller)（2013）。
# 4. 定时器：同一标签下的 `runtime/time.go`。Go 1.14 把定时器挪到了各个 P 上，而它的[发布说明](https://go.dev/doc/go1.14#runtime)只说内部定时器变得“更高效，锁竞争更少，上下文切换也更少”。
# 5. 中文：《Go 语言设计与实现》[6.5 调度器](https://draveness.me/golang/docs/part3-runtime/ch06-concurrency/golang-goroutine/) 与 [6.6 网络轮询器](https://draveness.me/golang/docs/part3-runtime/ch06-concurrency/golang-netpoller/)。
