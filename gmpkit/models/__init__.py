"""The scheduler models: same workloads, same Timeline.

* :class:`Threads` -- 1:1, every goroutine a kernel thread.
* :class:`GreenThreads` -- N:1, all goroutines on one kernel thread.
* :class:`GM` -- Go 1.0's scheduler: one global queue under one lock.
* :class:`GMP` -- Go 1.1+: Ps with local queues, stealing, sysmon.
"""

from .base import Model
from .green import GreenThreads
from .threads import Threads
from .gm import GM
from .gmp import GMP

__all__ = ["Model", "GreenThreads", "Threads", "GM", "GMP"]
