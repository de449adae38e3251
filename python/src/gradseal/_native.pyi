"""Type stubs of the extension module ``gradseal._native`` (Rust, PyO3 abi3).

Addresses are ``int`` (u32), times are ``int`` milliseconds of the caller's clock (never
going backwards), messages are ``bytes``. Every role has the five sans-IO calls; after
feeding input, drain ``poll_transmit()`` and ``poll_event()`` until ``None``, then ask
``poll_timeout()`` when to call ``handle_timeout`` next.
"""

from typing import Optional, Sequence

import numpy as np
import numpy.typing as npt

PROTOCOL_VERSION: int
"""The protocol version these bindings speak (2)."""

class GradsealError(Exception):
    """Base class of every gradseal error."""

    reason: str
    """The Rust error variant (for example ``"NotAuthorised"``)."""

class KeyToolError(GradsealError):
    """A key, identity or seed is invalid."""

class EnrolmentError(KeyToolError):
    """The KGC refused an enrolment (``NotAuthorised``, ``AlreadyEnrolled``,
    ``InvalidProofOfPossession``, ``EnrolmentNotRecorded``) or a partial key does not
    complete (``InvalidPartialKey``)."""

class DecodeError(GradsealError):
    """Bytes are not the canonical encoding of the expected object."""

class ParamsError(GradsealError):
    """Round parameters break a rule of spec/protocol.md section 3."""

    field: str
    """The field a decoder names (``"params.min_clients"``...)."""

class UpdateError(GradsealError):
    """An update cannot be contributed (``NotFinite``)."""

class KgcPublic:
    """The KGC's public parameters."""

    @staticmethod
    def from_bytes(data: bytes) -> KgcPublic:
        """Decodes the 32-byte encoding (``DecodeError``)."""
    def to_bytes(self) -> bytes:
        """The 32-byte encoding."""

class Kgc:
    """The key generation centre: holds the master secret, issues partial keys."""

    @staticmethod
    def generate(seed: Optional[bytes] = None) -> Kgc:
        """A new KGC from a 32-byte ``seed`` or the OS."""
    @staticmethod
    def from_secret_bytes(data: bytes) -> Kgc:
        """Restores a KGC from its 32-byte secret encoding."""
    def to_secret_bytes(self) -> bytes:
        """The master secret (keep it private)."""
    @property
    def public(self) -> KgcPublic:
        """The public parameters."""
    def issue(self, request: bytes, registry: EnrolmentRegistry, seed: Optional[bytes] = None) -> bytes:
        """Checks an enrolment request against ``registry`` (authorised, not yet enrolled),
        records the issued bundle and returns the partial key (``EnrolmentError``,
        ``DecodeError``)."""

def request_identity(request: bytes) -> str:
    """The identity an enrolment request names (before any check)."""

class EnrolmentRegistry:
    """The KGC operator's enrolment policy: authorised identities, each enrolled once."""

    def __init__(self, identities: Sequence[str] = ...) -> None:
        """A registry authorising ``identities``."""
    def authorise(self, identity_: str) -> None:
        """Authorises one more identity."""
    def is_authorised(self, identity_: str) -> bool:
        """Whether ``identity_`` may enrol."""
    def is_enrolled(self, identity_: str) -> bool:
        """Whether a partial key was issued for ``identity_``."""
    def bundle(self, identity_: str) -> Optional[bytes]:
        """The public bundle issued for ``identity_``."""
    def enrolled(self) -> list[str]:
        """Every enrolled identity."""

class NodeSecret:
    """A node's secret before enrolment."""

    @staticmethod
    def generate(identity: str, seed: Optional[bytes] = None) -> NodeSecret:
        """A fresh secret for ``identity`` (1 to 64 bytes of UTF-8)."""
    @staticmethod
    def from_secret_bytes(data: bytes) -> NodeSecret:
        """Restores a secret from ``to_secret_bytes``."""
    def to_secret_bytes(self) -> bytes:
        """The secret encoding (keep it private)."""
    @property
    def identity(self) -> str:
        """The identity."""
    def request(self, kgc: KgcPublic, seed: Optional[bytes] = None) -> bytes:
        """An enrolment request with its proof of possession."""
    def complete(self, kgc: KgcPublic, partial: bytes) -> NodeKeys:
        """Completes the KGC's partial key into node keys (``EnrolmentError``)."""

class NodeKeys:
    """A node's completed key pair."""

    @staticmethod
    def from_secret_bytes(kgc: KgcPublic, data: bytes) -> NodeKeys:
        """Restores keys, re-checking the partial key."""
    def to_secret_bytes(self) -> bytes:
        """The secret key encoding (keep it private)."""
    @property
    def bundle(self) -> bytes:
        """The public bundle rosters and committees list."""
    @property
    def identity(self) -> str:
        """The identity."""
    @property
    def kgc(self) -> KgcPublic:
        """The KGC these keys belong to."""

class RoundParams:
    """The parameters of one round (``q`` stands for ``q / scale``, ``|q| < 2^(bits-1)``)."""

    model_version: int
    """Model version the updates apply to (opaque)."""
    dimension: int
    """Coordinates per update (1 to 2^22)."""
    bits: int
    """Bits of a quantized coordinate (2 to 24)."""
    scale: int
    """Fixed-point scale."""
    min_clients: int
    """Fewest accepted contributions decrypted (2 to 4096)."""
    contribution_deadline: int
    """Contributions after this time are left out."""
    decryption_deadline: int
    """Partial decryptions after this time fail the round."""
    data_shards: int
    """Reed-Solomon data shards."""
    parity_shards: int
    """Reed-Solomon parity shards."""
    privacy_threshold: int
    """Committee privacy threshold f (1 to n - 1); 0 announces n - 1 (n-of-n)."""
    def __init__(
        self,
        dimension: int,
        *,
        bits: int = 16,
        scale: int = 4096,
        min_clients: int = 3,
        contribution_deadline: int = 1000,
        decryption_deadline: int = 2000,
        data_shards: int = 4,
        parity_shards: int = 2,
        model_version: int = 0,
        privacy_threshold: int = 0,
    ) -> None:
        """Parameters, checked by ``check()`` and by the authority."""
    def check(self) -> None:
        """Raises ``ParamsError`` on the first broken rule."""
    def to_bytes(self) -> bytes:
        """The 43-byte encoding."""
    @staticmethod
    def from_bytes(data: bytes) -> RoundParams:
        """Decodes and checks the encoding (``DecodeError``)."""

class Announcement:
    """A decoded, **unverified** announcement (roles verify the signature)."""

    round: int
    """The round."""
    params: RoundParams
    """Its parameters."""
    aggregator: tuple[int, bytes]
    """``(address, bundle)`` of the aggregator."""
    relays: list[int]
    """Relay addresses."""
    observers: list[int]
    """Observer addresses."""
    committee: list[tuple[int, bytes]]
    """Committee ``(address, bundle)`` in index order."""
    roster: list[tuple[int, bytes]]
    """Roster ``(address, bundle)`` in index order."""
    digest: bytes
    """The digest ``A`` every later message binds."""
    @staticmethod
    def from_bytes(data: bytes) -> Announcement:
        """Decodes an announcement message (``DecodeError`` otherwise)."""
    def roster_index(self, bundle: bytes) -> Optional[int]:
        """Roster index of ``bundle``."""
    def member_index(self, bundle: bytes) -> Optional[int]:
        """Committee index of ``bundle``."""

def message_kind(data: bytes) -> Optional[int]:
    """Kind byte: 1 announcement, 2 shard, 3 transcript head, 4 member list, 5 partial,
    6 refusal, 7 rejection, 8 result, 9 agreement, 10 quorum certificate, 11 accepted entry."""

def message_round(data: bytes) -> Optional[int]:
    """The round a message names."""

class RoundResult:
    """A completed round's decrypted sum."""

    @property
    def round(self) -> int:
        """The round."""
    @property
    def count(self) -> int:
        """Accepted contributions summed."""
    @property
    def transcript(self) -> bytes:
        """Digest of the transcript."""
    def sum(self) -> npt.NDArray[np.int64]:
        """Exact sum of the quantized updates."""
    def sum_float(self, scale: int) -> npt.NDArray[np.float32]:
        """``sum / scale``."""
    def mean(self, scale: int) -> npt.NDArray[np.float32]:
        """``sum / (count * scale)``."""
    def __len__(self) -> int:
        """The dimension (coordinates summed)."""

class Event:
    """What a role reports; ``kind`` is the Rust variant, other attributes per kind
    (``Rejected``: ``client``, ``reason``; ``Failed``: ``reason``, ``member``, ``fault``...;
    ``Completed``: ``result``; ``Dropped``: ``sender``, ``reason``)."""

    kind: str
    """The Rust ``Event`` variant: ``Announced``, ``Contributed``, ``NotParticipating``,
    ``Accepted``, ``Rejected``, ``RelayBlamed``, ``TranscriptPublished``, ``Decrypted``,
    ``Refused``, ``Completed``, ``Failed``, ``AuditPassed``, ``AuditFailed``, ``Dropped``."""
    round: Optional[int]
    """The round (``Announced``)."""
    shards: Optional[int]
    """Shards sent (``Contributed``)."""
    client: Optional[int]
    """A roster index (``Accepted``, ``Rejected``, faults naming a client)."""
    member: Optional[int]
    """A committee index (``Refused``, ``Failed``, ``ListMismatch``)."""
    relay: Optional[int]
    """A relay address (``RelayBlamed``)."""
    sender: Optional[int]
    """The address a dropped message came from (``Dropped``)."""
    reason: Optional[str]
    """``RejectReason``, ``RoundFailure`` or ``ProtocolError`` variant (``Rejected``,
    ``Failed``, ``Dropped``), ``CorruptShard`` (``RelayBlamed``)."""
    fault: Optional[str]
    """A ``TranscriptFault`` variant (``Refused``, ``AuditFailed``, ``Failed``)."""
    count: Optional[int]
    """Contributions (``TranscriptPublished``, ``Completed``, ``AuditPassed``, ``Failed``)."""
    min: Optional[int]
    """``min_clients`` (``Failed`` with ``TooFewContributions``)."""
    digest: Optional[bytes]
    """Transcript digest (``TranscriptPublished``) or list digest (``Decrypted``)."""
    result: Optional[RoundResult]
    """The result (``Completed``)."""
    detail: str
    """The Rust event's ``Debug`` text (summarised for ``Completed``)."""

class Payload:
    """A message as a role handed it out (``poll_transmit_payload``): the role's own bytes,
    not copied into Python. Any role's ``handle_message`` takes it without a copy;
    ``bytes(payload)`` copies it once (the same ``bytes`` object on every call)."""

    def __len__(self) -> int:
        """Its length in bytes."""
    def __bytes__(self) -> bytes:
        """The message as ``bytes``."""

class _Role:
    """The five sans-IO calls every role has."""

    def handle_message(self, now: int, sender: int, data: bytes | Payload) -> None:
        """Feeds one message from address ``sender`` (``bytes``, or a ``Payload``: no copy)."""
    def handle_timeout(self, now: int) -> None:
        """Tells the role ``now`` was reached."""
    def poll_transmit(self) -> Optional[tuple[int, bytes]]:
        """Next ``(to, bytes)`` to send (the copies of one broadcast share one ``bytes``)."""
    def poll_transmit_payload(self) -> Optional[tuple[int, Payload]]:
        """Next ``(to, Payload)`` to send: as ``poll_transmit``, not copied into Python (the
        copies of one broadcast are one ``Payload``)."""
    def poll_event(self) -> Optional[Event]:
        """Next event."""
    def poll_timeout(self) -> Optional[int]:
        """When to call ``handle_timeout`` next."""

class Authority(_Role):
    """The round coordinator: signs and sends the announcement."""

    def __init__(self, kgc: KgcPublic, keys: NodeKeys, round: int, seed: Optional[bytes] = None) -> None: ...
    def announce(
        self,
        params: RoundParams,
        aggregator: tuple[int, bytes],
        relays: Sequence[int],
        observers: Sequence[int],
        committee: Sequence[tuple[int, bytes]],
        roster: Sequence[tuple[int, bytes]],
    ) -> bytes:
        """Signs and queues the announcement; returns its encoding (``ParamsError``)."""

class Client(_Role):
    """Contributes one float update (quantized with the announced scale and bits)."""

    def __init__(
        self,
        kgc: KgcPublic,
        authority: bytes,
        keys: NodeKeys,
        round: int,
        update: npt.ArrayLike,
        seed: Optional[bytes] = None,
    ) -> None: ...
    def danger_tamper(self, corrupt_signature: bool = False, drop_seed: bool = False) -> None:
        """Adversarial tests only: make the contribution faulty."""
    @property
    def clipped(self) -> Optional[int]:
        """Coordinates clipped by quantization."""
    @property
    def index(self) -> Optional[int]:
        """Roster index once announced."""

class Relay(_Role):
    """Forwards shards to the aggregator."""

    def __init__(self, kgc: KgcPublic, authority: bytes, keys: NodeKeys, round: int, seed: Optional[bytes] = None) -> None: ...

class Aggregator(_Role):
    """Sums contributions, publishes the transcript, combines partials."""

    def __init__(self, kgc: KgcPublic, authority: bytes, keys: NodeKeys, round: int, seed: Optional[bytes] = None) -> None: ...

class Member(_Role):
    """Committee member: checks its list, answers once."""

    def __init__(self, kgc: KgcPublic, authority: bytes, keys: NodeKeys, round: int, seed: Optional[bytes] = None) -> None: ...

class Observer(_Role):
    """Audits the transcript, lists and result."""

    def __init__(self, kgc: KgcPublic, authority: bytes, keys: NodeKeys, round: int, seed: Optional[bytes] = None) -> None: ...
