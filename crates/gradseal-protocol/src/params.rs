//! Round identifiers, node addresses, virtual time and the round parameters.

use gradseal_core::{Codec, DecodeError, Reader, Writer};

/// The largest model dimension a round may announce (coordinates per update).
pub const MAX_DIMENSION: u32 = 1 << 22;
/// The largest number of clients a roster may hold.
pub const MAX_CLIENTS: u32 = 4096;
/// The largest committee.
pub const MAX_COMMITTEE: u32 = 16;
/// The largest number of relays.
pub const MAX_RELAYS: u32 = 64;

/// A round identifier. Every message names its round; nothing is accepted across rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RoundId(pub u64);

/// The network address of a node, as the (untrusted) transport reports it.
///
/// Addresses are only routing hints: no decision about authenticity rests on them, except
/// that shards are blamed on the relay address that delivered them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

/// A point in (virtual) time, in milliseconds. Roles never read a clock: the caller passes
/// `now` to every call, and time must not go backwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Millis(pub u64);

impl Millis {
    /// `self + ms`, saturating.
    pub fn plus(self, ms: u64) -> Self {
        Millis(self.0.saturating_add(ms))
    }
}

/// Which contributions must carry a zero-knowledge range proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofPolicy {
    /// No proofs: clients are trusted to stay in range (their signatures still bind them).
    None,
    /// Every contribution carries a proof for every list.
    Every,
}

impl ProofPolicy {
    fn tag(self) -> u8 {
        match self {
            ProofPolicy::None => 0,
            ProofPolicy::Every => 1,
        }
    }
}

/// The Reed-Solomon layout of every contribution: `data` data shards plus `parity` parity
/// shards; any `data` valid shards rebuild the envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardLayout {
    /// Data shards (k).
    pub data: u8,
    /// Parity shards (m).
    pub parity: u8,
}

impl ShardLayout {
    /// Total shards per contribution.
    pub fn total(self) -> usize {
        usize::from(self.data) + usize::from(self.parity)
    }
}

/// The parameters of one round, fixed by the announcement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundParams {
    /// Model version the updates apply to (opaque to the protocol).
    pub model_version: u64,
    /// Coordinates per update.
    pub dimension: u32,
    /// Bit width of each quantized coordinate (signed).
    pub bits: u8,
    /// Fixed-point scale: a quantized value `q` stands for `q / scale`.
    pub scale: u32,
    /// Fewest accepted contributions for which the committee will decrypt.
    pub min_clients: u32,
    /// Contributions arriving after this time are left out.
    pub contribution_deadline: Millis,
    /// Partial decryptions arriving after this time fail the round.
    pub decryption_deadline: Millis,
    /// Proof policy.
    pub proof_policy: ProofPolicy,
    /// Shard layout.
    pub shards: ShardLayout,
}

impl Codec for RoundParams {
    fn encode(&self, w: &mut Writer) {
        w.put_u64(self.model_version);
        w.put_u32(self.dimension);
        w.put_u8(self.bits);
        w.put_u32(self.scale);
        w.put_u32(self.min_clients);
        w.put_u64(self.contribution_deadline.0);
        w.put_u64(self.decryption_deadline.0);
        w.put_u8(self.proof_policy.tag());
        w.put_u8(self.shards.data);
        w.put_u8(self.shards.parity);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let model_version = r.read_u64("params.model_version")?;
        let dimension = r.read_u32("params.dimension")?;
        if dimension == 0 || dimension > MAX_DIMENSION {
            return Err(DecodeError::InvalidValue { field: "params.dimension" });
        }
        let bits = r.read_u8("params.bits")?;
        if !(2..=32).contains(&bits) {
            return Err(DecodeError::InvalidValue { field: "params.bits" });
        }
        let scale = r.read_u32("params.scale")?;
        if scale == 0 {
            return Err(DecodeError::InvalidValue { field: "params.scale" });
        }
        let min_clients = r.read_u32("params.min_clients")?;
        if min_clients == 0 || min_clients > MAX_CLIENTS {
            return Err(DecodeError::InvalidValue { field: "params.min_clients" });
        }
        let contribution_deadline = Millis(r.read_u64("params.contribution_deadline")?);
        let decryption_deadline = Millis(r.read_u64("params.decryption_deadline")?);
        if decryption_deadline <= contribution_deadline {
            return Err(DecodeError::InvalidValue { field: "params.decryption_deadline" });
        }
        let proof_policy = match r.read_u8("params.proof_policy")? {
            0 => ProofPolicy::None,
            1 => ProofPolicy::Every,
            t => {
                return Err(DecodeError::UnknownTag {
                    field: "params.proof_policy",
                    tag: t.into(),
                });
            }
        };
        let data = r.read_u8("params.shards.data")?;
        let parity = r.read_u8("params.shards.parity")?;
        if data == 0 || usize::from(data) + usize::from(parity) > 255 {
            return Err(DecodeError::InvalidValue { field: "params.shards" });
        }
        Ok(RoundParams {
            model_version,
            dimension,
            bits,
            scale,
            min_clients,
            contribution_deadline,
            decryption_deadline,
            proof_policy,
            shards: ShardLayout { data, parity },
        })
    }
}
