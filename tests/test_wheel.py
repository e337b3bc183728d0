"""Installed as a wheel, gmpkit gives the same numbers as the source tree.

The test copies the repository's files (what a clean clone has: tracked files plus new,
not ignored ones) to a temporary folder, builds a wheel there, installs it without
dependencies into a fresh venv outside the repository, and lets that venv see the test
interpreter's packages (numpy, matplotlib, ...) through a ``.pth`` line, which adds the
folder without running its ``.pth`` files, so the editable gmpkit stays invisible. Then the
same probe runs under both installs: a fixed set of simulations (every scenario under every
model), the costs with their provenance, the recorded data of ``gmpkit.real``, and every
code cell of one notebook (its assert cells must pass). Both must print the same.

Before this, a wheel silently fell back to built-in costs: the goroutine switch became
170 ns instead of 279 and every output changed.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from gmpkit import scenarios

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = "notebooks/04_mn_model.ipynb"

PROBE = r'''
import hashlib, json, sys
import matplotlib
matplotlib.use("Agg")
import gmpkit as gk
from gmpkit import costs, resources, scenarios

out = {"gmpkit": gk.__file__, "data_dir": str(resources.data_dir())}
out["costs"] = {k: [v, costs.provenance(k)] for k, v in sorted(costs.default_costs().items())}
small = {"cpu_fanout": dict(goroutines=6, work_us=200), "ping_pong": dict(rounds=50),
         "syscall_storm": dict(goroutines=8, syscall_us=300), "netio_server": dict(connections=8),
         "cpu_hog": dict(hog_ms=12, ticks=4), "spawn_burst": dict(goroutines=40),
         "lock_heavy": dict(goroutines=8, rounds=4), "mixed": dict(goroutines=6)}
models = {"GMP": lambda: gk.GMP(procs=2), "GM": lambda: gk.GM(procs=2),
          "Threads": lambda: gk.Threads(cpus=2), "GreenThreads": lambda: gk.GreenThreads()}
sims = {}
for name in sorted(scenarios.SCENARIOS):
    for label, make in models.items():
        run = scenarios.get(name, **small.get(name, {})).run(make(), seed=3)
        sims[f"{name}/{label}"] = {"stats": {k: v for k, v in sorted(run.stats.items())
                                             if isinstance(v, (int, float, str))},
                                   "sched": hashlib.sha256("\n".join(run.schedtrace(every=1)).encode()).hexdigest()}
out["sims"] = sims

from gmpkit.real import load_recorded
from gmpkit.real.recorded import read_trace
from gmpkit.real.compare import compare, recorded_configs
t = load_recorded()
out["measured"] = {m.name: t.median(m.name) for m in t}
out["traces"] = {n: hashlib.sha256(read_trace(n)[0].encode()).hexdigest()
                 for n in ("schedtrace_demo", "scheddetail_demo", "exectrace_demo")}
out["recorded_configs"] = recorded_configs()
c = compare("ping_pong", procs=2, real="recorded")
out["compare"] = [[m.key, m.real, m.sim] for m in c.metrics]

# one notebook: run every code cell; assert cells raise if a number moved
nb = json.load(open(sys.argv[1], encoding="utf-8"))
import contextlib, io
ns = {"__name__": "__main__"}
cells = []
for cell in nb["cells"]:
    if cell["cell_type"] != "code":
        continue
    src = "".join(cell["source"])
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(src, "<cell>", "exec"), ns)
    if "nbval-ignore-output" not in cell["metadata"].get("tags", []):
        cells.append(buf.getvalue())
out["notebook_cells"] = cells
print("PROBE-JSON " + json.dumps(out, sort_keys=True, default=str))
'''


def probe(python, cwd, env=None):
    r = subprocess.run([str(python), "-c", PROBE, str(REPO / NOTEBOOK)], cwd=cwd, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"probe failed under {python}:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    line = [ln for ln in r.stdout.splitlines() if ln.startswith("PROBE-JSON ")]
    assert line, r.stdout[-2000:]
    return json.loads(line[-1][len("PROBE-JSON "):])


def clean_copy(dest):
    """The files a clean clone would have (tracked + new, not ignored), copied to ``dest``."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=REPO, capture_output=True, text=True, check=True).stdout.split("\0")
    for f in filter(None, files):
        src = REPO / f
        if src.is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f)


@pytest.fixture(scope="module")
def wheel_python(tmp_path_factory):
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs a git checkout to know which files a clean clone has")
    tmp = tmp_path_factory.mktemp("wheel")
    src, dist, venv = tmp / "src", tmp / "dist", tmp / "venv"
    clean_copy(src)
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(src)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"building the wheel failed:\n{r.stderr[-3000:]}"
    (wheel,) = dist.glob("gmpkit-*.whl")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    # install the wheel with this interpreter's pip into the new venv (no network, no deps)
    r = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q",
                        "--no-deps", "--no-index", str(wheel)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"installing the wheel failed:\n{r.stderr[-3000:]}"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "zz_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return py, tmp


def test_wheel_reproduces_the_editable_install(wheel_python):
    py, tmp = wheel_python
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GMPKIT_DATA")}
    installed = probe(py, cwd=tmp, env=env)
    editable = probe(sys.executable, cwd=REPO, env=env)
    # the wheel really is what ran, outside the repository, with its own data
    assert Path(installed["gmpkit"]).is_relative_to(tmp / "venv"), installed["gmpkit"]
    assert Path(installed["data_dir"]).is_relative_to(tmp / "venv")
    assert Path(editable["data_dir"]).is_relative_to(REPO)
    for key in ("costs", "sims", "measured", "traces", "recorded_configs", "compare", "notebook_cells"):
        assert installed[key] == editable[key], f"{key} differs between the wheel and the editable install"
    assert installed["costs"]["goroutine_switch_ns"][0] == editable["costs"]["goroutine_switch_ns"][0]
    assert len(installed["sims"]) == 4 * len(scenarios.SCENARIOS) and installed["notebook_cells"]


def test_wheel_carries_every_data_file(wheel_python):
    py, _tmp = wheel_python
    code = ("import json; from gmpkit import resources as r; d = r.data_dir();"
            "print(json.dumps(sorted(str(p.relative_to(d)) for p in d.rglob('*') if p.is_file())))")
    r = subprocess.run([str(py), "-c", code], cwd=_tmp, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    shipped = set(json.loads(r.stdout))
    here = {str(p.relative_to(REPO / "gmpkit" / "data")) for p in (REPO / "gmpkit" / "data").rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}
    assert shipped == here, f"missing from the wheel: {sorted(here - shipped)}"
