//! Round parameters, the parameter profile and the noise budget (`spec/agg.md`, sections 2
//! and 7).
//!
//! A [`RoundParams`] is a validated [`RoundConfig`]: construction fails unless the sum of
//! `max_clients` contributions of `bits` bits cannot wrap, the aggregate always decrypts
//! (every noise term is bounded, and their bounds sum to less than Δ/4), the flooding is at
//! least [`MIN_FLOOD_TO_NOISE_LOG2`] bits above the aggregate's noise and the Rényi argument of
//! `spec/agg.md` leaves at least [`MIN_FLOODING_SECURITY_BITS`] bits for `dimension`
//! coordinates, counting the q floodings of a quorum in the decoding bound and only
//! σ_f/√(n − f) (duplicate decryptions of one set averaged) in the security figures.

use gradseal_core::{Codec, DecodeError, Reader, Writer};

use crate::AggError;
use crate::committee::Committee;
use crate::tags;

/// Largest update dimension a round may have (2^22 coordinates, 32 MiB of bodies).
pub const MAX_DIMENSION: u32 = 1 << 22;
/// Smallest bit width of an encoded coordinate.
pub const MIN_BITS: u8 = 2;
/// Largest bit width of an encoded coordinate.
pub const MAX_BITS: u8 = 24;
/// Fewest contributions any round may decrypt: a "sum" of one is the update itself.
pub const MIN_CLIENTS: u32 = 2;
/// Largest `max_clients` a round may declare.
pub const MAX_CLIENTS: u32 = 1 << 20;
/// Smallest committee: a committee of one would hold every client's secret alone.
pub const MIN_COMMITTEE: u16 = 2;
/// Largest committee.
pub const MAX_COMMITTEE: u16 = 64;
/// Search hardness (bits) assumed for the ideal world of the flooding argument.
pub const SEARCH_HARDNESS_BITS: f64 = 128.0;
/// Fewest bits the Rényi flooding argument must give for a round to be accepted.
pub const MIN_FLOODING_SECURITY_BITS: f64 = 64.0;
/// Smallest accepted log2(flood σ / aggregate σ).
pub const MIN_FLOOD_TO_NOISE_LOG2: f64 = 20.0;
/// Hard bound, in standard deviations, of one flooding sample (the sampler rejects the polar
/// pairs that would exceed 9.42 sigma; half a unit is added for the final rounding).
pub const FLOOD_TAIL_SIGMAS: f64 = 9.5;

/// A parameter profile: ring, modulus, secret and noise distributions of the RLWE encryption.
/// Every profile's values are fixed by this crate, never read from the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Profile {
    /// R_q = Z_q\[X\]/(X^4096 + 1), q = 2^64, a fresh binary secret per client and round,
    /// TUniform(3) encryption noise (σ ≈ 4.64). The Homomorphic Encryption Standard allows
    /// log2 q ≤ 109 at n = 4096 for 128-bit security (`spec/agg.md`, section 8).
    Rlwe4096,
}

impl Profile {
    /// The default profile.
    pub const DEFAULT: Profile = Profile::Rlwe4096;

    /// The one-byte identifier used on the wire (1 was scheme v1's LWE profile, retired).
    pub const fn id(self) -> u8 {
        match self {
            Profile::Rlwe4096 => 2,
        }
    }

    /// The profile with this identifier, if any.
    pub const fn from_id(id: u8) -> Option<Profile> {
        match id {
            2 => Some(Profile::Rlwe4096),
            _ => None,
        }
    }

    /// A short human-readable name.
    pub const fn name(self) -> &'static str {
        match self {
            Profile::Rlwe4096 => "rlwe-n4096-q64-binary-tuniform3",
        }
    }

    /// Ring dimension n: coordinates per polynomial, words per correction.
    pub const fn ring_dimension(self) -> usize {
        match self {
            Profile::Rlwe4096 => 4096,
        }
    }

    /// log2 of the bound of the TUniform encryption noise.
    pub const fn noise_log2_bound(self) -> u32 {
        match self {
            Profile::Rlwe4096 => 3,
        }
    }

    /// Variance of one TUniform(b) sample: (2^(2b+1) + 1) / 6.
    pub fn noise_variance(self) -> f64 {
        let b = self.noise_log2_bound();
        (pow2(2 * b + 1) + 1.0) / 6.0
    }

    /// Builds this profile's NTT plans now. They are built once per process, on first use
    /// otherwise (some 0.45 ms at n = 4096), which a long-lived node would pay inside its
    /// first round. Idempotent; returns whether the ring dimension has plans.
    pub fn prepare(self) -> bool {
        crate::ring::prepare(self.ring_dimension())
    }
}

/// The unvalidated parameters of one round, as announced by the coordinator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoundConfig {
    /// The protocol's identifier of the round (e.g. a hash of the announcement): the public
    /// masks and every seed expansion are derived from the round digest, which binds it.
    pub round_id: [u8; 32],
    /// The parameter profile.
    pub profile: Profile,
    /// Number of coordinates of every update.
    pub dimension: u32,
    /// Bit width B of an encoded coordinate: each is an integer in `[-(2^(B-1)-1), 2^(B-1)-1]`.
    pub bits: u8,
    /// L∞ clipping bound: every coordinate is clamped to `[-clip, clip]` before scaling.
    pub clip: f32,
    /// Fewest contributions a member agrees to decrypt (at least [`MIN_CLIENTS`]).
    pub min_clients: u32,
    /// Most contributions an aggregate may hold; sizes the plaintext modulus and the noise.
    pub max_clients: u32,
    /// Number n of committee members, in [`MIN_COMMITTEE`]..=[`MAX_COMMITTEE`].
    pub committee_size: u16,
    /// Privacy threshold f, in 1..=n − 1: no f members learn anything of a client, and any
    /// q = ⌊(n + f)/2⌋ + 1 members decrypt. f = n − 1 is n-of-n decryption. The parameters
    /// are refused if a client would seal more than [`crate::MAX_SEALED_SEEDS`] seeds.
    pub privacy_threshold: u16,
}

impl RoundConfig {
    /// A configuration with the default profile, 16 bits, clip 1.0, 3..=100 clients and a
    /// committee of 3 with privacy threshold 2 (3-of-3).
    pub fn new(round_id: [u8; 32], dimension: u32) -> Self {
        RoundConfig {
            round_id,
            profile: Profile::DEFAULT,
            dimension,
            bits: 16,
            clip: 1.0,
            min_clients: 3,
            max_clients: 100,
            committee_size: 3,
            privacy_threshold: 2,
        }
    }
}

/// The noise budget of a parameter set, in integers modulo q = 2^64 (`spec/agg.md`, section 7).
///
/// Decoding accepts a coordinate only when its residual is below Δ/4; every noise term is
/// bounded, and the bounds sum to less than Δ/4 (the aggregate's noise and the q floodings of
/// a quorum), so an honest round always decrypts and a garbage coordinate passes with
/// probability 1/2. The security figures use the effective flooding σ_f/√(n − f): up to
/// n − f honest members may decrypt the one set a coalition of f misses, under different
/// quorums, and their floodings average.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoiseBudget {
    /// Bits S of the plaintext modulus t = 2^S (bits + ceil(log2 max_clients)).
    pub sum_bits: u32,
    /// log2 of the scaling factor Δ = q / t.
    pub delta_log2: u32,
    /// Standard deviation of one client's encryption noise.
    pub client_sigma: f64,
    /// Standard deviation of the aggregate's noise Σ_c e_c over `max_clients` clients.
    pub aggregate_sigma: f64,
    /// Hard bound on one coordinate of the aggregate's noise: max_clients · 2^b.
    pub aggregate_bound: u64,
    /// The quorum size q: the number of floodings in a combined decryption.
    pub quorum: u16,
    /// Standard deviation of each member's flooding noise (an integer).
    pub flood_sigma: f64,
    /// σ_f / √(n − f): what is left of the flooding of the set a coalition of f members
    /// misses once the up to n − f honest holders' decryptions of it are averaged.
    pub effective_flood_sigma: f64,
    /// Hard bound on one member's flooding sample (9.5 σ_f).
    pub flood_bound: f64,
    /// The residual a decoded coordinate may have: Δ/4.
    pub decode_bound: u64,
    /// log2(effective_flood_sigma / aggregate_sigma).
    pub flood_to_noise_log2: f64,
    /// Bits of search security left by the Rényi-divergence argument for `dimension`
    /// coordinates, with the effective flooding σ_f/√(n − f).
    pub flooding_security_bits: f64,
}

impl NoiseBudget {
    /// Computes the budget of a parameter set, or says why it is refused.
    ///
    /// # Errors
    /// [`AggError::InvalidParams`] if the noise bounds exceed Δ/4, the flooding is below
    /// [`MIN_FLOOD_TO_NOISE_LOG2`] bits over the noise, or the flooding argument gives fewer
    /// than [`MIN_FLOODING_SECURITY_BITS`] bits.
    pub fn compute(
        profile: Profile,
        bits: u8,
        max_clients: u32,
        committee: &Committee,
        dimension: u32,
    ) -> Result<NoiseBudget, AggError> {
        let sum_bits = u32::from(bits) + ceil_log2(max_clients);
        if sum_bits > 40 {
            return Err(AggError::InvalidParams(
                "bits + log2(max_clients) above 40 leaves no room for flooding",
            ));
        }
        let delta_log2 = 64 - sum_bits;
        let decode_bound = 1u64 << (delta_log2 - 2);
        let client_sigma = profile.noise_variance().sqrt();
        let aggregate_sigma = (f64::from(max_clients) * profile.noise_variance()).sqrt();
        let aggregate_bound = u64::from(max_clients) << profile.noise_log2_bound();
        let quorum = committee.quorum_size();
        // Every term bounded: aggregate_bound + q · 9.5 σ_f + 1 < Δ/4.
        let room = decode_bound as f64 - aggregate_bound as f64 - 2.0;
        let flood_sigma = (room / (f64::from(quorum) * FLOOD_TAIL_SIGMAS)).floor();
        if flood_sigma.is_nan() || flood_sigma < 1.0 {
            return Err(AggError::InvalidParams("aggregate noise exceeds the decoding bound"));
        }
        let duplicates = f64::from(committee.size() - committee.threshold());
        let effective_flood_sigma = flood_sigma / duplicates.sqrt();
        let flood_to_noise_log2 = (effective_flood_sigma / aggregate_sigma).log2();
        if flood_to_noise_log2 < MIN_FLOOD_TO_NOISE_LOG2 {
            return Err(AggError::InvalidParams(
                "flooding is less than 2^20 times the aggregate noise (fewer bits or clients)",
            ));
        }
        let flooding_security_bits =
            flooding_security_bits(aggregate_sigma, effective_flood_sigma, f64::from(dimension));
        if flooding_security_bits < MIN_FLOODING_SECURITY_BITS {
            return Err(AggError::InvalidParams(
                "flooding leaves fewer than 64 bits for this many coordinates",
            ));
        }
        Ok(NoiseBudget {
            sum_bits,
            delta_log2,
            client_sigma,
            aggregate_sigma,
            aggregate_bound,
            quorum,
            flood_sigma,
            effective_flood_sigma,
            flood_bound: FLOOD_TAIL_SIGMAS * flood_sigma,
            decode_bound,
            flood_to_noise_log2,
            flooding_security_bits,
        })
    }
}

/// Bits of search security left after one flooded decryption of `coords` coordinates.
///
/// The real output differs from the simulated one by the aggregate noise e; with Gaussian
/// flooding of deviation σ_f the Rényi divergence of order a is `exp(a ‖e‖² / (2 σ_f²))`, and
/// a search problem of hardness 2^-λ in the simulated world has success at most
/// `(2^-λ · RD_a)^((a-1)/a)` in the real one. With ‖e‖² bounded by Laurent–Massart at 2^-64
/// (`σ_e² (Q + 2√(xQ) + 2x)`, x = 64 ln 2) and γ = log2(e) ‖e‖²/(2σ_f²), the best order
/// a = √(λ/γ) leaves `(√λ - √γ)²` bits.
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
    committee: Committee,
    budget: NoiseBudget,
}

impl RoundParams {
    /// Validates a configuration.
    ///
    /// # Errors
    /// [`AggError::InvalidParams`] naming the first violated rule (ranges of every field,
    /// no wrap of the sum, correct decryption, flooding).
    pub fn new(config: RoundConfig) -> Result<Self, AggError> {
        if config.dimension == 0 || config.dimension > MAX_DIMENSION {
            return Err(AggError::InvalidParams("dimension must be in 1..=2^22"));
        }
        if config.bits < MIN_BITS || config.bits > MAX_BITS {
            return Err(AggError::InvalidParams("bits must be in 2..=24"));
        }
        if !config.clip.is_normal() || config.clip <= 0.0 {
            return Err(AggError::InvalidParams("clip must be a positive normal f32"));
        }
        if config.min_clients < MIN_CLIENTS
            || config.min_clients > config.max_clients
            || config.max_clients > MAX_CLIENTS
        {
            return Err(AggError::InvalidParams("need 2 <= min_clients <= max_clients <= 2^20"));
        }
        let committee = Committee::new(config.committee_size, config.privacy_threshold)?;
        let budget = NoiseBudget::compute(
            config.profile,
            config.bits,
            config.max_clients,
            &committee,
            config.dimension,
        )?;
        let mut w = Writer::new();
        encode_config(&config, &mut w);
        let digest = gradseal_core::hash(tags::ROUND, &[w.as_slice()]);
        Ok(RoundParams { config, digest, committee, budget })
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

    /// The committee: threshold, quorum size, sets, holders and the assignment rule.
    pub fn committee(&self) -> &Committee {
        &self.committee
    }

    /// The ring dimension n.
    pub fn n(&self) -> usize {
        self.config.profile.ring_dimension()
    }

    /// Number L of polynomials an update fills: ceil(dimension / n).
    pub fn poly_count(&self) -> usize {
        self.dimension().div_ceil(self.n())
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

    /// The round's public mask a_i (polynomial `i` of `poly_count()`), expanded from the round
    /// digest.
    pub fn public_mask(&self, i: usize) -> Vec<u64> {
        crate::ring::expand_mask(&self.digest, i, self.n())
    }
}

fn encode_config(c: &RoundConfig, w: &mut Writer) {
    w.put_u8(c.profile.id());
    w.put_bytes(&c.round_id);
    w.put_u32(c.dimension);
    w.put_u8(c.bits);
    w.put_u32(c.clip.to_bits());
    w.put_u32(c.min_clients);
    w.put_u32(c.max_clients);
    w.put_u16(c.committee_size);
    w.put_u16(c.privacy_threshold);
}

/// Wire form (54 bytes): `profile u8 ‖ round_id [32] ‖ dimension u32 ‖ bits u8 ‖
/// clip f32 (IEEE bits, u32) ‖ min_clients u32 ‖ max_clients u32 ‖ committee_size u16 ‖
/// privacy_threshold u16`; decoding validates like [`RoundParams::new`].
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
        let config = RoundConfig {
            round_id: r.read_array("agg.params.round_id")?,
            profile,
            dimension: r.read_u32("agg.params.dimension")?,
            bits: r.read_u8("agg.params.bits")?,
            clip: f32::from_bits(r.read_u32("agg.params.clip")?),
            min_clients: r.read_u32("agg.params.min_clients")?,
            max_clients: r.read_u32("agg.params.max_clients")?,
            committee_size: r.read_u16("agg.params.committee_size")?,
            privacy_threshold: r.read_u16("agg.params.privacy_threshold")?,
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
        for max_clients in [2u32, 3, 100, 1000, 1 << 20] {
            for bits in MIN_BITS..=MAX_BITS {
                let sum_bits = u32::from(bits) + ceil_log2(max_clients);
                let worst = u128::from(max_clients) * ((1u128 << bits) - 1);
                assert!(worst < 1u128 << sum_bits);
            }
        }
    }

    #[test]
    fn default_round_meets_the_flooding_target() {
        let p = RoundParams::new(RoundConfig::new([7; 32], 100_000)).unwrap();
        let b = p.noise_budget();
        assert_eq!((b.sum_bits, b.delta_log2), (23, 41));
        assert_eq!(b.aggregate_bound, 800);
        // The target: flooding σ at least 2^28 times the aggregate's (16 bits, 100
        // clients, k = 3).
        assert!(b.flood_to_noise_log2 >= 28.0, "{b:?}");
        let total = b.aggregate_bound as f64 + 3.0 * b.flood_bound + 1.0;
        assert!(total < b.decode_bound as f64, "{b:?}");
        assert!(b.flooding_security_bits > 127.0, "{b:?}");
    }

    #[test]
    fn impossible_rounds_are_refused() {
        let mut c = RoundConfig::new([0; 32], 1000);
        c.bits = 24;
        c.max_clients = 1 << 20;
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
        for min in [0, 1] {
            c.min_clients = min;
            assert_eq!(
                RoundParams::new(c),
                Err(AggError::InvalidParams("need 2 <= min_clients <= max_clients <= 2^20"))
            );
        }
        c.min_clients = 2;
        c.committee_size = 0;
        assert!(RoundParams::new(c).is_err());
        for (n, f) in [(3, 0), (3, 3), (2, 2), (16, 2)] {
            (c.committee_size, c.privacy_threshold) = (n, f);
            assert!(matches!(RoundParams::new(c), Err(AggError::InvalidParams(_))), "{n} {f}");
        }
        (c.committee_size, c.privacy_threshold) = (5, 2);
        assert_eq!(RoundParams::new(c).unwrap().committee().quorum_size(), 4);
    }

    #[test]
    fn params_round_trip_and_digest_binds_every_field() {
        let p = RoundParams::new(RoundConfig::new([1; 32], 5000)).unwrap();
        let bytes = p.to_bytes();
        assert_eq!(bytes.len(), 54);
        assert_eq!(RoundParams::from_bytes(&bytes).unwrap(), p);
        let base = *p.config();
        let variants: [fn(&mut RoundConfig); 8] = [
            |c| c.round_id[0] ^= 1,
            |c| c.dimension += 1,
            |c| c.bits -= 1,
            |c| c.clip = 2.0,
            |c| c.min_clients += 1,
            |c| c.max_clients += 1,
            |c| c.committee_size += 1,
            |c| c.privacy_threshold -= 1,
        ];
        for change in variants {
            let mut c = base;
            change(&mut c);
            assert_ne!(RoundParams::new(c).unwrap().digest(), p.digest());
        }
        let mut bad = bytes.clone();
        bad[0] = 1;
        assert!(RoundParams::from_bytes(&bad).is_err());
    }
}
