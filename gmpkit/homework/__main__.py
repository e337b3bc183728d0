"""``python -m gmpkit.homework build | check | grade SUBMISSIONS_DIR [--out grades.csv]``."""

import argparse
import sys


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m gmpkit.homework",
                                 description="Build homework notebooks, or grade submissions.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="write notebooks/homework/{student,solutions}/ from the masters")
    b.add_argument("names", nargs="*", help="e.g. hw1 or hw1_threads (default: all)")
    sub.add_parser("check", help="fail if the committed notebooks are stale")
    g = sub.add_parser("grade", help="grade a folder of submissions")
    g.add_argument("folder")
    g.add_argument("--out", help="CSV to write (default FOLDER/grades.csv); grades.md goes next to it")
    g.add_argument("--assignment", type=int, help="the assignment number (default: from each notebook)")
    g.add_argument("--cell-timeout", type=int, default=60, help="seconds per cell (default 60)")
    g.add_argument("--total-timeout", type=int, default=300,
                   help="seconds per notebook (default 300)")
    args = ap.parse_args(argv)
    if args.cmd == "build":
        from .build import build_all
        build_all(args.names)
        return 0
    if args.cmd == "check":
        from .build import stale
        probs = stale()
        print("\n".join(probs) or "homework notebooks are fresh")
        return 1 if probs else 0
    from .grade import grade_folder
    grade_folder(args.folder, args.out, args.assignment, args.cell_timeout, args.total_timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
