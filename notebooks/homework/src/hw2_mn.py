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

# %% tags=["student-id"]
STUDENT_ID = "demo"  # <- put YOUR student id here, e.g. "s2412345", then run all cells

# %% [markdown] lang="en"
# # Homework 2: M:N scheduling and blocking
#
# Your problems are generated from your `STUDENT_ID`. For each question: read the problem,
# **predict** the answer, write it in the answer cell (replace `...`), then run the check cell.
# Do not edit the check cells; add cells of your own anywhere.
#
# Three ways to run goroutines: **1:1** (`gk.Threads`, one kernel thread each), **N:1**
# (`gk.GreenThreads`, all on one kernel thread) and **M:N** (`gk.GMP`, goroutines on a few
# threads, GOMAXPROCS of them running Go code at once).

# %% [markdown] lang="zh"
# # 作业 2：M:N 调度与阻塞
#
# 你的题目由你的 `STUDENT_ID` 生成。每道题：先读题，**预测**答案，写进答案单元格（替换 `...`），再运行检查单元格。不要修改检查单元格；你可以在任何位置加自己的单元格。
#
# 运行 goroutine 有三种方式：**1:1**（`gk.Threads`，每个 goroutine 独占一个内核线程）、**N:1**（`gk.GreenThreads`，全都挤在一个内核线程上）和 **M:N**（`gk.GMP`，goroutine 分摊到少数几个线程上，同一时刻最多有 `GOMAXPROCS` 个线程在运行 Go 代码）。

# %%
from gmpkit.homework import assignment
hw = assignment(2, STUDENT_ID)

# %% [markdown] lang="en"
# ## Q1. A blocking system call under N:1
# One goroutine makes a blocking system call. What happens to the others when there is only
# one kernel thread?

# %% [markdown] lang="zh"
# ## Q1. N:1 下的阻塞式系统调用
# 有一个 goroutine 发起了阻塞式系统调用。只有一个内核线程的时候，其他 goroutine 会怎样？

# %%
hw.show("q1")

# %% tags=["solution"]
p = hw.params("q1")
# One thread: nothing overlaps, not even the syscall.  (Switches add ~1 µs.)
answer_q1 = p["a_us"] + p["b1_us"] + p["syscall_ms"] * 1000 + p["b2_us"] + p["c_us"]

# %% tags=["check"]
hw.check("q1", answer_q1)

# %% [markdown] lang="en"
# ## Q2. The same workload under M:N
# Now the runtime has several Ps and creates threads on demand.

# %% [markdown] lang="zh"
# ## Q2. 同一个负载换到 M:N 下
# 现在运行时有好几个 P，线程也按需创建。

# %%
hw.show("q2")

# %% tags=["solution"]
p = hw.params("q2")
# Only B's thread blocks.  C (runnext) runs first on P0; an idle P steals from P0's ring
# [A, B] half rounded up: with 2 Ps that is A only, so B waits for C; with more Ps B is
# stolen too and starts at once.
b_path = p["b1_us"] + p["syscall_ms"] * 1000 + p["b2_us"]
answer_q2 = b_path if p["procs"] >= 3 else p["c_us"] + b_path

# %% tags=["check"]
hw.check("q2", answer_q2)

# %% [markdown] lang="en"
# ## Q3. Network I/O and the event loop
# A green-thread runtime with an event loop (`io_poller=True`) parks a goroutine waiting for
# the network instead of blocking the thread.

# %% [markdown] lang="zh"
# ## Q3. 网络 I/O 与事件循环
# 带事件循环（`io_poller=True`）的绿色线程运行时，遇到等网络的 goroutine 会把它挂起（`park`），而不是让整个线程阻塞。

# %%
hw.show("q3")

# %% tags=["solution"]
p = hw.params("q3")
answer_q3 = max(p["io_us"], p["cpu_us"]) if p["io_poller"] else p["io_us"] + p["cpu_us"]

# %% tags=["check"]
hw.check("q3", answer_q3)

# %% [markdown] lang="en"
# ## Q4. Threads for system calls
# Under GMP a goroutine in a system call holds its M. How many Ms end up being created?

# %% [markdown] lang="zh"
# ## Q4. 被系统调用占住的线程
# 在 GMP 里，处在系统调用中的 goroutine 会一直占着它的 M。最后一共会创建多少个 M？

# %%
hw.show("q4")

# %% tags=["solution"]
p = hw.params("q4")
# One M per goroutine blocked in its syscall, plus M0 and sysmon (M0 is reused).
answer_q4 = p["n"] + 2

# %% tags=["check"]
hw.check("q4", answer_q4)

# %% [markdown] lang="en"
# ## Q5. Write a workload
# Build a workload that makes the N:1 runtime look bad. Experiment first:
# `hw.try_workload(workload, "green")` and `hw.try_workload(workload, "gmp", procs=2)` print the
# makespan and what the scheduler did.

# %% [markdown] lang="zh"
# ## Q5. 写一个负载
# 构造一个让 N:1 运行时显得很糟的负载。先动手试一试：`hw.try_workload(workload, "green")` 和 `hw.try_workload(workload, "gmp", procs=2)` 会打印总耗时，以及调度器在这期间做了什么。

# %%
hw.show("q5")

# %% tags=["solution"]
p = hw.params("q5")
# Goroutines that all block in system calls at once: N:1 serialises them, M:N overlaps them.
workload_q5 = [("go", [("syscall", 5000)], "S", p["max_goroutines"]), ("wait",)]
hw.try_workload(workload_q5, "green")
hw.try_workload(workload_q5, "gmp", procs=p["procs"])

# %% tags=["check"]
hw.check("q5", workload_q5)

# %% [markdown] lang="en"
# ## Done
# Save the notebook and hand it in as `<your student id>.ipynb` (or in a folder named after
# your id). The grader re-runs it from the top in a fresh kernel.

# %% [markdown] lang="zh"
# ## 完成
# 保存 notebook，以 `<你的学号>.ipynb` 为文件名提交（或放进以你的学号命名的文件夹）。评分程序会在一个全新的内核里从头重新运行它。
