"""scripts/supervise restarts the worker or scheduler whenever it exits, and stops it on SIGTERM."""

import os
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wait_for(predicate, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_supervise_restarts_the_command_and_stops_it_on_term(tmp_path):
    log, runs = tmp_path / "job.log", tmp_path / "runs"
    # each run records itself; the third one stays up, as a healthy worker would
    job = f'echo run >> {runs}; [ "$(wc -l < {runs})" -ge 3 ] && exec sleep 300; exit 3'
    proc = subprocess.Popen(["bash", str(ROOT / "scripts" / "supervise"), "worker", str(log), "bash", "-c", job],
                            env={**os.environ, "RESTART_DELAY": "0.1"}, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: runs.exists() and len(runs.read_text().split()) == 3)
        assert log.read_text().count("worker exited (3); restarting") == 2
        sleeper = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        assert len(sleeper) == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    assert proc.returncode == 0
    assert wait_for(lambda: subprocess.run(["ps", "-p", sleeper[0]], capture_output=True).returncode != 0, 5)
