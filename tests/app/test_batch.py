"""Batches: local process pool and a real Dask scheduler + worker started as separate processes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import logistics
from logistics.app.batch import SUMMARY, job_names, job_record, run_batch
from logistics.app.run import MARKER, read_marker
from logistics.core.plan import Plan
from logistics.formats.jobfile import load_job

DATA = Path(__file__).parent.parent / "data" / "jobs"


@pytest.fixture
def jobs(tmp_path):
    """Three good jobs (two named alike) and one broken job, in two folders."""
    a = tmp_path / "a"
    b = tmp_path / "b"
    for d in (a, b):
        shutil.copytree(DATA, d)
        text = (d / "small.yaml").read_text(encoding="utf-8").replace("time_limit: 2", "time_limit: 0.5")
        (d / "small.yaml").write_text(text, encoding="utf-8")
    (a / "tuesday.yaml").write_text(
        (a / "small.yaml").read_text(encoding="utf-8").replace("seed: 0", "seed: 1"), encoding="utf-8"
    )
    (a / "broken.yaml").write_text(
        "name: broken\nnetwork: network.geojson\norders: nowhere.csv\n"
        "fleet: [{name: x, count: 1, start_depot: hub, "
        "compartments: [{zone: ambient, capacity: 1}]}]\n",
        encoding="utf-8",
    )
    return [a / "small.yaml", a / "tuesday.yaml", b / "small.yaml", a / "broken.yaml"]


def check_results(records, jobs_by_name):
    for r in records:
        if r.status in ("ok", "unserved"):
            folder = Path(r.out_dir)
            assert (folder / MARKER).is_file()
            problem, _ = load_job(jobs_by_name[r.name])
            plan = Plan.from_json(folder / "plan.json")
            assert logistics.validate(problem, plan) == []


def test_job_names_are_unique_and_safe():
    assert job_names(["x/a.yaml", "y/a.json", "z/a b!.yaml", "w/.yaml"]) == ["x_a", "y_a", "a_b", "yaml"]


def test_job_names_do_not_depend_on_the_order_of_the_jobs():
    paths = ["x/mon.yaml", "y/mon.yaml", "tue.yaml", "p/x/mon.yaml", "z/mon.yaml", "z/mon.json"]
    names = dict(zip(paths, job_names(paths)))
    assert names["tue.yaml"] == "tue" and names["x/mon.yaml"] != names["p/x/mon.yaml"]
    assert names["z/mon.yaml"] == "z_mon.yaml" and names["z/mon.json"] == "z_mon.json"
    assert len(set(names.values())) == len(paths)
    for order in (paths[::-1], paths[1:] + paths[:1]):
        assert dict(zip(order, job_names(order))) == names
    assert job_names(["y/mon.yaml", "x/mon.yaml"]) == ["y_mon", "x_mon"]
    assert job_names(["x/mon.yaml", "x/mon.yaml"]) == ["mon", "mon-2"]  # the same file twice


@pytest.fixture
def same_stem(tmp_path):
    """``x/mon.yaml`` (a good job) and ``y/mon.yaml`` (an invalid one)."""
    x = tmp_path / "x"
    y = tmp_path / "y"
    shutil.copytree(DATA, x)
    text = (x / "small.yaml").read_text(encoding="utf-8").replace("time_limit: 2", "time_limit: 0.3")
    (x / "mon.yaml").write_text(text, encoding="utf-8")
    y.mkdir()
    invalid = "name: mon\nnetwork: nowhere.geojson\norders: nowhere.csv\nfleet: []\n"
    (y / "mon.yaml").write_text(invalid, encoding="utf-8")
    return x / "mon.yaml", y / "mon.yaml"


def test_rerun_in_another_order_does_not_credit_the_wrong_job(same_stem, tmp_path):
    good, bad = same_stem
    out = tmp_path / "out"
    first = run_batch([good, bad], out, workers=0, engine="ortools")
    assert [r.status for r in first.records] == ["ok", "failed"] and first.exit_code == 2
    again = run_batch([bad, good], out, workers=0, engine="ortools")
    by_job = {Path(r.job).parent.name: r for r in again.records}
    assert by_job["y"].status == "failed" and by_job["y"].exit_code == 2, by_job["y"]
    assert by_job["x"].status == "skipped" and by_job["x"].exit_code == 0
    assert by_job["x"].out_dir != by_job["y"].out_dir and again.exit_code == 2
    assert json.loads(job_record(by_job["x"].out_dir).read_text())["job"] == str(good.resolve())


def test_a_folder_is_skipped_only_for_the_job_that_wrote_it(same_stem, tmp_path):
    good, bad = same_stem
    out = tmp_path / "out"
    (res,) = run_batch([good], out, workers=0, engine="ortools").records
    assert res.status == "ok" and Path(res.out_dir).name == "mon"
    # another job of the same name finds the folder: it runs (and fails), it is not credited with the plan
    (other,) = run_batch([bad], out, workers=0).records
    assert other.status == "failed" and other.exit_code == 2
    # the job that wrote it is skipped; once its file changes it runs again
    (same,) = run_batch([good], out, workers=0).records
    assert same.status == "skipped"
    good.write_text(good.read_text(encoding="utf-8").replace("seed: 0", "seed: 3"), encoding="utf-8")
    (edited,) = run_batch([good], out, workers=0, engine="ortools").records
    assert edited.status == "ok", edited.error
    # a result folder without the job record (an older batch, or killed before it was written) is rerun
    job_record(edited.out_dir).unlink()
    (rerun,) = run_batch([good], out, workers=0, engine="ortools").records
    assert rerun.status == "ok" and job_record(rerun.out_dir).is_file()


def test_local_batch_isolates_failures_and_skips_finished_jobs(jobs, tmp_path):
    out = tmp_path / "out"
    seen = []
    res = run_batch(jobs, out, workers=2, engine="ortools", on_done=lambda r: seen.append(r.name))
    by_name = {r.name: r for r in res.records}
    assert [r.name for r in res.records] == ["a_small", "tuesday", "b_small", "broken"]
    assert sorted(seen) == sorted(by_name)
    for name in ("a_small", "tuesday", "b_small"):
        assert by_name[name].status == "ok", by_name[name].error
        assert by_name[name].kpis["served"] == 7
    broken = by_name["broken"]
    assert broken.status == "failed" and broken.exit_code == 2
    assert "orders" in broken.error and "not found" in broken.error
    assert not (out / "broken").exists()
    assert res.exit_code == 2
    check_results(res.records, dict(zip(["a_small", "tuesday", "b_small", "broken"], jobs)))
    summary = json.loads((out / SUMMARY).read_text())
    assert summary["counts"] == {"ok": 3, "failed": 1} and summary["exit_code"] == 2
    frame = res.frame()
    assert list(frame.index) == ["a_small", "tuesday", "b_small", "broken"]
    assert frame.loc[["a_small", "tuesday", "b_small"], "served"].tolist() == [7, 7, 7]
    assert frame.at["broken", "status"] == "failed" and frame.at["broken", "exit_code"] == 2
    assert frame.at["a_small", "cost"] == by_name["a_small"].kpis["cost"]
    from logistics.app.compare import result_folders

    folders, missing = result_folders([out])  # a batch folder stands for its jobs; the failed one is named
    assert list(folders) == ["a_small", "tuesday", "b_small"] and len(missing) == 1 and "broken" in missing[0]
    cli = subprocess.run(
        [sys.executable, "-c", "from logistics.app.cli import app; app()", "compare", str(out), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    assert set(json.loads(cli.stdout)["scenarios"]) == {"a_small", "tuesday", "b_small"}
    assert "not compared" in cli.stderr and "broken" in cli.stderr
    side = logistics.compare({n: out / n for n in ("a_small", "tuesday", "b_small")})
    assert side.at["a_small", "cost_change_pct"] == 0 and side.at["a_small", "cost"] == frame.at["a_small", "cost"]
    assert side.at["tuesday", "cost_change_pct"] == pytest.approx(
        100 * (frame.at["tuesday", "cost"] - frame.at["a_small", "cost"]) / frame.at["a_small", "cost"], abs=1e-3
    )

    # a rerun skips what finished and retries what failed
    stamp = (out / "a_small" / MARKER).stat().st_mtime_ns
    res2 = run_batch(jobs, out, workers=0)
    assert [r.status for r in res2.records] == ["skipped", "skipped", "skipped", "failed"]
    assert (out / "a_small" / MARKER).stat().st_mtime_ns == stamp
    assert res2.records[0].kpis["served"] == 7
    # force reruns
    res3 = run_batch(jobs[:3], out, workers=0, force=True, time_limit=0.3)
    assert [r.status for r in res3.records] == ["ok"] * 3
    assert (out / "a_small" / MARKER).stat().st_mtime_ns != stamp
    assert read_marker(out / "a_small")["status"] == "ok"


def test_missing_job_file_is_a_failed_record(tmp_path):
    res = run_batch([tmp_path / "ghost.yaml"], tmp_path / "out", workers=0)
    assert res.records[0].status == "failed" and res.records[0].exit_code == 2


# --------------------------------------------------------------------------- dask


def _dask_cli() -> list[str]:
    exe = Path(sys.executable).with_name("dask")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "dask"]


def _stop(proc: subprocess.Popen, timeout: float = 15) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@pytest.fixture(scope="module")
def dask_scheduler(tmp_path_factory):
    """A scheduler and one worker, each its own process, on 127.0.0.1 with free ports."""
    pytest.importorskip("distributed")
    d = tmp_path_factory.mktemp("dask")
    sched_file = d / "scheduler.json"
    env = dict(os.environ, DASK_DISTRIBUTED__WORKER__DAEMON="False", PYTHONUNBUFFERED="1")
    log_s = open(d / "scheduler.log", "wb")
    log_w = open(d / "worker.log", "wb")
    sched = subprocess.Popen(
        _dask_cli()
        + ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(sched_file)],
        stdout=log_s,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=d,
    )
    worker = None
    try:
        deadline = time.monotonic() + 60
        address = None
        while time.monotonic() < deadline and address is None:
            if sched.poll() is not None:
                pytest.fail(f"dask scheduler exited: {(d / 'scheduler.log').read_text()[-2000:]}")
            if sched_file.exists():
                try:
                    address = json.loads(sched_file.read_text())["address"]
                except (ValueError, KeyError):
                    address = None
            time.sleep(0.2)
        assert address and address.startswith("tcp://127.0.0.1:"), "scheduler did not start in time"
        worker = subprocess.Popen(
            _dask_cli()
            + [
                "worker",
                address,
                "--host",
                "127.0.0.1",
                "--nworkers",
                "1",
                "--nthreads",
                "1",
                "--no-dashboard",
                "--death-timeout",
                "60",
                "--local-directory",
                str(d / "worker"),
            ],
            stdout=log_w,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=d,
        )
        from distributed import Client

        with Client(address, timeout=30, set_as_default=False) as c:
            c.wait_for_workers(1, timeout=90)
        yield address
    finally:
        if worker is not None:
            _stop(worker)
        _stop(sched)
        log_s.close()
        log_w.close()


def test_batch_on_a_dask_cluster(jobs, tmp_path, dask_scheduler):
    out = tmp_path / "dask-out"
    res = run_batch(jobs, out, scheduler=dask_scheduler, engine="ortools", connect_timeout=30)
    by_name = {r.name: r for r in res.records}
    for name in ("a_small", "tuesday", "b_small"):
        assert by_name[name].status == "ok", by_name[name].error
        assert by_name[name].worker and str(os.getpid()) not in by_name[name].worker.split(":")[-1:]
    assert by_name["broken"].status == "failed" and by_name["broken"].exit_code == 2
    check_results(res.records, dict(zip(["a_small", "tuesday", "b_small", "broken"], jobs)))
    assert json.loads((out / SUMMARY).read_text())["scheduler"] == dask_scheduler
    res2 = run_batch(jobs[:3], out, scheduler=dask_scheduler)
    assert [r.status for r in res2.records] == ["skipped"] * 3 and res2.exit_code == 0
