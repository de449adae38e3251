//! Homomorphic summation (`spec/agg.md`, section 5).

use gradseal_core::{Codec, DecodeError, Reader, Writer};

use crate::encrypt::{put_lists, read_lists};
use crate::wire::Shape;
use crate::{AggError, EncryptedUpdate, RoundParams, tags};

/// Words per block when summing many updates: the destination block stays in cache while every
/// update's block streams through.
const BLOCK_WORDS: usize = 1 << 13;

/// The homomorphic sum of `count` encrypted updates.
///
/// Wire form: `shape ‖ count u32 ‖ for each list: n × u64 mask ‖ coords × u64 body`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aggregate {
    pub(crate) shape: Shape,
    pub(crate) count: u32,
    pub(crate) masks: Vec<u64>,
    pub(crate) bodies: Vec<u64>,
}

impl Aggregate {
    /// The empty aggregate (an encryption of zero with zero noise) of the round.
    pub fn new(params: &RoundParams) -> Aggregate {
        Aggregate {
            shape: Shape::of(params),
            count: 0,
            masks: vec![0; params.n() * params.list_count()],
            bodies: vec![0; params.dimension()],
        }
    }

    /// Number of contributions summed.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// Checks profile, round, dimension and list length against the round, and that the count
    /// does not exceed `max_clients`.
    ///
    /// # Errors
    /// Shape errors, [`AggError::TooManyContributions`].
    pub fn check(&self, params: &RoundParams) -> Result<(), AggError> {
        self.shape.check(params)?;
        if self.count > params.config().max_clients {
            return Err(AggError::TooManyContributions { max: params.config().max_clients });
        }
        Ok(())
    }

    /// Adds one contribution. Proofs are not checked here: call
    /// [`verify_update`](crate::verify_update) first when the round requires them.
    ///
    /// # Errors
    /// Shape errors of either value, [`AggError::TooManyContributions`] once `max_clients`
    /// contributions are in (one more could make the sum wrap).
    pub fn add(&mut self, params: &RoundParams, update: &EncryptedUpdate) -> Result<(), AggError> {
        self.check(params)?;
        update.check(params)?;
        if self.count >= params.config().max_clients {
            return Err(AggError::TooManyContributions { max: params.config().max_clients });
        }
        add_assign(&mut self.masks, &update.masks);
        add_assign(&mut self.bodies, &update.bodies);
        self.count += 1;
        Ok(())
    }

    /// `hash(AGGREGATE, [encoding])`: partial decryptions are bound to it.
    pub fn digest(&self) -> [u8; 32] {
        gradseal_core::hash(tags::AGGREGATE, &[&self.to_bytes()])
    }
}

fn add_assign(dst: &mut [u64], src: &[u64]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = d.wrapping_add(*s);
    }
}

/// Sums `sources` into `dst` block by block (each block of `dst` stays in cache).
fn sum_blocks(dst: &mut [u64], offset: usize, sources: &[&[u64]]) {
    for (b, block) in dst.chunks_mut(BLOCK_WORDS).enumerate() {
        let start = offset + b * BLOCK_WORDS;
        for src in sources {
            if let Some(s) = src.get(start..start + block.len()) {
                add_assign(block, s);
            }
        }
    }
}

/// Sums `sources` into `dst` on up to two threads (the machine's cores split the words).
fn sum_parallel(dst: &mut [u64], sources: &[&[u64]]) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(2);
    if threads < 2 || dst.len() < 4 * BLOCK_WORDS {
        sum_blocks(dst, 0, sources);
        return;
    }
    let half = dst.len() / 2;
    let (left, right) = dst.split_at_mut(half);
    std::thread::scope(|scope| {
        scope.spawn(|| sum_blocks(right, half, sources));
        sum_blocks(left, 0, sources);
    });
}

/// Recomputes the aggregate of a list of contributions, so that a committee member (or anyone)
/// can check an aggregator's claim: `recompute_aggregate(accepted) == claimed`.
///
/// # Errors
/// Shape errors of any update, [`AggError::TooManyContributions`].
pub fn recompute_aggregate(
    params: &RoundParams,
    updates: &[EncryptedUpdate],
) -> Result<Aggregate, AggError> {
    let count = u32::try_from(updates.len()).unwrap_or(u32::MAX);
    if count > params.config().max_clients {
        return Err(AggError::TooManyContributions { max: params.config().max_clients });
    }
    for u in updates {
        u.check(params)?;
    }
    let mut agg = Aggregate::new(params);
    let masks: Vec<&[u64]> = updates.iter().map(|u| u.masks.as_slice()).collect();
    let bodies: Vec<&[u64]> = updates.iter().map(|u| u.bodies.as_slice()).collect();
    sum_parallel(&mut agg.masks, &masks);
    sum_parallel(&mut agg.bodies, &bodies);
    agg.count = count;
    Ok(agg)
}

impl Codec for Aggregate {
    fn encode(&self, w: &mut Writer) {
        self.shape.encode(w);
        w.put_u32(self.count);
        put_lists(w, &self.shape, &self.masks, &self.bodies, |_, _| {});
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let shape = Shape::decode(r)?;
        let count = r.read_u32("agg.aggregate.count")?;
        let (masks, bodies) = read_lists(r, &shape, |_, _| Ok(()))?;
        Ok(Aggregate { shape, count, masks, bodies })
    }
}
