"""The repository explains itself: no code, doc or notebook cites a design file that lives
outside it (facts cite proc.go, release notes, gmpkit/data, or DESIGN.md)."""

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# names of design files that were never part of the repository (split so this file passes)
OUTSIDE = ["shared" + "/design", "GO_" + "SCHEDULER", "ARCHI" + "TECTURE.md", "TEST" + "ING.md",
           "COU" + "RSE.md", "STY" + "LE.md", "/work/" + "shared"]
TEXT = (".py", ".md", ".ipynb", ".cfg", ".toml", ".yml", ".txt", ".go", ".json")


def tracked_files():
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=REPO, capture_output=True, text=True)
    if out.returncode == 0:
        return [REPO / f for f in out.stdout.split("\0") if f]
    return [p for p in REPO.rglob("*") if ".venv" not in p.parts and ".git" not in p.parts]


def test_no_reference_to_files_outside_the_repository():
    pattern = re.compile("|".join(re.escape(s) for s in OUTSIDE))
    hits = []
    for p in tracked_files():
        if not p.is_file() or not (p.suffix in TEXT or p.name in ("Makefile", "run")):
            continue
        for i, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if pattern.search(line):
                hits.append(f"{p.relative_to(REPO)}:{i}: {line.strip()[:100]}")
    assert not hits, "cite the primary source or DESIGN.md instead:\n" + "\n".join(hits)


def test_the_checker_would_see_a_reference(tmp_path):
    line = "see " + OUTSIDE[1] + ".md §10"
    assert re.search("|".join(re.escape(s) for s in OUTSIDE), line)


def test_design_md_states_the_reference_measurements():
    design = (REPO / "DESIGN.md").read_text(encoding="utf-8")
    assert "## Reference measurements" in design
    from gmpkit.real.calibrate import REFERENCE
    section = design.split("## Reference measurements", 1)[1]
    for name, (value, _what) in REFERENCE.items():
        shown = f"{value} ns" if value < 1000 else f"{value / 1000:g} µs"
        assert shown in section, f"{name}: {shown} is not in DESIGN.md's reference table"
