"""Command line of :mod:`gmpkit.homework.bilingual` (one source, two editions; issue 15).

    python -m tools.bilingual check SRC.py ...                 # twin problems, exit 1 if any
    python -m tools.bilingual split SRC.py --lang zh OUT.ipynb  # one edition, not executed

Everything else (``read``, ``problems``, ``edition``, ``chinese_share`` ...) is the
package module's, re-exported here for the tools and tests that import ``tools.bilingual``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from gmpkit.homework.bilingual import *  # noqa: F401,F403
from gmpkit.homework.bilingual import edition, problems, read

USAGE = __doc__.split("\n\n")[1]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) >= 2 and argv[0] == "check":
        bad = 0
        for p in argv[1:]:
            for msg in problems(read(Path(p).read_text(encoding="utf-8"))):
                print(f"{p}: {msg}")
                bad += 1
        return 1 if bad else 0
    if len(argv) == 5 and argv[0] == "split" and argv[2] == "--lang":
        nb = edition(read(Path(argv[1]).read_text(encoding="utf-8")), argv[3])
        nbformat.write(nb, argv[4])
        return 0
    print("usage:\n" + USAGE)
    return 2


if __name__ == "__main__":
    sys.exit(main())
