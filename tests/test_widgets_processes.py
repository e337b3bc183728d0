"""Notebook 01's panels: a real address space and the cost of creating processes.

Everything here is measured on the machine running the tests, so timing
assertions are ratios with wide margins, never copied numbers.
"""

import os

import pytest

from gmpkit.widgets import PANELS
from gmpkit.widgets import processes as process_panels

MAPS = [
    {"start": 0x400000, "end": 0x401000, "perms": "r--p", "path": "/usr/bin/prog"},
    {"start": 0x401000, "end": 0x402000, "perms": "r-xp", "path": "/usr/bin/prog"},
    {"start": 0x1000000, "end": 0x1021000, "perms": "rw-p", "path": "[heap]"},
    {"start": 0x7f0000000000, "end": 0x7f0000001000, "perms": "---p", "path": ""},
    {"start": 0x7f0000001000, "end": 0x7f0000801000, "perms": "rw-p", "path": ""},
    {"start": 0x7f0000801000, "end": 0x7f0000900000, "perms": "r-xp", "path": "/lib/libc.so.6"},
    {"start": 0x7f0000900000, "end": 0x7f0000901000, "perms": "r--p", "path": "/lib/libm.so.6"},
    {"start": 0x7ffc00000000, "end": 0x7ffc00021000, "perms": "rw-p", "path": "[stack]"},
    {"start": 0x7ffc00100000, "end": 0x7ffc00102000, "perms": "r-xp", "path": "[vdso]"},
]


def test_classify_names_each_kind_of_mapping():
    regs = process_panels.classify(MAPS, exe="/usr/bin/prog")
    kinds = [r[3] for r in regs]
    assert kinds == ["data", "code", "heap", "guard", "anon", "lib", "lib", "stack", "vdso"]
    assert regs[5][2] == "libc.so.6"


def test_simplify_merges_runs_of_libraries_but_not_different_kinds():
    regs = process_panels.simplify(process_panels.classify(MAPS, exe="/usr/bin/prog"))
    libs = [r for r in regs if r[3] == "lib"]
    assert len(libs) == 1 and libs[0][2] == "2 file mappings"
    assert libs[0][:2] == (0x7f0000801000, 0x7f0000901000)
    assert [r[3] for r in regs].count("stack") == 1


def test_kernel_half_fills_everything_above_the_canonical_hole():
    regs = process_panels._with_kernel_half([(0x1000, 0x2000, "a", "code"),
                                (0xFFFFFFFFFF600000, 0xFFFFFFFFFF601000, "[vsyscall]", "vdso")])
    kernel = [r for r in regs if r[3] == "kernel"]
    assert kernel[0][0] == process_panels.KERNEL_START and kernel[-1][1] == 1 << 64
    covered = sum(e - s for s, e, _l, k in regs if s >= process_panels.KERNEL_START)
    assert covered == (1 << 64) - process_panels.KERNEL_START


def test_read_maps_of_this_process_sees_its_stack_and_libc():
    maps = process_panels.read_maps()
    assert any(m["path"] == "[stack]" for m in maps)
    assert any("libc" in m["path"] for m in maps)
    assert all(m["start"] < m["end"] for m in maps)


def test_address_space_panel_draws_this_process():
    p = PANELS["01:address-space"]()
    assert p.error is None, p.summary
    d = p.data
    assert d["pid"] == os.getpid()
    assert d["kinds"]["stack"] == 1 and d["kinds"].get("code", 0) >= 1
    assert d["highest_user_address"] <= process_panels.USER_TOP
    assert "mappings" in p.fig.axes[0].get_title()
    assert any(r[3] == "kernel" for r in d["drawn"])
    assert len(d["drawn"]) < d["mappings"]          # simplified drawing


def test_address_space_panel_switches_to_a_small_c_program_and_cleans_up():
    p = process_panels.address_space_panel(kernel=False, detail="every mapping")
    big = p.data["mappings"]
    p.set(process="a small C program (sleep)")
    d = p.data
    assert p.error is None, p.summary
    assert d["pid"] != os.getpid()
    assert d["exe"].endswith("sleep")
    assert d["mappings"] < big                       # a C program maps far less than Python
    assert not any(r[3] == "kernel" for r in d["drawn"])
    with pytest.raises(ChildProcessError):           # the sleeper was reaped
        os.waitpid(d["pid"], os.WNOHANG)
    assert "sleep" in p.summary


def test_creation_cost_panel_measures_n_creations():
    p = process_panels.creation_cost_panel(n=3)
    assert p.error is None, p.summary
    d = p.data
    assert len(d["forks_ns"]) == 3 and len(d["spawns_ns"]) == 3
    for series in d["cumulative_ns"].values():
        assert len(series) == 3 and series == sorted(series)
    p.set(n=5)
    assert len(p.data["cumulative_ns"]["fork + exit"]) == 5
    # orders of magnitude, with wide margins: creating a process >> entering the kernel
    assert p.data["ratio_fork_syscall"] > 20
    assert p.data["per_op_ns"]["posix_spawn + exec + exit"] > 20 * p.data["per_op_ns"]["system call (getppid)"]
    ax1, ax2 = p.fig.axes
    assert ax1.get_yscale() == "log" and ax2.get_xscale() == "log"
    assert ax1.get_title() == "Total time for N operations"


def test_fork_memory_panel_forks_a_bigger_parent_more_slowly():
    p = process_panels.fork_memory_panel(max_mib=512, n=5)
    assert p.error is None, p.summary
    d = p.data
    assert d["sizes_mib"] == [0, 128, 256, 512]
    assert len(d["fork_ns"]) == len(d["spawn_ns"]) == 4
    # 512 MiB of touched pages = 131,072 page-table entries to copy: fork gets slower,
    # and by more than posix_spawn (which copies none).  The parent (this test process)
    # is already large, so the growth is compared in absolute terms, best of 5 each.
    assert d["fork_ns"][-1] > d["fork_ns"][0]
    assert d["fork_added_ns"] > d["spawn_added_ns"]
    assert "page tables" in p.fig.axes[0].get_title()
