"""An in-memory driver for gradseal roles, enrolment in one process, and ``RoundFailed``."""

from __future__ import annotations

from collections import deque
from typing import Any, Callable, Iterable

from gradseal._native import (
    EnrolmentRegistry,
    Event,
    GradsealError,
    Kgc,
    NodeKeys,
    NodeSecret,
    Payload,
)

__all__ = ["Network", "RoundFailed", "enrol"]


class RoundFailed(GradsealError):
    """A round ended without a result.

    Attributes:
        reason: the Rust ``RoundFailure`` variant (``TooFewContributions``, ``Refused``,
            ``NoQuorum``, ``MissingPartial``, ``Undecodable``), or ``AuditFailed`` /
            ``NoResult``.
        member: the committee index the failure names, if any.
        fault: the ``TranscriptFault`` variant of a refusal or failed audit, if any.
        event: the :class:`Event` that reported it, if any.
    """

    def __init__(self, reason: str, event: Event | None = None, message: str | None = None):
        self.reason = reason
        self.event = event
        self.member = None if event is None else event.member
        self.fault = None if event is None else event.fault
        super().__init__(message or (event.detail if event is not None else reason))


def enrol(
    kgc: Kgc, registry: EnrolmentRegistry, identity: str, seed: bytes | None = None
) -> NodeKeys:
    """Enrols ``identity`` in one process: secret, request, ``kgc.issue`` under
    ``registry`` (which must authorise it), completion. Raises ``EnrolmentError``."""
    secret = NodeSecret.generate(identity, seed)
    partial = kgc.issue(secret.request(kgc.public), registry)
    return secret.complete(kgc.public, partial)


class Network:
    """Delivers messages between sans-IO roles in memory, in FIFO order, with a virtual clock.

    ``add(address, role)`` registers a role; ``down`` holds addresses whose messages are
    lost in both directions (crashed or dropped nodes); ``tamper(frm, to, data)``, if set,
    may rewrite or drop (return ``None``) any message (it is given ``bytes``). ``events``
    collects ``(address, Event)`` in order; ``sent`` counts bytes sent per address; messages
    to addresses with no registered role are kept in ``outbound[address]`` as
    ``(sender, bytes)`` for the caller to carry (remote nodes); messages to addresses in
    ``hold`` are kept, undelivered, in ``held[address]`` as ``(sender, data)`` for the
    caller to deliver itself (e.g. from another thread); a held role's timeouts wait until
    it is released.

    Messages travel between local roles as the ``Payload`` objects the roles hand out
    (``poll_transmit_payload``): never copied into Python; a message becomes ``bytes`` (one
    copy per broadcast) only when it leaves for ``outbound`` or passes ``tamper``.
    """

    def __init__(self) -> None:
        self.roles: dict[int, Any] = {}
        self.now = 0
        self.queue: deque[tuple[int, int, bytes | Payload]] = deque()
        self.events: list[tuple[int, Event]] = []
        self.sent: dict[int, int] = {}
        self.down: set[int] = set()
        self.tamper: Callable[[int, int, bytes], bytes | None] | None = None
        self.outbound: dict[int, list[tuple[int, bytes]]] = {}
        self.hold: set[int] = set()
        self.held: dict[int, list[tuple[int, bytes | Payload]]] = {}

    def add(self, address: int, role: Any) -> None:
        """Registers ``role`` at ``address`` and collects what it already queued."""
        self.roles[address] = role
        self.drain(address)

    def drain(self, address: int) -> None:
        """Moves the role's queued transmits to the network and its events to ``events``."""
        role = self.roles[address]
        while (t := role.poll_transmit_payload()) is not None:
            to, data = t
            self.sent[address] = self.sent.get(address, 0) + len(data)
            self.queue.append((address, to, data))
        while (e := role.poll_event()) is not None:
            self.events.append((address, e))

    def inject(self, frm: int, to: int, data: bytes | Payload) -> None:
        """Queues a message as if ``frm`` had sent it."""
        self.queue.append((frm, to, data))

    def step(self) -> bool:
        """Delivers one message; false if none is queued."""
        if not self.queue:
            return False
        frm, to, data = self.queue.popleft()
        if frm in self.down or to in self.down:
            return True
        if to in self.hold:
            self.held.setdefault(to, []).append((frm, data))
            return True
        if to not in self.roles:
            self.outbound.setdefault(to, []).append((frm, bytes(data)))
            return True
        if self.tamper is not None:
            out = self.tamper(frm, to, bytes(data))
            if out is None:
                return True
            data = out
        self.roles[to].handle_message(self.now, frm, data)
        self.drain(to)
        return True

    def run(self, until: int | None = None, max_steps: int = 10_000_000) -> None:
        """Delivers every message, advancing the clock to the next deadline whenever the
        network is idle, until nothing is left to do or the clock would pass ``until``."""
        steps = 0
        while steps < max_steps:
            steps += 1
            if self.step():
                continue
            timeouts = [
                (t, a)
                for a, r in self.roles.items()
                # Held roles are skipped: one may be busy in another thread (an audit).
                if a not in self.down and a not in self.hold and (t := r.poll_timeout()) is not None
            ]
            if not timeouts:
                return
            t = min(timeouts)[0]
            if until is not None and t > until:
                return
            self.now = max(self.now, t)
            for a, r in list(self.roles.items()):
                if a in self.down or a in self.hold:
                    continue
                rt = r.poll_timeout()
                if rt is not None and rt <= self.now:
                    r.handle_timeout(self.now)
                    self.drain(a)

    def events_of(self, address: int, kind: str | None = None) -> list[Event]:
        """Events reported by ``address`` (of one ``kind`` if given)."""
        return [e for a, e in self.events if a == address and (kind is None or e.kind == kind)]

    def kinds(self, addresses: Iterable[int] | None = None) -> list[str]:
        """Event kinds in order (of some addresses)."""
        sel = None if addresses is None else set(addresses)
        return [e.kind for a, e in self.events if sel is None or a in sel]
