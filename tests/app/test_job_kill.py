"""A job killed mid-run (SIGKILL) leaves no partial output, and a rerun completes it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

JOBS = Path(__file__).resolve().parent.parent / "data" / "jobs"


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from logistics.app.cli import app; app()", *args]


def _writing(tmp_path: Path, job_dir: Path) -> bool:
    return any(p.name.startswith(".out.tmp-") for p in tmp_path.iterdir() if p != job_dir)


def test_sigkill_leaves_no_partial_output_and_rerun_completes(tmp_path):
    job_dir = tmp_path / "job"
    shutil.copytree(JOBS, job_dir)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        _cli("solve", str(job_dir / "small.yaml"), "--out", str(out), "-t", "4", "-q"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # wait until the results are being written (their temporary folder exists), then kill it hard at once:
        # writing the map and the timeline takes far longer than one poll, so the kill lands mid-write
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None and not _writing(tmp_path, job_dir):
            time.sleep(0.002)
        assert proc.poll() is None, "the job ended before it could be killed"
        assert _writing(tmp_path, job_dir), "the job never started writing its results"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert _writing(tmp_path, job_dir), "killed mid-write, the temporary folder stays behind"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    # no partial output where results are expected: either no folder or no success marker and no result files
    assert not (out / "_SUCCESS").exists()
    assert not (out / "plan.json").exists()
    # a rerun completes the job
    done = subprocess.run(
        _cli("solve", str(job_dir / "small.yaml"), "--out", str(out), "-t", "2", "-q"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    assert (out / "_SUCCESS").exists() and (out / "plan.json").exists() and (out / "stops.csv").exists()
