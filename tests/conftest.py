import time

from tests.hardening import summary_lines

_STARTED = time.time()


def pytest_terminal_summary(terminalreporter):
    """The hardening suites' figures (calls, errors …), whether or not output capture was on."""
    lines = summary_lines(_STARTED)
    if lines:
        terminalreporter.section("hardening figures")
        for line in lines:
            terminalreporter.write_line(line)
