//! A client's encryption: bodies under its fresh secret, the public correction and one key
//! seed per set of the committee (`spec/agg.md`, section 4).
//!
//! ```text
//! s ← {0,1}^n                                   fresh per client and round
//! σ_t ← 32 random bytes, r_t = XOF(SEED, round, t, σ_t) ∈ R_q   for each set t < C(n, f)
//! δ = s − Σ_t r_t                                the public correction (n words)
//! b_i[t] = (a_i · s)[t] + e_i[t] + Δ·m[i·n + t],  e_i[t] ← TUniform(3), on the d used coordinates
//! ```

use gradseal_core::{Codec, DecodeError, Reader, Writer};
use rand_core::CryptoRng;
use zeroize::{Zeroize, Zeroizing};

use crate::noise::{fill_binary, fill_tuniform};
use crate::ring::{BinaryOperand, add_seed_expansions, masks, mul_binary};
use crate::wire::{SHAPE_LEN, Shape, put_words, read_words};
use crate::{AggError, EncodedUpdate, RoundParams};

/// Bytes of a key seed.
pub const SEED_LEN: usize = 32;

/// The key seed σ_{c,t} a client makes for set t of the committee: its expansion is the
/// set's share of the client's secret. Secret: zeroized on drop, redacted in `Debug`. It
/// travels signcrypted to each holder of set t (every member outside T_t) only.
pub struct KeySeed {
    set: u16,
    seed: Zeroizing<[u8; SEED_LEN]>,
}

impl KeySeed {
    /// The index t of the set this seed is for.
    pub fn set(&self) -> u16 {
        self.set
    }

    /// The 32 seed bytes, to be signcrypted to the set's holders.
    pub fn to_bytes(&self) -> Zeroizing<[u8; SEED_LEN]> {
        self.seed.clone()
    }

    /// A seed of set `set` from its 32 bytes (after a holder opened its envelope).
    ///
    /// # Errors
    /// [`AggError::Decode`] unless `bytes` is exactly 32 bytes long.
    pub fn from_bytes(set: u16, bytes: &[u8]) -> Result<KeySeed, AggError> {
        let array: [u8; SEED_LEN] = bytes.try_into().map_err(|_| {
            AggError::Decode(if bytes.len() < SEED_LEN {
                DecodeError::Truncated { field: "agg.key_seed" }
            } else {
                DecodeError::TrailingBytes { field: "agg.key_seed", extra: bytes.len() - SEED_LEN }
            })
        })?;
        Ok(KeySeed { set, seed: Zeroizing::new(array) })
    }

    pub(crate) fn bytes(&self) -> &[u8; SEED_LEN] {
        &self.seed
    }
}

/// What member `member` receives of one client's seeds (all sets, in set order): the seeds of
/// the sets it holds, ascending (for tests and the vector generator, which play the
/// protocol's sealing).
#[cfg(any(test, feature = "vectors"))]
pub(crate) fn seeds_for(params: &RoundParams, seeds: &[KeySeed], member: u16) -> Vec<KeySeed> {
    params
        .committee()
        .held_sets(member)
        .into_iter()
        .filter_map(|t| seeds.get(usize::from(t)))
        .map(|s| KeySeed { set: s.set, seed: s.seed.clone() })
        .collect()
}

impl core::fmt::Debug for KeySeed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeySeed").field("set", &self.set).finish_non_exhaustive()
    }
}

/// One client's public contribution: d bodies and the n-word correction.
///
/// Wire form: `shape ‖ d × u64 body ‖ n × u64 correction` (big-endian words), where
/// `shape = profile u8 ‖ round digest [32] ‖ dimension u32`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    pub(crate) shape: Shape,
    pub(crate) bodies: Vec<u64>,
    pub(crate) correction: Vec<u64>,
}

impl Contribution {
    /// Checks profile, round and dimension against the round.
    ///
    /// # Errors
    /// [`AggError::WrongProfile`], [`AggError::WrongRound`], [`AggError::DimensionMismatch`].
    pub fn check(&self, params: &RoundParams) -> Result<(), AggError> {
        self.shape.check(params)
    }

    /// The bodies b, one word per coordinate.
    pub fn bodies(&self) -> &[u64] {
        &self.bodies
    }

    /// The public correction δ = s − Σ_t r_t.
    pub fn correction(&self) -> &[u64] {
        &self.correction
    }

    /// Builds a contribution from raw words, for adversarial tests and tools; nothing makes
    /// such a value decrypt unless it was made by [`encrypt`].
    ///
    /// # Errors
    /// [`AggError::DimensionMismatch`] if the lengths differ from the round's d and n.
    pub fn from_parts(
        params: &RoundParams,
        bodies: Vec<u64>,
        correction: Vec<u64>,
    ) -> Result<Contribution, AggError> {
        for (expected, got) in [(params.dimension(), bodies.len()), (params.n(), correction.len())]
        {
            if expected != got {
                return Err(AggError::DimensionMismatch {
                    expected: expected as u64,
                    got: got as u64,
                });
            }
        }
        Ok(Contribution { shape: Shape::of(params), bodies, correction })
    }
}

impl Codec for Contribution {
    fn encode(&self, w: &mut Writer) {
        self.shape.encode(w);
        put_words(w, &self.bodies);
        put_words(w, &self.correction);
    }

    fn encoded_len_hint(&self) -> usize {
        SHAPE_LEN + 8 * (self.bodies.len() + self.correction.len())
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let shape = Shape::decode(r)?;
        let bodies = read_words(r, "agg.contribution.bodies", shape.dimension())?;
        let correction = read_words(r, "agg.contribution.correction", shape.n())?;
        Ok(Contribution { shape, bodies, correction })
    }
}

/// Encrypts an encoded update: the public contribution and one key seed per set of the
/// committee, in set order (index t for set t; the caller seals seed t to every member of
/// [`crate::Committee::holders`]`(t)`). Randomness is drawn in this order: the secret (n/64
/// words, bit t of word w is coefficient 64w + t), the C(n, f) seeds (32 bytes each), then
/// the noise of every polynomial's used coordinates in order (12 samples per word, low bits
/// first, a fresh word at the start of each polynomial).
///
/// # Errors
/// [`AggError::DimensionMismatch`] if the update was encoded for another dimension.
pub fn encrypt<R: CryptoRng + ?Sized>(
    params: &RoundParams,
    update: &EncodedUpdate,
    rng: &mut R,
) -> Result<(Contribution, Vec<KeySeed>), AggError> {
    if update.len() != params.dimension() {
        return Err(AggError::DimensionMismatch {
            expected: params.dimension() as u64,
            got: update.len() as u64,
        });
    }
    let n = params.n();
    let round = params.digest();
    let mut secret = Zeroizing::new(vec![0u64; n]);
    fill_binary(rng, &mut secret);
    let seeds: Vec<KeySeed> = (0..params.committee().set_count())
        .map(|set| {
            let mut seed = Zeroizing::new([0u8; SEED_LEN]);
            rng.fill_bytes(seed.as_mut());
            KeySeed { set, seed }
        })
        .collect();
    let mut shares = Zeroizing::new(vec![0u64; n]);
    let list: Vec<(u16, &[u8; SEED_LEN])> = seeds.iter().map(|s| (s.set, s.bytes())).collect();
    add_seed_expansions(&mut shares, round, &list);
    let correction: Vec<u64> =
        secret.iter().zip(shares.iter()).map(|(s, r)| s.wrapping_sub(*r)).collect();
    let bodies = encrypt_bodies(params, &secret, update, rng);
    Ok((Contribution { shape: Shape::of(params), bodies, correction }, seeds))
}

/// b_i[t] = (a_i · s)[t] + e + Δ·m on the used coordinates of every polynomial.
fn encrypt_bodies<R: CryptoRng + ?Sized>(
    params: &RoundParams,
    secret: &[u64],
    update: &EncodedUpdate,
    rng: &mut R,
) -> Vec<u64> {
    let n = params.n();
    let delta_log2 = params.delta_log2();
    let log2_bound = params.profile().noise_log2_bound();
    let mut bodies = vec![0u64; params.dimension()];
    let mut product = Zeroizing::new(vec![0u64; n]);
    let masks = masks(params.digest(), n, params.dimension().div_ceil(n));
    // The secret is transformed once for every polynomial (n = 4096; tfhe's product, which
    // transforms it again each time, otherwise).
    let operand = BinaryOperand::new(secret);
    let mut scratch = operand.as_ref().map(BinaryOperand::scratch);
    for ((out, values), mask) in bodies.chunks_mut(n).zip(update.values.chunks(n)).zip(masks) {
        match (&operand, &mut scratch) {
            (Some(op), Some(scratch)) => op.mul(&mut product, &mask, scratch),
            _ => mul_binary(&mut product, &mask, secret),
        }
        fill_tuniform(rng, out, log2_bound);
        for ((b, p), m) in out.iter_mut().zip(product.iter()).zip(values) {
            *b = b.wrapping_add(*p).wrapping_add(m << delta_log2);
        }
    }
    product.zeroize();
    bodies
}
