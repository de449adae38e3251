"""gradseal for Flower 1.42: ``GradsealWorkflow`` (ServerApp) and ``gradseal_mod`` (ClientApp).

Drop-in replacements for ``SecAggPlusWorkflow`` and ``secaggplus_mod``::

    # ServerApp
    workflow = DefaultWorkflow(fit_workflow=GradsealWorkflow())   # was SecAggPlusWorkflow(3, 2)
    workflow(grid, LegacyContext(context, config=ServerConfig(num_rounds=5), strategy=FedAvg()))

    # ClientApp
    app = ClientApp(client_fn=client_fn, mods=[gradseal_mod])     # was secaggplus_mod

Like SecAgg+, each client uploads ``[w, w * params]`` (``w = min(num_examples, max_weight) /
max_weight``), the server learns only the sum, and ``strategy.aggregate_fit`` receives every
accepted client's ``FitRes`` carrying the weighted average (so metrics aggregation works).

**Mapping onto Flower's star topology.** Every Flower message goes between the ServerApp and
one SuperNode, so the ServerApp hosts the roles that need no secret of the clients: the
*authority* (which is also the KGC: it enrols SuperNodes whose identity ``flwr-node-<node
id>`` the grid reports, once each), the untrusted *aggregator*, an *observer* that audits
every round (transcript, every member's list, the combination and the result), and the
*relays*. Committee members are SuperNodes, ``committee_size`` of the sampled nodes chosen
at random each round; a node may be client and member in the same round. Sharding and
relays are kept so that the aggregator's checks and the transcript are exactly the
protocol's, but in a star every shard reaches the ServerApp in the client's one reply, so
they add no availability here: the default layout is one data shard, no parity, one relay
(``data_shards``/``parity_shards``/``relays`` change it). Deployments that need relays off
the server run the roles as separate nodes (``gradseal cluster``).

**A round** (each stage one exchange of ``MessageType.TRAIN`` messages, like SecAgg+; replies are
pulled every 0.02 s and worked on as they arrive):

0. *enrol* (two round trips, only for sampled nodes not enrolled yet): the node sends an
   enrolment request for the identity ``flwr-node-<its node id>``; the KGC issues its
   partial key under the registry; the node completes its keys, keeps them in its
   ``context.state`` and confirms its bundle;
1. *contribute*: the server announces (roster = the sampled enrolled nodes, committee =
   ``committee_size`` of them, preferably among last round's contributors) and sends each
   node its ``FitIns`` with the announcement; the node trains (``call_next``), encrypts
   ``[w, w * params]`` and replies with its shards (no parameters in clear);
2. *agree*: at the contribution deadline the aggregator publishes the transcript head to
   the observer (which got each contribution as it was accepted) and sends each member its
   list; each member checks its list and replies with one signed agreement on its digest
   (or a signed refusal); with a quorum of agreements the aggregator issues the quorum
   certificate. With the default n-of-n committee the whole committee is the only quorum,
   so each member replies with its partial decryption too, and stage 3 is skipped;
3. *decrypt* (t-of-n): each member of the certified quorum gets its list again with the
   certificate and replies with one partial decryption; the aggregator combines, the
   observer audits (the streamed contributions and the head while the members agree and
   decrypt, in another thread of the ServerApp, then the certificate, the partials and the
   result).
   A member's node state remembers, per round, the one list digest it agreed to and that it
   decrypted, so the fresh ``Member`` of each stage never agrees to a second list nor
   decrypts twice.

Trust: a SuperNode takes the KGC parameters and the authority's bundle from the ServerApp it
serves (in Flower the ServerApp is the coordinator, the role spec/protocol.md trusts to
publish the roster and committee); it keeps its keys per KGC and re-enrols if a new KGC (a
new ServerApp run) appears. The aggregator and the relays it hosts stay untrusted: the
observer's audit and the members' list checks are the protocol's, and no node's update is
ever seen in clear by the ServerApp.

Dropped clients (no reply in stage 1) cost nothing: the round sums the others. A missing or
refusing member fails the round with its reason (``RoundFailed``, recorded in
``workflow.reports``); the global model is left unchanged and the next round starts.
Virtual time: the announcement is at 0, the contribution deadline at 1000 and the
decryption deadline at 2000; the workflow moves the roles' clock once each stage's replies
are in (Flower's ``timeout`` bounds the wait).
"""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import dataclass, field
from logging import DEBUG, ERROR, INFO, WARNING
from typing import Any, Callable, cast

import numpy as np

from gradseal._native import (
    Aggregator,
    Authority,
    Client,
    EnrolmentRegistry,
    Event,
    Kgc,
    KgcPublic,
    Member,
    NodeKeys,
    NodeSecret,
    Observer,
    Relay,
    RoundParams,
    request_identity,
)
from gradseal.driver import Network, RoundFailed, enrol

__all__ = ["GradsealWorkflow", "GradsealMod", "RoundReport", "gradseal_mod"]

#: Name of the ConfigRecord carrying gradseal's fields in every message.
RECORD_KEY = "gradseal"
#: Name of the ConfigRecord holding a SuperNode's gradseal state (keys, answers).
STATE_KEY = "gradseal.state"
#: Kind bytes of the protocol messages the workflow routes by kind (spec/protocol.md §4).
KIND_LIST = b"\x04"
KIND_CERTIFICATE = b"\x0a"

AUTHORITY, AGGREGATOR, OBSERVER = 0, 1, 2
#: Seconds between two pulls of replies (Flower's own ``send_and_receive`` waits 0.1 s).
PULL_INTERVAL = 0.02
RELAY_BASE, CLIENT_BASE, MEMBER_BASE = 10, 1000, 900_000
CONTRIBUTION_DEADLINE, DECRYPTION_DEADLINE = 1000, 2000


def exchange(grid: Any, messages: list[Any], timeout: float | None, on_reply: Callable[[Any], None]) -> None:
    """Sends ``messages`` and calls ``on_reply`` on each reply as soon as it is pulled (so the
    server works on early replies while later ones are computed), until every message was
    answered or ``timeout`` seconds passed; ``grid.send_and_receive`` semantics otherwise."""
    if not messages:
        return
    push = getattr(grid, "push_messages", None)
    pull = getattr(grid, "pull_messages", None)
    if push is None or pull is None:
        for m in grid.send_and_receive(messages, timeout=timeout):
            on_reply(m)
        return
    ids = set(push(messages))
    end = time.time() + (timeout if timeout is not None else 0.0)
    # Pull more often than Flower's default 0.1 s: replies are worked on as they come.
    interval = min(float(getattr(grid, "pull_interval", 0.1)), PULL_INTERVAL)
    while ids and (timeout is None or time.time() < end):
        got = list(pull(ids))
        for m in got:
            on_reply(m)
        ids.difference_update(m.metadata.reply_to_message_id for m in got)
        if ids and not got:
            time.sleep(interval)


def config_record(records: Any, key: str) -> Any:
    """The ConfigRecord ``key`` of a RecordDict, or ``None``: ``records.config_records.get(key)``
    without that view, which Flower builds anew at each access by setting every record of the
    RecordDict again (a tenth of a millisecond, several times per message)."""
    from flwr.app import ConfigRecord

    rec = records.get(key)
    return rec if isinstance(rec, ConfigRecord) else None


def deliver(role: Any, now: int, messages: list[tuple[int, Any]]) -> None:
    """Hands ``messages`` (``(sender, bytes or Payload)``) to ``role`` at time ``now``."""
    for frm, data in messages:
        role.handle_message(now, frm, data)


def node_identity(node_id: int) -> str:
    """The gradseal identity of a Flower SuperNode."""
    return f"flwr-node-{node_id}"


@dataclass
class RoundReport:
    """What happened in one gradseal round (``GradsealWorkflow.reports``)."""

    round: int
    sampled: int = 0
    enrolled: int = 0
    contributed: int = 0
    accepted: list[int] = field(default_factory=list)
    rejected: dict[int, str] = field(default_factory=dict)
    dropped: list[tuple[int, str]] = field(default_factory=list)
    committee: list[int] = field(default_factory=list)
    audit_passed: bool = False
    failure: RoundFailed | None = None
    upload_bytes: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    #: Wall time of each stage: ``enrol``, ``contribute`` (Flower round trip, training
    #: included, with the aggregator opening, checking and adding each contribution as it
    #: arrives), ``aggregate`` (at the deadline: transcript and lists), ``agree`` and
    #: ``decrypt`` (Flower round trips to the members: agreements, then the quorum's partial
    #: decryptions, with the observer's audit of the transcript running beside them in
    #: another thread), ``combine`` (combination, audit of the result and the strategy's
    #: aggregation).
    stage_seconds: dict[str, float] = field(default_factory=dict)
    #: Per contributing node: seconds its mod spent encrypting (training excluded).
    client_seconds: dict[int, float] = field(default_factory=dict)

    @property
    def completed(self) -> bool:
        """Whether the round produced (and the observer audited) a result."""
        return self.failure is None and self.audit_passed


class GradsealWorkflow:
    """Flower fit workflow aggregating with gradseal (drop-in for ``SecAggPlusWorkflow``).

    Parameters
    ----------
    committee_size:
        Committee members per round (n-of-n: privacy holds unless all collude).
    min_clients:
        Fewest accepted contributions the committee decrypts (at least 2).
    max_weight:
        Weights ``num_examples`` are clipped to this and divided by it.
    clipping_range:
        Each coordinate of ``w * params`` is clipped to ``[-clipping_range, clipping_range]``.
    bits:
        Bits of a quantized coordinate (up to 24); ``scale = (2^(bits-1) - 1) / clipping_range``.
    data_shards, parity_shards, relays:
        Sharding layout and relay count (see the module docs on the star topology).
    timeout:
        Seconds to wait for each stage's replies (``None``: until all reply).
    raise_on_failure:
        Raise ``RoundFailed`` instead of logging it and going on to the next round.
    """

    def __init__(
        self,
        committee_size: int = 3,
        min_clients: int = 3,
        *,
        max_weight: float = 1000.0,
        clipping_range: float = 8.0,
        bits: int = 24,
        data_shards: int = 1,
        parity_shards: int = 0,
        relays: int = 1,
        timeout: float | None = None,
        raise_on_failure: bool = False,
    ) -> None:
        if committee_size < 1 or min_clients < 2 or max_weight <= 0 or clipping_range <= 0:
            raise ValueError("committee_size >= 1, min_clients >= 2, positive max_weight and clipping_range")
        self.committee_size = committee_size
        self.min_clients = min_clients
        self.max_weight = max_weight
        self.clipping_range = clipping_range
        self.bits = bits
        self.scale = int(((1 << (bits - 1)) - 1) / clipping_range)
        self.data_shards, self.parity_shards, self.relays = data_shards, parity_shards, relays
        self.timeout = timeout
        self.raise_on_failure = raise_on_failure
        self.kgc = Kgc.generate()
        self.registry = EnrolmentRegistry()
        names = ["gradseal-authority", "gradseal-aggregator", "gradseal-observer"] + [
            f"gradseal-relay-{i}" for i in range(relays)
        ]
        for n in names:
            self.registry.authorise(n)
        self.keys: dict[str, NodeKeys] = {n: enrol(self.kgc, self.registry, n) for n in names}
        self.bundles: dict[int, bytes] = {}
        self.partials: dict[int, bytes] = {}
        self.last_contributors: set[int] = set()
        self.reports: list[RoundReport] = []

    # -- helpers ---------------------------------------------------------------------------

    def _message(self, nid: int, rnd: int, fields: dict[str, Any], content: Any = None) -> Any:
        from flwr.app import ConfigRecord, Message, RecordDict
        from flwr.app.message_type import MessageType

        content = RecordDict() if content is None else content
        fields = dict(fields)
        fields.setdefault("kgc", self.kgc.public.to_bytes())
        fields.setdefault("authority", self.keys["gradseal-authority"].bundle)
        content[RECORD_KEY] = ConfigRecord(fields)
        return Message(
            content=content, dst_node_id=nid, message_type=MessageType.TRAIN, group_id=str(rnd)
        )

    def _replies(self, grid: Any, out: list[Any], failures: list[Any]) -> list[tuple[int, Any]]:
        """Sends ``out`` and returns ``(node id, config record)`` of every reply; a reply
        carrying an error, or no gradseal record, goes to ``failures`` instead."""
        msgs: list[Any] = []
        exchange(grid, out, self.timeout, msgs.append)
        replies = []
        for msg in msgs:
            if msg.has_error():
                failures.append(Exception(msg.error))
                continue
            rec = config_record(msg.content, RECORD_KEY)
            if rec is None:
                failures.append(KeyError(f"reply without the {RECORD_KEY!r} record"))
                continue
            replies.append((msg.metadata.src_node_id, rec))
        return replies

    def _exchange_members(
        self, grid: Any, out: list[Any], member_addr: dict[int, int], net: Network, failures: list[Any]
    ) -> None:
        """Sends one stage's messages to the members and injects what they reply."""
        for nid, rec in self._replies(grid, out, failures):
            if nid not in member_addr:
                continue
            for t, d in zip(cast(list[int], rec["to"]), cast(list[bytes], rec["data"])):
                net.inject(member_addr[nid], int(t), d)

    def _fail(self, report: RoundReport, err: RoundFailed) -> None:
        from flwr.common.logger import log

        report.failure = err
        log(ERROR, "gradseal round %s failed: %s (%s)", report.round, err.reason, err)
        if self.raise_on_failure:
            raise err

    def _member_stages(
        self,
        grid: Any,
        net: Network,
        rnd: int,
        ann: bytes,
        committee: list[int],
        member_addr: dict[int, int],
        failures: list[Any],
        report: RoundReport,
        started: float,
    ) -> None:
        """Stages 2 and 3: each committee member checks its list and agrees to it once; the
        agreements are delivered (with a quorum the aggregator certifies it); each member of
        the certified quorum then decrypts its list once. Replies are injected into ``net``.
        With the default n-of-n committee the members decrypt with their agreements (the
        whole committee is the only quorum) and the aggregator sends them no certificate, so
        stage 3 sends nothing."""
        out = []
        for nid in committee:
            from_agg = [d for frm, d in net.outbound.get(member_addr[nid], []) if frm == AGGREGATOR]
            lists_for = [d for d in from_agg if d[:1] == KIND_LIST]
            if not lists_for:
                continue
            fields = {"stage": "agree", "round": rnd, "announcement": ann, "list": lists_for[0]}
            out.append(self._message(nid, rnd, fields))
        self._exchange_members(grid, out, member_addr, net, failures)
        report.stage_seconds["agree"] = time.perf_counter() - started - sum(report.stage_seconds.values())
        net.run(until=CONTRIBUTION_DEADLINE)
        out = []
        for nid in committee:
            from_agg = [d for frm, d in net.outbound.get(member_addr[nid], []) if frm == AGGREGATOR]
            lists_for = [d for d in from_agg if d[:1] == KIND_LIST]
            certs = [d for d in from_agg if d[:1] == KIND_CERTIFICATE]
            if not lists_for or not certs:
                continue
            fields = {
                "stage": "decrypt",
                "round": rnd,
                "announcement": ann,
                "list": lists_for[0],
                "certificate": certs[0],
            }
            out.append(self._message(nid, rnd, fields))
        self._exchange_members(grid, out, member_addr, net, failures)

    # -- the round --------------------------------------------------------------------------

    def __call__(self, grid: Any, context: Any) -> None:
        """Runs one fit round (called by ``DefaultWorkflow`` once per round)."""
        import flwr.compat.common.recorddict_compat as compat
        from flwr.common import ndarrays_to_parameters, parameters_to_ndarrays
        from flwr.common.logger import log
        from flwr.server.compat.legacy_context import LegacyContext
        from flwr.server.workflow.constant import MAIN_CONFIGS_RECORD, MAIN_PARAMS_RECORD
        from flwr.server.workflow.constant import Key as WorkflowKey

        if not isinstance(context, LegacyContext):
            raise TypeError(f"Expect a LegacyContext, but get {type(context).__name__}.")
        started = time.perf_counter()
        cfg = context.state.config_records[MAIN_CONFIGS_RECORD]
        rnd = cast(int, cfg[WorkflowKey.CURRENT_ROUND])
        report = RoundReport(round=rnd)
        self.reports.append(report)
        parameters = compat.arrayrecord_to_parameters(
            context.state.array_records[MAIN_PARAMS_RECORD], keep_input=True
        )
        global_arrays = parameters_to_ndarrays(parameters)
        proxy_fitins = context.strategy.configure_fit(rnd, parameters, context.client_manager)
        if not proxy_fitins:
            log(INFO, "configure_fit: no clients selected, cancel")
            return
        fitins = {p.node_id: compat.fitins_to_recorddict(f, True) for p, f in proxy_fitins}
        proxies = {p.node_id: p for p, _ in proxy_fitins}
        sampled = list(fitins)
        report.sampled = len(sampled)
        log(INFO, "configure_fit: strategy sampled %s clients (out of %s)", len(sampled),
            context.client_manager.num_available())
        failures: list[Any] = []

        # Stage 0: enrol the sampled nodes the KGC has not enrolled yet, in two steps (request,
        # then partial key and completion), so that a node is on a roster only once it holds
        # its completed keys.
        new = [nid for nid in sampled if nid not in self.bundles]
        if new:
            known = set(grid.get_node_ids())
            for nid in new:
                if nid in known and not self.registry.is_authorised(node_identity(nid)):
                    self.registry.authorise(node_identity(nid))
            asks = [self._message(nid, rnd, {"stage": "enrol"}) for nid in new]
            for nid, rec in self._replies(grid, asks, failures):
                req = cast(bytes, rec["request"])
                try:
                    if request_identity(req) != node_identity(nid):
                        raise ValueError(f"node {nid} asked for another identity")
                    if nid not in self.partials:
                        self.partials[nid] = self.kgc.issue(req, self.registry)
                except Exception as e:  # typed gradseal errors and the identity check
                    log(WARNING, "enrolment of node %s refused: %s", nid, e)
                    failures.append(e)
            pending = [nid for nid in new if nid in self.partials]
            completes = [
                self._message(nid, rnd, {"stage": "complete", "partial": self.partials[nid]}) for nid in pending
            ]
            for nid, rec in self._replies(grid, completes, failures):
                bundle = cast(bytes, rec["bundle"])
                if nid in self.partials and bundle == self.registry.bundle(node_identity(nid)):
                    self.bundles[nid] = bundle
                    del self.partials[nid]
                    report.enrolled += 1
        report.stage_seconds["enrol"] = time.perf_counter() - started - sum(report.stage_seconds.values())
        roster_nids = [nid for nid in sampled if nid in self.bundles]
        if len(roster_nids) < max(self.min_clients, self.committee_size):
            self._fail(report, RoundFailed("TooFewNodes", message=f"{len(roster_nids)} enrolled nodes sampled"))
            return

        # Stage 1: announce, train, collect encrypted contributions.
        # Members come preferably from the nodes that contributed last round (a node that
        # went down is not asked to decrypt); a missing member fails the round.
        reliable = [nid for nid in roster_nids if nid in self.last_contributors]
        pool = reliable if len(reliable) >= self.committee_size else roster_nids
        committee = random.sample(pool, self.committee_size)
        report.committee = committee
        dim = 1 + sum(int(a.size) for a in global_arrays)
        params = RoundParams(
            dim,
            bits=self.bits,
            scale=self.scale,
            min_clients=self.min_clients,
            contribution_deadline=CONTRIBUTION_DEADLINE,
            decryption_deadline=DECRYPTION_DEADLINE,
            data_shards=self.data_shards,
            parity_shards=self.parity_shards,
            model_version=rnd,
        )
        kgc, auth = self.kgc.public, self.keys["gradseal-authority"].bundle
        net = Network()
        relays = [RELAY_BASE + i for i in range(self.relays)]
        for i, a in enumerate(relays):
            net.add(a, Relay(kgc, auth, self.keys[f"gradseal-relay-{i}"], rnd))
        net.add(AGGREGATOR, Aggregator(kgc, auth, self.keys["gradseal-aggregator"], rnd))
        net.add(OBSERVER, Observer(kgc, auth, self.keys["gradseal-observer"], rnd))
        authority = Authority(kgc, self.keys["gradseal-authority"], rnd)
        client_addr = {nid: CLIENT_BASE + i for i, nid in enumerate(roster_nids)}
        addr_client = {a: nid for nid, a in client_addr.items()}
        member_addr = {nid: MEMBER_BASE + j for j, nid in enumerate(committee)}
        ann = authority.announce(
            params,
            (AGGREGATOR, self.keys["gradseal-aggregator"].bundle),
            relays,
            [OBSERVER],
            [(member_addr[nid], self.bundles[nid]) for nid in committee],
            [(client_addr[nid], self.bundles[nid]) for nid in roster_nids],
        )
        net.add(AUTHORITY, authority)
        net.run(until=0)
        net.outbound.clear()  # the announcement copies for remote nodes travel below
        # From here messages to the observer are held: the aggregator streams each accepted
        # contribution to it, and the observer digests and sums them in its own thread
        # during the members' stages, not on the contribute stage's path.
        net.hold.add(OBSERVER)

        def contribute(nid: int) -> Any:
            fields: dict[str, Any] = {
                "stage": "contribute",
                "round": rnd,
                "announcement": ann,
                "max_weight": float(self.max_weight),
            }
            return self._message(nid, rnd, fields, fitins[nid])

        fitres_of: dict[int, Any] = {}

        def on_contribution(msg: Any) -> None:
            # Relays and aggregator work on each contribution as it arrives (virtual time 0,
            # before the deadline), while the other SuperNodes are still training.
            if msg.has_error():
                failures.append(Exception(msg.error))
                return
            nid = msg.metadata.src_node_id
            if nid not in client_addr or nid in fitres_of:
                return
            rec = config_record(msg.content, RECORD_KEY)
            if rec is None:
                failures.append(KeyError(f"reply without the {RECORD_KEY!r} record"))
                return
            to = cast(list[int], rec["to"])
            data = cast(list[bytes], rec["data"])
            report.upload_bytes[nid] = sum(len(d) for d in data)
            if "seconds" in rec:
                report.client_seconds[nid] = float(cast(float, rec["seconds"]))
            for t, d in zip(to, data):
                net.inject(client_addr[nid], int(t), d)
            fitres_of[nid] = compat.recorddict_to_fitres(msg.content, True)
            net.run(until=0)

        exchange(grid, [contribute(nid) for nid in roster_nids], self.timeout, on_contribution)
        del fitins
        report.stage_seconds["contribute"] = time.perf_counter() - started - sum(report.stage_seconds.values())
        report.contributed = len(fitres_of)
        self.last_contributors = set(fitres_of)
        log(DEBUG, "[gradseal] contributions from %s of %s clients", len(fitres_of), len(roster_nids))
        # Deliver the shards, then move the clock to the contribution deadline: the
        # aggregator publishes the transcript head and the member lists. Messages to the
        # observer are still held: its audit of the transcript needs nothing from the
        # members, so it runs below while they decrypt.
        net.run(until=CONTRIBUTION_DEADLINE)
        for a in relays:
            for e in net.events_of(a, "Dropped"):
                sender = addr_client.get(cast(int, e.sender), cast(int, e.sender))
                report.dropped.append((sender, cast(str, e.reason)))
                log(WARNING, "gradseal: relay dropped a message from node %s: %s", sender, e.reason)
        for e in net.events_of(AGGREGATOR):
            if e.kind == "Accepted" and e.client is not None:
                report.accepted.append(roster_nids[e.client])
            elif e.kind == "Rejected":
                who = roster_nids[e.client] if e.client is not None else -1
                report.rejected[who] = cast(str, e.reason)
                log(WARNING, "gradseal: contribution of node %s rejected: %s", who, e.reason)
            elif e.kind == "Dropped":
                sender = addr_client.get(cast(int, e.sender), cast(int, e.sender))
                report.dropped.append((sender, cast(str, e.reason)))
            elif e.kind == "Failed":
                self._fail(report, RoundFailed(cast(str, e.reason), e))
                return

        report.stage_seconds["aggregate"] = time.perf_counter() - started - sum(report.stage_seconds.values())
        # The observer audits the transcript in another thread (its role releases the GIL;
        # its only timeout, a head waiting for an entry, is not due before the decryption
        # deadline) while the members agree and decrypt; it is back on the network before
        # their partials are.
        held = net.held.pop(OBSERVER, [])
        observer = net.roles[OBSERVER]
        auditor = threading.Thread(target=deliver, args=(observer, net.now, held), name="gradseal-audit", daemon=True)
        auditor.start()
        try:
            self._member_stages(grid, net, rnd, ann, committee, member_addr, failures, report, started)
        finally:
            auditor.join()
            net.hold.discard(OBSERVER)
            # What reached the observer meanwhile (agreements; n-of-n: the partials, the
            # certificate and the result), in order, after the transcript it audited.
            deliver(observer, net.now, net.held.pop(OBSERVER, []))
            net.drain(OBSERVER)
        report.stage_seconds["decrypt"] = time.perf_counter() - started - sum(report.stage_seconds.values())
        # Deliver the partials; a missing one fails the round at the decryption deadline.
        net.run(until=DECRYPTION_DEADLINE)
        report.seconds = time.perf_counter() - started
        failed = net.events_of(AGGREGATOR, "Failed")
        if failed:
            self._fail(report, RoundFailed(cast(str, failed[0].reason), failed[0]))
            return
        audit = net.events_of(OBSERVER, "AuditFailed")
        if audit:
            self._fail(report, RoundFailed("AuditFailed", audit[0]))
            return
        done = net.events_of(AGGREGATOR, "Completed")
        if not done or not net.events_of(OBSERVER, "AuditPassed"):
            self._fail(report, RoundFailed("NoResult", message="no audited result"))
            return
        report.audit_passed = True
        result = cast(Any, done[0].result)
        total = result.sum().astype(np.float64) / self.scale
        weight = total[0]
        if weight <= 0:
            self._fail(report, RoundFailed("NoResult", message="total weight is zero"))
            return
        flat = total[1:] / weight
        arrays, off = [], 0
        for a in global_arrays:
            arrays.append(flat[off : off + a.size].reshape(a.shape).astype(a.dtype))
            off += a.size
        aggregated = ndarrays_to_parameters(arrays)
        results = []
        for nid in report.accepted:
            if nid in fitres_of:
                fitres_of[nid].parameters = aggregated
                results.append((proxies[nid], fitres_of[nid]))
        log(INFO, "aggregate_fit: received %s results and %s failures (gradseal: %s accepted, audit passed)",
            len(results), len(failures), result.count)
        params_agg, metrics = context.strategy.aggregate_fit(rnd, results, failures)
        if params_agg:
            context.state.array_records[MAIN_PARAMS_RECORD] = compat.parameters_to_arrayrecord(params_agg, True)
            context.history.add_metrics_distributed_fit(server_round=rnd, metrics=metrics)
        report.seconds = time.perf_counter() - started
        report.stage_seconds["combine"] = report.seconds - sum(report.stage_seconds.values())


class GradsealMod:
    """The ClientApp side of :class:`GradsealWorkflow` (``gradseal_mod`` is an instance).

    Keys live in the node's ``context.state`` (``STATE_KEY``): the node secret, the
    completed keys and the KGC they belong to (a new KGC, i.e. a new ServerApp run,
    re-enrols). A member answers at most one list per round, recorded there too.

    ``danger_tamper`` (adversarial tests only): a function of the node's ``Context``
    returning keyword arguments for ``Client.danger_tamper`` (or ``None``), or ``"garbage"``
    to send random bytes instead of its shards.
    """

    def __init__(self, danger_tamper: Callable[[Any], Any] | None = None) -> None:
        self.danger_tamper = danger_tamper

    def __call__(self, msg: Any, ctxt: Any, call_next: Any) -> Any:
        """Handles gradseal's stages of a TRAIN message; passes everything else on."""
        from flwr.app import ArrayRecord, ConfigRecord, Message, RecordDict
        from flwr.app.message_type import MessageType

        rec = config_record(msg.content, RECORD_KEY)
        if msg.metadata.message_type != MessageType.TRAIN or rec is None:
            return call_next(msg, ctxt)
        stage = cast(str, rec["stage"])
        kgc = KgcPublic.from_bytes(cast(bytes, rec["kgc"]))
        state = config_record(ctxt.state, STATE_KEY)
        if state is None:
            state = ctxt.state[STATE_KEY] = ConfigRecord({})
        if state.get("kgc") != kgc.to_bytes():
            for k in ("secret", "keys", "answered_rounds", "answered_lists", "agreed_rounds", "agreed_lists"):
                state.pop(k, None)
            state["kgc"] = kgc.to_bytes()
        out = RecordDict()
        if stage == "enrol":
            # Idempotent: a repeated enrol stage (a lost reply) reuses the secret, so the
            # partial key the KGC already issued for it still completes it.
            if "secret" in state:
                secret = NodeSecret.from_secret_bytes(cast(bytes, state["secret"]))
            else:
                secret = NodeSecret.generate(node_identity(msg.metadata.dst_node_id))
                state["secret"] = secret.to_secret_bytes()
            reply: dict[str, Any] = {"request": secret.request(kgc)}
        elif stage == "complete":
            secret = NodeSecret.from_secret_bytes(cast(bytes, state["secret"]))
            keys = secret.complete(kgc, cast(bytes, rec["partial"]))
            state["keys"] = keys.to_secret_bytes()
            reply = {"bundle": keys.bundle}
        elif stage == "contribute":
            keys = NodeKeys.from_secret_bytes(kgc, cast(bytes, state["keys"]))
            out_msg = call_next(msg, ctxt)
            out = out_msg.content
            reply = self._contribute(rec, keys, out, ctxt)
            for r in out.values():
                if isinstance(r, ArrayRecord):
                    r.clear()
        elif stage == "agree":
            keys = NodeKeys.from_secret_bytes(kgc, cast(bytes, state["keys"]))
            reply = self._agree(rec, keys, state)
        elif stage == "decrypt":
            keys = NodeKeys.from_secret_bytes(kgc, cast(bytes, state["keys"]))
            reply = self._decrypt(rec, keys, state)
        else:
            raise ValueError(f"unknown gradseal stage {stage!r}")
        out[RECORD_KEY] = ConfigRecord(reply)
        return Message(out, reply_to=msg)

    def _contribute(self, rec: Any, keys: NodeKeys, out: Any, ctxt: Any) -> dict[str, Any]:
        import flwr.compat.common.recorddict_compat as compat
        from flwr.app import ArrayRecord, MetricRecord

        started = time.perf_counter()
        # What ``compat.recorddict_to_fitres`` would read (the parameters and
        # ``num_examples``), without its record views, which Flower rebuilds at each access,
        # and without ``parameters_to_ndarrays``' copies (views of the arrays' bytes).
        params = out.get("fitres.parameters")
        examples = out.get("fitres.num_examples")
        if isinstance(params, ArrayRecord) and isinstance(examples, MetricRecord):
            tensors = compat.arrayrecord_to_parameters(params, keep_input=True).tensors
            num_examples = cast(int, examples["num_examples"])
        else:  # Flower's own conversion (which raises on a malformed reply)
            fitres = compat.recorddict_to_fitres(out, keep_input=True)
            tensors, num_examples = fitres.parameters.tensors, fitres.num_examples
        max_weight = float(cast(float, rec["max_weight"]))
        w = min(float(num_examples), max_weight) / max_weight
        update = weighted_update(w, [npy_values(t) for t in tensors])
        rnd = int(cast(int, rec["round"]))
        client = Client(kgc=keys.kgc, authority=cast(bytes, rec["authority"]), keys=keys, round=rnd, update=update)
        tamper = self.danger_tamper(ctxt) if self.danger_tamper is not None else None
        if isinstance(tamper, dict):
            client.danger_tamper(**tamper)
        client.handle_message(0, AUTHORITY, cast(bytes, rec["announcement"]))
        to, data = [], []
        while (t := client.poll_transmit()) is not None:
            to.append(t[0])
            data.append(t[1])
        events = []
        while (e := client.poll_event()) is not None:
            events.append(e)
        if not to:
            detail = "; ".join(e.detail for e in events)
            raise RuntimeError(f"gradseal client did not contribute: {detail}")
        if tamper == "garbage":
            data = [np.random.bytes(len(d)) for d in data]
        seconds = time.perf_counter() - started
        return {"to": to, "data": data, "clipped": int(client.clipped or 0), "seconds": seconds}

    def _checked_member(self, rec: Any, keys: NodeKeys, state: Any) -> tuple[Member, list[Event], list[int], list[bytes]]:
        """A fresh member fed the announcement and its list: its events and transmits. Raises
        if it agrees to another list than the one this node agreed to in the round."""
        rnd = int(cast(int, rec["round"]))
        member = Member(kgc=keys.kgc, authority=cast(bytes, rec["authority"]), keys=keys, round=rnd)
        member.handle_message(0, AUTHORITY, cast(bytes, rec["announcement"]))
        member.handle_message(CONTRIBUTION_DEADLINE, AGGREGATOR, cast(bytes, rec["list"]))
        to, data = drain(member)
        events: list[Event] = []
        while (e := member.poll_event()) is not None:
            events.append(e)
        agreed = [e for e in events if e.kind == "Agreed"]
        if agreed:
            # A member agrees to one list per round (two quorums share an honest member only
            # if it signs once, spec/protocol.md §7.8). The Member object does not outlive
            # this message, so the record is kept in the node's state.
            rounds = list(cast(list[int], state.get("agreed_rounds", [])))
            lists = list(cast(list[bytes], state.get("agreed_lists", [])))
            digest = cast(bytes, agreed[0].digest)
            if rnd in rounds and lists[rounds.index(rnd)] != digest:
                raise RuntimeError(f"gradseal member already agreed to another list in round {rnd}")
            if rnd not in rounds:
                rounds, lists = (rounds + [rnd])[-64:], (lists + [digest])[-64:]
                state["agreed_rounds"], state["agreed_lists"] = rounds, lists
        decrypted = [e for e in events if e.kind == "Decrypted"]
        if decrypted:
            # n-of-n: the member decrypted with its agreement (the whole committee is the only
            # quorum, spec/protocol.md §5.5); once per round, as in the decrypt stage.
            self._answer_once(state, rnd, cast(bytes, decrypted[0].digest))
        return member, events, to, data

    @staticmethod
    def _answer_once(state: Any, rnd: int, digest: bytes) -> None:
        """Records this node's one decryption of round ``rnd``; raises if it already decrypted
        in that round (a second decryption would reveal the difference of two sums, another
        list, or repeat its flooding, spec/agg.md)."""
        rounds = list(cast(list[int], state.get("answered_rounds", [])))
        if rnd in rounds:
            raise RuntimeError(f"gradseal member already decrypted in round {rnd}")
        lists = list(cast(list[bytes], state.get("answered_lists", [])))
        rounds, lists = (rounds + [rnd])[-64:], (lists + [digest])[-64:]
        state["answered_rounds"], state["answered_lists"] = rounds, lists

    def _agree(self, rec: Any, keys: NodeKeys, state: Any) -> dict[str, Any]:
        _, events, to, data = self._checked_member(rec, keys, state)
        if not to:
            raise RuntimeError("gradseal member sent nothing: " + "; ".join(e.detail for e in events))
        return {"to": to, "data": data}

    def _decrypt(self, rec: Any, keys: NodeKeys, state: Any) -> dict[str, Any]:
        rnd = int(cast(int, rec["round"]))
        # A member decrypts once per round (checked before the list is fed again).
        if rnd in cast(list[int], state.get("answered_rounds", [])):
            raise RuntimeError(f"gradseal member already decrypted in round {rnd}")
        member, events, _, _ = self._checked_member(rec, keys, state)
        if not any(e.kind == "Agreed" for e in events):
            raise RuntimeError("gradseal member does not agree to its list: " + "; ".join(e.detail for e in events))
        member.handle_message(CONTRIBUTION_DEADLINE, AGGREGATOR, cast(bytes, rec["certificate"]))
        to, data = drain(member)
        decrypted = []
        while (e := member.poll_event()) is not None:
            events.append(e)
            if e.kind == "Decrypted":
                decrypted.append(e)
        if not decrypted:
            raise RuntimeError("gradseal member did not decrypt: " + "; ".join(e.detail for e in events))
        self._answer_once(state, rnd, cast(bytes, decrypted[0].digest))
        return {"to": to, "data": data}


def weighted_update(w: float, arrays: list[np.ndarray]) -> np.ndarray:
    """``[w, w * params]`` as one float32 array (each product computed in float64, then
    rounded to float32). Written in place: a 10^5-parameter model's float64 temporaries
    cost more than the arithmetic (each a fresh megabyte the allocator faults in)."""
    update = np.empty(1 + sum(int(a.size) for a in arrays), np.float32)
    update[0] = w
    off = 1
    for a in arrays:
        np.multiply(np.asarray(a).reshape(-1), w, out=update[off : off + a.size], dtype=np.float64)
        off += a.size
    return update


#: The header of a plain ``np.save`` array :func:`npy_values` reads without NumPy's parser:
#: little-endian (or byte-sized) integers and floats in C order.
_NPY_HEADER = re.compile(rb"\{'descr': '([<|][fiu][1248])', 'fortran_order': False, 'shape': \(([0-9, ]*)\), \} *\n\Z")


def npy_values(data: bytes) -> np.ndarray:
    """The values of an array serialized by ``np.save`` (as Flower's ``Parameters`` carry
    them), flat in C order. For a C-order little-endian integer or float array, a read-only
    view of ``data`` (no copy, and no ``ast`` parse of the header as ``np.load`` does); any
    other serialization goes through Flower's ``bytes_to_ndarray`` (``np.load``, no pickles)."""
    if data[:6] == b"\x93NUMPY" and len(data) >= 12 and data[6] in (1, 2, 3):
        start = 10 if data[6] == 1 else 12
        end = start + int.from_bytes(data[8:start], "little")
        m = _NPY_HEADER.match(data, start, end)
        if m is not None:
            dtype = np.dtype(m.group(1).decode())
            count = 1
            for d in m.group(2).split(b","):
                if d.strip():
                    count *= int(d)
            if len(data) - end == count * dtype.itemsize:
                return np.frombuffer(data, dtype, count, end)
    from flwr.compat.common.parameter import bytes_to_ndarray

    return np.asarray(bytes_to_ndarray(data)).reshape(-1)


def drain(role: Any) -> tuple[list[int], list[bytes]]:
    """Every transmit a role queued: destinations and bytes."""
    to, data = [], []
    while (t := role.poll_transmit()) is not None:
        to.append(t[0])
        data.append(t[1])
    return to, data


#: The ClientApp mod (drop-in for ``secaggplus_mod``).
gradseal_mod = GradsealMod()
