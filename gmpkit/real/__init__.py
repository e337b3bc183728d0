"""Real Go: the toolchain, the course's Go programs, measurements, trace parsers.

Everything here turns a real Go run into the same :class:`~gmpkit.timeline.Timeline`
the simulator produces, or into a table of measured costs.  When Go is not
installed the functions raise :class:`GoUnavailable`, and the ``*_or_recorded``
helpers fall back to the data recorded on the course's machine (``gmpkit/data/``).
"""

from .toolchain import (GoProgramError, GoTimeout, GoToolchain, GoUnavailable, RunResult,
                        build, find_go, go_version, programs, run, runtime_source,
                        runtime_source_lines)
from .errors import TraceParseError
from .excerpts import runtime_excerpt, struct_fields
from .schedtrace import parse_schedtrace, run_schedtrace, schedtrace_or_recorded
from .exectrace import parse_exectrace, run_exectrace, exectrace_or_recorded
from .gosource import GoSourceError
from .userprog import GoCompileError
from .tracedrun import TracedRun
from .tracego import trace_go, trace_go_or_recorded
from .measurements import Measurement, Measurements
from .measure import load_recorded, measure_all, measurements_or_recorded
from .calibrate import write_costs

__all__ = [
    "GoUnavailable", "GoProgramError", "GoTimeout", "GoToolchain", "RunResult",
    "find_go", "go_version", "programs", "build", "run", "runtime_source", "runtime_source_lines",
    "runtime_excerpt", "struct_fields",
    "TraceParseError", "parse_schedtrace", "run_schedtrace", "schedtrace_or_recorded",
    "parse_exectrace", "run_exectrace", "exectrace_or_recorded",
    "Measurement", "Measurements", "measure_all", "measurements_or_recorded", "load_recorded",
    "write_costs", "trace_go", "trace_go_or_recorded", "TracedRun", "GoCompileError", "GoSourceError",
]
