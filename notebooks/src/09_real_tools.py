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
# # 09 · Lab: the runtime's own tools, `schedtrace` and `go tool trace`
#
# Until now the course has read real Go through its own parsers. This lab puts the two tools
# that Go programmers use on their own programs in your hands:
#
# * **`GODEBUG=schedtrace=N`**: the runtime's `sysmon` thread prints a `SCHED` line at most
#   once every N ms, with the numbers of the last lectures: Ps, threads, spinning threads,
#   queue lengths.
#   Add `scheddetail=1` and it prints one line per P, M and G.
# * **`go tool trace`**: a program that calls `runtime/trace` records every scheduling event;
#   `go tool trace` opens the record in a web page where you can see every P and thread.
#
# You run them on one of the course's programs, read named fields, and find specific events.
# The answers are computed from the same run you look at, so they are right for your machine.
#
# Without a Go toolchain the lab shows runs recorded on the course's machine, and pictures of
# the web page instead of the page; the panels say so in red.

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# # 09 · 动手实验：运行时自带的工具 `schedtrace` 与 `go tool trace`
#
# 到目前为止，课程都是用自己写的解析器读取真实 Go 的输出。本实验把 Go 程序员分析自己程序时用的两个工具交到你手上：
#
# * **`GODEBUG=schedtrace=N`**：运行时的 `sysmon` 线程最多每 N ms 打印一行 `SCHED`，内容正是前几讲的那些数字：P 的个数、线程数、自旋线程数、各个队列的长度。再加上 `scheddetail=1`，它还会为每个 P、M 和 G 各打印一行。
# * **`go tool trace`**：调用了 `runtime/trace` 的程序会记录下每一个调度事件；`go tool trace` 把这份记录做成网页打开，每个 P、每个线程都看得见。
#
# 你将在课程自带的一个程序上运行这两个工具，读出指定的字段，找出指定的事件。答案就从你看到的这次运行中算出，所以在你的机器上一定成立。
#
# 如果没有 Go 工具链，本实验改为展示在课程机器上录制的运行结果，并用网页截图代替网页本身；面板会用红字注明这一点。

# %% [markdown] lang="en"
# ## Learning goals
#
# After this lab you can:
#
# 1. run a Go program with `GODEBUG=schedtrace` and `scheddetail`, and say what each field of
#    the output counts;
# 2. open a program's execution trace in `go tool trace`, and find a goroutine, a blocking
#    system call, and a preemption in it;
# 3. check a reading against the runtime's source (`schedtrace` in `proc.go`).

# %% [markdown] lang="zh"
# ## 学习目标
#
# 完成本实验后，你将能够：
#
# 1. 用 `GODEBUG=schedtrace` 和 `scheddetail` 运行 Go 程序，并说出输出中每个字段统计的是什么；
# 2. 在 `go tool trace` 中打开程序的执行追踪，从中找到某个 goroutine、一次阻塞的系统调用和一次抢占；
# 3. 对照运行时源码（`proc.go` 中的 `schedtrace`）核对自己的读数。

# %%
from gmpkit import predictions
from gmpkit.i18n import tr
from gmpkit.checks import Question, answer_boxes, self_check
from gmpkit.real import tracetool
from gmpkit.real.compare import find_go_or_none
from gmpkit.real.schedtrace import schedtrace_or_recorded
from gmpkit.widgets import tools

tally = predictions.tally("09_real_tools")   # your predictions in this notebook

# %% [markdown] lang="en"
# Which Go does this lab use? (`None`: there is none, and the recordings stand in.)

# %% [markdown] lang="zh"
# 本实验用的是哪个 Go？（`None` 表示没有找到 Go，由录制的数据代替。）

# %% tags=["nbval-ignore-output"]
go = find_go_or_none()
print(go.version if go else tr("no Go toolchain found: this lab shows recorded runs"))

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## Part 1 · `GODEBUG=schedtrace`
#
# The course's program `schedload` keeps six CPU-bound goroutines, a sleeper and a goroutine
# in blocking system calls busy for 200 ms. In a terminal you would run it like this
# (the runtime prints to standard error):
#
# ```
# GOMAXPROCS=2 GODEBUG=schedtrace=20 ./schedload -d 200ms
# ```
#
# Here is what it printed on this machine, the first lines only:

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 第一部分 · `GODEBUG=schedtrace`
#
# 课程里的程序 `schedload` 会让六个 CPU 密集型 goroutine、一个睡眠的 goroutine 和一个不停做阻塞系统调用的 goroutine 忙上 200 ms。在终端里可以这样运行它（运行时把输出写到标准错误）：
#
# ```
# GOMAXPROCS=2 GODEBUG=schedtrace=20 ./schedload -d 200ms
# ```
#
# 下面是它在本机打印的内容，只取开头几行：

# %% tags=["nbval-ignore-output"]
run = tools.schedtrace_run(procs=2, every_ms=20, workers=6)
sched_lines = [ln for ln in run.meta["raw"].splitlines() if ln.startswith("SCHED")]
print("\n".join(sched_lines[:4]))

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
# Every line of the output was read (parsed); there is one snapshot per SCHED line.
assert len(run.meta["snapshots"]) == len(sched_lines) >= 3
assert run.procs == 2

# %% [markdown] lang="en"
# What each field counts. The table is the course's; the fields are the ones the installed
# runtime prints, read from `schedtrace` in `proc.go` (the assert below fails the day a new
# Go release prints a field the table does not explain).

# %% [markdown] lang="zh"
# 下表说明每个字段统计的是什么。表格由课程整理，字段则是本机安装的运行时实际打印的那些，取自 `proc.go` 中的 `schedtrace`（哪天新版 Go 打印出表里没有解释的字段，下面的断言就会失败）。

# %%
source_fields = tracetool.schedtrace_fields_in_source() if go else None
for section, fields in tracetool.SCHEDTRACE_FIELDS.items():
    print(tr("-- {section} line", section=section) if section == "summary"
          else tr("-- {section} lines (scheddetail=1)", section=section))
    for name, meaning in fields.items():
        print(f"   {name:16s} {meaning}")

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
if source_fields:  # only with Go: the source is the installed toolchain's
    for section, names in source_fields.items():
        assert set(names) == set(tracetool.SCHEDTRACE_FIELDS[section]), section

# %% [markdown] lang="en"
# **Predict first:** six goroutines want the CPU, and GOMAXPROCS is 2. What do you expect
# `runqueue` (the global queue) and `threads` to do over the run? What changes if you move
# GOMAXPROCS to 4, or the number of CPU-bound goroutines to 1?
#
# Move the sliders. Each move runs the real program again (about a second).

# %% [markdown] lang="zh"
# **先预测**：有六个 goroutine 要用 CPU，而 GOMAXPROCS 是 2。在整个运行过程中，你预计 `runqueue`（全局运行队列）和 `threads` 会怎样变化？如果把 GOMAXPROCS 调到 4，或者把 CPU 密集型 goroutine 减到 1 个，又会怎样？
#
# 拖动滑块。每动一次，都会重新运行一遍真实程序（大约一秒）。

# %% tags=["nbval-ignore-output"]
tally.ask("09-schedtrace")

# %% tags=["nbval-ignore-output"]
sched_panel = tools.schedtrace_panel(procs=2, every_ms=20, workers=6)
tally.follow("09-schedtrace", sched_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
first = sched_panel.data.meta["snapshots"][0]
assert sched_panel.error is None
assert set(tools.READ_FIELDS) <= set(first.fields)
assert max(s.fields["threads"] for s in sched_panel.data.meta["snapshots"]) >= 2

# %% [markdown] lang="en"
# **What to notice:** the `SCHED` lines are *at least* N ms apart, not exactly N: sysmon
# prints one when it wakes up and the interval has passed. `threads` is more than GOMAXPROCS
# from the start: `sysmon` has a thread
# of its own, and the goroutine in `nanosleep` holds another. The global `runqueue` fills when
# a preempted goroutine is put back (10 ms time slices), and empties as the Ps pick work up. With
# one CPU-bound goroutine there is little to queue, and `idleprocs` rises instead.

# %% [markdown] lang="zh"
# **观察要点**：相邻两行 `SCHED` 的间隔*至少*是 N ms，而不是恰好 N ms：sysmon 醒来时，只有距上次打印已满 N ms 才会打印一行。`threads` 从一开始就比 GOMAXPROCS 大：`sysmon` 自己占一个线程，停在 `nanosleep` 里的 goroutine 又占一个。被抢占的 goroutine 放回全局运行队列时（时间片为 10 ms），全局 `runqueue` 就会变长；P 把工作取走后，它又会变短。只有一个 CPU 密集型 goroutine 时，没什么可排队的，上升的是 `idleprocs`。

# %% [markdown] lang="en"
# ### Read a line yourself
#
# Take the **third** `SCHED` line printed above and read off three fields. Replace each `...`
# and run the cell; the check reads the same line from the parsed output.

# %% [markdown] lang="zh"
# ### 自己读一行
#
# 取上面打印出的**第三行** `SCHED`，读出其中三个字段。把每个 `...` 换成你的读数，然后运行这个单元格；检查程序会从解析后的输出中读取同一行来核对。

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
third = run.meta["snapshots"][2].fields
reading = [
    Question("read-threads", {"en": "threads in the third SCHED line",
                              "zh": "第三行 SCHED 中的 threads"},
             answer=lambda: third["threads"],
             explain=lambda e: {"en": f"{e} threads (Ms) existed at that moment, idle ones included.",
                                "zh": f"那一刻共有 {e} 个线程（M），空闲的也算在内。"}),
    Question("read-runqueue", {"en": "runqueue in the third SCHED line",
                               "zh": "第三行 SCHED 中的 runqueue"},
             answer=lambda: third["runqueue"],
             explain=lambda e: {"en": f"{e} goroutines waited in the global queue.",
                                "zh": f"有 {e} 个 goroutine 在全局运行队列中等待。"}),
    Question("read-idleprocs", {"en": "idleprocs in the third SCHED line",
                                "zh": "第三行 SCHED 中的 idleprocs"},
             answer=lambda: third["idleprocs"],
             explain=lambda e: {"en": f"{e} of the {run.procs} Ps had no M.",
                                "zh": f"{run.procs} 个 P 中有 {e} 个没有 M。"}),
]

# %%
self_check(reading, {"read-threads": ..., "read-runqueue": ..., "read-idleprocs": ...})

# %% [markdown] lang="en" slideshow={"slide_type": "subslide"}
# ### One level deeper: `scheddetail=1`
#
# With `scheddetail=1` each sample also lists every P, M and G. Read one block: which M holds
# each P, which goroutine each M runs, and which goroutine is in a system call
# (`status=3`).

# %% [markdown] lang="zh" slideshow={"slide_type": "subslide"}
# ### 再深入一层：`scheddetail=1`
#
# 加上 `scheddetail=1` 后，每次采样还会列出每个 P、M 和 G。读其中一块：每个 P 由哪个 M 持有，每个 M 在运行哪个 goroutine，哪个 goroutine 正处在系统调用中（`status=3`）。

# %% tags=["nbval-ignore-output"]
detail = schedtrace_or_recorded(detail=True, every_ms=50)
block = detail.meta["snapshots"][min(2, len(detail.meta["snapshots"]) - 1)]
at_ms = block.time_ns // 1_000_000
print(tr("recorded: the block at {ms} ms", ms=at_ms) if detail.meta.get("recorded")
      else tr("this machine: the block at {ms} ms", ms=at_ms))
for kind, items in (("P", block.ps), ("M", block.ms), ("G", block.gs[:8])):
    for item in items:
        rest = " ".join(f"{k}={v}" for k, v in item.items() if k != "id")
        print(f"  {kind}{item['id']}: {rest}")

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
assert block.ps and block.ms, "a scheddetail block lists Ps and Ms"
assert len(block.ps) == detail.procs

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## Part 2 · `go tool trace`
#
# `schedtrace` samples; an execution trace records **every** event. The course's program
# `tracedemo` does in a tenth of a second what the lectures discussed: a channel ping-pong,
# `Gosched`, three CPU-bound goroutines longer than a time slice, a blocking system call and a
# sleep. It calls `trace.Start` and `trace.Stop` and writes the file; `go tool trace FILE`
# serves it as a web page.
#
# **Predict first:** with GOMAXPROCS=2, will the goroutine in the 15 ms system call keep its P?
# How many preemptions do you expect from three goroutines of 25 ms CPU each?

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 第二部分 · `go tool trace`
#
# `schedtrace` 是采样；执行追踪则记录**每一个**事件。课程里的程序 `tracedemo` 在十分之一秒内把前几讲讨论过的情形都做了一遍：channel 乒乓、`Gosched`、三个运行时间超过一个时间片的 CPU 密集型 goroutine、一次阻塞的系统调用，以及一次睡眠。它调用 `trace.Start` 和 `trace.Stop` 把追踪写入文件；`go tool trace FILE` 则把这个文件以网页的形式呈现出来。
#
# **先预测**：GOMAXPROCS=2 时，处在 15 ms 系统调用中的 goroutine 能一直保住它的 P 吗？三个各需 25 ms CPU 时间的 goroutine，你预计会发生几次抢占？

# %% tags=["nbval-ignore-output"]
tally.ask("09-trace")

# %% tags=["nbval-ignore-output"]
trace_panel = tools.trace_panel(procs=2)
tally.follow("09-trace", trace_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
trace_tl, trace_file = trace_panel.data
facts = tools.trace_facts(trace_tl)
assert trace_panel.error is None
assert facts["start_functions"].get("main.main.func3") == 3   # the three CPU-bound goroutines
assert len(facts["syscalls"]) >= 1

# %% [markdown] lang="en"
# **What to notice:** the blocking system call (▼) holds its thread. Once the call has lasted
# a sysmon tick, sysmon retakes the P (◆) if goroutines wait in its run queue, or if no P is
# idle and no M is spinning, and after 10 ms in any case; another thread then runs the waiting
# work. The CPU-bound
# goroutines are preempted (✖) about every 10 ms, which is why they take turns.

# %% [markdown] lang="zh"
# **观察要点**：阻塞的系统调用（▼）会占住它的线程。调用持续超过一个 sysmon 周期后，如果这个 P 的运行队列里有 goroutine 在等，或者既没有空闲的 P 也没有自旋的 M，sysmon 就会收回这个 P（◆）；即使条件都不满足，10 ms 后也一定会收回。随后由另一个线程来运行等待中的工作。CPU 密集型 goroutine 大约每 10 ms 被抢占一次（✖），所以它们轮流运行。

# %% [markdown] lang="en" slideshow={"slide_type": "subslide"}
# ### Open the trace viewer
#
# The cell below starts `go tool trace` on the same file, on 127.0.0.1 (this machine only),
# and shows links to its pages. They open in a new browser tab. It keeps serving until you
# run `viewer.stop()` or restart the kernel.

# %% [markdown] lang="zh" slideshow={"slide_type": "subslide"}
# ### 打开追踪查看器
#
# 下面的单元格会对同一个文件启动 `go tool trace`，只监听 127.0.0.1（仅限本机），并显示指向各个页面的链接。链接会在浏览器的新标签页中打开。它会一直提供服务，直到你运行 `viewer.stop()` 或重启内核。

# %% tags=["nbval-ignore-output"]
viewer = tracetool.TraceViewer(trace_file).start() if trace_file else None
viewer if viewer else tracetool.recorded_viewer_pictures()

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
if viewer:
    assert viewer.running and viewer.url.startswith("http://127.0.0.1:")
    assert "main.main.func3" in viewer.fetch("goroutines")

# %% [markdown] lang="en"
# ### Find these in the viewer
#
# 1. **Goroutine analysis**: how many goroutines started in `main.main.func3` (the CPU-bound
#    ones)?
# 2. **View trace by proc**: which goroutine made the blocking system call? (Its bar says
#    `syscall`; click it, the bottom panel names it, e.g. `G23`.) Give the number.
# 3. Did that goroutine lose its P while in the system call? Look at its P after the
#    `syscall` bar begins: does another goroutine run there before the call returns?
#    (`True` or `False`)
# 4. How many times was a goroutine preempted? (In the by-proc view a preempted goroutine's
#    bar ends and another starts on the same P with no block in between; the parsed events
#    count them exactly.)

# %% [markdown] lang="zh"
# ### 在查看器里找到这些
#
# 1. **Goroutine analysis**：有多少个 goroutine 是从 `main.main.func3` 启动的（也就是那几个 CPU 密集型 goroutine）？
# 2. **View trace by proc**：是哪个 goroutine 做了那次阻塞的系统调用？（它的色条上写着 `syscall`；点击它，底部面板会给出名字，比如 `G23`。）写出编号。
# 3. 这个 goroutine 在系统调用期间失去它的 P 了吗？看 `syscall` 色条开始之后它原来那个 P：在调用返回之前，有没有别的 goroutine 在那里运行？（填 `True` 或 `False`）
# 4. goroutine 一共被抢占了几次？（在按 P 排列的视图中，被抢占的 goroutine 的色条结束后，同一个 P 上紧接着开始另一个 goroutine，中间没有阻塞；解析后的事件会给出准确的次数。）

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
call = facts["syscalls"][0]
finds = [
    Question("func3", {"en": "goroutines started in main.main.func3",
                       "zh": "从 main.main.func3 启动的 goroutine 个数"},
             answer=lambda: facts["start_functions"]["main.main.func3"],
             explain=lambda e: {"en": f"{e}: tracedemo starts one per CPU-bound worker.",
                                "zh": f"{e}：tracedemo 为每个 CPU 密集型 worker 启动一个。"}),
    Question("syscall-g", {"en": "the goroutine that made the blocking system call",
                           "zh": "做了那次阻塞系统调用的 goroutine（编号）"},
             answer=lambda: call["g"],
             explain=lambda e: {"en": f"G{e}: on P{call['p']}, for {call['ns'] / 1e6:.1f} ms.",
                                "zh": f"G{e}：在 P{call['p']} 上，持续 {call['ns'] / 1e6:.1f} ms。"}),
    Question("lost-p", {"en": "did it lose its P in the system call?",
                        "zh": "它在系统调用期间失去了自己的 P 吗？（填 True 或 False）"},
             answer=lambda: call["lost_p"],
             explain=lambda e: ({"en": "yes: sysmon's retake took the P and handoffp gave it to "
                                       "another thread",
                                 "zh": "是的：sysmon 的 retake 收回了 P，handoffp 把它交给了另一个线程"}
                                if e else
                                {"en": "no: the call returned to the same P "
                                       "(exitsyscall's fast path: sysmon had not retaken it)",
                                 "zh": "没有：调用返回时回到了原来的 P（exitsyscall 的快速路径："
                                       "sysmon 还没有收回它）"})),
    Question("preemptions", {"en": "preemptions in the whole trace",
                             "zh": "整个追踪中的抢占次数"},
             answer=lambda: sum(facts["preemptions"].values()),
             explain=lambda e: {"en": f"{e}: the CPU-bound goroutines ran past their 10 ms time slice "
                                      "and sysmon preempted them (asynchronously, by a signal).",
                                "zh": f"{e}：CPU 密集型 goroutine 用完了 10 ms 的时间片，"
                                      "sysmon 通过信号异步地抢占了它们。"}),
]

# %%
self_check(finds, {"func3": ..., "syscall-g": ..., "lost-p": ..., "preemptions": ...})

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## Summary
#
# * `GODEBUG=schedtrace=N` is a sample taken by `sysmon` when it wakes and N ms have passed
#   since the last one: cheap, always available, but the gaps can be longer than N (sysmon
#   sleeps 20 µs to 10 ms between rounds), and it misses anything shorter than a gap.
# * `scheddetail=1` adds one line per P, M and G: who holds whom, and who waits on what.
# * An execution trace records every event: which goroutine ran on which P and thread, every
#   block, wake-up, system call, retake and preemption. `go tool trace` draws it.
# * Both tools come with Go; the lectures' vocabulary (P, M, G, run queues, spinning, retake,
#   preemption) is the vocabulary of their output.

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 小结
#
# * `GODEBUG=schedtrace=N` 是 `sysmon` 醒来、且距上次已满 N ms 时做的一次采样：开销小、随时可用，但间隔可能比 N 长（sysmon 两轮之间会睡眠 20 µs 到 10 ms），比间隔更短的事情也会漏掉。
# * `scheddetail=1` 为每个 P、M 和 G 各加一行：谁持有谁，谁在等什么。
# * 执行追踪记录每一个事件：哪个 goroutine 在哪个 P、哪个线程上运行，每一次阻塞、唤醒、系统调用、收回 P 和抢占。`go tool trace` 把它画出来。
# * 这两个工具都随 Go 一起发布；它们的输出用的正是前几讲的术语（P、M、G、运行队列、自旋、收回 P、抢占）。

# %% [markdown] lang="en"
# ## Self-check
#
# Replace each `...` with your answer and run the cell.

# %% [markdown] lang="zh"
# ## 自测
#
# 把每个 `...` 换成你的答案，然后运行这个单元格。

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
questions = [
    Question("sampler", {"en": "Which thread prints the SCHED lines: main's, sysmon's or a P's?",
                         "zh": "SCHED 行是哪个线程打印的：main 的、sysmon 的，还是某个 P 的？"
                               "（填 main、sysmon 或 P）"},
             answer=lambda: "sysmon",
             explain=lambda e: {"en": f"{e}: sysmon calls schedtrace when the interval has passed, so "
                                      "the lines keep coming even when every P is busy.",
                                "zh": f"{e}：间隔一到，sysmon 就调用 schedtrace，所以即使每个 P "
                                      "都在忙，这些行也照样会打印出来。"}),
    Question("threads-vs-procs", {"en": "Can `threads` be larger than `gomaxprocs`? (yes/no)",
                                  "zh": "`threads` 能比 `gomaxprocs` 大吗？（填 yes 或 no）"},
             answer=lambda: "yes" if max(s.fields["threads"] for s in run.meta["snapshots"])
             > run.procs else "no",
             explain=lambda e: {"en": f"{e} (in your run): sysmon and threads blocked in system calls "
                                      "hold no P, so there are usually more Ms than Ps.",
                                "zh": f"{e}（在你的这次运行中）：sysmon 和阻塞在系统调用中的线程"
                                      "都不持有 P，所以 M 通常比 P 多。"}),
    Question("short-event", {"en": "A goroutine blocks for 2 ms. With schedtrace=20, will you see it "
                                    "in the output? (yes/no/maybe)",
                             "zh": "一个 goroutine 阻塞了 2 ms。在 schedtrace=20 下，"
                                   "输出里能看到它吗？（填 yes、no 或 maybe）"},
             answer=lambda: "maybe",
             explain=lambda e: {"en": f"{e}: only if a sample happens to fall inside those 2 ms; the "
                                      "execution trace sees it every time.",
                                "zh": f"{e}：只有恰好有一次采样落在这 2 ms 之内才能看到；"
                                      "执行追踪则每次都能看到。"}),
]

# %%
my_answers = {"sampler": ..., "threads-vs-procs": ..., "short-event": ...}
self_check(questions, my_answers)

# %% tags=["nbval-ignore-output"]
answer_boxes(questions, tally)

# %% [markdown] lang="en"
# The viewer keeps serving until the kernel stops; `viewer.stop()` ends it sooner.

# %% [markdown] lang="zh"
# 查看器会一直提供服务，直到内核停止；运行 `viewer.stop()` 可以提前结束它。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## Glossary
#
# | English | 中文 | meaning here |
# |---|---|---|
# | scheduler trace | 调度追踪 | `GODEBUG=schedtrace=N`: a `SCHED` line every N ms |
# | scheduler detail | 调度详情 | `scheddetail=1`: one line per P, M and G |
# | execution trace | 执行追踪 | `runtime/trace`: every scheduling event, with its P and M |
# | trace viewer | 追踪查看器 | `go tool trace`: the trace as a web page |
# | sample | 采样 | one reading taken at an instant; what happens between samples is missed |
# | field | 字段 | one `name=value` of a line |
# | global run queue | 全局运行队列 | `runqueue=`: goroutines waiting for any P |
# | idle P | 空闲 P | `idleprocs=`: Ps no thread holds |
# | spinning thread | 自旋线程 | `spinningthreads=`: an M holding a P, looking for work |
# | system call | 系统调用 | the `syscall` bars; a blocking one holds its thread |
# | preemption | 抢占 | a goroutine stopped at the end of its 10 ms slice |
# | goroutine analysis | goroutine 分析 | the viewer's page grouping goroutines by start function |
#
# ## Further reading
#
# In this order:
#
# 1. The runtime's documentation of its knobs: [`GODEBUG`](https://pkg.go.dev/runtime#hdr-Environment_Variables) (`schedtrace`, `scheddetail`) and the [diagnostics guide](https://go.dev/doc/diagnostics) (profiling, tracing and debugging, and when to use which).
# 2. `schedtrace` in [proc.go at go1.27.3](https://github.com/golang/go/blob/go1.27.3/src/runtime/proc.go): the function that prints every field of Part 1 (`gmpkit.real.toolchain.runtime_source("schedtrace")` prints the installed version).
# 3. William Kennedy, [Scheduler Tracing In Go](https://www.ardanlabs.com/blog/2015/02/scheduler-tracing-in-go.html) (2015).
# 4. [runtime/trace](https://pkg.go.dev/runtime/trace) and [cmd/trace](https://pkg.go.dev/cmd/trace): how to record a trace from a test (`go test -trace`) or a running server (`net/http/pprof`'s `/debug/pprof/trace`), and what each view shows.
# 5. Michael Knyszek, [More powerful Go execution traces](https://go.dev/blog/execution-traces-2024) (the Go blog, 2024).
# 6. 中文：[《Go 语言原本》](https://golang.design/under-the-hood/zh-cn/) 中关于运行时追踪的章节。

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 术语表
#
# | 中文 | English | 含义 |
# |---|---|---|
# | 调度追踪 | scheduler trace | `GODEBUG=schedtrace=N`：每 N ms 一行 `SCHED` |
# | 调度详情 | scheduler detail | `scheddetail=1`：每个 P、M 和 G 各一行 |
# | 执行追踪 | execution trace | `runtime/trace`：每一个调度事件，连同它所在的 P 和 M |
# | 追踪查看器 | trace viewer | `go tool trace`：以网页形式呈现的追踪 |
# | 采样 | sample | 在某一时刻取得的一次读数；两次采样之间发生的事会被漏掉 |
# | 字段 | field | 一行输出中的一个 `name=value` |
# | 全局运行队列 | global run queue | `runqueue=`：等待任意一个 P 的 goroutine |
# | 空闲 P | idle P | `idleprocs=`：没有线程持有的 P |
# | 自旋线程 | spinning thread | `spinningthreads=`：持有 P、正在找活干的 M |
# | 系统调用 | system call | 那些 `syscall` 色条；阻塞的系统调用会占住它的线程 |
# | 抢占 | preemption | goroutine 在 10 ms 时间片结束时被停下 |
# | goroutine 分析 | goroutine analysis | 查看器中按启动函数给 goroutine 分组的页面 |
#
# ## 延伸阅读
#
# 建议按以下顺序阅读：
#
# 1. 运行时对这些开关的说明：[`GODEBUG`](https://pkg.go.dev/runtime#hdr-Environment_Variables)（`schedtrace`、`scheddetail`），以及[诊断指南](https://go.dev/doc/diagnostics)（性能剖析、追踪和调试，以及各自适用的场合）。
# 2. [go1.27.3 的 proc.go](https://github.com/golang/go/blob/go1.27.3/src/runtime/proc.go) 中的 `schedtrace`：第一部分里每个字段都由这个函数打印（`gmpkit.real.toolchain.runtime_source("schedtrace")` 可以打印出你所安装版本中的这个函数）。
# 3. William Kennedy，[Scheduler Tracing In Go](https://www.ardanlabs.com/blog/2015/02/scheduler-tracing-in-go.html)（2015，英文）。
# 4. [runtime/trace](https://pkg.go.dev/runtime/trace) 和 [cmd/trace](https://pkg.go.dev/cmd/trace)：如何在测试中（`go test -trace`）或从运行中的服务（`net/http/pprof` 的 `/debug/pprof/trace`）录制追踪，以及每种视图展示什么。
# 5. Michael Knyszek，[More powerful Go execution traces](https://go.dev/blog/execution-traces-2024)（Go 官方博客，2024，英文）。
# 6. 中文：[《Go 语言原本》](https://golang.design/under-the-hood/zh-cn/) 中关于运行时追踪的章节。
