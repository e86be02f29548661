"""The package layout is enforced: import-linter's contracts (.importlinter) run in the test suite."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """lint-imports on the packages under ``root`` with the project's contracts."""
    # The console script's own code, run by this interpreter (CI may install scripts elsewhere).
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run([sys.executable, "-c", code, "--config", str(ROOT / ".importlinter"), "--no-cache"],
                          cwd=root, capture_output=True, text=True, timeout=120)


PACKAGES = ("model", "ui", "workshop", "testkit", "bench")  # .importlinter's root packages


def copy_packages(dest: Path) -> None:
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, dest / pkg, ignore=shutil.ignore_patterns("__pycache__", "recordings"))


def test_import_contracts_hold():
    """No import cycles in model/ or ui/; model/ layered cli | reports | io | schema | core; the model imports
    no UI; the numerical core no document schema, file format or translation code; the app no test code."""
    r = lint_imports(ROOT)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "Contracts: 5 kept, 0 broken." in r.stdout


def test_a_core_module_importing_the_schema_breaks_the_layers(tmp_path):
    """The contracts can fail: a copy of the packages whose engine imports the scenario schema is refused."""
    copy_packages(tmp_path)
    engine = tmp_path / "model" / "core" / "engine.py"
    engine.write_text(engine.read_text(encoding="utf-8") + "\nfrom ..schema import scenario  # noqa\n",
                      encoding="utf-8")
    r = lint_imports(tmp_path)
    assert r.returncode == 1, r.stdout[-3000:] + r.stderr[-2000:]
    assert "model/ is layered" in r.stdout and "Contracts: 2 kept, 3 broken." in r.stdout, r.stdout[-3000:]


def test_the_workshop_importing_the_testkit_breaks_a_contract(tmp_path):
    """Test code stays out of the app: a copy whose workshop package imports testkit is refused."""
    copy_packages(tmp_path)
    init = tmp_path / "workshop" / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8") + "\nimport testkit.waits  # noqa\n", encoding="utf-8")
    r = lint_imports(tmp_path)
    assert r.returncode == 1, r.stdout[-3000:] + r.stderr[-2000:]
    assert "imports no test or benchmark code" in r.stdout and "Contracts: 4 kept, 1 broken." in r.stdout, \
        r.stdout[-3000:]
