"""``python -m gmpkit.real``: find Go, build the course's programs and ``go tool trace``.

Exit status 1 (with install instructions) when there is no Go.
"""

import sys

from .toolchain import GoUnavailable, prepare

try:
    tc = prepare(out=print)
    # warm the build cache for %%go cells (the tracer file and the guided programs), so a
    # notebook's first cell does not compile the standard library's trace and pprof code
    from .guided import GUIDED
    from .userprog import build_user_program
    for name, g in GUIDED.items():
        print(f"  built {name} (notebook 10): {build_user_program(g['source'], name, tc)[0]}")
except GoUnavailable as e:
    print(f"gmpkit: {e}", file=sys.stderr)
    sys.exit(1)
