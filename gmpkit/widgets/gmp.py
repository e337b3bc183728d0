"""The names notebooks 03, 06 and 07 import as ``from gmpkit.widgets import gmp``.

Nothing lives here: the animation is in :mod:`.animation`, notebook 06's panels in
:mod:`.queues`, notebook 07's in :mod:`.syscalls`, their workloads in
:mod:`gmpkit.scenarios`, and the runtime's source excerpts in :mod:`gmpkit.real.excerpts`.
"""

from __future__ import annotations

from ..real.excerpts import runtime_excerpt, struct_fields
from .animation import (ANIMATION_WORKLOADS, MAX_FRAMES, MAX_RING, AnimationPanel,
                        animation_panel, build_frames)
from .queues import (OVERFLOW_BATCH, SPIN_WORKLOADS, burst, fairness, fairness_panel,
                     find_runnable_order, overflow_panel, spinning, spinning_panel, stealing,
                     stealing_panel)
from .syscalls import (_netio_sweep, _syscall_sweep, gm_vs_gmp, gm_vs_gmp_panel,
                       netio_panel, preemption, preemption_panel, syscall_panel,
                       syscall_retake, syscall_vs_netio)

__all__ = [
    "ANIMATION_WORKLOADS", "build_frames", "animation_panel", "AnimationPanel",
    "burst", "overflow_panel", "fairness", "fairness_panel", "stealing", "stealing_panel",
    "spinning", "spinning_panel", "syscall_retake", "syscall_panel", "syscall_vs_netio",
    "netio_panel", "preemption", "preemption_panel", "gm_vs_gmp", "gm_vs_gmp_panel",
    "find_runnable_order", "runtime_excerpt", "struct_fields", "MAX_FRAMES", "MAX_RING",
    "OVERFLOW_BATCH", "SPIN_WORKLOADS",
    "_syscall_sweep", "_netio_sweep",   # notebook 07 reads the sweeps its panels draw
]
