"""Shared pytest configuration: small on purpose.

The repository root goes on sys.path so tests can import the build scripts in tools/.
Browser fixtures live in tests/browser/conftest.py.
"""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
