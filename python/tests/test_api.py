"""The Python API round-trips: keys, parameters, and rounds driven by hand."""

from __future__ import annotations

import numpy as np
import pytest

import gradseal as gs
from conftest import AGGREGATOR, AUTHORITY, MEMBERS, OBSERVER, RELAYS, Population


def test_kgc_and_key_encodings_round_trip(population: Population) -> None:
    kgc = population.kgc
    assert gs.KgcPublic.from_bytes(kgc.public.to_bytes()) == kgc.public
    again = gs.Kgc.from_secret_bytes(kgc.to_secret_bytes())
    assert again.public == kgc.public
    keys = population.keys[AGGREGATOR]
    restored = gs.NodeKeys.from_secret_bytes(kgc.public, keys.to_secret_bytes())
    assert restored.bundle == keys.bundle and restored.identity == "aggregator"
    secret = gs.NodeSecret.generate("late-node", bytes(32))
    back = gs.NodeSecret.from_secret_bytes(secret.to_secret_bytes())
    assert back.identity == "late-node"
    assert back.request(kgc.public, bytes(32)) == secret.request(kgc.public, bytes(32))
    assert gs.request_identity(secret.request(kgc.public)) == "late-node"


def test_enrolment_policy_is_enforced(population: Population) -> None:
    kgc, reg = population.kgc, population.registry
    stranger = gs.NodeSecret.generate("stranger")
    with pytest.raises(gs.EnrolmentError) as e:
        kgc.issue(stranger.request(kgc.public), reg)
    assert e.value.reason == "NotAuthorised"
    reg.authorise("stranger")
    partial = kgc.issue(stranger.request(kgc.public), reg)
    keys = stranger.complete(kgc.public, partial)
    assert reg.is_enrolled("stranger") and reg.bundle("stranger") == keys.bundle
    with pytest.raises(gs.EnrolmentError) as e:
        kgc.issue(stranger.request(kgc.public), reg)
    assert e.value.reason == "AlreadyEnrolled"
    # A partial key for another node does not complete this one.
    other = gs.NodeSecret.generate("stranger-2")
    with pytest.raises(gs.EnrolmentError) as e:
        other.complete(kgc.public, partial)
    assert e.value.reason == "InvalidPartialKey"
    with pytest.raises(gs.DecodeError):
        kgc.issue(b"\x00garbage", reg)
    with pytest.raises(gs.KeyToolError) as e:
        gs.NodeSecret.generate("")
    assert e.value.reason == "InvalidIdentity"
    assert isinstance(e.value, gs.GradsealError)


def test_params_round_trip_and_typed_refusal() -> None:
    p = gs.RoundParams(1000, bits=12, scale=256, min_clients=4)
    p.check()
    assert gs.RoundParams.from_bytes(p.to_bytes()) == p
    assert len(p.to_bytes()) == 43
    bad = gs.RoundParams(1000, min_clients=1)
    with pytest.raises(gs.ParamsError) as e:
        bad.check()
    assert e.value.reason == "MinClients" and e.value.field == "params.min_clients"
    with pytest.raises(gs.DecodeError):
        gs.RoundParams.from_bytes(bad.to_bytes())
    with pytest.raises(gs.ParamsError) as e:
        gs.RoundParams(0).check()
    assert e.value.reason == "Dimension"


def updates_for(clients: list[int], dim: int, seed: int = 7) -> dict[int, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {c: rng.normal(0, 0.5, dim).astype(np.float32) for c in clients}


def test_one_round_by_hand(population: Population) -> None:
    dim, scale = 500, 1 << 12
    params = gs.RoundParams(dim, bits=16, scale=scale, min_clients=3)
    updates = updates_for(population.clients, dim)
    net, ann = population.build(1, params, updates)
    decoded = gs.Announcement.from_bytes(ann)
    announced = decoded.params
    # privacy_threshold 0 (the default) announces n - 1: the n-of-n committee.
    assert decoded.round == 1 and announced.privacy_threshold == len(MEMBERS) - 1
    announced.privacy_threshold = 0
    assert announced == params
    assert [a for a, _ in decoded.roster] == population.clients
    assert decoded.member_index(population.keys[MEMBERS[1]].bundle) == 1
    assert gs.message_kind(ann) == 1 and gs.message_round(ann) == 1
    # Hand-driven: deliver in FIFO order, then move the clock to each deadline.
    net.run()
    agg = net.events_of(AGGREGATOR)
    kinds = [e.kind for e in agg]
    assert kinds.count("Accepted") == len(updates)
    done = [e for e in agg if e.kind == "Completed"]
    assert len(done) == 1
    result = done[0].result
    assert result.count == len(updates) and len(result) == dim
    exact = sum(np.round(u.astype(np.float64) * scale).astype(np.int64) for u in updates.values())
    assert np.array_equal(result.sum(), exact)
    mean = result.mean(scale)
    assert mean.dtype == np.float32
    assert np.allclose(mean, np.mean(list(updates.values()), axis=0), atol=1.0 / scale)
    audit = net.events_of(OBSERVER)
    assert [e.kind for e in audit][-2:] == ["AuditPassed", "Completed"]
    assert audit[-1].result.transcript == result.transcript
    for c in population.clients:
        assert "Completed" in [e.kind for e in net.events_of(c)]


def test_a_broadcast_is_one_bytes_object(population: Population) -> None:
    # poll_transmit hands the copies of one broadcast out as one shared bytes object (one
    # copy into Python, not one per recipient); distinct payloads stay distinct objects.
    kgc, keys = population.kgc.public, population.keys
    authority = gs.Authority(kgc, keys[AUTHORITY], 3)
    ann = authority.announce(*population.announce_args(gs.RoundParams(10, min_clients=3)))
    sent = list(iter(authority.poll_transmit, None))
    assert len(sent) == 1 + len(RELAYS) + 1 + len(MEMBERS) + len(population.clients)
    assert all(type(d) is bytes and d == ann for _, d in sent)
    assert len({id(d) for _, d in sent}) == 1
    assert authority.poll_transmit() is None
    # In a round: the aggregator's result goes to the observer, the members and every
    # client as one object, while each member's list (a different payload) is its own object.
    params = gs.RoundParams(50, bits=12, scale=64, min_clients=3)
    clients = population.clients[:4]
    net, _ = population.build(4, params, updates_for(clients, 50))
    seen: list[tuple[int, int, bytes]] = []

    def record(frm: int, to: int, data: bytes) -> bytes:
        if frm == AGGREGATOR:
            seen.append((to, id(data), data))
        return data

    net.tamper = record
    net.run()
    assert net.events_of(OBSERVER)[-1].kind == "Completed"
    results = [(to, i) for to, i, d in seen if gs.message_kind(d) == 8]  # kind 8: result
    assert {to for to, _ in results} == set(clients) | {OBSERVER} | set(MEMBERS)
    assert len({i for _, i in results}) == 1
    lists = [(to, d) for to, _, d in seen if gs.message_kind(d) == 4]  # kind 4: member list
    assert sorted(to for to, _ in lists) == sorted(MEMBERS)
    assert len({d for _, d in lists}) == len(MEMBERS)


def test_payloads_travel_between_roles_uncopied(population: Population) -> None:
    # poll_transmit_payload hands out Payload objects (one per broadcast) that any role's
    # handle_message takes as they are; bytes(payload) is the message poll_transmit gives.
    kgc, keys = population.kgc.public, population.keys
    args = population.announce_args(gs.RoundParams(10, min_clients=3))
    authority = gs.Authority(kgc, keys[AUTHORITY], 5, seed=bytes(32))
    ann = authority.announce(*args)
    sent = list(iter(authority.poll_transmit_payload, None))
    assert all(isinstance(p, gs.Payload) for _, p in sent)
    assert len({id(p) for _, p in sent}) == 1
    payload = sent[0][1]
    assert len(payload) == len(ann) and bytes(payload) == ann
    assert bytes(payload) is bytes(payload)
    again = gs.Authority(kgc, keys[AUTHORITY], 5, seed=bytes(32))
    again.announce(*args)
    assert again.poll_transmit() == (sent[0][0], ann)
    observer = gs.Observer(kgc, keys[AUTHORITY].bundle, keys[OBSERVER], 5)
    observer.handle_message(0, AUTHORITY, payload)
    assert [e.kind for e in iter(observer.poll_event, None)] == ["Announced"]
    with pytest.raises(TypeError):
        observer.handle_message(0, AUTHORITY, "not bytes")  # type: ignore[arg-type]
    # The network holds messages to addresses in `hold` for the caller, undelivered.
    params = gs.RoundParams(50, bits=12, scale=64, min_clients=3)
    net, _ = population.build(6, params, updates_for(population.clients[:4], 50))
    net.hold.add(OBSERVER)
    net.run()
    held = net.held.pop(OBSERVER)
    assert [gs.message_kind(bytes(d)) for _, d in held][0] == 1  # the announcement first
    assert not net.events_of(OBSERVER, "AuditPassed")
    net.hold.discard(OBSERVER)
    for frm, d in held:
        net.inject(frm, OBSERVER, d)
    net.run()
    assert [e.kind for e in net.events_of(OBSERVER)][-2:] == ["AuditPassed", "Completed"]


def test_clipping_and_non_finite_updates(population: Population) -> None:
    kgc, auth = population.kgc.public, population.keys[0].bundle
    with pytest.raises(gs.UpdateError) as e:
        gs.Client(kgc, auth, population.keys[100], 1, np.array([1.0, np.nan], np.float32))
    assert e.value.reason == "NotFinite"
    # Clipped to +-127; halves round away from zero (2.5 -> 3, -2.5 -> -3); 0.4 -> 0, -0.6 -> -1.
    values = [100.0, -100.0, 0.5, 1.0, 0.25, -0.25, 0.04, -0.06]
    params = gs.RoundParams(len(values), bits=8, scale=10, min_clients=3)
    ups = {c: np.array(values, np.float32) for c in population.clients[:3]}
    net, _ = population.build(2, params, ups)
    net.run()
    result = net.events_of(AGGREGATOR, "Completed")[0].result
    assert list(result.sum()) == [3 * q for q in [127, -127, 5, 10, 3, -3, 0, -1]]


def test_garbage_client_is_rejected_with_its_reason(population: Population) -> None:
    dim = 200
    params = gs.RoundParams(dim, min_clients=3)
    updates = updates_for(population.clients[:5], dim)
    kgc, auth = population.kgc.public, population.keys[0].bundle
    net, ann = population.build(3, params, updates)
    # One client's contribution carries a corrupt signature (replacing the honest role
    # before the announcement is delivered).
    bad = population.clients[2]
    tampered = gs.Client(kgc, auth, population.keys[bad], 3, updates[bad])
    tampered.danger_tamper(corrupt_signature=True)
    net.roles[bad] = tampered
    tampered.handle_message(net.now, 0, ann)
    net.drain(bad)
    # And raw garbage from a relay address.
    net.inject(RELAYS[0], AGGREGATOR, b"\x02not a shard")
    net.run()
    agg = net.events_of(AGGREGATOR)
    rejected = [e for e in agg if e.kind == "Rejected"]
    assert [(e.client, e.reason) for e in rejected] == [(2, "BadSignature")]
    dropped = [e for e in agg if e.kind == "Dropped"]
    assert any(e.reason == "Decode" and e.sender == RELAYS[0] for e in dropped)
    assert [e.reason for e in net.events_of(bad, "Rejected")] == ["BadSignature"]
    done = net.events_of(AGGREGATOR, "Completed")
    assert done and done[0].count == 4
    good = [u for c, u in updates.items() if c != bad]
    assert np.allclose(done[0].result.mean(params.scale), np.mean(good, axis=0), atol=1 / params.scale)


def test_missing_member_fails_with_its_reason(population: Population) -> None:
    dim = 100
    params = gs.RoundParams(dim, min_clients=3)
    net, _ = population.build(4, params, updates_for(population.clients[:4], dim))
    net.down.add(MEMBERS[2])
    net.run()
    failed = net.events_of(AGGREGATOR, "Failed")
    assert len(failed) == 1
    # n-of-n committee of 3: without member 2 no quorum agrees and no sum is formed. The
    # other two decrypted with their agreements (the whole committee is the only quorum):
    # two of three partials reveal nothing.
    assert failed[0].reason == "NoQuorum" and (failed[0].count, failed[0].min) == (2, 3)
    assert not net.events_of(AGGREGATOR, "Completed")
    assert len(net.events_of(MEMBERS[0], "Decrypted")) == 1
    err = gs.RoundFailed(failed[0].reason, failed[0])
    assert isinstance(err, gs.GradsealError) and err.reason == "NoQuorum"


def test_dropped_clients_cost_nothing(population: Population) -> None:
    dim = 100
    params = gs.RoundParams(dim, min_clients=3)
    updates = updates_for(population.clients, dim)
    net, _ = population.build(5, params, updates)
    gone = population.clients[:2]
    net.down.update(gone)
    net.run()
    done = net.events_of(AGGREGATOR, "Completed")
    assert done and done[0].count == len(updates) - 2
    kept = [u for c, u in updates.items() if c not in gone]
    assert np.allclose(done[0].result.mean(params.scale), np.mean(kept, axis=0), atol=1 / params.scale)


def test_forged_announcement_is_dropped(population: Population) -> None:
    kgc = population.kgc.public
    other = gs.Authority(kgc, population.keys[AGGREGATOR], 6)
    ann = other.announce(
        gs.RoundParams(10),
        (AGGREGATOR, population.keys[AGGREGATOR].bundle),
        RELAYS,
        [OBSERVER],
        [(a, population.keys[a].bundle) for a in MEMBERS],
        [(c, population.keys[c].bundle) for c in population.clients],
    )
    client = gs.Client(kgc, population.keys[0].bundle, population.keys[100], 6, np.zeros(10))
    client.handle_message(0, 1, ann)
    assert client.poll_transmit() is None
    e = client.poll_event()
    assert e.kind == "Dropped" and e.reason == "BadSignature"
    assert client.clipped is None and client.index is None
