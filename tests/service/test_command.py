"""``coldroute serve``: the install hint without the extra, organisations and keys, bad arguments."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from svc_helpers import ROOT

from logistics.service.serve import main as serve_main
from logistics.service.store import JobStore

HIDE = """
import sys
for name in ("fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "multipart", "python_multipart", "psycopg"):
    sys.modules[name] = None  # an import of a hidden package raises ImportError
sys.argv = ["coldroute", *ARGS]
from logistics.service.command import main
main()
"""


def _run(args: list[str], hide: bool = False, cwd=None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if hide:
        cmd = [sys.executable, "-c", textwrap.dedent(HIDE).replace("ARGS", repr(args))]
    else:
        cmd = [sys.executable, "-m", "logistics.service", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, cwd=cwd)


def test_serve_without_the_extra_prints_the_install_hint_and_exits_2():
    proc = _run(["serve"], hide=True)
    assert proc.returncode == 2
    assert "pip install 'coldroute[service]'" in proc.stderr and "Traceback" not in proc.stderr


def test_other_commands_work_without_the_service_extra():
    proc = _run(["--help"], hide=True)
    assert proc.returncode == 0, proc.stderr
    assert "demo" in proc.stdout and "solve" in proc.stdout


def _serve(args: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = serve_main(args)
    except SystemExit as e:  # argparse's own errors
        code = int(e.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_add_org_prints_a_key_that_opens_that_organisation(tmp_path, capsys):
    base = ["--db", f"sqlite:///{tmp_path / 'store.sqlite'}", "--data", str(tmp_path / "data")]
    code, out, _ = _serve([*base, "--add-org", "acme"], capsys)
    assert code == 0
    key = out.strip()
    store = JobStore(f"sqlite:///{tmp_path / 'store.sqlite'}")
    assert store.org_for_key(key) == store.org_id("acme")
    code, _, err = _serve([*base, "--add-org", "acme"], capsys)
    assert code == 2 and "exists" in err
    code, out, _ = _serve([*base, "--add-key", "acme"], capsys)
    assert code == 0 and out.strip() != key and store.org_for_key(out.strip()) == store.org_id("acme")
    code, _, err = _serve([*base, "--add-key", "nobody"], capsys)
    assert code == 2 and "no organisation 'nobody'" in err
    store.close()


def test_bad_arguments_exit_2(tmp_path, capsys):
    for args in (["--workers", "-1"], ["--lease", "0"], ["--port", "x"], ["--max-orders", "0"]):
        code, _, err = _serve(["--data", str(tmp_path), *args], capsys)
        assert code == 2, (args, err)
        assert "Traceback" not in err


def test_other_commands_do_not_load_the_service():
    code = (
        "import sys; sys.argv = ['coldroute', 'validate', '--help']; import logistics.service.command; "
        "print(sorted(m for m in ('fastapi', 'sqlalchemy', 'uvicorn', 'alembic') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
