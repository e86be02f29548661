"""The package layout is enforced: import-linter's contracts (.importlinter) run in the test suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    """No import cycles in model/ or ui/; the model imports no UI; the engine no schema or I/O; the numerical
    core (goals, ensembles, seek, sensitivity, plausibility) no reports, files or CLI."""
    lint = Path(sys.executable).with_name("lint-imports")
    r = subprocess.run([str(lint), "--config", str(ROOT / ".importlinter")], cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "Contracts: 4 kept, 0 broken." in r.stdout
