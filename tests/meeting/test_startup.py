"""The data folder's lock (meeting.startup.data_folder_problem), across real processes: a lone server holds it
alone; the workers of a deployment with a message queue share it with each other."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOLD = (
    "import sys, time; from meeting.startup import data_folder_problem as p; "
    "r = p(sys.argv[1], shared=sys.argv[2] == '1'); print(r or 'held', flush=True); "
    "r is None and time.sleep(60)"
)


def _holder(folder: Path, shared: bool) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder), "1" if shared else "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "held"  # blocks until the child has the lock (or said why not)
    return proc


def _try(folder: Path, shared: bool) -> str:
    res = subprocess.run(
        [sys.executable, "-c", HOLD.replace("time.sleep(60)", "0"), str(folder), "1" if shared else "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return res.stdout.strip()


def test_workers_share_the_folder_a_lone_server_holds_alone(tmp_path):
    worker = _holder(tmp_path, shared=True)
    try:
        assert _try(tmp_path, shared=True) == "held"  # another worker of the same deployment
        refused = _try(tmp_path, shared=False)  # a lone server on the workers' folder
        assert refused.startswith("另一个议事服务器正在使用数据目录") and str(tmp_path.resolve()) in refused
    finally:
        worker.kill()
        worker.communicate(timeout=10)
    lone = _holder(tmp_path, shared=False)
    try:
        refused = _try(tmp_path, shared=True)
        assert f"进程 {lone.pid}" in refused and "another Yishi server" in refused
    finally:
        lone.kill()
        lone.communicate(timeout=10)
    deadline = time.monotonic() + 10  # killed: the kernel dropped the lock with the process
    while _try(tmp_path, shared=False) != "held":
        assert time.monotonic() < deadline, "the lock outlived its process"
        time.sleep(0.1)
