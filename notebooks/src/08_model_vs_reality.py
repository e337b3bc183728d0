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
# # 08 · Model vs reality: the simulator checked against real Go
#
# Notebooks 04–07 taught the scheduler with a simulator, `gk.GMP`, a miniature of
# `runtime/proc.go`. A model is only worth learning from if it behaves like the thing it
# models. This notebook checks it: each of the course's scenarios has a **Go twin** — a real
# Go program doing the same work (`gmpkit/real/programs/scn_*.go`) — and we run both, read the
# real program's **scheduler trace** (`GODEBUG=schedtrace=1`) and **execution trace**
# (`runtime/trace`), turn them into the same `Timeline` the simulator produces, and compare
# numbers side by side, each against a band around the real value stated in advance.
#
# The real side runs on your machine when a Go toolchain is found. Without one, the panels
# show runs recorded on the course's machine, and say so in red.

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# # 08 · 模型与现实：用真实的 Go 检验模拟器
#
# 第 4～7 讲借助模拟器 `gk.GMP`（`runtime/proc.go` 的缩微版）讲解调度器。模型只有在行为上确实与被模拟的对象相符，才值得拿来学习。本讲就来检验这一点：课程里的每个场景都有一个 **Go 孪生程序**，也就是做同样工作的真实 Go 程序（`gmpkit/real/programs/scn_*.go`）。我们把两边都跑一遍，读取真实程序的**调度追踪**（`GODEBUG=schedtrace=1`）和**执行追踪**（`runtime/trace`），把它们转换成与模拟器输出相同的 `Timeline`，再把数字并排对比，每个数字都要落在事先写明的、围绕真实值的容差带内。
#
# 如果能找到 Go 工具链，真实的一侧就在你的机器上运行。没有工具链时，面板显示的是在课程机器上录制的运行结果，并用红字注明这一点。

# %% [markdown] lang="en"
# ## Learning goals
#
# After this notebook you can:
#
# 1. run a scenario in the simulator and as real Go, and read both as Gantt charts per P and
#    as `schedtrace` lines;
# 2. say which numbers the model reproduces (who runs where, queue overflow, threads made by
#    blocking system calls, preemption) and within what band;
# 3. name what the model leaves out on purpose — the garbage collector, the operating
#    system, real system-call and timer costs, the runtime's own goroutines — and predict in
#    which *direction* each one moves a real measurement;
# 4. judge a model-vs-measurement comparison: medians of several runs, ratios rather than
#    raw times, two-sided bands written down before looking, and a model broken on purpose
#    to check that a band can fail;
# 5. explain why a model must be calibrated to the machine: sysmon asks for a 20 µs sleep,
#    and the kernel delivers about 85 µs.

# %% [markdown] lang="zh"
# ## 学习目标
#
# 学完本讲，你将能够：
#
# 1. 让同一个场景分别在模拟器中运行、以真实 Go 程序运行，并读懂两者按 P 划分的甘特图和 `schedtrace` 输出行；
# 2. 说出模型能复现哪些数字（谁在哪里运行、队列溢出、阻塞的系统调用创建的线程、抢占），以及在多大的容差带之内；
# 3. 说出模型有意省略的东西——垃圾回收器、操作系统、系统调用和定时器的真实开销、运行时自己的 goroutine——并预测每一项会把真实测量值往哪个*方向*推；
# 4. 评判模型与实测之间的比较是否可信：多次运行取中位数，比较比值而不是原始时间，事先写下双侧容差带，再故意弄坏模型，确认容差带真的能判出失败；
# 5. 解释为什么模型必须针对机器做校准：`sysmon` 请求休眠 20 µs，内核实际给出的是大约 85 µs。

# %%
import gmpkit as gk
from gmpkit import predictions
from gmpkit.i18n import tr
from gmpkit.checks import Question, within, answer_boxes, self_check
from gmpkit.real import compare as cmp
from gmpkit.widgets import reality

tally = predictions.tally("08_model_vs_reality")   # your predictions in this notebook

# %% [markdown] lang="en"
# Which Go runs the real side? (Programs are built once and cached in `~/.cache/gmpkit`.)

# %% [markdown] lang="zh"
# 真实的一侧用的是哪个 Go？（程序只编译一次，缓存在 `~/.cache/gmpkit` 里。）

# %% tags=["nbval-ignore-output"]
go = cmp.find_go_or_none()
print(tr("Go {version} at {goroot}: real runs are measured here", version=go.version, goroot=go.goroot) if go else
      tr("no Go toolchain: the real side is the runs recorded in data/compare, "
         "not measured on your machine"))

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## 1. The mirrors
#
# Each mirror takes the scenario's parameters as flags and prints one JSON line: the
# makespan measured by its own clock around the workload, the number of threads the runtime
# made (`runtime/pprof`'s `threadcreate` profile), and scenario-specific numbers. "Compute"
# in Go is a calibrated loop: real CPU work, so it takes longer when the OS gives the program
# less CPU. The blocking system call is a real `nanosleep(2)`; the network wait is a real
# loopback TCP connection whose server answers after the given time.

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 1. 镜像程序
#
# 每个镜像程序都通过命令行参数接收场景的参数，并输出一行 JSON：程序自己计时测得的负载总完工时间，运行时创建的线程数（`runtime/pprof` 的 `threadcreate` 剖析数据），以及该场景特有的数字。Go 里的“计算”是一个经过校准的循环：实打实的 CPU 工作，所以操作系统分给程序的 CPU 越少，它耗时就越长。阻塞的系统调用是一次真实的 `nanosleep(2)`；网络等待是一个真实的回环 TCP 连接，服务端要过给定的时间才应答。

# %%
for name, m in cmp.MIRRORS.items():
    args = " ".join(f"-{k}={str(v).lower()}" for k, v in m.params.items())
    print(f"{name:14} {m.program}.go {args}")
    print(f"{'':14} {tr(m.note)}")

# %% [markdown] lang="en"
# `cmp.compare(scenario, procs=…, runs=5)` runs the Go program five times with
# `GOMAXPROCS=procs` and the GMP model with seven seeds (each seed draws its own sleep
# lengths, below; same seed, same run), and compares medians. Each metric
# has a **band** around the real value, written down in `gmpkit/real/mirrors.py` with the
# reason for its width (for thread counts and makespans: the simulator within ×1.5 of the
# real median). The verdict is **within**, **outside**, or **not modelled** — the real value
# is dominated by something the model leaves out on purpose, which never counts as agreeing.
#
# The simulator is **calibrated** to the machine the real runs come from, with three
# figures measured alongside them:
#
# * what sysmon's sleep really lasts. `sysmon` calls `usleep(20)`, one `nanosleep` system
#   call; the kernel wakes the thread up to its *timer slack* (50 µs by default on Linux)
#   late, and then it must get a CPU again. Not every sleep overshoots alike: with two
#   threads sleeping (sysmon and a thread in a system call), one timer often fires with the
#   other's, early in its slack, and a thread sometimes waits for a CPU. So the calibration
#   keeps the overshoot's *spread* (50 quantiles), not only its median, and each of the
#   simulator's sleeps (sysmon's rounds, and a mirror's `nanosleep` syscalls) lasts the
#   request plus an overshoot drawn from it;
# * one goroutine hand-off (the median of short channel ping-pong runs);
# * the threads real Go had already started, and parked, before `main`'s workload began
#   (the simulator starts with them idle, instead of with M0 and sysmon only).
#
# Every comparison also measures how long the real runs' threads **waited for a CPU** while
# they were ready to run (Linux's per-thread scheduler statistics). That wait has three
# sources the model leaves out: the kernel's wake-up latency, the program's own threads when
# more are ready than there are cores, and other programs. When the share is large, a real
# *time* measures the operating system more than the scheduler: such times are marked
# "not modelled (os)" with the measured share, never "within".

# %% [markdown] lang="zh"
# `cmp.compare(scenario, procs=…, runs=5)` 以 `GOMAXPROCS=procs` 运行 Go 程序五次，再用七个种子运行 GMP 模型（每个种子抽取各自的休眠时长，见下文；种子相同，运行结果就相同），然后比较中位数。每个指标都有一个围绕真实值的**容差带**，写在 `gmpkit/real/mirrors.py` 里，并附有宽度的理由（线程数和总完工时间：模拟值须在真实中位数的 ×1.5 之内）。判定结果有三种：**在带内**（within）、**超出**（outside）和**未建模**（not modelled）。最后一种表示真实值主要受模型有意省略的因素支配，这种情况永远不算作一致。
#
# 模拟器会针对真实运行所在的机器做**校准**，用的是与真实运行一同测得的三个数字：
#
# * `sysmon` 的休眠实际持续多久。`sysmon` 调用 `usleep(20)`，即一次 `nanosleep` 系统调用；内核唤醒线程时最多会晚一个*定时器松弛量*（Linux 默认 50 µs），之后线程还得重新等到 CPU。每次休眠超出的量并不一样：有两个线程同时休眠时（`sysmon` 和一个正在系统调用中的线程），一个定时器常常跟着另一个一起触发，落在松弛区间的前段；线程有时还要等 CPU。所以校准保留的是超出量的*分布*（50 个分位数），而不只是中位数；模拟器中的每次休眠（`sysmon` 的每一轮，以及镜像程序里的 `nanosleep` 系统调用）都等于请求值加上从这个分布中抽取的超出量；
# * 一次 goroutine 交接的耗时（多次短暂的 channel 乒乓测试取中位数）；
# * 在 `main` 的负载开始之前，真实的 Go 已经启动、随后又进入休眠的线程（模拟器开始时就带着这些空闲线程，而不是只有 M0 和 `sysmon`）。
#
# 每次比较还会测量真实运行的线程在就绪时**等待 CPU** 的时间有多长（依据 Linux 的逐线程调度统计）。这段等待有三个来源，模型都没有包含：内核的唤醒延迟、就绪线程多于核数时程序自己的线程之间的争抢，以及其他程序。这个比例很大时，真实的*时间*反映的更多是操作系统而不是调度器：这样的时间会标为 `not modelled (os)`（未建模：操作系统），并附上测得的比例，绝不会标为“在带内”。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## 2. Experiment: what each P ran
#
# The execution trace records every goroutine state change with the thread (M) and
# processor (P) it happened on. Below, the simulator's Gantt chart per P sits above the real
# one. Real goroutines are renumbered in the order they were created, as the simulator
# numbers them (main is G1, the first `go` statement makes G2 …), so the same goroutine has
# the same colour in both.
#
# The default is `cpu_hog` on one P: a 50 ms loop without function calls (G3, the hog) next
# to a ticker (G2) that wants to wake every millisecond. ✖ marks a preemption.
#
# **Predict first:** on one P, how many times will the hog be preempted in 50 ms — about
# 2, 5 or 50? Will the simulator and real Go agree? Then switch to `cpu_fanout` with 2 Ps,
# and to `syscall_storm`.

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 2. 实验：每个 P 运行了什么
#
# 执行追踪记录了 goroutine 的每一次状态变化，以及它发生在哪个线程（M）和处理器（P）上。下面，模拟器按 P 划分的甘特图在上，真实的在下。真实的 goroutine 按创建顺序重新编号，和模拟器的编号方式一致（main 是 G1，第一条 `go` 语句创建 G2……），所以同一个 goroutine 在两张图里颜色相同。
#
# 默认场景是单个 P 上的 `cpu_hog`：一个不含函数调用、持续 50 ms 的循环（G3，即“霸占者”），旁边是一个希望每毫秒醒来一次的打点器（G2）。✖ 表示一次抢占。
#
# **先预测**：在一个 P 上，霸占者在 50 ms 内会被抢占多少次——大约 2 次、5 次还是 50 次？模拟器和真实的 Go 会一致吗？然后切换到 2 个 P 的 `cpu_fanout`，再切换到 `syscall_storm` 看看。

# %% tags=["nbval-ignore-output"]
tally.ask("08-hog")

# %% tags=["nbval-ignore-output"]
gantt_panel = reality.gantt_panel(scenario="cpu_hog", procs=1)
tally.follow("08-hog", gantt_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
hog = gantt_panel.data["comparison"]
pre = hog.metric("preemptions")
# a 50 ms hog in 10 ms slices: a few preemptions in the model; at least two in real Go
# (more when a busy machine stretches the hog's wall-clock time)
assert 2 <= pre.sim <= 6 and pre.real >= 2, (pre.sim, pre.real)
assert 3 in gantt_panel.data["sim_gs"] and 3 in gantt_panel.data["real_gs"]   # the hog is G3 in both
print("the hog is preempted a few times (one 10 ms slice each), in the model and in real Go: True")

assert 40 <= (20_000 + hog.costs["usleep_overhead_ns"]) / 1000 <= 250   # sysmon's round, calibrated

# %% tags=["nbval-ignore-output"]
# What the simulator was calibrated with, measured on the real side's machine:
print(hog.calibration_line)
tick_us = (20_000 + hog.costs["usleep_overhead_ns"]) / 1000
print(tr("so sysmon's shortest round lasts {tick:.0f} µs, not 20 µs", tick=tick_us))

# %% [markdown] lang="en"
# **What to notice:**
#
# * Both show the hog cut into slices of 10 ms or more (`forcePreemptNS` = 10 ms): sysmon's
#   `retake` sees a P whose `schedtick` has not moved for 10 ms and calls `preemptone`,
#   which, since the loop has no function call, must send the SIGURG signal (asynchronous
#   preemption).
# * The slices are longer than 10 ms and irregular: with nothing to retake, sysmon backs
#   off, asking to sleep 20 µs, then 40, 80 … up to 10 ms between looks (every sleep lasting
#   the overshoot printed above longer), so it notices a finished slice only at its next
#   look; and the OS may stop the whole thread for a while on a busy machine.
# * Look at *when the ticker gets in*: right after the first preemption, in both. This very
#   comparison once caught the model getting it wrong. The model started P0's `schedtick` at
#   0, because `main` comes from `runnext` (which does not count a tick); at the first
#   preemption `schedtick % 61 == 0` still held, so the fairness check took the
#   just-preempted hog straight back from the global queue, and the ticker waited a second
#   slice. Real Go runs its own goroutines (`forcegchelper`, `bgsweep`, `bgscavenge`) before
#   `main`, so its `schedtick` has moved. The model now starts P0 at `STARTUP_SCHEDTICKS = 1`.
# * With `cpu_fanout` and 2 Ps, both split the eight workers four and four (or close); with
#   `syscall_storm`, the real P rows have gaps where a thread sat in `nanosleep` before sysmon
#   took its P away.
#
# ## 3. Experiment: the scheduler trace, real and simulated
#
# `GODEBUG=schedtrace=1` makes sysmon print one `SCHED` line per millisecond: `runqueue=` is
# the global queue, `[ … ]` the local rings, `threads=` every M (sysmon too). The simulator
# prints the same format from its own counters (`run.schedtrace(1)`).
#
# The default is `spawn_burst`: main runs 1000 `go` statements in a row on GOMAXPROCS=2.

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 两边都显示霸占者被切成了 10 ms 或更长的片段（`forcePreemptNS` = 10 ms）：`sysmon` 的 `retake` 发现某个 P 的 `schedtick` 已经 10 ms 没变，于是调用 `preemptone`；由于循环里没有函数调用，它只能发送 SIGURG 信号（异步抢占）。
# * 片段比 10 ms 长，而且长短不一：没有东西可收回时，`sysmon` 会退避，两次查看之间请求的休眠从 20 µs 变成 40、80……直到 10 ms（每次休眠都比请求的多出上面打印的那段超出量），所以它要到下一次查看时才会发现某个时间片已经用完；而在繁忙的机器上，操作系统还可能把整个线程停上一阵子。
# * 注意*打点器是什么时候插进来的*：两边都是紧跟在第一次抢占之后。正是这次对比，曾经抓到过模型的一个错误。模型原先让 P0 的 `schedtick` 从 0 开始，因为 `main` 来自 `runnext`（这不计入一次 tick）；于是到第一次抢占时，`schedtick % 61 == 0` 仍然成立，公平性检查就把刚被抢占的霸占者直接从全局运行队列里取了回来，打点器只好再多等一个时间片。真实的 Go 在 `main` 之前会先运行它自己的 goroutine（`forcegchelper`、`bgsweep`、`bgscavenge`），所以它的 `schedtick` 早已动过。现在模型让 P0 从 `STARTUP_SCHEDTICKS = 1` 开始。
# * 在 2 个 P 上运行 `cpu_fanout` 时，两边都把八个工作 goroutine 平分成四个和四个（或接近平分）；运行 `syscall_storm` 时，真实的 P 行上会出现空隙，那是某个线程停在 `nanosleep` 里、`sysmon` 还没拿走它的 P 的那段时间。
#
# ## 3. 实验：调度追踪，真实的与模拟的
#
# `GODEBUG=schedtrace=1` 让 `sysmon` 每毫秒打印一行 `SCHED`：`runqueue=` 是全局运行队列，`[ … ]` 是各个本地环形队列，`threads=` 是所有的 M（包括 `sysmon`）。模拟器根据自己的计数器，用同样的格式打印（`run.schedtrace(1)`）。
#
# 默认场景是 `spawn_burst`：main 在 `GOMAXPROCS=2` 下连续执行 1000 条 `go` 语句。

# %% [markdown] lang="en"
# **Predict first:** main's P has a 256-slot ring. After 1000 `go` statements, about how many
# goroutines are in the global queue at the peak: 0, 129, 500 or 1000?

# %% [markdown] lang="zh"
# **先预测**：main 所在的 P 有一个 256 个槽位的环形队列。执行完 1000 条 `go` 语句后，全局运行队列在峰值时大约有多少个 goroutine：0、129、500 还是 1000？

# %% tags=["nbval-ignore-output"]
tally.ask("08-spawn")

# %% tags=["nbval-ignore-output"]
sched_panel = reality.schedtrace_panel(scenario="spawn_burst", procs=2)
tally.follow("08-spawn", sched_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
sd = sched_panel.data
assert sd["sim_peak_runqueue"] >= 129, "each overflow moves half the ring plus one (129)"
assert sd["real_peak_runqueue"] > 0, "the real schedtrace shows a non-empty global queue"
assert sd["real_peak_runqueue"] <= 1.5 * sd["sim_peak_runqueue"]
print("a burst of go statements overflows into the global queue, in the model and in real Go: True")
lines = reality.schedtrace_side_by_side(sched_panel.data["comparison"], lines=6).splitlines()
assert sum(ln.startswith("SCHED") for ln in lines) == 12
assert all("gomaxprocs=2" in ln for ln in lines if ln.startswith("SCHED"))
print("both traces speak the same SCHED format: True")

# %% tags=["nbval-ignore-output"]
# The first lines of both traces, as printed (real Go's are on standard error):
print(reality.schedtrace_side_by_side(sched_panel.data["comparison"], lines=6))

# %% [markdown] lang="en"
# **What to notice:**
#
# * Both queues jump by hundreds at once and then drain: `runqputslow` moves 128 + 1 Gs
#   whenever the ring is full, and the other P takes batches from the global queue
#   (`globrunqget`: at most `len / GOMAXPROCS + 1`, at most 128).
# * The real peak is a *sample*: sysmon prints at its own rounds, once at least 1 ms has
#   passed — every ms while it is busy, but every ~10 ms once it has backed off (look at
#   the gaps in the timestamps; the model's sysmon prints the same way) — so a sampled peak
#   can only be at most the true peak.
# * One real P's `schedticks` may stand still for several ms while the global queue keeps
#   growing: that P is running `main` in its spawn loop, and `schedtick` counts only scheduling
#   decisions. (On a loaded machine the OS descheduling that thread looks the same.) The model
#   spawns faster, so its `main` is done by 1 ms.
# * Real Go starts with more threads (`threads=3` to `5` at 0 ms) than the model (M0 and
#   sysmon): the runtime has started threads for its own goroutines before `main`.
#
# ## 4. Experiment: every metric against its band
#
# The panel shows simulated / real for each metric of a comparison (1 = perfect agreement,
# log scale), the band it must fall in (shaded) and its verdict. The table below lists the
# values and says why a metric is outside its band or not modelled. Try
# `cpu_hog` on one P with asynchronous preemption on and off, and on two Ps.

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 两边的队列都是一下子涨了几百，然后逐渐排空：每当环形队列满了，`runqputslow` 就移走 128 + 1 个 G；另一个 P 则从全局运行队列里成批取 G（`globrunqget`：最多取 `len / GOMAXPROCS + 1` 个，且不超过 128 个）。
# * 真实的峰值只是一个*采样*：`sysmon` 按自己的轮次打印，且距上次至少 1 ms 才打印——忙的时候每毫秒一次，退避之后大约每 10 ms 一次（看看时间戳之间的间隔；模型里的 `sysmon` 也是这样打印的）——所以采样得到的峰值只会小于或等于真正的峰值。
# * 真实运行中，某个 P 的 `schedticks` 可能连续几毫秒纹丝不动，而全局运行队列却一直在增长：那个 P 正在运行处于创建循环中的 `main`，而 `schedtick` 只统计调度决策的次数。（在负载很重的机器上，操作系统把那个线程调度出去，看起来也是一样的。）模型创建 goroutine 更快，所以它的 `main` 在 1 ms 时就已经完成。
# * 真实的 Go 启动时线程更多（0 ms 时 `threads=3` 到 `5`），而模型只有 M0 和 `sysmon`：运行时在 `main` 之前已经为它自己的 goroutine 启动了线程。
#
# ## 4. 实验：每个指标对照它的容差带
#
# 面板显示一次比较中每个指标的“模拟值 / 真实值”（1 表示完全一致，对数刻度）、它必须落入的容差带（阴影部分）以及判定结果。下面的表格列出具体数值，并说明某个指标为什么超出容差带或未建模。试试单个 P 上的 `cpu_hog`，分别开启和关闭异步抢占，再试试两个 P。

# %% [markdown] lang="en"
# **Predict first:** in `syscall_storm` (32 goroutines each blocking 1 ms in `nanosleep`), will
# real Go create more threads than the simulator, or fewer? And will its makespan be longer or
# shorter?

# %% [markdown] lang="zh"
# **先预测**：在 `syscall_storm` 中（32 个 goroutine 各自在 `nanosleep` 里阻塞 1 ms），真实的 Go 创建的线程会比模拟器多，还是少？它的总完工时间会更长，还是更短？

# %% tags=["nbval-ignore-output"]
tally.ask("08-storm")

# %% tags=["nbval-ignore-output"]
compare_panel = reality.compare_panel(scenario="syscall_storm", procs=2)
tally.follow("08-storm", compare_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
# Live runs on a busy machine can put a metric outside its band (the panel says which, and
# why); what must hold every time is the direction of each effect, and that every metric
# has a verdict.
storm = compare_panel.data["comparison"]
assert storm.metric("threads").real > 2 * storm.procs      # blocking syscalls add threads...
assert storm.metric("threads").sim > 2 * storm.procs       # ...in the model too
assert set(compare_panel.data["verdicts"].values()) <= set(cmp.VERDICTS)
assert all(m.label in " ".join(compare_panel.data["why"]) for m in storm.outside)
print("syscall_storm: threads beyond GOMAXPROCS in real Go and in the model: True")
print("every metric has a verdict, and every one outside its band is explained: True")

# %% tags=["nbval-ignore-output"]
# The comparison as a table (`Comparison` displays itself as HTML):
storm

# %% [markdown] lang="en"
# **What to notice:**
#
# * Both make threads beyond GOMAXPROCS: a goroutine in a blocking system call keeps its M;
#   sysmon's `retake` takes the P and `handoffp` starts another M for the runnable goroutines.
# * How many threads depends on *when sysmon looks*. Each look that finds a syscall that has
#   lasted a round takes its P away, and every P taken away needs another M; a syscall that
#   returns before sysmon's second look keeps its P (`exitsyscall`'s fast path).
# * The real makespan is longer: real threads wait for a CPU (to be woken, behind each other,
#   behind other programs; the row "CPU wait of the real threads" measures it, from Linux's
#   per-thread scheduler statistics), and the Go runtime runs work of its own. Both are left
#   out of the model, so the band for makespan says what is allowed either way (×1.5), and
#   the row tells you how much the runs waited.
#
# ### A band that cannot fail is no band: break the model on purpose
#
# Before this model was calibrated, its sysmon woke *exactly* every 20 µs — the number in
# `proc.go` — and each `nanosleep` lasted exactly what it asked for. Run the same comparison
# with that model (`sim_costs` replaces costs on the simulator's side only):

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 两边创建的线程都超过了 `GOMAXPROCS`：处于阻塞系统调用中的 goroutine 会占着它的 M；`sysmon` 的 `retake` 拿走 P，`handoffp` 再启动另一个 M 来运行那些可运行的 goroutine。
# * 线程有多少，取决于 *`sysmon` 什么时候查看*。每次查看，只要发现某个系统调用已经持续了一轮，就拿走它的 P，而每个被拿走的 P 都需要另一个 M；在 `sysmon` 第二次查看之前就返回的系统调用，则能保住它的 P（`exitsyscall` 的快速路径）。
# * 真实的总完工时间更长：真实的线程要等 CPU（等待被唤醒、排在彼此后面、排在其他程序后面；“真实线程等待 CPU 的比例”这一行依据 Linux 的逐线程调度统计测出了它），而且 Go 运行时还要做它自己的工作。这两者模型都没有包含，所以总完工时间的容差带写明了两个方向各允许偏离多少（×1.5），而那一行则告诉你这些运行等了多久。
#
# ### 无法失败的容差带不算容差带：故意弄坏模型
#
# 这个模型校准之前，它的 `sysmon` *精确地*每 20 µs 醒来一次——正是 `proc.go` 里写的那个数字——而每次 `nanosleep` 也恰好持续它请求的时长。用那个模型运行同一个比较（`sim_costs` 只替换模拟器一侧的开销）：

# %% tags=["nbval-ignore-output"]
fixed = reality.comparison("syscall_storm", 2)
broken = cmp.compare("syscall_storm", procs=2, real=fixed.mode,
                     sim_costs=cmp.uncalibrated_costs())
for name, c in (("calibrated", fixed), ("20 µs tick", broken)):
    m = c.metric("threads")
    print(tr("{name:>10}: threads simulated {sim}, real {real} -> {verdict}",
             name=name, sim=m.sim, real=m.real, verdict=tr(m.verdict)))

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
assert broken.metric("threads").sim > fixed.metric("threads").sim
print("the uncalibrated tick makes more threads than the calibrated one: True")

# %% [markdown] lang="en"
# **What to notice:** a sysmon that looks four times as often sees more syscalls on two
# rounds, takes more Ps away and starts more threads. The recorded comparison (the tests run
# it on every change) puts that model **outside** the ×1.5 band for threads; the calibrated
# one is within. This is how the gap was found: a band around the real value, and a model
# that is sometimes wrong on purpose to prove the band can catch it.
#
# ## 5. All scenarios at once
#
# Each scenario on GOMAXPROCS=2, plus `cpu_hog` on one P with and without asynchronous
# preemption (`GODEBUG=asyncpreemptoff=1`).

# %% [markdown] lang="zh"
# **观察要点**：查看频率是原来四倍的 `sysmon`，会看到更多跨越两轮的系统调用，拿走更多的 P，启动更多的线程。录制好的比较（每次改动时测试都会运行它）判定这个模型的线程数**超出**了 ×1.5 的容差带；校准后的模型则在带内。这个差距就是这样被发现的：一个围绕真实值的容差带，再加上一个时不时故意出错的模型，用来证明容差带真的能抓住错误。
#
# ## 5. 一次看遍所有场景
#
# 每个场景都在 `GOMAXPROCS=2` 下运行，另外再加上单个 P 上的 `cpu_hog`，分别开启和关闭异步抢占（`GODEBUG=asyncpreemptoff=1`）。

# %% tags=["nbval-ignore-output"]
configs = [(s, 2, True) for s in cmp.MIRRORS] + [("cpu_hog", 1, True), ("cpu_hog", 1, False)]
results = {cfg: reality.comparison(*cfg) for cfg in configs}
print(next(iter(results.values())).source_line, "\n")
for c in results.values():
    print(c.summary())
    for row in c.rows():
        print(tr("    {metric:30} sim {sim:>16}   real {real:>16}   {band:28} {verdict}",
                 metric=tr(row[0]), sim=row[1], real=row[2], band=row[4], verdict=tr(row[5])))

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
th = {s: results[(s, 2, True)].metric("threads") for s in ("syscall_storm", "netio_server")}
assert th["syscall_storm"].real > th["netio_server"].real
assert th["syscall_storm"].sim > th["netio_server"].sim
on, off = results[("cpu_hog", 1, True)], results[("cpu_hog", 1, False)]
assert off.metric("worst_delay_ns").real > on.metric("worst_delay_ns").real
assert off.metric("worst_delay_ns").sim > on.metric("worst_delay_ns").sim
print("blocking syscalls make threads, network waits do not (model and real): True")
print("without async preemption the ticker waits longer (model and real): True")
assert any("garbage collector" in item.lower() for item in gk.GMP.SIMPLIFIES)
assert all(len(model.SIMPLIFIES) >= 3 for model in (gk.GMP, gk.GM))
print("each model lists what it leaves out, the GC first among them for GMP: True")

# %% [markdown] lang="en"
# **What to notice:** agreement is best on *counts and structure* — how many Gs overflow to
# the global queue, which P ran how many goroutines, how many preemptions, whether threads
# multiply — and weakest on *absolute time*, which the model gets from cost figures measured
# on a quiet machine. That is the right way round for a teaching model: it explains the
# mechanism, and the real run shows the size of what the mechanism leaves out.
#
# Three metrics are **not modelled** by design, and say so instead of passing: the ticker's
# worst delay and the preemptions when the hog has a P to itself (the ticker then waits only
# for the kernel's timers and a CPU; the real preemptions come from the tracer stopping the
# world), and the real threads' CPU wait. When a live run puts a metric **outside** its
# band, the lines under its table say why (often: how long the real threads waited for a CPU).

# %% [markdown] lang="zh"
# **观察要点**：模型在*计数和结构*上吻合得最好——多少个 G 溢出到全局运行队列、哪个 P 运行了多少个 goroutine、抢占了几次、线程是否成倍增加——而在*绝对时间*上吻合得最差，因为模型的时间来自在安静的机器上测得的开销数字。对教学模型而言，这样的主次正合适：模型负责解释机制，真实运行则显示机制之外的那部分影响有多大。
#
# 有三个指标按设计是**未建模**的，它们会明说这一点，而不是算作通过：霸占者独占一个 P 时，打点器的最坏延迟和抢占次数（此时打点器只需等待内核的定时器和一个 CPU；而真实的抢占来自追踪器的 STW（全局暂停）），以及真实线程等待 CPU 的比例。当某次实时运行让一个指标**超出**了容差带时，它表格下方的几行文字会说明原因（常见的原因是：真实线程等了多久 CPU）。

# %% tags=["nbval-ignore-output"]
for c in results.values():
    for line in c.explain():
        print(f"{c.title}: {line}")

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## 6. A workload the model was not tuned on
#
# Calibrating a model on the very scenarios it is then judged on proves little. The
# `short_syscalls` scenario was added *after* the calibration: 32 goroutines each make four
# short blocking calls (`nanosleep` of 100 µs, which this machine delivers in about 165 µs),
# with 20 µs of compute before each. A call that outlives one sysmon round but not two keeps
# its P; so the thread count depends directly on sysmon's real tick.
#
# **Predict first:** with GOMAXPROCS=2, will the model make no more threads than GOMAXPROCS
# and sysmon need, a few more, or one per goroutine (as with `syscall_storm`'s 1 ms calls)?

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 6. 一个模型没有针对它调校过的负载
#
# 拿来校准模型的场景，再拿来评判这个模型，证明不了什么。`short_syscalls` 场景是在校准*之后*才加入的：32 个 goroutine 各自发起四次短暂的阻塞调用（100 µs 的 `nanosleep`，本机实际约为 165 µs），每次调用之前先计算 20 µs。持续时间超过一轮 `sysmon`、但不到两轮的调用会保住它的 P，所以线程数直接取决于 `sysmon` 的真实周期。
#
# **先预测**：在 `GOMAXPROCS=2` 下，模型创建的线程数是刚好满足 `GOMAXPROCS` 和 `sysmon` 所需、多出几个，还是每个 goroutine 一个（就像 `syscall_storm` 中 1 ms 的调用那样）？

# %% tags=["nbval-ignore-output"]
tally.ask("08-short")

# %% tags=["nbval-ignore-output"]
short_panel = reality.compare_panel(scenario="short_syscalls", procs=2)
tally.follow("08-short", short_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
short = {p: reality.comparison("short_syscalls", p) for p in (1, 2)}
for c in short.values():
    m = c.metric("threads")
    assert m.sim > 2 * c.procs and m.real > 2 * c.procs      # short calls still cost threads
print("short syscalls make threads beyond GOMAXPROCS, in the model and in real Go: True")

# %% tags=["nbval-ignore-output"]
for c in short.values():
    m = c.metric("threads")
    print(tr("{title}: threads simulated {sim}, real {real} (runs: {runs}) -> {verdict} ({band})",
             title=c.title, sim=m.sim, real=m.real, runs=m.samples, verdict=tr(m.verdict),
             band=m.band.describe()))
for line in short_panel.data["why"]:
    print("  ", line)
from gmpkit import facts
print(tr("the model's sysmon tick on this machine: {tick}", tick=facts.fmt(facts.sysmon_tick_ns(2))))

# %% [markdown] lang="en"
# **What to notice:** even 100 µs calls make the runtime start extra threads: a call that
# sysmon sees on two of its rounds (the tick is printed above) loses its P. The band for this
# scenario is narrower (×1.33) than for the others.
#
# On one P this comparison long failed: while every simulated sleep lasted exactly the
# median overshoot, two threads fell into a fixed rhythm, each taking the P back from the
# other as its call returned (`exitsyscall`'s `oldp` path). The P then never sat in one
# syscall for a whole sysmon tick, `retake` never fired, and the model stayed at 3 threads
# where real Go made 4 in every recorded run. Real calls vary: in the recorded trace one
# 100 µs call took 203 µs, sysmon saw the next call on two rounds, and a fourth thread
# started. With sleeps drawn from the measured spread the model's runs make 3, 4 or 5
# threads, mostly 4, and the median is within the band. (Fair warning: the spread was added
# to the calibration to explain this gap, so on this point the workload is no longer quite
# one the model was never tuned on; the spread itself is measured by `programs/usleep.go`,
# not taken from these runs.) Thread counts alone do not tell the calibrated and the
# uncalibrated model apart here; its makespan does, on two Ps, when the real runs are quiet
# enough to judge times.
#
# ## 7. What the model leaves out, and where it shows
#
# Every model lists its simplifications in one place, `SIMPLIFIES`:

# %% [markdown] lang="zh"
# **观察要点**：即使是 100 µs 的调用，也会让运行时启动额外的线程：一个调用只要被 `sysmon` 在两轮中都看到（周期打印在上面），就会失去它的 P。这个场景的容差带（×1.33）比其他场景的窄。
#
# 在一个 P 上，这项比较曾经长期失败：当每次模拟的休眠都恰好等于超出量的中位数时，两个线程会陷入固定的节奏，调用返回时轮流从对方手里把 P 拿回来（`exitsyscall` 的 `oldp` 路径）。于是 P 从未在同一个系统调用里待满一整个 `sysmon` 周期，`retake` 一次也不触发，模型始终停在 3 个线程，而真实 Go 在每次录制的运行中都创建了 4 个。真实的调用时长各不相同：在录制的追踪里，有一次 100 µs 的调用花了 203 µs，`sysmon` 在两轮中都看到了紧接着的那次调用，于是第四个线程启动了。让休眠时长从测得的分布中抽取之后，模型每次运行会创建 3、4 或 5 个线程，大多是 4 个，中位数落在容差带内。（需要说明：这个分布是为了解释这个差距才加入校准的，所以在这一点上，这个负载已经不完全是模型从未针对调过的了；不过分布本身由 `programs/usleep.go` 测得，并非取自这些运行。）在这个场景里，单看线程数分不出校准过和未校准的模型；能分出它们的是总完工时间——在两个 P 上，且真实运行足够安静、可以评判时间的时候。
#
# ## 7. 模型省略了什么，又在哪里显现
#
# 每个模型都把自己的简化集中列在一处，即 `SIMPLIFIES`：

# %% tags=["nbval-ignore-output"]
for model in (gk.GMP, gk.GM):
    print(tr("{model} leaves out:", model=model.__name__))
    for item in model.SIMPLIFIES:
        print("  -", tr(item))
print()
# The expected differences each metric of a comparison is exposed to:
for key, why in cmp.EXPECTED.items():
    print(f"{key:18} {tr(why)}")

# %% [markdown] lang="en"
# | left out | direction it moves reality | seen above |
# |---|---|---|
# | garbage collector (GC workers, stop-the-world) | real makespan ≥ model | makespan ratios above 1 |
# | the operating system's scheduler, other programs | real makespan ≥ model, irregular slices | gaps in the real Gantt chart; a P whose `schedticks` stand still |
# | real cost of system calls and timers | real syscall and sleep durations longer | `syscall_storm` and `netio_server` makespans; ticker latencies |
# | the runtime's own goroutines and threads | real `threads` a few above the model's | `threads=` at 0 ms in the real schedtrace |
# | sampling (schedtrace at sysmon's rounds, ≥ 1 ms apart) | real peaks ≤ true peaks | global queue peak in `spawn_burst` |
# | sysmon's sleep lasting longer than asked (timer slack, wake-up) | *calibrated*: measured with the real runs (`usleep_overhead_ns`); with the uncalibrated 20 µs tick the model made more threads than real Go in `syscall_storm`, outside the ×1.5 band | section 4's broken model |
# | sleeps that vary from call to call | *calibrated*: each sleep draws from the measured spread; with every sleep at the median the model made 3 threads in `short_syscalls` on one P, real Go 4 | section 6 |
# | waiting for a CPU (wake-ups, the program's own threads beyond the cores, other programs) | every real time stretches | "CPU wait of the real threads" (not modelled) |
# | `schedtick` history before `main` | fixed (`STARTUP_SCHEDTICKS = 1`); before the fix the ticker got in one slice later in the model | `cpu_hog` on one P |
#
# ## Summary
#
# * A scenario can run in the simulator and as a real Go program; both produce the same
#   `Timeline`, so the same Gantt charts, queue plots and `SCHED` lines compare directly.
# * The GMP model reproduces the mechanisms: ring overflow into the global queue, preemption
#   every ~10 ms, extra threads for blocking system calls and none for network waits, the
#   effect of `asyncpreemptoff`.
# * It does not reproduce absolute times on a busy machine, and is not meant to: GC, the OS
#   and real syscall costs are left out, so their effects appear as differences with a known
#   direction.
# * A model of a runtime must be calibrated to the machine where it matters: sysmon asks for
#   20 µs and gets about 85 µs, and with the requested figure the model made up to twice the
#   threads real Go makes.
# * A fair comparison uses medians of several runs, counts and ratios, and two-sided bands
#   written down before looking; "not modelled" is said out loud, never counted as agreement;
#   and a model broken on purpose shows that a band can fail. A disagreement outside a band
#   is a finding (like the `schedtick` one and the sysmon tick above).
#
# ## Self-check
#
# Replace each `...` with your answer and run the cell. The expected answers are computed
# (by the model, or from this machine's measurements above) only when you check, and each
# comes with the reason. Prefer boxes and buttons? Use the widget under it: its **Show all
# answers** button computes and explains every answer, and it shows how many of this
# notebook's predictions you got right (save them as JSON).

# %% [markdown] lang="zh"
# | 省略的因素 | 它把现实推向哪个方向 | 上文在哪里看到 |
# |---|---|---|
# | 垃圾回收器（GC 工作 goroutine、全局暂停） | 真实总完工时间 ≥ 模型 | 总完工时间之比大于 1 |
# | 操作系统的调度器、其他程序 | 真实总完工时间 ≥ 模型，时间片长短不一 | 真实甘特图中的空隙；`schedticks` 停滞不动的 P |
# | 系统调用和定时器的真实开销 | 真实的系统调用和休眠时长更长 | `syscall_storm` 和 `netio_server` 的总完工时间；打点器的延迟 |
# | 运行时自己的 goroutine 和线程 | 真实的 `threads` 比模型多几个 | 真实调度追踪中 0 ms 时的 `threads=` |
# | 采样（调度追踪在 `sysmon` 的轮次上打印，间隔 ≥ 1 ms） | 真实峰值 ≤ 真正的峰值 | `spawn_burst` 中全局运行队列的峰值 |
# | `sysmon` 的休眠比请求的长（定时器松弛量、唤醒） | *已校准*：与真实运行一同测量（`usleep_overhead_ns`）；若用未校准的 20 µs 周期，模型在 `syscall_storm` 中创建的线程比真实 Go 多，超出 ×1.5 容差带 | 第 4 节中被弄坏的模型 |
# | 每次调用的休眠时长各不相同 | *已校准*：每次休眠都从测得的分布中抽取；若每次休眠都取中位数，模型在一个 P 上运行 `short_syscalls` 时只创建 3 个线程，真实 Go 是 4 个 | 第 6 节 |
# | 等待 CPU（唤醒、超出核数的程序自身线程、其他程序） | 每个真实时间都被拉长 | “真实线程等待 CPU 的比例”（未建模） |
# | `main` 之前的 `schedtick` 历史 | 已修复（`STARTUP_SCHEDTICKS = 1`）；修复之前，模型里的打点器要晚一个时间片才能插进来 | 单个 P 上的 `cpu_hog` |
#
# ## 小结
#
# * 一个场景既可以在模拟器里运行，也可以作为真实的 Go 程序运行；两者产生同样的 `Timeline`，所以同样的甘特图、队列曲线和 `SCHED` 行可以直接对比。
# * GMP 模型复现了这些机制：环形队列溢出到全局运行队列，大约每 10 ms 一次的抢占，阻塞的系统调用会额外创建线程而网络等待不会，以及 `asyncpreemptoff` 的效果。
# * 它不复现繁忙机器上的绝对时间，也无意复现：GC、操作系统和真实的系统调用开销都被省略了，所以它们的影响表现为方向已知的差异。
# * 运行时的模型，必须在关键之处针对机器做校准：`sysmon` 请求 20 µs，实际得到约 85 µs；用请求值时，模型创建的线程最多可达真实 Go 的两倍。
# * 公平的比较要用多次运行的中位数、计数和比值，以及事先写下的双侧容差带；“未建模”要明说，绝不算作一致；再用一个故意弄坏的模型，证明容差带能判出失败。落在容差带之外的不一致本身就是一个发现（就像上面 `schedtick` 的那次和 `sysmon` 周期的那次）。
#
# ## 自测
#
# 把每个 `...` 换成你的答案，然后运行这个单元格。只有在你检查时，才会计算预期答案（由模型算出，或取自上文本机的测量结果），并附上理由。更喜欢输入框和按钮？用下面的小部件：它的**显示全部答案**按钮会计算并解释每一个答案，还会显示你在本讲中的预测答对了几个（可以保存为 JSON）。

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
burst_sim = gk.scenarios.spawn_burst(**cmp.MIRRORS["spawn_burst"].params).run(gk.GMP(procs=1))

questions = [
    Question("overflow-peak",
             {"en": "spawn_burst with 1000 go statements on GOMAXPROCS=1: how many "
                    "goroutines does the simulator's global queue hold at its peak?",
              "zh": "在 GOMAXPROCS=1 上运行含 1000 条 go 语句的 spawn_burst：模拟器的全局运行队列"
                    "在峰值时有多少个 goroutine？"},
             answer=lambda: burst_sim.stats["global_queue_peak"],
             explain=lambda e: {
                 "en": f"{e}: each time the 256-slot ring is full, runqputslow moves "
                       "128 + 1 Gs to the global queue; on one P nobody drains it until "
                       "main blocks, and runnext holds the newest G.",
                 "zh": f"{e}：每当 256 个槽位的环形队列满了，runqputslow 就把 128 + 1 个 G 移到"
                       "全局运行队列；只有一个 P 时，在 main 阻塞之前没有谁去取它们，"
                       "而 runnext 里放着最新的那个 G。"},
             compare=within(rel=0.05)),
    Question("more-threads",
             {"en": "Which makes more threads in real Go: 'syscall_storm' or 'netio_server'?",
              "zh": "在真实的 Go 中，'syscall_storm' 和 'netio_server' 哪个创建的线程更多？"},
             answer=lambda: "syscall_storm",
             explain=lambda e: {
                 "en": f"{e}: a blocking system call holds its thread, so sysmon hands "
                       "the P to a new M; a goroutine waiting on a socket parks on the "
                       "netpoller and its thread runs other goroutines.",
                 "zh": f"{e}：阻塞的系统调用占住它的线程，于是 sysmon 把 P 交给一个新的 M；"
                       "在 socket 上等待的 goroutine 挂起在网络轮询器上，它的线程去运行"
                       "别的 goroutine。"}),
    Question("direction-gc",
             {"en": "The model has no garbage collector. Can that make a real "
                    "makespan shorter than the model's? (yes/no)",
              "zh": "模型里没有垃圾回收器。这会不会让真实的总完工时间比模型的更短？"
                    "（填 yes 或 no）"},
             answer=lambda: "no",
             explain=lambda e: {
                 "en": f"{e}: GC work runs on the same Ps and stop-the-world pauses stop "
                       "everyone, so leaving it out can only make the model faster.",
                 "zh": f"{e}：GC 的工作运行在同样的 P 上，全局暂停（STW）会让所有人停下，"
                       "所以省略它只会让模型更快。"}),
    Question("hog-wait",
             {"en": "cpu_hog on one P, GODEBUG=asyncpreemptoff=1: about how many ms does "
                    "the ticker wait at worst, according to the model (hog_ms = 50)?",
              "zh": "在一个 P 上运行 cpu_hog，设置 GODEBUG=asyncpreemptoff=1：按照模型，"
                    "打点器最坏要等大约多少毫秒（hog_ms = 50）？"},
             answer=lambda: round(results[("cpu_hog", 1, False)].metric("worst_delay_ns").sim / 1e6),
             explain=lambda e: {
                 "en": f"about {e} ms: without the signal the loop has no preemption "
                       "point, so the ticker runs only when the hog ends.",
                 "zh": f"大约 {e} ms：没有信号，循环里就没有抢占点，所以打点器要等霸占者"
                       "结束才能运行。"},
             compare=within(rel=0.2)),
]

# %%
my_answers = {
    "overflow-peak": ...,
    "more-threads": ...,
    "direction-gc": ...,
    "hog-wait": ...,
}
self_check(questions, my_answers)

# %% tags=["nbval-ignore-output"]
answer_boxes(questions, tally)

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## Glossary
#
# | English | 中文 | meaning here |
# |---|---|---|
# | model | 模型 | the simulator `gk.GMP`: a miniature of `runtime/proc.go` |
# | measurement | 测量 | a number from a real Go run on this machine |
# | band / tolerance | 容差带 | how far the model may be from the real value and still agree |
# | timer slack | 定时器松弛量 | how late (up to 50 µs by default) Linux may wake a sleeping thread, to merge wake-ups |
# | calibration | 校准 | measuring a cost on this machine and giving it to the model |
# | execution trace | 执行追踪 | `runtime/trace`: every goroutine state change, with its M and P |
# | scheduler trace | 调度追踪 | `GODEBUG=schedtrace=1`: a `SCHED` line from sysmon at most once per ms |
# | garbage collection | 垃圾回收 | the GC, left out of the model |
# | preemption | 抢占 | stopping a goroutine after its 10 ms time slice |
# | asynchronous preemption | 异步抢占 | preemption by a signal (SIGURG), Go 1.14+ |
# | system call | 系统调用 | an entry into the kernel; a blocking one holds its thread |
# | netpoller | 网络轮询器 | epoll: network waits park goroutines, not threads |
# | local run queue | 本地运行队列 | a P's 256-slot ring (plus `runnext`) |
# | global run queue | 全局运行队列 | `sched.runq`: overflow, preempted Gs |
# | operating system scheduler | 操作系统调度器 | the kernel deciding which thread runs on a CPU |
# | makespan | 总完工时间（makespan） | time from the start of the workload to its end |
# | median | 中位数 | the middle of several runs: robust against one slow run |
#
# ## Further reading
#
# In this order:
#
# 1. The tools used here, from their own documentation: [`GODEBUG` settings](https://pkg.go.dev/runtime#hdr-Environment_Variables) (`schedtrace`, `scheddetail`, `asyncpreemptoff`), [runtime/trace](https://pkg.go.dev/runtime/trace) and [cmd/trace](https://pkg.go.dev/cmd/trace).
# 2. William Kennedy, [Scheduler Tracing In Go](https://www.ardanlabs.com/blog/2015/02/scheduler-tracing-in-go.html) (2015): reading `schedtrace` lines field by field.
# 3. Michael Knyszek, [More powerful Go execution traces](https://go.dev/blog/execution-traces-2024) (the Go blog, 2024): the tracer that `go tool trace` reads today.
# 4. **OSTEP**, [Multiprocessor Scheduling](https://pages.cs.wisc.edu/~remzi/OSTEP/cpu-sched-multi.pdf) (ch. 10): why real machines add noise a model leaves out (caches, affinity, other processes).
# 5. 中文：[《Go 语言原本》](https://golang.design/under-the-hood/zh-cn/) 中关于运行时追踪的章节。

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 术语表
#
# | 中文 | English | 含义 |
# |---|---|---|
# | 模型 | model | 模拟器 `gk.GMP`：`runtime/proc.go` 的缩微版 |
# | 测量 | measurement | 在本机上真实运行 Go 程序得到的数字 |
# | 容差带 | band / tolerance | 模型与真实值相差多远，仍算作一致 |
# | 定时器松弛量 | timer slack | Linux 为了合并唤醒，可以把休眠线程推迟多久再唤醒（默认最多 50 µs） |
# | 校准 | calibration | 在本机上测量某项开销，再交给模型使用 |
# | 执行追踪 | execution trace | `runtime/trace`：goroutine 的每一次状态变化，连同所在的 M 和 P |
# | 调度追踪 | scheduler trace | `GODEBUG=schedtrace=1`：由 `sysmon` 打印的 `SCHED` 行，每毫秒至多一行 |
# | 垃圾回收 | garbage collection | 即 GC，模型中没有 |
# | 抢占 | preemption | goroutine 用完 10 ms 的时间片后，让它停下 |
# | 异步抢占 | asynchronous preemption | 通过信号（SIGURG）实现的抢占，Go 1.14 起 |
# | 系统调用 | system call | 进入内核；阻塞的系统调用会占住它的线程 |
# | 网络轮询器 | netpoller | 即 epoll：网络等待挂起的是 goroutine，而不是线程 |
# | 本地运行队列 | local run queue | 每个 P 的 256 槽环形队列（外加 `runnext`） |
# | 全局运行队列 | global run queue | `sched.runq`：存放溢出的 G 和被抢占的 G |
# | 操作系统调度器 | operating system scheduler | 内核决定哪个线程在 CPU 上运行 |
# | 总完工时间（makespan） | makespan | 从负载开始到结束所用的时间 |
# | 中位数 | median | 多次运行结果中居中的那个值：不怕某一次跑得特别慢 |
#
# ## 延伸阅读
#
# 建议按以下顺序阅读：
#
# 1. 本讲所用工具的官方文档：[`GODEBUG` 设置](https://pkg.go.dev/runtime#hdr-Environment_Variables)（`schedtrace`、`scheddetail`、`asyncpreemptoff`）、[runtime/trace](https://pkg.go.dev/runtime/trace) 和 [cmd/trace](https://pkg.go.dev/cmd/trace)。
# 2. William Kennedy，[Scheduler Tracing In Go](https://www.ardanlabs.com/blog/2015/02/scheduler-tracing-in-go.html)（2015，英文）：逐个字段解读 `schedtrace` 的输出行。
# 3. Michael Knyszek，[More powerful Go execution traces](https://go.dev/blog/execution-traces-2024)（Go 官方博客，2024，英文）：如今 `go tool trace` 所读取的就是这个追踪器的输出。
# 4. **OSTEP** 的 [Multiprocessor Scheduling](https://pages.cs.wisc.edu/~remzi/OSTEP/cpu-sched-multi.pdf)（第 10 章，英文）：为什么真实机器会带来模型所省略的噪声（缓存、亲和性、其他进程）。
# 5. 中文：[《Go 语言原本》](https://golang.design/under-the-hood/zh-cn/) 中关于运行时追踪的章节。
