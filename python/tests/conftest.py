"""Shared fixtures: one enrolled population for the API tests."""

from __future__ import annotations

import numpy as np
import pytest

import gradseal as gs

AUTHORITY, AGGREGATOR, OBSERVER = 0, 1, 2
RELAYS = [10, 11, 12]
MEMBERS = [20, 21, 22]


class Population:
    """A KGC, a registry and enrolled keys for every node of a small round."""

    def __init__(self, clients: int) -> None:
        self.kgc = gs.Kgc.generate(bytes(range(32)))
        self.clients = [100 + i for i in range(clients)]
        names = {AUTHORITY: "authority", AGGREGATOR: "aggregator", OBSERVER: "observer"}
        names.update({a: f"relay-{a}" for a in RELAYS})
        names.update({a: f"member-{a}" for a in MEMBERS})
        names.update({a: f"client-{a}" for a in self.clients})
        self.registry = gs.EnrolmentRegistry(list(names.values()))
        self.keys = {
            a: gs.enrol(self.kgc, self.registry, n, seed=a.to_bytes(32, "big"))
            for a, n in names.items()
        }

    def build(self, round_id: int, params: gs.RoundParams, updates: dict[int, np.ndarray],
              members: list[int] = MEMBERS) -> tuple[gs.Network, bytes]:
        """A network with every role of the round, the announcement already sent."""
        kgc, auth = self.kgc.public, self.keys[AUTHORITY].bundle
        net = gs.Network()
        authority = gs.Authority(kgc, self.keys[AUTHORITY], round_id)
        for a in RELAYS:
            net.add(a, gs.Relay(kgc, auth, self.keys[a], round_id))
        net.add(AGGREGATOR, gs.Aggregator(kgc, auth, self.keys[AGGREGATOR], round_id))
        net.add(OBSERVER, gs.Observer(kgc, auth, self.keys[OBSERVER], round_id))
        for a in members:
            net.add(a, gs.Member(kgc, auth, self.keys[a], round_id))
        for a, u in updates.items():
            net.add(a, gs.Client(kgc, auth, self.keys[a], round_id, u))
        ann = authority.announce(*self.announce_args(params, members, list(updates)))
        net.add(AUTHORITY, authority)
        return net, ann

    def announce_args(self, params: gs.RoundParams, members: list[int] = MEMBERS,
                      clients: list[int] | None = None) -> tuple:
        """The arguments of ``Authority.announce`` for this population (every client by
        default)."""
        clients = self.clients if clients is None else clients
        return (
            params,
            (AGGREGATOR, self.keys[AGGREGATOR].bundle),
            RELAYS,
            [OBSERVER],
            [(a, self.keys[a].bundle) for a in members],
            [(a, self.keys[a].bundle) for a in clients],
        )


@pytest.fixture(scope="session")
def population() -> Population:
    """Eight enrolled clients plus authority, aggregator, observer, relays, members."""
    return Population(8)
