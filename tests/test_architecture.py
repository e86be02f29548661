"""The package layout is enforced: import-linter's contracts (.importlinter) run in the test suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    """No import cycles in model/ or ui/; the model imports no UI; the engine no schema or I/O; the numerical
    core (goals, ensembles, seek, sensitivity, plausibility) no reports, files or CLI."""
    # The console script's own code, run by this interpreter (CI may install scripts elsewhere).
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    r = subprocess.run([sys.executable, "-c", code, "--config", str(ROOT / ".importlinter"), "--no-cache"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "Contracts: 4 kept, 0 broken." in r.stdout
