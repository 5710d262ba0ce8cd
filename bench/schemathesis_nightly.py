"""Nightly-size API hardening: the CI suite tests/test_hardening_api.py with many more generated calls.

Runs every /api/openapi.json operation as a session user and as a department token (schemathesis
strategies) and the Open311 endpoints (Hypothesis over their parameters), --examples per operation and
identity (default 500, i.e. about 20,000 API calls) and --open311-examples per Open311 endpoint. Prints
JSON: calls and server errors per suite, seconds, pytest's exit status. DATABASE_URL picks the database
(as for the tests); the run is derandomized, so a failure reproduces with the same numbers.

    .venv/bin/python bench/schemathesis_nightly.py --examples 500 --open311-examples 1000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.hardening import RUN_ENV, figures_of_run, new_run_id  # noqa: E402 - the checkout's tests package


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500)
    parser.add_argument("--open311-examples", type=int, default=1000)
    args = parser.parse_args()
    run = f"nightly-{new_run_id()}"
    env = {**os.environ, "SHANZHI_TESTING": "1", "SHANZHI_FUZZ_EXAMPLES": str(args.examples),
           "SHANZHI_FUZZ_OPEN311_EXAMPLES": str(args.open311_examples), RUN_ENV: run}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-n", "0",
                           "tests/test_hardening_api.py"], cwd=ROOT, env=env, capture_output=True, text=True)
    figures = {key: values for _name, by_key in figures_of_run(run) for key, values in by_key.items()}
    report = {"examples": args.examples, "open311_examples": args.open311_examples,
              "seconds": round(time.monotonic() - started, 1), "pytest_exit": done.returncode,
              **{k: figures.get(k, {}) for k in ("openapi", "open311")}}
    print(json.dumps(report, ensure_ascii=False, indent=1))
    if done.returncode:
        print(done.stdout[-4000:], file=sys.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
