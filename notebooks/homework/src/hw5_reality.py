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
# # Homework 5: model vs reality
#
# Your problems are generated from your `STUDENT_ID`. Predict or compute, write the answer in
# the answer cell (replace `...`), run the check cell. Do not edit the check cells.
#
# The data are real: measurements and a `GODEBUG=schedtrace` trace recorded on the course's
# machine with the course's Go programs (`gmpkit.real`; `gmpkit.real.load_recorded()` shows
# the whole table). You do not need Go installed.

# %%
from gmpkit.homework import assignment
hw = assignment(5, STUDENT_ID)

# %% [markdown]
# ## Q1. Reading the measurements

# %%
hw.show("q1")

# %% tags=["solution"]
from gmpkit.real import load_recorded
table = load_recorded()
p = hw.params("q1")
answer_q1 = table[p["a"]].median / table[p["b"]].median

# %% tags=["check"]
hw.check("q1", answer_q1)

# %% [markdown]
# ## Q2. The model's hand-off vs the measured one
# Predict what the model will say before you run anything: in the model, what does one
# channel hand-off between two goroutines on the same P cost?

# %%
hw.show("q2")

# %% tags=["solution"]
p = hw.params("q2")
# The receiver goes to runnext and runs next: one goroutine switch per hand-off.
answer_q2 = (p["switch_ns"] - p["measured_ns"]) / p["measured_ns"] * 100

# %% tags=["check"]
hw.check("q2", answer_q2)

# %% [markdown]
# ## Q3. Reading a real schedtrace
# `runqueue=` is the global run queue; the bracketed list holds each P's ring length.

# %%
hw.show("q3")

# %% tags=["solution"]
import re
from gmpkit.real.recorded import read_trace
trace, _ = read_trace("schedtrace_demo")
line = next(l for l in trace.splitlines() if l.startswith(f"SCHED {hw.params('q3')['time_ms']}ms"))
glob = int(re.search(r"runqueue=(\d+)", line).group(1))
local = [int(x) for x in re.search(r"\[ ([\d ]+) \]", line).group(1).split()]
answer_q3 = glob + sum(local)

# %% tags=["check"]
hw.check("q3", answer_q3)

# %% [markdown]
# ## Q4. What the model leaves out
# Every model in `gmpkit` lists what it models (`MODELS`) and what it leaves out
# (`SIMPLIFIES`).

# %%
hw.show("q4")

# %% tags=["solution"]
from gmpkit.models.gmp import GMP
options = hw.params("q4")["options"]
answer_q4 = "ABCD"[next(i for i, o in enumerate(options) if o in GMP.SIMPLIFIES)]

# %% tags=["check"]
hw.check("q4", answer_q4)

# %% [markdown]
# ## Q5. Goroutines per thread stack

# %%
hw.show("q5")

# %% tags=["solution"]
p = hw.params("q5")
answer_q5 = (p["stack_mib"] * 2**20 + 4096) / p["per_g_bytes"]

# %% tags=["check"]
hw.check("q5", answer_q5)

# %% [markdown]
# ## Done
# Save the notebook and hand it in as `<your student id>.ipynb` (or in a folder named after
# your id). The grader re-runs it from the top in a fresh kernel.
