import pytest
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from xdist.scheduler import WorkStealingScheduling
from xdist.scheduler.worksteal import MIN_PENDING, NodePending

# Tests whose cases share one costly module-scoped fixture: xdist's work stealing would split them between the
# workers and each worker would build the fixture; these run on one worker (see KeepTogetherWorkStealing).
KEEP_TOGETHER = (
    "tests/test_route_matrix.py::test_queries_do_not_grow_with_the_data[",  # query_counts renders every route twice
)


def _together(nodeid: str) -> str | None:
    return next((prefix for prefix in KEEP_TOGETHER if nodeid.startswith(prefix)), None)


class KeepTogetherWorkStealing(WorkStealingScheduling):
    """`--dist worksteal`, except that the cases of a KEEP_TOGETHER test are sent to one worker as a block and
    never stolen from it: their shared module fixture is built once per run, not once per worker."""

    def _send_tests(self, node, num: int) -> None:
        chunk = self.pending[:num]
        groups = {_together(self.collection[i]) for i in chunk} - {None}
        chunk += [i for i in self.pending[num:] if _together(self.collection[i]) in groups]
        if chunk:
            sent = set(chunk)
            self.pending[:] = [i for i in self.pending if i not in sent]
            self.node2pending[node].extend(chunk)
            node.send_runtest_some(chunk)

    def check_schedule(self) -> None:
        """WorkStealingScheduling.check_schedule with the steal limited to tests outside KEEP_TOGETHER."""
        nodes_up = [NodePending(node, pending) for node, pending in self.node2pending.items() if not node.shutting_down]
        idle_nodes = [node for node, pending in nodes_up if len(pending) < MIN_PENDING]
        if not idle_nodes:
            return
        if self.pending:
            for i, node in enumerate(idle_nodes):
                self._send_tests(node, len(self.pending) // (len(idle_nodes) - i))
            idle_nodes = [node for node, pending in nodes_up if len(pending) < MIN_PENDING]
            if not idle_nodes or self.steal_requested_from_node is not None:
                return
        elif self.steal_requested_from_node is not None:
            return
        steal_from, stealable = None, []
        for node, pending in nodes_up:
            # the first MIN_PENDING tests of a queue stay (the running one and the next), as upstream
            candidates = [i for i in pending[MIN_PENDING:] if _together(self.collection[i]) is None]
            if len(candidates) > len(stealable):
                steal_from, stealable = node, candidates
        num_steal = min(len(self.node2pending[steal_from]) // 2, len(stealable)) if steal_from else 0
        if num_steal == 0:
            for node in idle_nodes:
                node.shutdown()
            return
        steal_from.send_steal(stealable[-num_steal:])
        self.steal_requested_from_node = steal_from


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") == "worksteal":
        return KeepTogetherWorkStealing(config, log)
    return None



_TRUNCATE = PostgresOperations.sql_flush


def _superuser(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser')")
        return cursor.fetchone()[0] == "on"


def _sql_flush_by_delete(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    """PostgreSQL: empty the tables between transactional tests with DELETE, not Django's one TRUNCATE.

    TRUNCATE gives each of the ~240 tables and their indexes new files: 6 to 10 s per transactional test on a busy
    machine, for tables that hold a handful of rows. DELETE empties the same tables in well under a second; for
    this one transaction (SET LOCAL) session_replication_role=replica sets aside the triggers that would refuse or
    order it (foreign keys, the append-only guards of the audit log and the ledger), as TRUNCATE by a superuser
    does. Sequences are left as TRUNCATE without RESTART IDENTITY leaves them. Anything else (a sequence reset,
    CASCADE for available_apps, a role that may not set the parameter) keeps Django's TRUNCATE."""
    if reset_sequences or allow_cascade or not tables or not _superuser(self.connection):
        return _TRUNCATE(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    return ["SET LOCAL session_replication_role = replica",
            *(f"DELETE FROM {self.quote_name(table)}" for table in sorted(tables))]


def pytest_configure(config):
    PostgresOperations.sql_flush = _sql_flush_by_delete


@pytest.fixture
def scratch_database(tmp_path, django_db_setup):
    """A copy of the empty test database for child processes (a real worker, a real gunicorn), dropped after
    the test: see tests.hardening.ScratchDatabase. Mark the test django_db(transaction=True): the mark makes
    pytest-django create the test database, and no transaction of the test may hold it while it is copied."""
    from tests.hardening import ScratchDatabase

    scratch = ScratchDatabase(tmp_path)
    scratch.create()
    try:
        yield scratch
    finally:
        scratch.drop()
