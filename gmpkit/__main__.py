"""``python -m gmpkit``: what is installed, and which Go the course will use."""
import gmpkit as gk

print(f"gmpkit {gk.__version__}")
try:
    from gmpkit.real.toolchain import find_go
    tc = find_go()
    print(f"Go: {tc.version} ({tc.goos}/{tc.goarch}) at {tc.go}, found via {tc.found_by}")
except Exception as e:  # noqa: BLE001 - report whatever is missing, plainly
    print(f"Go: not available ({e}).\nThe course will use the data recorded in gmpkit/data/.")
