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

# %% [markdown]
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

# %%
from gmpkit.homework import assignment
hw = assignment(1, STUDENT_ID)

# %% [markdown]
# ## Q1. Round robin
# A CPU runs its runnable threads in turn, a time slice each; a thread that still has work
# when its slice ends goes to the tail of the queue. In what order do the threads finish?

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

# %% [markdown]
# ## Q2. Context switches
# Every time a CPU puts a thread on, it pays a switch. Count them for this run, from main's
# first instruction to its last: main itself starts on the CPU and is woken again at the end.

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

# %% [markdown]
# ## Q3. Makespan
# Several CPU-bound threads share the CPUs; each 1 ms slice that ends while others wait is
# followed by a switch. How long does the whole program take?

# %%
hw.show("q3")

# %% tags=["solution"]
p = hw.params("q3")
work_ms = p["n"] * p["work_ms"] / p["cpus"]          # perfect sharing of the CPUs
answer_q3 = work_ms * (1 + p["switch_us"] / 1000 / p["slice_ms"])   # + one switch per slice

# %% tags=["check"]
hw.check("q3", answer_q3)

# %% [markdown]
# ## Q4. The useful share of the CPU
# With slice $S$ and switch cost $C$, what share of the CPU's busy time runs the threads'
# own code while several threads compete?

# %%
hw.show("q4")

# %% tags=["solution"]
p = hw.params("q4")
answer_q4 = 100 * p["slice_us"] / (p["slice_us"] + p["switch_us"])

# %% tags=["check"]
hw.check("q4", answer_q4)

# %% [markdown]
# ## Q5. Memory
# Each 1:1 thread reserves a whole stack. How much address space do the threads reserve?

# %%
hw.show("q5")

# %% tags=["solution"]
p = hw.params("q5")
answer_q5 = (p["n"] + 1) * (8 * 2**20 + 4096) / 2**20

# %% tags=["check"]
hw.check("q5", answer_q5)

# %% [markdown]
# ## Done
# Save the notebook and hand it in as `<your student id>.ipynb` (or in a folder named after
# your id). The grader re-runs it from the top in a fresh kernel, so make sure
# *Restart & Run All* works.
