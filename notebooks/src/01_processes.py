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
# # 01 · Processes: an address space of one's own
#
# A program on disk is a file. A **process** is that program *running*: the kernel has given it
# an address space, at least one thread to run on a CPU, open files, and an identity (a PID).
# This notebook looks at a real process on **your** machine — this very Jupyter kernel — and
# measures what it costs to make one.
#
# Everything below is measured when you run it. Your numbers will differ from the ones a
# classmate gets; the *ratios* are what to look at.

# %% [markdown]
# ## Learning goals
#
# After this notebook you can:
#
# 1. read `/proc/<pid>/maps` and point at a process's code, heap, stack, shared libraries and
#    the unmapped gaps between them;
# 2. explain what *virtual* memory means: every process sees the same large, private range of
#    addresses, and the kernel maps pages of it to physical memory only when they are used;
# 3. say where the kernel is in that picture (user space vs kernel space) and what a
#    **system call** does;
# 4. compare, with numbers from this machine, a function call, a system call and the creation
#    of a process — and say why `fork` gets slower as the parent grows.

# %%
import os

import gmpkit.widgets.processes as processes
from gmpkit import predictions
from gmpkit.checks import Question, answer_boxes, self_check

tally = predictions.tally("01_processes")   # your predictions in this notebook

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the article says
#
# The course grew from a Chinese article on Go's scheduler. Its part on processes says:
#
# > 对于操作系统来说，进程是资源分配的最小单位，线程是cpu调度的最小单位。
# > (To the operating system, a process is the smallest unit of resource allocation, a thread
# > the smallest unit of CPU scheduling.)
#
# > 在启动一个程序时，操作系统会给该程序分配一块内存空间，对于程序看到的是一整块连续的内存空间，
# > 即称为虚拟内存空间，落实到操作系统内核则是一块一块内存碎片。为的是节省内核空间，方便对内存管理。
# > (The OS gives a starting program a block of memory; the program sees one contiguous block —
# > virtual memory — which the kernel backs with scattered fragments, "to save kernel space".)
#
# > 这片内存空间，有划分为用户空间和内核空间 … 若要执行各种IO操作，则会通过系统调用等进入内核空间进行操作。
# > (This space is split into user space and kernel space; for I/O the program enters kernel
# > space through system calls.)
#
# The broad picture is right. Three details are not, and the experiments below show why:
#
# * The address space is **not one contiguous block**. It is a sparse list of separate
#   *mappings* with huge unmapped holes between them, and most of the addresses a process
#   could name are not mapped at all (experiment 1).
# * The point of virtual memory is not "saving kernel space". It is **isolation** (a process
#   cannot even name another's memory), **the same layout for every program**, and **lazy
#   allocation**: physical pages are attached only when touched, which is why this kernel's
#   *virtual* size is several times its *resident* size.
# * On Linux the kernel does not schedule "processes" at all. It schedules **tasks**; a
#   process is a group of tasks (threads) that share one address space. `fork` and
#   `pthread_create` both end in the same kernel entry, `clone` (or its newer form `clone3`,
#   which glibc ≥ 2.34 uses for threads), with different flags (see notebook 02).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. A process's address space, for real
#
# Linux shows every process's mappings in `/proc/<pid>/maps`, one line per mapping:
# start–end address, permissions (`r`ead, `w`rite, e`x`ecute, `p`rivate or `s`hared) and what
# backs it (a file, `[heap]`, `[stack]`, or nothing: *anonymous* memory). Here are the first
# lines for this kernel (the addresses change on every run: address-space layout
# randomisation, ASLR). First the picture to keep in mind, drawn from the usual Linux layout;
# then the real lines.

# %% tags=["nbval-ignore-output"]
from gmpkit import diagrams
diagrams.address_space()

# %% tags=["nbval-ignore-output"]
with open("/proc/self/maps") as f:
    print("".join(f.readlines()[:6]))

# %% [markdown]
# **Predict first:** Python is a program like any other. Where in the address space do you
# expect its stack — at low addresses, high addresses, or next to the heap? And how much of
# the 2⁶⁴ bytes a 64-bit pointer can name do you think one process has mapped: most of it,
# a few percent, or far less than one millionth?

# %% tags=["nbval-ignore-output"]
tally.ask("01-stack")

# %% tags=["nbval-ignore-output"]
panel = processes.address_space_panel()
tally.follow("01-stack", panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
space = panel.data
kinds = space["kinds"]
assert kinds["stack"] == 1 and kinds["heap"] == 1 and kinds["code"] >= 1
stack = next(r for r in space["regions"] if r[3] == "stack")
heap = next(r for r in space["regions"] if r[3] == "heap")
code = next(r for r in space["regions"] if r[3] == "code")
assert code[0] < heap[0] < stack[0], "code low, heap above it, stack near the top"
assert space["highest_user_address"] <= processes.USER_TOP
assert space["virtual_bytes"] / 2**64 < 1e-6
assert space["resident_bytes"] < space["virtual_bytes"]
print(f"stack above heap: {stack[0] > heap[0]};  user space ends at 2**{processes.USER_TOP.bit_length() - 1}")
print("mapped fraction of the 64-bit address space: less than one millionth")

# %% [markdown]
# **What to notice:**
#
# * The program's own code sits at the bottom, the **heap** just above it (it grows up, through
#   the `brk` system call), shared libraries and anonymous mappings high up, and the main
#   thread's **stack** near the top of user space (it grows down).
# * The zig-zags are **unmapped holes**, some of them terabytes wide. Touching an address in a
#   hole is a *segmentation fault*: the kernel has no mapping to look up. So the address space
#   is anything but "one contiguous block".
# * Compare *virtual* with *resident* in the line under the figure: much of what is mapped has
#   never been touched, so no physical page backs it yet.
# * Tick **show the kernel half**: above `0x800000000000` comes a gap of ~16 million TiB
#   (addresses the CPU refuses: the *non-canonical hole*), then the kernel's half. It is
#   present in every process's page tables but only reachable in **kernel mode**; the one
#   page a user program may see there is the legacy `[vsyscall]` page.
# * Switch to **a small C program**: `sleep` needs a few dozen mappings; this Python kernel,
#   with NumPy and matplotlib loaded, needs hundreds.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. User mode, kernel mode and system calls
#
# The CPU runs in one of two modes. In **user mode** (用户态) it executes the program's own
# instructions and may only touch user-space pages. Reading a file, sending a packet, creating
# a process — anything involving hardware or other processes — needs the kernel, which runs in
# **kernel mode** (内核态). A **system call** is the controlled door between them: the program
# puts a number and arguments in registers and executes the `syscall` instruction; the CPU
# switches to kernel mode and jumps to the kernel's entry point; the kernel does the work and
# returns with `sysret`.
#
# A system call changes the CPU's *mode*, not the process: it is still the same task, with the
# same address space, now running kernel code. (On CPUs vulnerable to Meltdown the kernel also
# swaps page tables on every entry — "KPTI" — which makes system calls dearer. This machine
# reports:)

# %% tags=["nbval-ignore-output"]
print(open("/sys/devices/system/cpu/vulnerabilities/meltdown").read().strip())

# %% [markdown]
# And the claim that the kernel schedules *tasks*, not processes: each thread of this kernel
# is a directory in `/proc/self/task`, and the process's PID is simply the ID of its first task.

# %%
tasks = sorted(int(t) for t in os.listdir("/proc/self/task"))
print("the main thread's task id equals the PID:", os.getpid() in tasks)
print("this Python kernel has more than one task (thread):", len(tasks) > 1)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. What it costs to make a process
#
# Two ways to start a process on Linux:
#
# * `fork()` clones the caller: the child gets a *copy* of the parent's address space. The
#   kernel does not copy the pages themselves — they are shared and marked *copy-on-write* —
#   but it does copy the **page tables** that describe them, plus file descriptors, signal
#   handlers and so on. Then the child usually calls `exec` to load another program.
# * `posix_spawn()` (glibc implements it with `CLONE_VM | CLONE_VFORK`, through `clone3` since
#   glibc 2.34, `clone` before) starts the child *inside* the parent's address space, without
#   copying page tables, and the child execs the new program at once.
#
# We compare both with two things that stay inside one process: a plain function call, and
# the cheapest system call there is, `getppid()` (it only reads a number from the kernel).

# %% [markdown]
# **Predict first:** how many `getppid()` system calls fit in the time of one `fork`: ten, a
# hundred, a thousand, ten thousand? And will the lines for N forks be straight (each fork
# costs the same) or curve upwards (later forks cost more)?

# %% tags=["nbval-ignore-output"]
tally.ask("01-fork-syscalls")

# %% tags=["nbval-ignore-output"]
cost_panel = processes.creation_cost_panel()
tally.follow("01-fork-syscalls", cost_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
per_op = cost_panel.data["per_op_ns"]
assert per_op["system call (getppid)"] > per_op["function call"]
assert per_op["fork + exit"] > 20 * per_op["system call (getppid)"]
assert per_op["posix_spawn + exec + exit"] > 20 * per_op["system call (getppid)"]
print("function call < system call < process creation: True")

# %% [markdown]
# **What to notice:**
#
# * Each step up is orders of magnitude. A Python function call is tens of nanoseconds; a
#   system call adds the trip into kernel mode and back; creating a process is milliseconds
#   (on a quiet modern machine a C program can fork in ~100 µs — Python, a large parent and a
#   shared virtual machine all make it slower here).
# * The lines are straight on average: every creation pays the same price again. Nothing is
#   cached for the next one. (The solid lines are bumpy: a shared 2-core machine is noisy.)
# * Move N and watch the totals: creating processes per request (the old CGI web servers)
#   spends milliseconds before any useful work starts.

# %% [markdown] slideshow={"slide_type": "slide"}
# ### Why is `fork` so expensive? Because it copies the parent's page tables
#
# If copying page tables is what `fork` pays for, then a parent with more memory should fork
# more slowly — and `posix_spawn`, which copies none, should not care.

# %% [markdown]
# **Predict first:** the parent touches 256 MiB more memory (65 536 more 4 KiB pages). Does
# `fork` get slower? By a little or a lot? And `posix_spawn`?

# %% tags=["nbval-ignore-output"]
tally.ask("01-fork-memory")

# %% tags=["nbval-ignore-output"]
memory_panel = processes.fork_memory_panel()
tally.follow("01-fork-memory", memory_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
grow = memory_panel.data
if not (grow["fork_ns"][-1] > grow["fork_ns"][0] and grow["fork_added_ns"] > grow["spawn_added_ns"]):
    # a busy machine can hide a few hundred µs in one point: measure once more, best of 8
    grow = processes.fork_memory_panel(n=8).data
assert grow["fork_ns"][-1] > grow["fork_ns"][0], "fork grows with the parent"
assert grow["fork_added_ns"] > grow["spawn_added_ns"], "fork grows faster than posix_spawn"
print("fork slows down as the parent grows; posix_spawn much less: True")


# %% [markdown]
# **What to notice:**
#
# * `fork`'s cost climbs roughly in a straight line with the parent's touched memory: every
#   page needs its page-table entry copied (and write-protected for copy-on-write), and the
#   child's exit tears them down again.
# * `posix_spawn` stays almost flat. This is why Python's `subprocess` uses `posix_spawn` (or
#   `vfork`) when it can, and why big servers avoid `fork`.
# * Threads (notebook 02) skip this copy entirely: a new thread *shares* its process's
#   address space.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The article, checked
#
# | the article says | on this machine |
# |---|---|
# | the program sees "one contiguous block" of virtual memory | a sparse set of mappings with holes up to terabytes wide (experiment 1) |
# | virtual memory exists "to save kernel space" | it gives isolation, one layout for all programs, and lazy allocation: resident ≪ virtual (experiment 1) |
# | user space and kernel space divide "this memory" | the kernel's half sits above a gigantic non-canonical hole, mapped in every process but usable only in kernel mode |
# | a process is the unit of resources, a thread the unit of scheduling | true in spirit; on Linux both are tasks made by `clone`, the PID is the first task's ID (`/proc/self/task`) |
# | I/O goes through system calls into kernel space | right; a system call switches the CPU's mode, not the process, and costs far less than creating a process (experiment 2) |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# * A **process** = an address space + one or more threads + kernel resources (files, PID).
# * Its **virtual address space** is a sparse list of mappings (code, heap, libraries, stack),
#   private to the process; physical pages are attached lazily, so resident ≪ virtual.
# * The top half of the 64-bit space belongs to the **kernel**; a **system call** moves the CPU
#   into kernel mode to use it, and back.
# * Cost ladder measured here: function call (tens of ns) < system call (hundreds of ns) ≪
#   process creation (milliseconds). `fork` costs more the more memory the parent has,
#   because it copies page tables.

# %% [markdown]
# ## Self-check
#
# Replace each `...` with your answer and run the cell. The expected answers are computed
# (by the model, or from this machine's measurements above) only when you check, and each
# comes with the reason. Prefer boxes and buttons? Use the widget under it: its **Show all
# answers** button computes and explains every answer, and it shows how many of this
# notebook's predictions you got right (save them as JSON).

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
def _powers_of_ten(ratio):
    import math
    return 10 ** round(math.log10(ratio))


questions = [
    Question("stack-above-heap", "Is this kernel's stack at a higher address than its heap? (True/False)",
             answer=lambda: stack[0] > heap[0],
             explain=lambda e: "The heap starts just above the program's data and grows up; the main "
                               "thread's stack starts near the top of user space and grows down."),
    Question("user-bits", "User space ends at 2**k. What is k on this machine?",
             answer=lambda: (space["highest_user_address"] - 1).bit_length(),
             explain=lambda e: f"Every user address is below 2**{e}: x86-64 with 4-level page "
                               "tables gives user space the low 128 TiB, the kernel the top 128 TiB."),
    Question("fork-in-syscalls", "How many getppid() system calls cost as much as one fork: "
             "10, 100, 1000, 10000 or 100000 (nearest power of ten)?",
             answer=lambda: _powers_of_ten(cost_panel.data["ratio_fork_syscall"]),
             explain=lambda e: f"Measured here: one fork = {cost_panel.data['ratio_fork_syscall']:,.0f} "
                               "getppid() calls. A system call is one trip into kernel mode; a fork "
                               "builds a whole new task and copies page tables."),
    Question("fork-grows", "Does fork get slower when the parent has touched more memory? (True/False)",
             answer=lambda: grow["fork_ns"][-1] > grow["fork_ns"][0],
             explain=lambda e: "fork copies the parent's page-table entries, one per touched page; "
                               "posix_spawn shares the address space until exec and copies none."),
]

# %%
my_answers = {
    "stack-above-heap": ...,
    "user-bits": ...,
    "fork-in-syscalls": ...,
    "fork-grows": ...,
}
self_check(questions, my_answers)

# %% tags=["nbval-ignore-output"]
answer_boxes(questions, tally)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Glossary
#
# | English | 中文 | meaning here |
# |---|---|---|
# | process | 进程 | a running program: address space + threads + kernel resources |
# | thread | 线程 | one flow of execution inside a process; what the kernel schedules |
# | task | 任务 (task_struct) | Linux's name for the thing it schedules: a thread |
# | virtual memory | 虚拟内存 | the private address range a process sees, mapped to physical pages by page tables |
# | address space | 地址空间 | all the mappings of one process |
# | page / page table | 页 / 页表 | the 4 KiB unit of mapping / the tree that maps virtual to physical pages |
# | resident memory | 常驻内存 | pages that currently have physical memory behind them |
# | heap | 堆 | memory for dynamic allocation, above the program's data |
# | stack | 栈 | memory for function frames; the main thread's is near the top |
# | user mode / kernel mode | 用户态 / 内核态 | the CPU's two privilege levels |
# | user space / kernel space | 用户空间 / 内核空间 | the lower and upper halves of the address space |
# | system call | 系统调用 | the controlled entry from user mode into the kernel |
# | fork / exec | 创建子进程 / 执行新程序 | clone the caller / replace its program |
# | copy-on-write | 写时复制 | share pages after fork; copy one only when someone writes it |
# | context switch | 上下文切换 | the CPU leaving one task for another (notebook 02) |
# | scheduler | 调度器 | the code that picks which task runs on which CPU |
#
# ## Further reading
#
# In this order:
#
# 1. **OSTEP** (Arpaci-Dusseau), the chapters this lecture stands on: [The Abstraction: The Process](https://pages.cs.wisc.edu/~remzi/OSTEP/cpu-intro.pdf) (ch. 4), [Process API](https://pages.cs.wisc.edu/~remzi/OSTEP/cpu-api.pdf) (ch. 5: `fork`, `exec`, `wait`), [Limited Direct Execution](https://pages.cs.wisc.edu/~remzi/OSTEP/cpu-mechanisms.pdf) (ch. 6: system calls and context switches) and [The Abstraction: Address Spaces](https://pages.cs.wisc.edu/~remzi/OSTEP/vm-intro.pdf) (ch. 13).
# 2. The Linux manual pages for what the experiments call: [fork(2)](https://man7.org/linux/man-pages/man2/fork.2.html), [clone(2)](https://man7.org/linux/man-pages/man2/clone.2.html) and [proc_pid_maps(5)](https://man7.org/linux/man-pages/man5/proc_pid_maps.5.html) (the `/proc/self/maps` file the memory map reads).
# 3. *The Linux Programming Interface* (Michael Kerrisk, 2010), chapters 24–28 on process creation, for the details behind copy-on-write and `vfork`.
# 4. 中文：《深入理解计算机系统》(CS:APP, Bryant & O'Hallaron) 第 8 章「异常控制流」讲进程、`fork` 与上下文切换。
