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
# # 02 · Threads: many flows of control in one address space
#
# A process from notebook 01 has one address space. A **thread** is one flow of execution
# inside it: its own registers, its own **stack**, and everything else shared with the other
# threads of the process. The kernel schedules threads onto CPUs and, when there are more
# runnable threads than CPUs, switches between them.
#
# This notebook starts real threads in this kernel, finds their stacks in the memory map,
# measures what passing control from one thread to another costs, and then uses a model to
# show how that cost eats CPU time.

# %% [markdown]
# ## Learning goals
#
# After this notebook you can:
#
# 1. show that threads share their process's memory while processes do not;
# 2. find a thread's stack and **guard page** in `/proc/self/maps`, and tell *virtual*
#    (reserved) from *resident* (touched) memory;
# 3. measure a **hand-off** between two threads and between two processes, and explain why
#    the two cost about the same;
# 4. predict, with the formula S / (S + C), how much CPU survives a time slice S and a switch
#    cost C — and check it against the 1:1 thread model.

# %%
import os
import threading

import gmpkit.widgets.threads as threads
from gmpkit import predictions
from gmpkit.checks import Question, within, answer_boxes, self_check

tally = predictions.tally("02_threads")   # your predictions in this notebook

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the article says
#
# > 多个线程可以共享同一个进程的内存空间，线程的创建不需要额外的虚拟内存空间，线程之间的切换也就少不了
# > 进程切换的切换页表，切换虚拟地址空间此类的巨大开销。… 进程的切换需要保存当前寄存器，栈，代码段，
# > 执行位置等信息。线程的切换执行保存切换的上下文 …
# > (Threads share the process's memory; creating a thread needs no extra virtual memory;
# > switching threads avoids the "huge cost" of switching page tables; a process switch must
# > save registers, stack, code segment and position, a thread switch only the context.)
#
# > 创建一个thread … 默认会为其分配一个较大的栈内存(1-8MB栈内存) … 还需要一个称为"guard page"的区域用于
# > 其他thread的栈空间进行隔离。
# > (A thread gets a large 1–8 MB stack, plus a "guard page" to isolate it from other threads'
# > stacks.)
#
# > 线程切换会消耗1000-1500纳秒 … 一个纳秒平均可以执行12-18条指令。所以由于线程切换，执行指令的条数会减少12000-18000。
# > (A thread switch costs 1000–1500 ns; a CPU executes 12–18 instructions per nanosecond, so a
# > thread switch loses 12 000–18 000 instructions.)
#
# Sharing memory: right. The rest needs correcting, and this notebook measures each point:
#
# * A new thread **does** need new virtual memory: a whole stack mapping (8 MiB here) plus its
#   guard page (experiment 1).
# * A guard page is not there to "isolate" stacks from each other — every mapping is already
#   separate. It is a page with **no access rights** just below the stack, so that a stack
#   overflow hits it and faults at once instead of silently overwriting the memory below.
# * A thread switch and a process switch save **the same registers**; neither copies the stack
#   or "the code segment". The only extra work for processes is loading another page-table root
#   (and the TLB misses that follow). Experiment 2 shows the two hand-offs cost about the same.
# * "12–18 instructions per ns" and "12 000–18 000 lost" do not fit a 1000–1500 ns switch,
#   which would lose 12 000–27 000. The 12 000–18 000 is 1000 ns × 12–18 per ns, with the
#   1500 ns end dropped. The rate itself is used consistently: the article's goroutine switch,
#   200 ns ≈ 2400–3600 instructions, is also 12–18 per ns (checked below).
# * The switch figure is checked below against this machine.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Threads share memory, processes do not
#
# A thread appends to a list; then a forked child process appends to the same list. Which
# append does the parent see?

# %%
shared = []
t = threading.Thread(target=shared.append, args=("written by a thread",))
t.start()
t.join()
pid = os.fork()
if pid == 0:                       # the child: a copy of this process
    shared.append("written by a child process")
    os._exit(0)
os.waitpid(pid, 0)
print(shared)

# %% [markdown]
# The thread wrote into *this* process's memory. The child wrote into its own copy (notebook
# 01: `fork` copies the address space, lazily), which vanished when it exited. Sharing is what
# makes threads cheap to communicate with — and what makes data races possible.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Every thread gets its own stack — and a guard page
#
# Each thread needs a stack for its function calls. glibc's `pthread_create` (which Python's
# `threading` uses) maps one with `mmap`, sized by `ulimit -s` unless the program asks for
# another size: it maps the whole stack with `PROT_NONE`, then `mprotect`s all but the lowest
# page to read/write, so that page stays inaccessible: the guard page. Then it calls `clone3` (older glibc: `clone`) with `CLONE_VM` (share the address
# space), `CLONE_FILES`, `CLONE_SIGHAND` and friends — the same kernel entry `fork` uses, with
# sharing flags.
#
# The panel starts N threads, asks each one where its stack is (`pthread_getattr_np`), finds
# those stacks in `/proc/self/maps`, and reads from `/proc/self/smaps` how much of each is
# **resident** (backed by physical memory).

# %% tags=["nbval-ignore-output"]
print("ulimit -s on this machine:", os.popen("sh -c 'ulimit -s'").read().strip(), "KiB")

# %% [markdown]
# **Predict first:** with the default stack size, how much *virtual* memory does one idle
# thread add — about 2 KiB, 1 MiB or 8 MiB? And how much of it is *resident* — all of it, half,
# or a few pages?

# %% tags=["nbval-ignore-output"]
tally.ask("02-stack")

# %% tags=["nbval-ignore-output"]
stack_panel = threads.thread_stacks_panel()
tally.follow("02-stack", stack_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
st = stack_panel.data
limit = st["default_stack_bytes"]
assert len(st["stacks"]) == st["n"] and st["guards"] == st["n"]
assert all(s["guard_mapped"] == s["guard_size"] == 4096 for s in st["stacks"])
if limit > 0 and limit != threads.resource.RLIM_INFINITY:
    assert all(s["mapping_size"] == limit for s in st["stacks"])
assert all(s["rss"] < s["mapping_size"] / 16 for s in st["stacks"])
print("one stack mapping and one 4 KiB guard page per thread: True")
print("each stack is exactly `ulimit -s` bytes:", all(s["mapping_size"] == limit for s in st["stacks"]))
print("resident is under 1/16 of each stack: True")

# %% [markdown]
# **What to notice:**
#
# * Each thread adds one `rw-p` stack mapping of `ulimit -s` bytes (8 MiB on most Linux
#   systems) and, right below it, a 4 KiB `---p` page: the guard. A stack overflow runs
#   *down* into the guard page and the thread dies with SIGSEGV, instead of corrupting whatever
#   lies below.
# * Virtual ≠ resident. The kernel hands out physical pages only when they are touched, so an
#   idle thread's 8 MiB stack costs a few KiB of real memory. The 8 MiB is *reserved address
#   space*, not RAM — which is why the article's "1–8 MB per thread" is about virtual memory.
#   The real limits on thread counts are the memory actually touched, kernel structures (each
#   thread is a `task_struct` plus a kernel stack of 16 KiB) and `ulimit -u` /
#   `/proc/sys/kernel/threads-max`.
# * The size is *not* fixed by the system: choose **256 KiB** and the new stacks are 256 KiB
#   (`threading.stack_size`, i.e. `pthread_attr_setstacksize`). What is true is that a thread's
#   stack cannot grow once created — goroutine stacks can (notebook 03).
# * A big `---p` block of ~64 MiB may also appear: glibc's `malloc` reserves a *per-thread
#   arena* for threads that allocate. It is address space only, none of it resident.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Handing the CPU from one thread to another
#
# How much does a context switch cost? Measuring one alone is hard; measuring a **hand-off** is
# easy: two threads pass one byte back and forth over two pipes. Each hand-off is a `write`, a
# wake-up of the sleeping side, a context switch to it, and a `read`. The same with two
# **processes** adds the page-table switch. Python adds overhead to both — and more to the
# threads: they share one GIL, so each woken thread must also take the GIL back. The thread bar
# is therefore, if anything, too high.

# %% [markdown]
# **Predict first:** the article calls a process switch a "huge cost" next to a thread switch.
# How much dearer will the process hand-off be: 10×, 2×, or about the same? Then tick "pin both
# sides to one CPU": faster or slower?

# %% tags=["nbval-ignore-output"]
tally.ask("02-handoff")

# %% tags=["nbval-ignore-output"]
handoff_panel = threads.handoff_panel()
tally.follow("02-handoff", handoff_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
ho = handoff_panel.data
if not ho["ratio"] < 4:
    # a busy machine can stall one side of the ping-pong: measure again, best of 7
    ho = threads.handoff(repeats=7)
assert ho["thread_ns"] > 300 and ho["process_ns"] > 300
# no lower bound: the threads share one GIL, so the process side can come out several times cheaper
assert ho["ratio"] < 4, "a process hand-off is not an order of magnitude dearer"
print("a process hand-off is less than 4x a thread hand-off: True")

# %% [markdown]
# **What to notice:**
#
# * Thread and process hand-offs land in the same microseconds (the process hand-off may even
#   come out cheaper: the GIL, not the page tables). Saving and restoring registers is the same
#   for both; loading another page-table root is cheap on modern CPUs, which tag TLB entries
#   with an address-space ID (PCID), so little is flushed.
# * Either way it costs **microseconds** — thousands of instructions' worth or more — because the
#   kernel must wake the other thread (`try_to_wake_up`), pick it in the scheduler
#   (`__schedule`), and switch to it (`context_switch`), often via another CPU.
# * The bars include two system calls per hand-off and Python's interpreter (and, for the
#   threads, its GIL) on each side, so they are upper bounds for a thread switch. Notebook 03
#   measures a bare thread hand-off (two threads and a `futex`, no Python, no Go scheduler)
#   next to a goroutine hand-off.
# * Pinning both sides to one CPU changes what you measure: now every hand-off *must* switch
#   on that CPU; without pinning, the kernel may wake the other side on the other CPU (an
#   inter-processor interrupt instead of a local switch).

# %% [markdown]
# ### "12–18 instructions per nanosecond"?
#
# First, the article's own arithmetic. If the rate were 12–18 per ns, a 1000–1500 ns switch
# would lose 12 000 to 27 000 instructions, not the 12 000–18 000 it says. Its 12 000–18 000 is
# 12–18 per ns times 1000 ns only; its goroutine figure, 200 ns ≈ 2400–3600 instructions, uses
# the same 12–18 per ns:

# %%
rate = (12, 18)                      # instructions per ns, as the article says
print("12-18 per ns x 1000-1500 ns:", (rate[0] * 1000, rate[1] * 1500), "instructions")
print("12-18 per ns x 1000 ns:     ", (rate[0] * 1000, rate[1] * 1000), "instructions")
print("12-18 per ns x 200 ns:      ", (rate[0] * 200, rate[1] * 200), "instructions")

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
assert (rate[0] * 1000, rate[1] * 1000) == (12_000, 18_000)   # the article's thread figure
assert (rate[0] * 200, rate[1] * 200) == (2_400, 3_600)       # and its goroutine figure
assert (rate[0] * 1000, rate[1] * 1500) != (12_000, 18_000)   # the 1500 ns end was dropped

# %% [markdown]
# So the article means 12–18 instructions per ns and dropped the 1500 ns end (at 1500 ns its own
# rate gives 18 000–27 000). Is 12–18 per ns itself plausible? Instructions per ns = clock rate in GHz ×
# instructions per cycle (IPC). The clock rate of this machine's CPU, as the kernel reports it:

# %% tags=["nbval-ignore-output"]
mhz = max(float(line.split(":")[1]) for line in open("/proc/cpuinfo") if line.startswith("cpu MHz"))
print(f"{mhz:.0f} MHz: 12 instructions per ns would need {12 / (mhz / 1000):.1f} instructions "
      f"every cycle; 18 would need {18 / (mhz / 1000):.1f}")

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
assert 12 / (mhz / 1000) > 2
print("12 instructions per ns needs an IPC above 2 on this CPU: True")

# %% [markdown]
# A modern core *can* retire 4–6 instructions in a cycle on ideal code, but ordinary code
# (branches, cache misses) averages 1–2. So 12–18 per ns is a peak or beyond, not an average; 3–6 per ns is
# a fairer guess, and a 1000–1500 ns switch then costs some 3 000–9 000 instructions' worth of
# time. The article's conclusion — a switch throws away thousands of instructions — holds.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. How switch cost and the time slice eat the CPU (model)
#
# When more threads want a CPU than there are CPUs, the kernel gives each a **time slice** S,
# then preempts it and switches (cost C) to the next. If every slice ends in a switch, the
# share of the CPU that runs the threads' own code is
#
# $$\text{useful} = \frac{S}{S + C}.$$
#
# The panel runs CPU-bound threads on one CPU in `gk.Threads`, the course's 1:1 model
# (each thread a kernel thread; round-robin slices; each switch costs C). We start it with C
# set to the thread hand-off you just measured.

# %% [markdown]
# **Predict first:** with C equal to your measured hand-off, at what time slice does the CPU
# lose 10% to switching? Linux gives each of two busy threads about 1–3 ms; is switching a
# problem at that slice?

# %% tags=["nbval-ignore-output"]
tally.ask("02-slice")

# %% tags=["nbval-ignore-output"]
measured_c_us = max(0.5, round(ho["thread_ns"] / 500) / 2)        # µs, to the nearest 0.5
model_panel = threads.switch_cost_panel(slice_us=50, switch_us=min(measured_c_us, 20.0))
tally.follow("02-slice", model_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
md = model_panel.data
assert abs(md["useful_sim"] - md["useful_formula"]) < 0.02
assert threads.switch_cost(3000, 5.0)["useful_sim"] > 0.99
assert threads.switch_cost(10, 5.0)["useful_sim"] < 0.7
print("the simulation agrees with S / (S + C): True")
print("3 ms slice, 5 µs switch: more than 99% useful;  10 µs slice: under 70%")


# %% [markdown]
# **What to notice:**
#
# * The black bars are switches: CPU time that runs nobody's code. (The top row, M1, is the
#   main thread, blocked until the others finish.)
# * At a few-millisecond slice the switch cost is lost in the noise: a kernel switching
#   between a handful of busy threads wastes well under 1%.
# * It hurts when switches are *frequent*: tiny slices, or — the common case — threads that
#   block and wake all the time (every message passed between threads is a hand-off). A server
#   that hands each request through several threads pays several microseconds each time.
#   Goroutines (notebook 03) make that hand-off several times cheaper by doing it in user
#   space (notebook 03 measures the ratio like for like).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The article, checked
#
# | the article says | on this machine |
# |---|---|
# | threads share the process's memory | right (section 1) |
# | creating a thread needs no extra virtual memory | each thread maps a new stack (`ulimit -s`, 8 MiB by default) plus a 4 KiB guard page (experiment 1) |
# | thread stacks are 1–8 MB and fixed | virtual 8 MiB by default, *resident* only a few KiB; size is configurable; it cannot grow (experiment 1) |
# | the guard page isolates stacks from other threads | it is a no-access page that turns a stack overflow into an immediate fault |
# | a process switch saves registers, stack, code segment…; a huge cost next to threads | both save the same registers; the hand-offs cost about the same (experiment 2) |
# | a thread switch costs 1000–1500 ns | the right order for a bare switch; the Python hand-offs above (wake-up + switch + two system calls + the interpreter) are upper bounds; notebook 03 measures a bare futex hand-off |
# | 12–18 instructions per ns; 12 000–18 000 lost per switch | inconsistent: 12 000–18 000 is 12–18 per ns × 1000 ns only (1500 ns would give 18 000–27 000); and 12–18 per ns is a peak or beyond (IPC above 2 at this clock), 3–6 is typical |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# * Threads of one process share its address space; each has its own registers and stack.
# * Each new thread maps a stack (8 MiB of *virtual* memory by default, only a few KiB
#   *resident*) with a 4 KiB **guard page** below it to catch overflows.
# * Passing control between threads goes through the kernel (wake-up, scheduler, context
#   switch): microseconds — and about the same between processes.
# * With time slice S and switch cost C, a busy CPU keeps S / (S + C) for real work: fine for
#   long slices, costly when threads block and wake often.

# %% [markdown]
# ## Self-check
#
# Replace each `...` with your answer and run the cell. The expected answers are computed
# (by the model, or from this machine's measurements above) only when you check, and each
# comes with the reason. Prefer boxes and buttons? Use the widget under it: its **Show all
# answers** button computes and explains every answer, and it shows how many of this
# notebook's predictions you got right (save them as JSON).

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
def _power_of_ten(x):
    import math
    return 10 ** round(math.log10(x))


questions = [
    Question("guard-bytes", "How many bytes is each thread's guard page here?",
             answer=lambda: st["stacks"][0]["guard_mapped"],
             explain=lambda e: f"{e} bytes: one page, made inaccessible by glibc with mprotect "
                               "just below each thread's stack."),
    Question("virtual-over-resident", "An idle new thread: how many times more virtual than "
             "resident memory does its stack have (10, 100, 1000 or 10000)?",
             answer=lambda: _power_of_ten(st["stacks"][0]["mapping_size"] / max(st["stacks"][0]["rss"], 1)),
             explain=lambda e: f"Its stack reserves {st['stacks'][0]['mapping_size'] // 1024} KiB but "
                               f"only {st['stacks'][0]['rss'] // 1024} KiB have been touched."),
    Question("useful-50-5", "Slice 50 µs, switch 5 µs, threads always runnable: what percentage "
             "of the CPU runs useful code?",
             answer=lambda: round(100 * threads.switch_cost(50, 5.0)["useful_sim"], 1),
             explain=lambda e: "S / (S + C) = 50 / 55 = 90.9%; the 1:1 model gives the same.",
             compare=within(abs_=1.0, rel=0)),
    Question("process-10x", "Is a process hand-off more than 4x dearer than a thread hand-off "
             "here? (True/False)",
             answer=lambda: ho["ratio"] > 4,
             explain=lambda e: f"Measured: x{ho['ratio']:.2f}. Both save the same registers; the "
                               "page-table switch adds little on a CPU with PCID."),
]

# %%
my_answers = {
    "guard-bytes": ...,
    "virtual-over-resident": ...,
    "useful-50-5": ...,
    "process-10x": ...,
}
self_check(questions, my_answers)

# %% tags=["nbval-ignore-output"]
answer_boxes(questions, tally)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Glossary
#
# | English | 中文 | meaning here |
# |---|---|---|
# | thread | 线程 | a flow of execution inside a process, scheduled by the kernel |
# | process | 进程 | an address space plus its threads and resources |
# | shared memory | 共享内存 | all threads of a process see the same address space |
# | stack | 栈 | per-thread memory for call frames; 8 MiB virtual by default on Linux |
# | guard page | 保护页 | a no-access page below a stack; overflowing into it faults at once |
# | virtual / resident memory | 虚拟内存 / 常驻内存 | reserved addresses / pages with physical memory behind them |
# | context switch | 上下文切换 | saving one thread's registers and loading another's on a CPU |
# | hand-off | 交接 | one thread waking another and giving it the CPU |
# | time slice | 时间片 | how long a thread may run before the kernel may preempt it |
# | preemption | 抢占 | the kernel taking the CPU from a running thread |
# | scheduler | 调度器 | the kernel code that picks the next thread for a CPU |
# | kernel mode / user mode | 内核态 / 用户态 | the CPU's privileged and unprivileged modes |
# | page table / TLB | 页表 / 快表 | the virtual-to-physical map / the CPU's cache of it |
# | instructions per cycle (IPC) | 每周期指令数 | how many instructions a core retires per clock tick |
#
# ## Further reading
#
# In this order:
#
# 1. **OSTEP**: [Concurrency: An Introduction](https://pages.cs.wisc.edu/~remzi/OSTEP/threads-intro.pdf) (ch. 26), [Thread API](https://pages.cs.wisc.edu/~remzi/OSTEP/threads-api.pdf) (ch. 27) and [Scheduling: Introduction](https://pages.cs.wisc.edu/~remzi/OSTEP/cpu-sched.pdf) (ch. 7: time slices and what a switch costs).
# 2. The Linux manual pages: [pthread_create(3)](https://man7.org/linux/man-pages/man3/pthread_create.3.html) (the default stack and its guard page), [futex(2)](https://man7.org/linux/man-pages/man2/futex.2.html) (what a blocked thread waits on) and [sched(7)](https://man7.org/linux/man-pages/man7/sched.7.html).
# 3. The kernel's own description of its scheduler: [EEVDF](https://docs.kernel.org/scheduler/sched-eevdf.html) (Linux 6.6 and later) and [CFS](https://docs.kernel.org/scheduler/sched-design-CFS.html) before it.
# 4. Python's side of the experiments: the [threading](https://docs.python.org/3/library/threading.html) documentation and [PEP 703](https://peps.python.org/pep-0703/) on the GIL that makes the thread hand-off slower than a C one.
# 5. 中文：《深入理解计算机系统》第 12 章「并发编程」。
