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
# # Homework 1: threads and switching costs
#
# Every problem below is generated from your `STUDENT_ID`: your numbers differ from your
# classmates'. For each question: read the problem, **predict** the answer on paper, write it
# in the answer cell (replace `...`), then run the check cell below it. The check computes
# the answer with the course's model and tells you what it expected and why.
#
# Do not edit the check cells (they are compared with the original when grading). You may
# add cells of your own anywhere, e.g. to compute with Python.
#
# The model here is `gk.Threads` (1:1 kernel threads): one run queue, a fixed round-robin
# time slice, and `kernel_switch_ns` of CPU time every time a thread is put on a CPU.

# %% [markdown] lang="zh"
# # 作业 1：线程与切换开销
#
# 下面每道题都由你的 `STUDENT_ID` 生成，所以你的数字和同学的不一样。每道题这样做：先读题，在纸上**预测**答案，把它写进答案单元格（替换 `...`），再运行紧跟其后的检查单元格。检查单元格用课程的模型算出答案，告诉你它期望的是什么，以及为什么。
#
# 不要修改检查单元格（评分时会和原始版本逐一比对）。你可以在任何位置加自己的单元格，比如用 Python 算一算。
#
# 本作业的模型是 `gk.Threads`（1:1 内核线程）：只有一个运行队列，按固定时间片轮转，每把一个线程放上 CPU，就要花掉 `kernel_switch_ns` 的 CPU 时间。

# %%
from gmpkit.homework import assignment
hw = assignment(1, STUDENT_ID)

# %% [markdown] lang="en"
# ## Q1. Round robin
# A CPU runs its runnable threads in turn, a time slice each; a thread that still has work
# when its slice ends goes to the tail of the queue. In what order do the threads finish?

# %% [markdown] lang="zh"
# ## Q1. 时间片轮转
# CPU 轮流运行所有可运行的线程，每次一个时间片；时间片用完时手里还有活的线程，回到队尾重新排队。这些线程按什么顺序结束？

# %%
hw.show("q1")

# %% tags=["solution"]
# Simulate round robin by hand: a queue of [name, ms left]; each turn runs one slice.
p = hw.params("q1")
queue = [[name, w] for name, w in zip("ABCDEF", p["works_ms"])]
order = []
while queue:
    name, left = queue.pop(0)
    left -= p["slice_ms"]
    if left > 0:
        queue.append([name, left])
    else:
        order.append(name)
answer_q1 = order

# %% tags=["check"]
hw.check("q1", answer_q1)

# %% [markdown] lang="en"
# ## Q2. Context switches
# Every time a CPU puts a thread on, it pays a switch. Count them for this run, from main's
# first instruction to its last: main itself starts on the CPU and is woken again at the end.

# %% [markdown] lang="zh"
# ## Q2. 上下文切换
# CPU 每把一个线程放上去，就要付一次切换的代价。数一数这次运行从 `main` 的第一条指令到最后一条，一共切换了几次：`main` 一开始就在 CPU 上，结束前还会被再唤醒一次。

# %%
hw.show("q2")

# %% tags=["solution"]
# Replay the round robin and count every time a thread is put on the CPU.  A thread whose
# slice ends while nobody else waits keeps the CPU: no switch.
p = hw.params("q2")
queue = [[name, w] for name, w in zip("ABCDEF", p["works_ms"])]
switches = 1                      # main is put on the CPU at the start
last = None
while queue:
    name, left = queue.pop(0)
    if name != last:
        switches += 1
    last = name
    left -= p["slice_ms"]
    if left > 0:
        queue.append([name, left])
switches += 1                     # main, woken by the wait group, is put back on
answer_q2 = switches

# %% tags=["check"]
hw.check("q2", answer_q2)

# %% [markdown] lang="en"
# ## Q3. Makespan
# Several CPU-bound threads share the CPUs; each 1 ms slice that ends while others wait is
# followed by a switch. How long does the whole program take?

# %% [markdown] lang="zh"
# ## Q3. 总耗时
# 几个 CPU 密集型线程分享这些 CPU；一个 1 ms 的时间片结束时，只要还有别的线程在等，就会紧接着发生一次切换。整个程序要跑多久？

# %%
hw.show("q3")

# %% tags=["solution"]
p = hw.params("q3")
work_ms = p["n"] * p["work_ms"] / p["cpus"]          # perfect sharing of the CPUs
answer_q3 = work_ms * (1 + p["switch_us"] / 1000 / p["slice_ms"])   # + one switch per slice

# %% tags=["check"]
hw.check("q3", answer_q3)

# %% [markdown] lang="en"
# ## Q4. The useful share of the CPU
# With slice $S$ and switch cost $C$, what share of the CPU's busy time runs the threads'
# own code while several threads compete?

# %% [markdown] lang="zh"
# ## Q4. CPU 时间里真正干活的比例
# 时间片为 $S$、切换开销为 $C$，多个线程争用 CPU 时，CPU 忙碌的时间里有多大比例在运行线程自己的代码？

# %%
hw.show("q4")

# %% tags=["solution"]
p = hw.params("q4")
answer_q4 = 100 * p["slice_us"] / (p["slice_us"] + p["switch_us"])

# %% tags=["check"]
hw.check("q4", answer_q4)

# %% [markdown] lang="en"
# ## Q5. Memory
# Each 1:1 thread reserves a whole stack. How much address space do the threads reserve?

# %% [markdown] lang="zh"
# ## Q5. 内存
# 每个 1:1 线程都要预留一整个栈。这些线程一共预留了多少地址空间？

# %%
hw.show("q5")

# %% tags=["solution"]
p = hw.params("q5")
answer_q5 = (p["n"] + 1) * (8 * 2**20 + 4096) / 2**20

# %% tags=["check"]
hw.check("q5", answer_q5)

# %% [markdown] lang="en"
# ## Done
# Save the notebook and hand it in as `<your student id>.ipynb` (or in a folder named after
# your id). The grader re-runs it from the top in a fresh kernel, so make sure
# *Restart & Run All* works.

# %% [markdown] lang="zh"
# ## 完成
# 保存 notebook，以 `<你的学号>.ipynb` 为文件名提交（或放进以你的学号命名的文件夹）。评分程序会在一个全新的内核里从头重新运行它。所以交之前请确认 *Restart & Run All*（重启内核并运行全部单元格）能从头跑通。
