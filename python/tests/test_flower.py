"""GradsealWorkflow and gradseal_mod under Flower 1.42's simulation engine."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flwr")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))

import flower_digits as fd  # noqa: E402

import gradseal as gs  # noqa: E402
from gradseal.flower import GradsealMod, GradsealWorkflow  # noqa: E402

CLIENTS = 10


def test_ten_clients_train_to_fedavg_accuracy() -> None:
    runs = [fd.Run("fedavg", None, 5), fd.Run("gradseal", GradsealWorkflow, 5)]
    fd.simulate(runs, CLIENTS, mods=[GradsealMod()])
    fedavg, sealed = runs
    assert fedavg.error is None and sealed.error is None
    assert len(fedavg.accuracy) == len(sealed.accuracy) == 5
    assert fedavg.accuracy[-1] > 0.75  # the model learns at all
    assert abs(sealed.accuracy[-1] - fedavg.accuracy[-1]) <= 0.01
    reports = sealed.workflow.reports
    assert [r.completed for r in reports] == [True] * 5
    assert all(len(r.accepted) == CLIENTS and len(r.committee) == 3 for r in reports)
    assert reports[0].enrolled == CLIENTS and reports[1].enrolled == 0


def partition(ctxt: Any) -> int:
    return int(ctxt.node_config["partition-id"])


def drop_member_1_in_round_1(msg: Any, ctxt: Any, call_next: Any) -> Any:
    """Committee member 1 is down in round 1's member stage (n-of-n: the agree stage, where
    members also decrypt)."""
    rec = msg.content.config_records.get("gradseal")
    if rec is not None and rec["stage"] == "agree" and rec["round"] == 1:
        ann = gs.Announcement.from_bytes(rec["announcement"])
        st = ctxt.state.config_records["gradseal.state"]
        keys = gs.NodeKeys.from_secret_bytes(gs.KgcPublic.from_bytes(st["kgc"]), st["keys"])
        if ann.member_index(keys.bundle) == 1:
            raise RuntimeError("member down (simulated)")
    return call_next(msg, ctxt)


def tamper(ctxt: Any) -> Any:
    """Partition 5 sends a contribution with a corrupt signature, partition 7 random bytes."""
    return {5: {"corrupt_signature": True}, 7: "garbage"}.get(partition(ctxt))


def test_faults_dropouts_garbage_and_a_missing_member() -> None:
    run = fd.Run("gradseal-faults", GradsealWorkflow, 3)
    mods = [
        fd.dropout_mod(lambda ctxt: partition(ctxt) == 3),  # 10 % drop mid-round, every round
        drop_member_1_in_round_1,
        GradsealMod(danger_tamper=tamper),
    ]
    fd.simulate([run], CLIENTS, mods=mods)
    assert run.error is None
    r1, r2, r3 = run.workflow.reports
    # Round 1: contributions collected (one dropped, two bad), then member 1 is missing: the
    # n-of-n committee gets no quorum (two agreements of three).
    assert r1.failure is not None and isinstance(r1.failure, gs.RoundFailed)
    assert r1.failure.reason == "NoQuorum", r1.failure
    assert not r1.completed
    # Rounds 2 and 3 complete despite the dropout and the two bad clients.
    for r in (r2, r3):
        assert r.completed, r.failure
        assert r.contributed == CLIENTS - 1  # the dropped node never replied
        assert len(r.accepted) == CLIENTS - 3
        assert list(r.rejected.values()) == ["BadSignature"]
        assert any(reason == "Decode" for _, reason in r.dropped)
    # The global model moved in rounds 2 and 3 only (round 1 left it unchanged).
    assert run.accuracy[0] == pytest.approx(0.1, abs=0.05) or run.accuracy[0] < run.accuracy[1]
    assert run.accuracy[2] > 0.3


def test_an_n_of_n_member_node_decrypts_once_per_round(population: Any) -> None:
    """*Adversary: the ServerApp (the aggregator's host)* sending a member node its list
    twice in one round. With the default n-of-n committee the member decrypts in the agree
    stage; the node's state must refuse a second decryption (a second partial with fresh
    flooding would weaken it, spec/agg.md), as the decrypt stage refuses one."""
    import numpy as np

    from conftest import AGGREGATOR, AUTHORITY, MEMBERS

    updates = {c: np.full(100, 0.25, np.float32) for c in population.clients[:4]}
    net, ann = population.build(1, gs.RoundParams(100, min_clients=3), updates)
    net.hold.add(MEMBERS[0])
    net.run()
    lists = [bytes(d) for frm, d in net.held[MEMBERS[0]] if frm == AGGREGATOR and gs.message_kind(bytes(d)) == 4]
    assert len(lists) == 1
    rec = {"round": 1, "authority": population.keys[AUTHORITY].bundle, "announcement": ann, "list": lists[0]}
    mod, state, keys = GradsealMod(), {}, population.keys[MEMBERS[0]]
    reply = mod._agree(rec, keys, state)
    kinds = sorted({gs.message_kind(d) for d in reply["data"]})
    assert kinds == [5, 9], kinds  # a partial decryption and the agreement
    with pytest.raises(RuntimeError, match="already decrypted in round 1"):
        mod._agree(rec, keys, state)
    with pytest.raises(RuntimeError, match="already decrypted in round 1"):
        mod._decrypt({**rec, "certificate": b""}, keys, state)


def test_npy_values_reads_flower_parameters_as_np_load_does() -> None:
    import numpy as np
    from flwr.common import ndarray_to_bytes

    from gradseal.flower import npy_values

    fast = [
        np.arange(5, dtype=np.float32),
        np.arange(12, dtype=np.float32).reshape(3, 4),
        np.float32(2.5),
        np.arange(6, dtype=np.float64).reshape(2, 1, 3),
        np.arange(4, dtype=np.int8),
        np.zeros(0, np.float32),
        np.arange(1 << 17, dtype=np.float32),
    ]
    slow = [
        np.arange(12, dtype=np.float32).reshape(3, 4).T,  # Fortran order on disk
        np.arange(3, dtype=">f4"),
        np.array([True, False]),
        np.arange(3, dtype=np.complex64),
    ]
    for a in fast + slow:
        data = ndarray_to_bytes(np.asarray(a))
        v = npy_values(data)
        assert v.dtype == np.asarray(a).dtype
        assert np.array_equal(v, np.asarray(a).reshape(-1))
        # The fast path is a view of the serialized bytes; the others are np.load's arrays.
        assert (v.base is data) == any(a is f for f in fast)
    # Truncated data is not taken as a shorter array.
    with pytest.raises(ValueError):
        npy_values(ndarray_to_bytes(np.arange(5, dtype=np.float32))[:-4])
