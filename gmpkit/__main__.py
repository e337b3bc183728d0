"""``python -m gmpkit`` prints what is installed and where Go is."""
import gmpkit as gk

print(f"gmpkit {gk.__version__}")
try:
    from gmpkit.real.toolchain import find_go
    print("Go:", find_go())
except Exception as e:  # noqa: BLE001 - report whatever is missing
    print("Go: not available -", e)
