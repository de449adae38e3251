"""Benchmark: the per-client and per-contribution costs of a gradseal round in Flower, without
Flower's simulation engine (so without Ray and without the other clients competing for the CPU).

    python python/bench_client.py --clients 100 --params 100000 --reps 40

Enrols ``--clients`` nodes through ``gradseal_mod`` (as the ServerApp would), announces a round
of that roster with ``--params`` parameters (committee of 3, 24-bit quantization, one shard, as
``GradsealWorkflow()``), then:

- calls ``gradseal_mod`` on the contribute stage ``--reps`` times (a NumPy fit returning the
  model plus 0.01 stands for training) and prints the CPU time of the call, median and
  quartile, and the Rust client's share of it (``Client.handle_message``);
- feeds every client's contribution to a relay and an aggregator as the ServerApp does, and
  prints the CPU time per contribution, the close (transcript head and lists, with the last
  contribution when every client is in) and the observer's audit of the streamed entries
  and the head;
- calls ``gradseal_mod`` on the agree stage for each committee member with its list and
  prints the CPU time of each call (list check, agreement and, n-of-n, the partial
  decryption).

CPU times are the process's (``time.process_time``: every thread of it), so the figures hold
on a busy machine better than wall time does; the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--params", type=int, default=100_000)
    ap.add_argument("--reps", type=int, default=40)
    args = ap.parse_args()

    import flwr.compat.common.recorddict_compat as compat
    from flwr.app import Context, Message, RecordDict
    from flwr.app.message_type import MessageType
    from flwr.common import Code, FitIns, FitRes, Status, ndarrays_to_parameters, parameters_to_ndarrays
    from flwr.supercore.task_identity import TaskIdentity

    import gradseal as gs
    from gradseal.flower import (
        AGGREGATOR,
        AUTHORITY,
        CLIENT_BASE,
        CONTRIBUTION_DEADLINE,
        DECRYPTION_DEADLINE,
        MEMBER_BASE,
        OBSERVER,
        RECORD_KEY,
        RELAY_BASE,
        GradsealMod,
        GradsealWorkflow,
        node_identity,
    )

    TaskIdentity.run_id, TaskIdentity.task_id, TaskIdentity.node_id = 1, 1, 0
    wf, mod = GradsealWorkflow(), GradsealMod()
    n, dim = args.clients, args.params

    def deliver(nid: int, ctx: Any, fields: dict[str, Any], content: Any = None, call_next: Any = None) -> Any:
        m = wf._message(nid, 1, fields, content)
        msg = Message(content=m.content, dst_node_id=nid, message_type=MessageType.TRAIN)
        return mod(msg, ctx, call_next)

    contexts = {}
    for nid in range(1, n + 1):
        ctx = Context(run_id=1, node_id=nid, node_config={}, state=RecordDict(), run_config={})
        contexts[nid] = ctx
        wf.registry.authorise(node_identity(nid))
        req = deliver(nid, ctx, {"stage": "enrol"}).content.config_records[RECORD_KEY]["request"]
        partial = wf.kgc.issue(req, wf.registry)
        reply = deliver(nid, ctx, {"stage": "complete", "partial": partial})
        wf.bundles[nid] = reply.content.config_records[RECORD_KEY]["bundle"]
    roster = list(range(1, n + 1))
    committee = roster[:3]
    kgc, auth = wf.kgc.public, wf.keys["gradseal-authority"].bundle
    params = gs.RoundParams(
        dim + 1, bits=wf.bits, scale=wf.scale, min_clients=wf.min_clients,
        contribution_deadline=CONTRIBUTION_DEADLINE, decryption_deadline=DECRYPTION_DEADLINE,
        data_shards=1, parity_shards=0, model_version=1,
    )
    authority = gs.Authority(kgc, wf.keys["gradseal-authority"], 1)
    ann = authority.announce(
        params,
        (AGGREGATOR, wf.keys["gradseal-aggregator"].bundle),
        [RELAY_BASE],
        [OBSERVER],
        [(MEMBER_BASE + j, wf.bundles[nid]) for j, nid in enumerate(committee)],
        [(CLIENT_BASE + i, wf.bundles[nid]) for i, nid in enumerate(roster)],
    )
    model = [np.zeros((64, 10), np.float32), np.zeros(10, np.float32), np.zeros(dim - 650, np.float32)]
    fitins = compat.fitins_to_recorddict(FitIns(ndarrays_to_parameters(model), {}), True)
    fields = {"stage": "contribute", "round": 1, "announcement": ann, "max_weight": wf.max_weight}

    def fit(msg: Any, ctxt: Any) -> Any:
        arrays = parameters_to_ndarrays(compat.recorddict_to_fitins(msg.content, True).parameters)
        res = FitRes(Status(Code.OK, ""), ndarrays_to_parameters([a + 0.01 for a in arrays]), 50, {})
        return Message(compat.fitres_to_recorddict(res, False), reply_to=msg)

    load = os.getloadavg()[0]
    # The Rust client role alone, through the Python API.
    update = np.full(dim + 1, 0.01, np.float32)
    rust = []
    for r in range(args.reps):
        keys = gs.NodeKeys.from_secret_bytes(kgc, contexts[roster[r % n]].state.config_records["gradseal.state"]["keys"])
        client = gs.Client(kgc, auth, keys, 1, update)
        t = time.process_time()
        client.handle_message(0, AUTHORITY, ann)
        rust.append(time.process_time() - t)
        assert client.poll_transmit() is not None
    # The mod's contribute call (training excluded), and the shards it replies with.
    calls, shards = [], []
    for r in range(max(args.reps, n)):
        nid = roster[r % n]
        inner: list[float] = []

        def timed_fit(msg: Any, ctxt: Any) -> Any:
            t = time.process_time()
            out = fit(msg, ctxt)
            inner.append(time.process_time() - t)
            return out

        t = time.process_time()
        reply = deliver(nid, contexts[nid], fields, fitins, timed_fit)
        if r < args.reps:
            calls.append(time.process_time() - t - inner[0])
        if r < n:
            rec = reply.content.config_records[RECORD_KEY]
            shards.append((nid, list(zip(rec["to"], rec["data"]))))

    def ms(v: list[float]) -> str:
        q = statistics.quantiles(v, n=4)
        return f"median {1e3 * statistics.median(v):.2f} ms (quartiles {1e3 * q[0]:.2f}-{1e3 * q[2]:.2f})"

    print(f"{n} clients x {dim} parameters, load average {load:.2f} ({os.cpu_count()} CPUs)")
    print(f"gradseal_mod contribute call (training excluded), CPU: {ms(calls)}")
    print(f"  of which the Rust client role (Client.handle_message): {ms(rust)}")
    print(f"  reply: {sum(len(d) for _, d in shards[0][1]):,} B in {len(shards[0][1])} shard(s)")
    # The ServerApp's side: relay and aggregator per contribution, then the deadline.
    net = gs.Network()
    net.add(RELAY_BASE, gs.Relay(kgc, auth, wf.keys["gradseal-relay-0"], 1))
    net.add(AGGREGATOR, gs.Aggregator(kgc, auth, wf.keys["gradseal-aggregator"], 1))
    net.add(OBSERVER, gs.Observer(kgc, auth, wf.keys["gradseal-observer"], 1))
    for to in (RELAY_BASE, AGGREGATOR, OBSERVER):
        net.inject(AUTHORITY, to, ann)
    net.run(until=0)
    # As in the workflow, the observer's messages (the streamed entries, then the head) are
    # held and audited apart.
    net.hold.add(OBSERVER)
    per = []
    for i, (nid, sent) in enumerate(shards):
        t = time.process_time()
        for to, data in sent:
            net.inject(CLIENT_BASE + i, int(to), data)
        net.run(until=0)
        per.append(time.process_time() - t)
    accepted = len(net.events_of(AGGREGATOR, "Accepted"))
    t = time.process_time()
    net.run(until=CONTRIBUTION_DEADLINE)
    deadline = time.process_time() - t
    t = time.process_time()
    for frm, data in net.held.pop(OBSERVER, []):
        net.roles[OBSERVER].handle_message(net.now, frm, data)
    audit = time.process_time() - t
    # With every roster client in, the last contribution also closes contributions (the
    # transcript head and the members' lists): reported apart from the median.
    print(f"relay + aggregator per contribution, CPU: {ms(per[:-1])} ({accepted} accepted)")
    print(f"the last one, which closes contributions (head, lists): {1e3 * per[-1]:.1f} ms; "
          f"at the deadline: {1e3 * deadline:.1f} ms; observer's audit of the streamed "
          f"entries and the head: {1e3 * audit:.1f} ms")
    # The members' stage: each committee member's mod checks its list, agrees and (n-of-n)
    # decrypts in the same call.
    agree = []
    for j, nid in enumerate(committee):
        lists = [d for frm, d in net.outbound.get(MEMBER_BASE + j, []) if frm == AGGREGATOR and d[:1] == b"\x04"]
        t = time.process_time()
        reply = deliver(nid, contexts[nid], {"stage": "agree", "round": 1, "announcement": ann, "list": lists[0]})
        agree.append(time.process_time() - t)
        assert reply.content.config_records[RECORD_KEY]["to"], "the member sent nothing"
    print(f"gradseal_mod agree call of each of the {len(committee)} members (list check, agreement, "
          f"partial decryption), CPU: {', '.join(f'{1e3 * a:.1f}' for a in agree)} ms")


if __name__ == "__main__":
    main()
