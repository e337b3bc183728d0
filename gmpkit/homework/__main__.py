"""``python -m gmpkit.homework build | check | grade SUBMISSIONS_DIR [options]``.

Examples::

    python -m gmpkit.homework build                      # student/ + solutions/ (practice)
    python -m gmpkit.homework build --mode graded --out handout/
    python -m gmpkit.homework grade submissions/ --out report/grades.csv --format canvas
"""

import argparse
import sys


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m gmpkit.homework",
                                 description="Build homework notebooks, or grade submissions.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="write notebooks/homework/{student,solutions}/ from the "
                                     "masters (or graded versions with --mode graded)")
    b.add_argument("names", nargs="*", help="e.g. hw1 or hw1_threads (default: all)")
    b.add_argument("--mode", choices=("practice", "graded"), default="practice",
                   help="practice (default): student + solution notebooks whose checks explain "
                        "the answers; graded: student notebooks whose checks only record")
    b.add_argument("--out", help="folder for --mode graded (default notebooks/homework/graded)")
    sub.add_parser("check", help="fail if the committed notebooks are stale")
    g = sub.add_parser("grade", help="grade a folder of submissions, each in a sandbox")
    g.add_argument("folder")
    g.add_argument("--out", help="CSV to write (default FOLDER/grades.csv); the other reports go "
                                 "next to it")
    g.add_argument("--assignment", type=int, help="the assignment number (default: from each "
                                                  "notebook)")
    g.add_argument("--format", action="append", choices=("csv", "canvas", "moodle"),
                   help="gradebook export(s) to write (repeatable; default csv)")
    g.add_argument("--cell-timeout", type=float, default=60, help="seconds per cell (default 60)")
    g.add_argument("--total-timeout", type=float, default=300,
                   help="seconds per notebook (default 300)")
    g.add_argument("--memory-mb", type=int, default=4096, help="memory per notebook (default 4096)")
    g.add_argument("--jobs", type=int, help="notebooks graded at once (default: the CPU count)")
    g.add_argument("--no-sandbox", action="store_true",
                   help="run submissions WITHOUT isolation (only for notebooks you trust; the "
                        "reports say so in their first line)")
    args = ap.parse_args(argv)
    if args.cmd == "build":
        from .build import build_all
        build_all(args.names, mode=args.mode, out=args.out)
        return 0
    if args.cmd == "check":
        from .build import stale
        probs = stale()
        print("\n".join(probs) or "homework notebooks are fresh")
        return 1 if probs else 0
    from .grade import SandboxUnavailable, grade_folder
    from .sandbox import Limits
    limits = Limits(cell_timeout=args.cell_timeout, total_timeout=args.total_timeout,
                    memory_mb=args.memory_mb)
    try:
        grade_folder(args.folder, args.out, args.assignment, log=print,
                     sandbox_ok=not args.no_sandbox, jobs=args.jobs,
                     formats=tuple(args.format or ("csv",)), limits=limits)
    except SandboxUnavailable as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
