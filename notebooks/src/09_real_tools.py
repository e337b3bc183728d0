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

# %% [markdown]
# ## Learning goals
#
# After this lab you can:
#
# 1. run a Go program with `GODEBUG=schedtrace` and `scheddetail`, and say what each field of
#    the output counts;
# 2. open a program's execution trace in `go tool trace`, and find a goroutine, a blocking
#    system call, and a preemption in it;
# 3. check a reading against the runtime's source (`schedtrace` in `proc.go`).

# %%
from gmpkit import predictions
from gmpkit.checks import Question, answer_boxes, self_check
from gmpkit.real import tracetool
from gmpkit.real.compare import find_go_or_none
from gmpkit.real.schedtrace import schedtrace_or_recorded
from gmpkit.widgets import tools

tally = predictions.tally("09_real_tools")   # your predictions in this notebook

# %% [markdown]
# Which Go does this lab use? (`None`: there is none, and the recordings stand in.)

# %% tags=["nbval-ignore-output"]
go = find_go_or_none()
print(go.version if go else "no Go toolchain found: this lab shows recorded runs")

# %% [markdown] slideshow={"slide_type": "slide"}
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

# %% tags=["nbval-ignore-output"]
run = tools.schedtrace_run(procs=2, every_ms=20, workers=6)
sched_lines = [ln for ln in run.meta["raw"].splitlines() if ln.startswith("SCHED")]
print("\n".join(sched_lines[:4]))

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
# Every line of the output was read (parsed); there is one snapshot per SCHED line.
assert len(run.meta["snapshots"]) == len(sched_lines) >= 3
assert run.procs == 2

# %% [markdown]
# What each field counts. The table is the course's; the fields are the ones the installed
# runtime prints, read from `schedtrace` in `proc.go` (the assert below fails the day a new
# Go release prints a field the table does not explain).

# %%
source_fields = tracetool.schedtrace_fields_in_source() if go else None
for section, fields in tracetool.SCHEDTRACE_FIELDS.items():
    print(f"-- {section} line" if section == "summary" else f"-- {section} lines (scheddetail=1)")
    for name, meaning in fields.items():
        print(f"   {name:16s} {meaning}")

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
if source_fields:  # only with Go: the source is the installed toolchain's
    for section, names in source_fields.items():
        assert set(names) == set(tracetool.SCHEDTRACE_FIELDS[section]), section

# %% [markdown]
# **Predict first:** six goroutines want the CPU, and GOMAXPROCS is 2. What do you expect
# `runqueue` (the global queue) and `threads` to do over the run? What changes if you move
# GOMAXPROCS to 4, or the number of CPU-bound goroutines to 1?
#
# Move the sliders. Each move runs the real program again (about a second).

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

# %% [markdown]
# **What to notice:** the `SCHED` lines are *at least* N ms apart, not exactly N: sysmon
# prints one when it wakes up and the interval has passed. `threads` is more than GOMAXPROCS
# from the start: `sysmon` has a thread
# of its own, and the goroutine in `nanosleep` holds another. The global `runqueue` fills when
# a preempted goroutine is put back (10 ms time slices), and empties as the Ps pick work up. With
# one CPU-bound goroutine there is little to queue, and `idleprocs` rises instead.

# %% [markdown]
# ### Read a line yourself
#
# Take the **third** `SCHED` line printed above and read off three fields. Replace each `...`
# and run the cell; the check reads the same line from the parsed output.

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
third = run.meta["snapshots"][2].fields
reading = [
    Question("read-threads", "threads in the third SCHED line",
             answer=lambda: third["threads"],
             explain=lambda e: f"{e} threads (Ms) existed at that moment, idle ones included."),
    Question("read-runqueue", "runqueue in the third SCHED line",
             answer=lambda: third["runqueue"],
             explain=lambda e: f"{e} goroutines waited in the global queue."),
    Question("read-idleprocs", "idleprocs in the third SCHED line",
             answer=lambda: third["idleprocs"],
             explain=lambda e: f"{e} of the {run.procs} Ps had no M."),
]

# %%
self_check(reading, {"read-threads": ..., "read-runqueue": ..., "read-idleprocs": ...})

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### One level deeper: `scheddetail=1`
#
# With `scheddetail=1` each sample also lists every P, M and G. Read one block: which M holds
# each P, which goroutine each M runs, and which goroutine is in a system call
# (`status=3`).

# %% tags=["nbval-ignore-output"]
detail = schedtrace_or_recorded(detail=True, every_ms=50)
block = detail.meta["snapshots"][min(2, len(detail.meta["snapshots"]) - 1)]
print(f"{'recorded' if detail.meta.get('recorded') else 'this machine'}: the block at "
      f"{block.time_ns // 1_000_000} ms")
for kind, items in (("P", block.ps), ("M", block.ms), ("G", block.gs[:8])):
    for item in items:
        rest = " ".join(f"{k}={v}" for k, v in item.items() if k != "id")
        print(f"  {kind}{item['id']}: {rest}")

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
assert block.ps and block.ms, "a scheddetail block lists Ps and Ms"
assert len(block.ps) == detail.procs

# %% [markdown] slideshow={"slide_type": "slide"}
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

# %% [markdown]
# **What to notice:** the blocking system call (▼) holds its thread. Once the call has lasted
# a sysmon tick, sysmon retakes the P (◆) if a goroutine waits for it or no P is idle, and
# after 10 ms in any case; another thread then runs the waiting work. The CPU-bound
# goroutines are preempted (✖) about every 10 ms, which is why they take turns.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Open the trace viewer
#
# The cell below starts `go tool trace` on the same file, on 127.0.0.1 (this machine only),
# and shows links to its pages. They open in a new browser tab. It keeps serving until you
# run `viewer.stop()` or restart the kernel.

# %% tags=["nbval-ignore-output"]
viewer = tracetool.TraceViewer(trace_file).start() if trace_file else None
viewer if viewer else tracetool.recorded_viewer_pictures()

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
if viewer:
    assert viewer.running and viewer.url.startswith("http://127.0.0.1:")
    assert "main.main.func3" in viewer.fetch("goroutines")

# %% [markdown]
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

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
call = facts["syscalls"][0]
finds = [
    Question("func3", "goroutines started in main.main.func3",
             answer=lambda: facts["start_functions"]["main.main.func3"],
             explain=lambda e: f"{e}: tracedemo starts one per CPU-bound worker."),
    Question("syscall-g", "the goroutine that made the blocking system call",
             answer=lambda: call["g"],
             explain=lambda e: f"G{e}: on P{call['p']}, for {call['ns'] / 1e6:.1f} ms."),
    Question("lost-p", "did it lose its P in the system call?",
             answer=lambda: call["lost_p"],
             explain=lambda e: ("yes: sysmon's retake took the P and handoffp gave it to another "
                                "thread" if e else "no: the call returned to the same P "
                                "(exitsyscall's fast path: sysmon had not retaken it)")),
    Question("preemptions", "preemptions in the whole trace",
             answer=lambda: sum(facts["preemptions"].values()),
             explain=lambda e: f"{e}: the CPU-bound goroutines ran past their 10 ms time slice "
                               "and sysmon preempted them (asynchronously, by a signal)."),
]

# %%
self_check(finds, {"func3": ..., "syscall-g": ..., "lost-p": ..., "preemptions": ...})

# %% [markdown] slideshow={"slide_type": "slide"}
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

# %% [markdown]
# ## Self-check
#
# Replace each `...` with your answer and run the cell.

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
questions = [
    Question("sampler", "Which thread prints the SCHED lines: main's, sysmon's or a P's?",
             answer=lambda: "sysmon",
             explain=lambda e: f"{e}: sysmon calls schedtrace when the interval has passed, so "
                               "the lines keep coming even when every P is busy."),
    Question("threads-vs-procs", "Can `threads` be larger than `gomaxprocs`? (yes/no)",
             answer=lambda: "yes" if max(s.fields["threads"] for s in run.meta["snapshots"])
             > run.procs else "no",
             explain=lambda e: f"{e} (in your run): sysmon and threads blocked in system calls "
                               "hold no P, so there are usually more Ms than Ps."),
    Question("short-event", "A goroutine blocks for 2 ms. With schedtrace=20, will you see it "
             "in the output? (yes/no/maybe)",
             answer=lambda: "maybe",
             explain=lambda e: f"{e}: only if a sample happens to fall inside those 2 ms; the "
                               "execution trace sees it every time."),
]

# %%
my_answers = {"sampler": ..., "threads-vs-procs": ..., "short-event": ...}
self_check(questions, my_answers)

# %% tags=["nbval-ignore-output"]
answer_boxes(questions, tally)

# %% [markdown]
# The viewer keeps serving until the kernel stops; `viewer.stop()` ends it sooner.

# %% [markdown] slideshow={"slide_type": "slide"}
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
