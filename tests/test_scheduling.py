"""The suite's xdist scheduler (tests/conftest.py): work stealing that keeps the cases of a KEEP_TOGETHER test on
one worker, so that their shared module fixture is built once per run. Driven here with stand-in workers."""

from pathlib import Path
from types import SimpleNamespace

from tests.conftest import KEEP_TOGETHER, KeepTogetherWorkStealing

GROUP = KEEP_TOGETHER[0]


class FakeNode:
    def __init__(self, name):
        self.gateway, self.shutting_down, self.sent, self.steals, self.down = SimpleNamespace(id=name), False, [], [], False

    def send_runtest_some(self, indices):
        self.sent.extend(indices)

    def send_steal(self, indices):
        self.steals.append(list(indices))

    def shutdown(self):
        self.down = True


def _scheduler(collection):
    config = SimpleNamespace(getvalue=lambda name: None, option=SimpleNamespace(tx=["popen"] * 2, numprocesses=2))
    sched = KeepTogetherWorkStealing.__new__(KeepTogetherWorkStealing)
    sched.numnodes, sched.node2collection, sched.node2pending = 2, {}, {}
    sched.pending, sched.collection, sched.config, sched.log = [], None, config, lambda *a: None
    sched.steal_requested_from_node = None
    nodes = [FakeNode("gw0"), FakeNode("gw1")]
    for node in nodes:
        sched.add_node(node)
        sched.add_node_collection(node, collection)
    sched.schedule()
    return sched, nodes


def _collection(before, grouped, after):
    return ([f"tests/test_a.py::test_{i}" for i in range(before)] + [f"{GROUP}r{i}]" for i in range(grouped)]
            + [f"tests/test_z.py::test_{i}" for i in range(after)])


def _grouped(node, collection):
    return [i for i in node.sent if collection[i].startswith(GROUP)]


def test_a_group_across_the_first_split_goes_whole_to_one_worker():
    collection = _collection(before=40, grouped=30, after=30)  # the half-way cut (50) falls inside the group
    sched, (gw0, gw1) = _scheduler(collection)
    assert len(_grouped(gw0, collection)) == 30 and not _grouped(gw1, collection)
    assert sorted(gw0.sent + gw1.sent) == list(range(len(collection)))


def test_stealing_never_takes_a_grouped_case():
    collection = _collection(before=2, grouped=30, after=40)
    sched, (gw0, gw1) = _scheduler(collection)
    for i in list(sched.node2pending[gw1]):  # gw1 finishes its share; it asks for work
        sched.mark_test_complete(gw1, i)
    assert gw0.steals, "an idle worker steals from a busy one"
    assert all(not collection[i].startswith(GROUP) for steal in gw0.steals for i in steal)


def test_a_queue_of_grouped_cases_only_is_left_alone_and_the_idle_worker_stops():
    collection = _collection(before=0, grouped=30, after=2)
    sched, (gw0, gw1) = _scheduler(collection)
    holder, other = (gw0, gw1) if _grouped(gw0, collection) else (gw1, gw0)
    for i in list(sched.node2pending[other]):
        sched.mark_test_complete(other, i)
    assert not holder.steals and other.down


def test_every_kept_together_test_exists():
    """A renamed test would silently fall out of KEEP_TOGETHER (its fixture built on both workers again)."""
    root = Path(__file__).resolve().parent.parent
    for prefix in KEEP_TOGETHER:
        path, _, function = prefix.rstrip("[").partition("::")
        assert f"def {function}(" in (root / path).read_text(encoding="utf-8"), prefix
