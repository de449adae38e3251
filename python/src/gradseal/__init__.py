"""gradseal: privacy-preserving federated-learning aggregation between untrusted nodes.

Python bindings of the Rust crates (no cryptography in Python):

- key tools: :class:`Kgc`, :class:`EnrolmentRegistry`, :class:`NodeSecret`,
  :class:`NodeKeys` (and :func:`enrol` for an in-process enrolment);
- round parameters (:class:`RoundParams`) and the decoded :class:`Announcement`;
- every role as a sans-IO object with ``handle_message(now, sender, data)``,
  ``handle_timeout(now)``, ``poll_transmit()``, ``poll_event()`` and ``poll_timeout()``:
  :class:`Authority`, :class:`Client`, :class:`Relay`, :class:`Aggregator`,
  :class:`Member`, :class:`Observer` (``poll_transmit_payload()`` hands a message out as a
  :class:`Payload`, which another role takes without a copy);
- :class:`Network`, a small in-memory driver delivering the roles' messages;
- :mod:`gradseal.keyfile`: key files in the format of the ``gradseal`` command;
- :mod:`gradseal.flower`: ``GradsealWorkflow`` and ``gradseal_mod`` for Flower 1.42.

Every error is a :class:`GradsealError` subclass with a ``reason`` naming the Rust variant.
"""

from __future__ import annotations

from gradseal._native import (
    PROTOCOL_VERSION,
    Aggregator,
    Announcement,
    Authority,
    Client,
    DecodeError,
    EnrolmentError,
    EnrolmentRegistry,
    Event,
    GradsealError,
    Kgc,
    KgcPublic,
    KeyToolError,
    Member,
    NodeKeys,
    NodeSecret,
    Observer,
    ParamsError,
    Payload,
    Relay,
    RoundParams,
    RoundResult,
    UpdateError,
    message_kind,
    message_round,
    request_identity,
)
from gradseal.driver import Network, RoundFailed, enrol

__all__ = [
    "PROTOCOL_VERSION",
    "Aggregator",
    "Announcement",
    "Authority",
    "Client",
    "DecodeError",
    "EnrolmentError",
    "EnrolmentRegistry",
    "Event",
    "GradsealError",
    "Kgc",
    "KgcPublic",
    "KeyToolError",
    "Member",
    "Network",
    "NodeKeys",
    "NodeSecret",
    "Observer",
    "ParamsError",
    "Payload",
    "Relay",
    "RoundFailed",
    "RoundParams",
    "RoundResult",
    "UpdateError",
    "enrol",
    "message_kind",
    "message_round",
    "request_identity",
]
