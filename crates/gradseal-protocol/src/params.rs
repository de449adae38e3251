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
/// Smallest bit width of a quantized coordinate.
pub const MIN_BITS: u8 = 2;
/// Largest bit width of a quantized coordinate (gradseal-agg's bound).
pub const MAX_BITS: u8 = 24;
/// Fewest contributions any round may decrypt: a "sum" of one client is its update.
pub const MIN_CLIENTS: u32 = 2;
/// The `min_clients` a deployment should use unless it has a reason not to.
pub const DEFAULT_MIN_CLIENTS: u32 = 3;

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

/// Why round parameters are refused (by [`RoundParams::check`], by the authority before it
/// announces, and by every decoder of an announcement).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParamsError {
    /// `dimension` is 0 or above [`MAX_DIMENSION`].
    #[error("dimension outside [1, 2^22]")]
    Dimension,
    /// `bits` is outside [`MIN_BITS`]`..=`[`MAX_BITS`].
    #[error("bits outside [2, 24]")]
    Bits,
    /// `scale` is 0.
    #[error("scale is zero")]
    Scale,
    /// `min_clients` is below [`MIN_CLIENTS`] (a "sum" of one update is that update) or
    /// above [`MAX_CLIENTS`].
    #[error("min_clients {min_clients} outside [2, 4096]")]
    MinClients {
        /// The refused value.
        min_clients: u32,
    },
    /// The decryption deadline is not after the contribution deadline.
    #[error("decryption deadline not after the contribution deadline")]
    Deadlines,
    /// No data shard, or more than 255 shards.
    #[error("shard layout needs 1 <= data and data + parity <= 255")]
    Shards,
    /// The privacy threshold `f` does not fit the committee of `n` members: it must be
    /// `1 <= f <= n − 1`, and the client's `(n − f)·C(n, f)` sealed seeds must not exceed
    /// gradseal-agg's `MAX_SEALED_SEEDS`.
    #[error("privacy threshold {threshold} does not fit a committee of {committee}")]
    Threshold {
        /// The refused threshold.
        threshold: u32,
        /// Committee size.
        committee: u32,
    },
    /// The roster is smaller than `min_clients`: no round could ever decrypt.
    #[error("roster of {roster} is smaller than min_clients {min_clients}")]
    Roster {
        /// Roster size.
        roster: u32,
        /// The round's `min_clients`.
        min_clients: u32,
    },
}

impl ParamsError {
    /// The field a decoder names when it refuses these parameters.
    pub fn field(self) -> &'static str {
        match self {
            ParamsError::Dimension => "params.dimension",
            ParamsError::Bits => "params.bits",
            ParamsError::Scale => "params.scale",
            ParamsError::MinClients { .. } => "params.min_clients",
            ParamsError::Deadlines => "params.decryption_deadline",
            ParamsError::Shards => "params.shards",
            ParamsError::Threshold { .. } => "params.privacy_threshold",
            ParamsError::Roster { .. } => "announcement.roster",
        }
    }
}

/// The parameters of one round, fixed by the announcement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundParams {
    /// Model version the updates apply to (opaque to the protocol).
    pub model_version: u64,
    /// Coordinates per update.
    pub dimension: u32,
    /// Bit width of each quantized coordinate (signed: |q| < 2^(bits-1)).
    pub bits: u8,
    /// Fixed-point scale: a quantized value `q` stands for `q / scale`.
    pub scale: u32,
    /// Fewest accepted contributions for which the committee will decrypt (at least
    /// [`MIN_CLIENTS`]; [`DEFAULT_MIN_CLIENTS`] unless there is a reason otherwise).
    pub min_clients: u32,
    /// Contributions arriving after this time are left out.
    pub contribution_deadline: Millis,
    /// Partial decryptions arriving after this time fail the round.
    pub decryption_deadline: Millis,
    /// Shard layout.
    pub shards: ShardLayout,
    /// Privacy threshold `f`: no coalition of `f` committee members learns anything about
    /// a client; any quorum of `q = ⌊(n + f)/2⌋ + 1` members decrypts. `1 <= f <= n − 1`
    /// ([`RoundParams::check_committee`]); `n − 1` is the n-of-n committee.
    pub privacy_threshold: u32,
}

impl RoundParams {
    /// Checks every range rule of `spec/protocol.md` §3.
    ///
    /// # Errors
    /// The first violated rule, in field order.
    pub fn check(&self) -> Result<(), ParamsError> {
        if self.dimension == 0 || self.dimension > MAX_DIMENSION {
            return Err(ParamsError::Dimension);
        }
        if !(MIN_BITS..=MAX_BITS).contains(&self.bits) {
            return Err(ParamsError::Bits);
        }
        if self.scale == 0 {
            return Err(ParamsError::Scale);
        }
        if !(MIN_CLIENTS..=MAX_CLIENTS).contains(&self.min_clients) {
            return Err(ParamsError::MinClients { min_clients: self.min_clients });
        }
        if self.decryption_deadline <= self.contribution_deadline {
            return Err(ParamsError::Deadlines);
        }
        if self.shards.data == 0 || self.shards.total() > 255 {
            return Err(ParamsError::Shards);
        }
        Ok(())
    }

    /// The committee of `n = committee` members with this privacy threshold (gradseal-agg's
    /// combinatorics: sets, holders, quorum, assignment).
    ///
    /// # Errors
    /// [`ParamsError::Threshold`] unless `1 <= f <= n − 1`, `n <= MAX_COMMITTEE` and the
    /// sealed seeds fit gradseal-agg's cap.
    pub fn committee(&self, committee: usize) -> Result<gradseal_agg::Committee, ParamsError> {
        let refused = ParamsError::Threshold {
            threshold: self.privacy_threshold,
            committee: u32::try_from(committee).unwrap_or(u32::MAX),
        };
        if committee > usize_of(MAX_COMMITTEE) {
            return Err(refused);
        }
        let n = u16::try_from(committee).map_err(|_| refused)?;
        let f = u16::try_from(self.privacy_threshold).map_err(|_| refused)?;
        gradseal_agg::Committee::new(n, f).map_err(|_| refused)
    }

    /// [`RoundParams::committee`], the check alone.
    ///
    /// # Errors
    /// As [`RoundParams::committee`].
    pub fn check_committee(&self, committee: usize) -> Result<(), ParamsError> {
        self.committee(committee).map(|_| ())
    }
}

fn usize_of(v: u32) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
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
        w.put_u8(self.shards.data);
        w.put_u8(self.shards.parity);
        w.put_u32(self.privacy_threshold);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let params = RoundParams {
            model_version: r.read_u64("params.model_version")?,
            dimension: r.read_u32("params.dimension")?,
            bits: r.read_u8("params.bits")?,
            scale: r.read_u32("params.scale")?,
            min_clients: r.read_u32("params.min_clients")?,
            contribution_deadline: Millis(r.read_u64("params.contribution_deadline")?),
            decryption_deadline: Millis(r.read_u64("params.decryption_deadline")?),
            shards: ShardLayout {
                data: r.read_u8("params.shards.data")?,
                parity: r.read_u8("params.shards.parity")?,
            },
            privacy_threshold: r.read_u32("params.privacy_threshold")?,
        };
        params.check().map_err(|e| DecodeError::InvalidValue { field: e.field() })?;
        Ok(params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> RoundParams {
        RoundParams {
            model_version: 1,
            dimension: 8,
            bits: 8,
            scale: 100,
            min_clients: DEFAULT_MIN_CLIENTS,
            contribution_deadline: Millis(1),
            decryption_deadline: Millis(2),
            shards: ShardLayout { data: 2, parity: 1 },
            privacy_threshold: 2,
        }
    }

    #[test]
    fn thresholds_outside_the_committee_are_refused() {
        let refused = |threshold, committee| {
            let p = RoundParams { privacy_threshold: threshold, ..params() };
            p.check_committee(committee)
                == Err(ParamsError::Threshold {
                    threshold,
                    committee: u32::try_from(committee).unwrap_or(u32::MAX),
                })
        };
        // n-of-n and t-of-n shapes fit; 0, n and beyond do not; (16, 2) needs 1680 sealed
        // seeds, over the cap of 1024; 17 members exceed the protocol's committee bound.
        for (f, n) in [(2, 3), (1, 4), (2, 5), (3, 7), (1, 2), (15, 16)] {
            assert!(!refused(f, n), "({n}, {f})");
            let c = RoundParams { privacy_threshold: f, ..params() }.committee(n).unwrap();
            assert_eq!(c.quorum_size(), u16::try_from((n + f as usize) / 2 + 1).unwrap());
        }
        for (f, n) in [(0, 3), (3, 3), (4, 3), (2, 16), (1, 17), (1, 1), (u32::MAX, 3)] {
            assert!(refused(f, n), "({n}, {f})");
        }
    }

    #[test]
    fn min_clients_below_two_is_refused_by_check_and_decoder() {
        for min_clients in [0, 1] {
            let p = RoundParams { min_clients, ..params() };
            assert_eq!(p.check(), Err(ParamsError::MinClients { min_clients }));
            assert_eq!(
                RoundParams::from_bytes(&p.to_bytes()),
                Err(DecodeError::InvalidValue { field: "params.min_clients" })
            );
        }
        let p = RoundParams { min_clients: 2, ..params() };
        assert_eq!(RoundParams::from_bytes(&p.to_bytes()), Ok(p));
    }

    #[test]
    fn every_rule_is_checked() {
        let cases = [
            (RoundParams { dimension: 0, ..params() }, ParamsError::Dimension),
            (RoundParams { bits: 25, ..params() }, ParamsError::Bits),
            (RoundParams { scale: 0, ..params() }, ParamsError::Scale),
            (RoundParams { decryption_deadline: Millis(1), ..params() }, ParamsError::Deadlines),
            (
                RoundParams { shards: ShardLayout { data: 0, parity: 1 }, ..params() },
                ParamsError::Shards,
            ),
        ];
        for (p, e) in cases {
            assert_eq!(p.check(), Err(e));
        }
        assert_eq!(params().check(), Ok(()));
    }
}
