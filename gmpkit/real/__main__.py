"""``python -m gmpkit.real``: find Go, build the course's programs and ``go tool trace``.

Exit status 1 (with install instructions) when there is no Go.
"""

import sys

from .toolchain import GoUnavailable, prepare

try:
    prepare(out=print)
except GoUnavailable as e:
    print(f"gmpkit: {e}", file=sys.stderr)
    sys.exit(1)
