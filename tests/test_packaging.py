"""The package as a user installs it: data files in the wheel, a light command line."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_wheel_carries_templates_patterns_and_demo_mail(tmp_path: Path) -> None:
    """A plain (non-editable) install finds templates, patterns and the demo samples."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "responder/templates/genuine.txt.j2" in names
    assert "responder/templates/_base.txt.j2" in names
    assert any(n.startswith("responder/patterns/") and n.endswith(".jsonl") for n in names)
    assert any(n.startswith("responder/demo_mail/") and n.endswith(".eml") for n in names)
    assert wheel.name.startswith("linkedin_responder-")


def test_help_does_not_import_spacy() -> None:
    """`responder --help` answers without loading spaCy (it is imported only to classify)."""
    code = (
        "import sys\n"
        "from responder.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "assert 'spacy' not in sys.modules, 'spacy imported'\n"
        "assert 'imapclient' not in sys.modules, 'imapclient imported'\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "Commands:" in done.stdout
