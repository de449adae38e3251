//! Round parameters, the parameter profile and the noise budget (`spec/agg.md`, sections 2
//! and 5).
//!
//! A [`RoundParams`] is a validated [`RoundConfig`]: construction fails unless the sum of
//! `max_clients` contributions of `bits` bits cannot wrap, the aggregate decrypts correctly
//! (failure probability at most 2^-64 per coordinate under the noise model) with the flooding
//! noise of `committee_size` members, and the flooding argument of `spec/agg.md` gives at least
//! [`MIN_FLOODING_SECURITY_BITS`] bits for `dimension` coordinates.

use gradseal_core::{Codec, DecodeError, Reader, Writer};

use crate::AggError;
use crate::tags;

/// Largest update dimension a round may have (2^22 coordinates, 64 MiB of ciphertext).
pub const MAX_DIMENSION: u32 = 1 << 22;
/// Smallest bit width of an encoded coordinate.
pub const MIN_BITS: u8 = 2;
/// Largest bit width of an encoded coordinate.
pub const MAX_BITS: u8 = 24;
/// Largest `max_clients` a round may declare.
pub const MAX_CLIENTS: u32 = 1 << 20;
/// Largest committee.
pub const MAX_COMMITTEE: u16 = 64;
/// Search hardness (bits) assumed for the ideal world of the flooding argument.
pub const SEARCH_HARDNESS_BITS: f64 = 128.0;
/// Fewest bits the Rényi flooding argument must give for a round to be accepted.
pub const MIN_FLOODING_SECURITY_BITS: f64 = 64.0;
/// Tail bound, in standard deviations, of the aggregate's noise: a Gaussian exceeds it with
/// probability below 2^-64.
pub const NOISE_TAIL_SIGMAS: f64 = 9.3;
/// Hard bound, in standard deviations, of one flooding sample (the sampler rejects the polar
/// pairs that would exceed 9.42 sigma; half a unit is added for the final rounding).
pub const FLOOD_TAIL_SIGMAS: f64 = 9.5;

/// A parameter profile: ring dimension, modulus and noise of the LWE compact public-key
/// scheme. Every profile's values are fixed by this crate, never read from the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Profile {
    /// q = 2^64, n = 2048, binary key shares, TUniform(17) for key and encryption noise: the
    /// public-key set of tfhe's `PARAM_PKE_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128` (128-bit by
    /// tfhe's estimates), which tfhe's compact-PKE zero-knowledge proofs support.
    U64N2048,
}

impl Profile {
    /// The default profile.
    pub const DEFAULT: Profile = Profile::U64N2048;

    /// The one-byte identifier used on the wire.
    pub const fn id(self) -> u8 {
        match self {
            Profile::U64N2048 => 1,
        }
    }

    /// The profile with this identifier, if any.
    pub const fn from_id(id: u8) -> Option<Profile> {
        match id {
            1 => Some(Profile::U64N2048),
            _ => None,
        }
    }

    /// A short human-readable name.
    pub const fn name(self) -> &'static str {
        match self {
            Profile::U64N2048 => "u64-n2048-tuniform17",
        }
    }

    /// LWE dimension n (also the number of coordinates one compact list can carry).
    pub const fn lwe_dimension(self) -> usize {
        match self {
            Profile::U64N2048 => 2048,
        }
    }

    /// log2 of the bound of the TUniform noise of keys and encryptions.
    pub const fn noise_log2_bound(self) -> u32 {
        match self {
            Profile::U64N2048 => 17,
        }
    }

    /// Variance of one TUniform(b) sample: (2^(2b+1) + 1) / 6.
    pub fn noise_variance(self) -> f64 {
        let b = self.noise_log2_bound();
        (pow2(2 * b + 1) + 1.0) / 6.0
    }
}

/// Which lists of an update must carry a zero-knowledge range proof.
///
/// A policy that lets the *client* know in advance which lists are checked is unsound (it
/// cheats on the others), and one derived from the ciphertexts is ground in a few retries; a
/// sampled mode therefore needs an interactive challenge and is not offered (`spec/agg.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProofPolicy {
    /// No proofs: a malicious client can add any value modulo the plaintext modulus, or noise
    /// that breaks decryption (the round then fails with [`AggError::DecryptionFailed`]).
    None,
    /// Every list carries a proof that each coordinate lies in `[0, 2^bits)`.
    EveryList,
}

impl ProofPolicy {
    fn id(self) -> u8 {
        match self {
            ProofPolicy::None => 0,
            ProofPolicy::EveryList => 1,
        }
    }

    fn from_id(id: u8) -> Option<Self> {
        match id {
            0 => Some(ProofPolicy::None),
            1 => Some(ProofPolicy::EveryList),
            _ => None,
        }
    }
}

/// The unvalidated parameters of one round, as announced by the coordinator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoundConfig {
    /// The protocol's identifier of the round (e.g. a hash of the announcement).
    pub round_id: [u8; 32],
    /// The parameter profile.
    pub profile: Profile,
    /// Number of coordinates of every update.
    pub dimension: u32,
    /// Coordinates per compact list, at most the profile's n (2048). Smaller lists cost more
    /// bytes per coordinate (the mask is n words whatever the list length) but need a smaller
    /// CRS when proofs are on.
    pub list_len: u16,
    /// Bit width B of an encoded coordinate: each is an integer in `[-(2^(B-1)-1), 2^(B-1)-1]`.
    pub bits: u8,
    /// L∞ clipping bound: every coordinate is clamped to `[-clip, clip]` before scaling.
    pub clip: f32,
    /// Fewest contributions the committee agrees to decrypt.
    pub min_clients: u32,
    /// Most contributions an aggregate may hold; sizes the plaintext modulus and the noise.
    pub max_clients: u32,
    /// Number k of committee members (n-of-n decryption).
    pub committee_size: u16,
    /// Which lists need a range proof.
    pub proof_policy: ProofPolicy,
}

impl RoundConfig {
    /// A configuration with the default profile, lists of 2048 coordinates, 16 bits, clip 1.0,
    /// 1..=100 clients, a committee of 3 and no proofs.
    pub fn new(round_id: [u8; 32], dimension: u32) -> Self {
        RoundConfig {
            round_id,
            profile: Profile::DEFAULT,
            dimension,
            list_len: 2048,
            bits: 16,
            clip: 1.0,
            min_clients: 1,
            max_clients: 100,
            committee_size: 3,
            proof_policy: ProofPolicy::None,
        }
    }
}

/// The noise budget of a parameter set (standard deviations are in units of the torus
/// modulus q = 2^64, i.e. plain integers).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoiseBudget {
    /// Bits of the plaintext modulus t = 2^sum_bits (bits + ceil(log2 max_clients)).
    pub sum_bits: u32,
    /// log2 of the scaling factor Δ = q / (2t).
    pub delta_log2: u32,
    /// Model standard deviation of one fresh ciphertext under the k-member joint key.
    pub fresh_sigma: f64,
    /// Model standard deviation of the aggregate of `max_clients` ciphertexts, after each
    /// member's mean correction (`spec/agg.md`, noise budget).
    pub aggregate_sigma: f64,
    /// Standard deviation of each member's flooding noise (an integer).
    pub flood_sigma: f64,
    /// Hard bound on one member's flooding sample.
    pub flood_bound: f64,
    /// log2 of the model's per-coordinate decryption failure probability.
    pub failure_log2: f64,
    /// log2(flood_sigma / aggregate_sigma).
    pub flood_to_noise_log2: f64,
    /// Bits of search security left by the Rényi-divergence argument for `dimension`
    /// coordinates decrypted once (`spec/agg.md`, security argument).
    pub flooding_security_bits: f64,
}

impl NoiseBudget {
    /// Model variance of the decryption noise of a sum of `clients` fresh ciphertexts under a
    /// joint key of `members` binary shares, with (`corrected = true`) or without each
    /// member's correction of the key-noise mean term.
    pub fn aggregate_variance(
        profile: Profile,
        clients: u32,
        members: u16,
        corrected: bool,
    ) -> f64 {
        let n = profile.lwe_dimension() as f64;
        let var = profile.noise_variance();
        let c = f64::from(clients);
        let k = f64::from(members);
        // <E, sum r>: E = sum of the members' key noises (variance k var per entry); each r is
        // binary with mean 1/2 and variance 1/4. The mean part c/2 <E, 1> is removed by the
        // members when `corrected`.
        let key_term = n * k * var * (c / 4.0 + if corrected { 0.0 } else { c * c / 4.0 });
        // <sum e1, s>: s = sum of k binary shares, E[s_t^2] = k/4 + k^2/4.
        let mask_term = c * n * var * (k / 4.0 + k * k / 4.0);
        // sum e2.
        let body_term = c * var;
        key_term + mask_term + body_term
    }

    /// Computes the budget of a parameter set, or says why it is refused.
    ///
    /// # Errors
    /// [`AggError::InvalidParams`] if the noise exceeds the plaintext spacing or the flooding
    /// argument gives fewer than [`MIN_FLOODING_SECURITY_BITS`] bits.
    pub fn compute(
        profile: Profile,
        bits: u8,
        max_clients: u32,
        committee_size: u16,
        dimension: u32,
    ) -> Result<NoiseBudget, AggError> {
        let sum_bits = u32::from(bits) + ceil_log2(max_clients);
        if sum_bits >= 62 {
            return Err(AggError::InvalidParams(
                "bits + log2(max_clients) leaves no room for noise",
            ));
        }
        let delta_log2 = 63 - sum_bits;
        let fresh_sigma = Self::aggregate_variance(profile, 1, committee_size, false).sqrt();
        let aggregate_sigma =
            Self::aggregate_variance(profile, max_clients, committee_size, true).sqrt();
        let half_delta = pow2(delta_log2 - 1);
        let k = f64::from(committee_size);
        let room = half_delta - NOISE_TAIL_SIGMAS * aggregate_sigma;
        let flood_sigma = (room / (k * FLOOD_TAIL_SIGMAS)).floor();
        if flood_sigma.is_nan() || flood_sigma < 1.0 {
            return Err(AggError::InvalidParams("aggregate noise exceeds the plaintext spacing"));
        }
        let flood_bound = FLOOD_TAIL_SIGMAS * flood_sigma;
        let margin = (half_delta - k * flood_bound) / aggregate_sigma;
        let failure_log2 = gaussian_tail_log2(margin);
        let flood_to_noise_log2 = (flood_sigma / aggregate_sigma).log2();
        let flooding_security_bits =
            flooding_security_bits(aggregate_sigma, flood_sigma, f64::from(dimension));
        if flooding_security_bits < MIN_FLOODING_SECURITY_BITS {
            return Err(AggError::InvalidParams(
                "flooding leaves fewer than 64 bits for this many coordinates (fewer bits, clients or coordinates)",
            ));
        }
        Ok(NoiseBudget {
            sum_bits,
            delta_log2,
            fresh_sigma,
            aggregate_sigma,
            flood_sigma,
            flood_bound,
            failure_log2,
            flood_to_noise_log2,
            flooding_security_bits,
        })
    }
}

/// Bits of search security left after one flooded decryption of `coords` coordinates.
///
/// The real partial decryption differs from the simulated one by the aggregate noise e; with
/// Gaussian flooding of deviation σ_f the Rényi divergence of order a is
/// `exp(a ‖e‖² / (2 σ_f²))`, and a search problem of hardness 2^-λ in the simulated world has
/// success at most `(2^-λ · RD_a)^((a-1)/a)` in the real one. With ‖e‖² bounded by
/// Laurent–Massart at 2^-64 (`σ_e² (Q + 2√(xQ) + 2x)`, x = 64 ln 2) and γ = log2(e) ‖e‖²/(2σ_f²),
/// the best order a = √(λ/γ) leaves `(√λ - √γ)²` bits.
pub fn flooding_security_bits(aggregate_sigma: f64, flood_sigma: f64, coords: f64) -> f64 {
    let x = 64.0 * core::f64::consts::LN_2;
    let norm_sq =
        aggregate_sigma * aggregate_sigma * (coords + 2.0 * (x * coords).sqrt() + 2.0 * x);
    let gamma = core::f64::consts::LOG2_E * norm_sq / (2.0 * flood_sigma * flood_sigma);
    if gamma >= SEARCH_HARDNESS_BITS {
        return 0.0;
    }
    let root = SEARCH_HARDNESS_BITS.sqrt() - gamma.sqrt();
    root * root
}

/// log2 of P(|N(0,1)| > z), by the asymptotic expansion (accurate for z > 3).
fn gaussian_tail_log2(z: f64) -> f64 {
    if z <= 3.0 {
        return 0.0;
    }
    let two_pi = 2.0 * core::f64::consts::PI;
    // P(|N| > z) ≈ 2 φ(z) / z = 2 exp(-z²/2) / (z √(2π)).
    1.0 - z * z / 2.0 * core::f64::consts::LOG2_E - (z * two_pi.sqrt()).log2()
}

pub(crate) fn pow2(e: u32) -> f64 {
    f64::from(2u32).powi(i32::try_from(e).unwrap_or(i32::MAX))
}

/// Smallest c with 2^c >= x (0 for x <= 1).
pub(crate) fn ceil_log2(x: u32) -> u32 {
    if x <= 1 { 0 } else { 32 - (x - 1).leading_zeros() }
}

/// Validated parameters of one round, with their digest and noise budget.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundParams {
    config: RoundConfig,
    digest: [u8; 32],
    budget: NoiseBudget,
}

impl RoundParams {
    /// Validates a configuration.
    ///
    /// # Errors
    /// [`AggError::InvalidParams`] naming the first violated rule (ranges of every field,
    /// no wrap of the sum, correct decryption, flooding security).
    pub fn new(config: RoundConfig) -> Result<Self, AggError> {
        let n = config.profile.lwe_dimension();
        if config.dimension == 0 || config.dimension > MAX_DIMENSION {
            return Err(AggError::InvalidParams("dimension must be in 1..=2^22"));
        }
        if config.list_len == 0 || usize::from(config.list_len) > n {
            return Err(AggError::InvalidParams("list_len must be in 1..=n"));
        }
        if config.bits < MIN_BITS || config.bits > MAX_BITS {
            return Err(AggError::InvalidParams("bits must be in 2..=24"));
        }
        if !config.clip.is_finite() || !config.clip.is_normal() || config.clip <= 0.0 {
            return Err(AggError::InvalidParams("clip must be a positive normal f32"));
        }
        if config.min_clients == 0
            || config.min_clients > config.max_clients
            || config.max_clients > MAX_CLIENTS
        {
            return Err(AggError::InvalidParams("need 1 <= min_clients <= max_clients <= 2^20"));
        }
        if config.committee_size == 0 || config.committee_size > MAX_COMMITTEE {
            return Err(AggError::InvalidParams("committee_size must be in 1..=64"));
        }
        let budget = NoiseBudget::compute(
            config.profile,
            config.bits,
            config.max_clients,
            config.committee_size,
            config.dimension,
        )?;
        let mut w = Writer::new();
        encode_config(&config, &mut w);
        let digest = gradseal_core::hash(tags::ROUND, &[w.as_slice()]);
        Ok(RoundParams { config, digest, budget })
    }

    /// The configuration these parameters were built from.
    pub fn config(&self) -> &RoundConfig {
        &self.config
    }

    /// The digest that binds every value of this round (`hash(ROUND, encoding)`).
    pub fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// The noise budget.
    pub fn noise_budget(&self) -> &NoiseBudget {
        &self.budget
    }

    /// The profile.
    pub fn profile(&self) -> Profile {
        self.config.profile
    }

    /// Number of coordinates of an update.
    pub fn dimension(&self) -> usize {
        self.config.dimension as usize
    }

    /// Number of committee members.
    pub fn committee_size(&self) -> u16 {
        self.config.committee_size
    }

    /// The ring dimension n.
    pub fn n(&self) -> usize {
        self.config.profile.lwe_dimension()
    }

    /// Coordinates per compact list.
    pub fn list_len(&self) -> usize {
        usize::from(self.config.list_len)
    }

    /// Number of compact lists of an update: ceil(dimension / list_len).
    pub fn list_count(&self) -> usize {
        self.dimension().div_ceil(self.list_len())
    }

    /// Number of coordinates in list `l` (all lists are full but the last).
    pub(crate) fn list_coords(&self, l: usize) -> usize {
        let start = l * self.list_len();
        self.list_len().min(self.dimension().saturating_sub(start))
    }

    /// log2 of Δ.
    pub fn delta_log2(&self) -> u32 {
        self.budget.delta_log2
    }

    /// The offset 2^(B-1) added to each signed coordinate before encryption.
    pub fn offset(&self) -> u64 {
        1u64 << (self.config.bits - 1)
    }

    /// Largest encoded magnitude, 2^(B-1) - 1.
    pub fn max_magnitude(&self) -> i64 {
        (1i64 << (self.config.bits - 1)) - 1
    }

    /// Scale from clipped reals to integers: (2^(B-1) - 1) / clip.
    pub fn scale(&self) -> f64 {
        self.max_magnitude() as f64 / f64::from(self.config.clip)
    }

    /// The round's public mask polynomial `a`, expanded from the round digest.
    pub fn public_mask(&self) -> Vec<u64> {
        crate::poly::expand_mask(&self.digest, self.n())
    }

    /// Metadata bound into the proof of list `list` of client `client_id`.
    pub fn proof_metadata(&self, client_id: &[u8], list: u32) -> [u8; 32] {
        gradseal_core::hash(tags::PROOF_METADATA, &[&self.digest, client_id, &list.to_be_bytes()])
    }
}

fn encode_config(c: &RoundConfig, w: &mut Writer) {
    w.put_u8(c.profile.id());
    w.put_bytes(&c.round_id);
    w.put_u32(c.dimension);
    w.put_u16(c.list_len);
    w.put_u8(c.bits);
    w.put_u32(c.clip.to_bits());
    w.put_u32(c.min_clients);
    w.put_u32(c.max_clients);
    w.put_u16(c.committee_size);
    w.put_u8(c.proof_policy.id());
}

/// Wire form: `profile u8 ‖ round_id [32] ‖ dimension u32 ‖ list_len u16 ‖ bits u8 ‖
/// clip f32 (IEEE bits, u32) ‖ min_clients u32 ‖ max_clients u32 ‖ committee_size u16 ‖
/// proof_policy u8`; decoding validates like [`RoundParams::new`].
impl Codec for RoundParams {
    fn encode(&self, w: &mut Writer) {
        encode_config(&self.config, w);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let profile_id = r.read_u8("agg.params.profile")?;
        let profile = Profile::from_id(profile_id).ok_or(DecodeError::UnknownTag {
            field: "agg.params.profile",
            tag: u32::from(profile_id),
        })?;
        let round_id = r.read_array("agg.params.round_id")?;
        let dimension = r.read_u32("agg.params.dimension")?;
        let list_len = r.read_u16("agg.params.list_len")?;
        let bits = r.read_u8("agg.params.bits")?;
        let clip = f32::from_bits(r.read_u32("agg.params.clip")?);
        let min_clients = r.read_u32("agg.params.min_clients")?;
        let max_clients = r.read_u32("agg.params.max_clients")?;
        let committee_size = r.read_u16("agg.params.committee_size")?;
        let policy_id = r.read_u8("agg.params.proof_policy")?;
        let proof_policy = ProofPolicy::from_id(policy_id).ok_or(DecodeError::UnknownTag {
            field: "agg.params.proof_policy",
            tag: u32::from(policy_id),
        })?;
        let config = RoundConfig {
            round_id,
            profile,
            dimension,
            list_len,
            bits,
            clip,
            min_clients,
            max_clients,
            committee_size,
            proof_policy,
        };
        RoundParams::new(config).map_err(|_| DecodeError::InvalidValue { field: "agg.params" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceil_log2_values() {
        assert_eq!(ceil_log2(0), 0);
        assert_eq!(ceil_log2(1), 0);
        assert_eq!(ceil_log2(2), 1);
        assert_eq!(ceil_log2(3), 2);
        assert_eq!(ceil_log2(100), 7);
        assert_eq!(ceil_log2(128), 7);
        assert_eq!(ceil_log2(129), 8);
    }

    #[test]
    fn sum_never_wraps() {
        for max_clients in [1u32, 2, 3, 100, 1000, 1 << 20] {
            for bits in MIN_BITS..=MAX_BITS {
                let sum_bits = u32::from(bits) + ceil_log2(max_clients);
                // Each encoded coordinate is at most 2^bits - 1.
                let worst = u128::from(max_clients) * ((1u128 << bits) - 1);
                assert!(worst < 1u128 << sum_bits);
            }
        }
    }

    #[test]
    fn default_round_is_accepted_and_has_margin() {
        let p = RoundParams::new(RoundConfig::new([7; 32], 100_000)).unwrap();
        let b = p.noise_budget();
        assert_eq!(b.sum_bits, 23);
        assert_eq!(b.delta_log2, 40);
        assert!(b.failure_log2 < -64.0, "{b:?}");
        assert!(b.flood_to_noise_log2 > 8.0, "{b:?}");
        assert!(b.flooding_security_bits > 64.0, "{b:?}");
    }

    #[test]
    fn impossible_rounds_are_refused() {
        let mut c = RoundConfig::new([0; 32], 1000);
        c.bits = 24;
        c.max_clients = 1 << 20;
        c.committee_size = 64;
        assert!(matches!(RoundParams::new(c), Err(AggError::InvalidParams(_))));
        let mut c = RoundConfig::new([0; 32], 0);
        assert!(RoundParams::new(c).is_err());
        c.dimension = 10;
        c.clip = f32::NAN;
        assert!(RoundParams::new(c).is_err());
        c.clip = -1.0;
        assert!(RoundParams::new(c).is_err());
        c.clip = 1.0;
        c.min_clients = 101;
        assert!(RoundParams::new(c).is_err());
    }

    #[test]
    fn params_round_trip_and_digest_binds_every_field() {
        let p = RoundParams::new(RoundConfig::new([1; 32], 5000)).unwrap();
        let bytes = p.to_bytes();
        assert_eq!(RoundParams::from_bytes(&bytes).unwrap(), p);
        let mut c = *p.config();
        c.bits = 12;
        assert_ne!(RoundParams::new(c).unwrap().digest(), p.digest());
        let mut bad = bytes.clone();
        bad[0] = 9;
        assert!(RoundParams::from_bytes(&bad).is_err());
    }
}
