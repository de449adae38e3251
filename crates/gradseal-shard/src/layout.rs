//! Coding parameters and the striped layout derived from them (`spec/shard.md`, "Layout").
//!
//! A payload of `L` bytes is cut into stripes of `k · C` bytes (the last one zero-padded);
//! stripe `s` is split into `k` data chunks of `C` bytes, Reed-Solomon adds `m` parity
//! chunks, and shard `i` is the concatenation of chunk `i` of every stripe. So every shard
//! has `stripes · C` bytes and an encoder or decoder working stripe by stripe needs only
//! `(k + m) · C` bytes of working memory besides its input and output.

use crate::ShardError;
use gradseal_core::DecodeError;

/// Largest `k + m` (GF(2^8) has 256 evaluation points).
pub const MAX_SHARDS: usize = 256;
/// Largest stripe size `C` (bytes of one shard per stripe) a manifest may claim.
pub const MAX_STRIPE_SIZE: u32 = 1 << 20;
/// The stripe size the encoder aims below unless told otherwise.
pub const DEFAULT_MAX_STRIPE_SIZE: u32 = 64 << 10;
/// Largest payload a manifest may claim (1 TiB).
pub const MAX_PAYLOAD_LEN: u64 = 1 << 40;
/// Largest shard a manifest may claim (the shard's length prefix is a `u32`).
pub const MAX_SHARD_SIZE: u64 = u32::MAX as u64;
/// Largest inclusion proof: the tree over at most 256 leaves has depth 8.
pub const MAX_PROOF_LEN: usize = 8;

/// Smallest stripe the encoder picks when it splits a payload for parallelism.
const MIN_SPLIT_STRIPE: u64 = 4096;
/// The encoder aims at this many stripes so both cores get work on mid-sized payloads.
const TARGET_STRIPES: u64 = 8;

/// What the encoder is asked to produce: `k` data and `m` parity shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    k: u16,
    m: u16,
    max_stripe: u32,
}

impl Params {
    /// `k` data shards (at least 1) and `m` parity shards (`k + m ≤ 256`; `m = 0` is
    /// allowed and gives plain authenticated splitting).
    ///
    /// # Errors
    /// [`ShardError::InvalidParams`] if `k = 0` or `k + m > 256`.
    pub fn new(k: u16, m: u16) -> Result<Self, ShardError> {
        if k == 0 {
            return Err(ShardError::InvalidParams("k must be at least 1"));
        }
        if usize::from(k) + usize::from(m) > MAX_SHARDS {
            return Err(ShardError::InvalidParams("k + m must be at most 256"));
        }
        Ok(Self { k, m, max_stripe: DEFAULT_MAX_STRIPE_SIZE })
    }

    /// Caps the stripe size `C` (default [`DEFAULT_MAX_STRIPE_SIZE`]). The encoder's
    /// working memory is `(k + m) · C` bytes per thread.
    ///
    /// # Errors
    /// [`ShardError::InvalidParams`] if `max_stripe` is 0 or above [`MAX_STRIPE_SIZE`].
    pub fn with_max_stripe_size(mut self, max_stripe: u32) -> Result<Self, ShardError> {
        if max_stripe == 0 || max_stripe > MAX_STRIPE_SIZE {
            return Err(ShardError::InvalidParams("stripe size must be in 1..=2^20"));
        }
        self.max_stripe = max_stripe;
        Ok(self)
    }

    /// Number of data shards.
    pub fn data_shards(&self) -> u16 {
        self.k
    }

    /// Number of parity shards.
    pub fn parity_shards(&self) -> u16 {
        self.m
    }
}

/// The validated shape of one encoded payload (the manifest minus its root).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) len: u64,
    pub(crate) k: usize,
    pub(crate) m: usize,
    pub(crate) stripe: usize,
    pub(crate) stripes: usize,
    pub(crate) shard_size: usize,
}

fn div_ceil(a: u64, b: u64) -> u64 {
    a.div_ceil(b)
}

/// The largest stripe the encoder picks for `P` bytes per data shard, whatever its cap:
/// `max(4096, ⌈P/8⌉)`.
fn split_stripe_bound(per_shard: u64) -> u64 {
    div_ceil(per_shard, TARGET_STRIPES).max(MIN_SPLIT_STRIPE)
}

/// Whether a non-empty payload's stripe size is one the encoder produces for some cap
/// `c_max` in `1..=2^20` (`spec/shard.md` §1): balanced (`C = ⌈P / ⌈P/C⌉⌉`, i.e. the
/// smallest stripe giving its number of stripes, so each shard has fewer than `S` bytes of
/// padding) and at most `max(4096, ⌈P/8⌉)`, with `P = ⌈L/k⌉`. Exactly the encoder's
/// choices: it picks `C = ⌈P/⌈P/t⌉⌉` with `t ≤ max(4096, ⌈P/8⌉)`, which is balanced and at
/// most `t`; and a balanced `C` in range is what it picks for `c_max = C`.
fn stripe_is_canonical(len: u64, k: u64, stripe: u64) -> bool {
    let per_shard = div_ceil(len, k);
    stripe <= split_stripe_bound(per_shard)
        && div_ceil(per_shard, div_ceil(per_shard, stripe)) == stripe
}

/// `max(1, ceil(len / (k · stripe)))`.
fn stripe_count(len: u64, k: u64, stripe: u64) -> u64 {
    div_ceil(len, k * stripe).max(1)
}

impl Layout {
    /// The layout the encoder uses for a payload of `len` bytes.
    pub(crate) fn choose(params: &Params, len: usize) -> Result<Self, ShardError> {
        let len64 = len as u64;
        if len64 > MAX_PAYLOAD_LEN {
            return Err(ShardError::PayloadTooLarge { len: len64 });
        }
        let k = u64::from(params.k);
        let stripe = if len64 == 0 {
            1
        } else {
            let per_shard = div_ceil(len64, k);
            let target =
                split_stripe_bound(per_shard).min(u64::from(params.max_stripe)).min(per_shard);
            // Balance the stripes so the padding is less than one byte per data chunk.
            div_ceil(per_shard, div_ceil(per_shard, target))
        };
        let stripes = stripe_count(len64, k, stripe);
        let shard_size = stripes * stripe;
        if shard_size > MAX_SHARD_SIZE {
            return Err(ShardError::PayloadTooLarge { len: len64 });
        }
        Self::from_header(len64, params.k, params.m, stripe, shard_size)
            .map_err(|_| ShardError::PayloadTooLarge { len: len64 })
    }

    /// Validates a manifest's claims; every later size computation relies on these checks.
    pub(crate) fn from_header(
        len: u64,
        k: u16,
        m: u16,
        stripe: u64,
        shard_size: u64,
    ) -> Result<Self, DecodeError> {
        if k == 0 {
            return Err(DecodeError::InvalidValue { field: "manifest.k" });
        }
        if usize::from(k) + usize::from(m) > MAX_SHARDS {
            return Err(DecodeError::InvalidValue { field: "manifest.m" });
        }
        if len > MAX_PAYLOAD_LEN {
            return Err(DecodeError::LengthTooLarge {
                field: "manifest.payload_len",
                len,
                max: MAX_PAYLOAD_LEN,
            });
        }
        if stripe == 0 || stripe > u64::from(MAX_STRIPE_SIZE) {
            return Err(DecodeError::InvalidValue { field: "manifest.stripe_size" });
        }
        if len == 0 && stripe != 1 {
            return Err(DecodeError::NonCanonical { field: "manifest.stripe_size" });
        }
        if len > 0 && !stripe_is_canonical(len, u64::from(k), stripe) {
            return Err(DecodeError::NonCanonical { field: "manifest.stripe_size" });
        }
        // len ≤ 2^40, k ≤ 256, stripe ≤ 2^20: no product below overflows a u64.
        let stripes = stripe_count(len, u64::from(k), stripe);
        let expected = stripes * stripe;
        if shard_size != expected {
            return Err(DecodeError::LengthMismatch {
                field: "manifest.shard_size",
                len: shard_size,
                expected,
            });
        }
        if shard_size > MAX_SHARD_SIZE {
            return Err(DecodeError::LengthTooLarge {
                field: "manifest.shard_size",
                len: shard_size,
                max: MAX_SHARD_SIZE,
            });
        }
        let too_big =
            |field| DecodeError::LengthTooLarge { field, len: shard_size, max: MAX_SHARD_SIZE };
        Ok(Self {
            len,
            k: usize::from(k),
            m: usize::from(m),
            stripe: usize::try_from(stripe).map_err(|_| too_big("manifest.stripe_size"))?,
            stripes: usize::try_from(stripes).map_err(|_| too_big("manifest.shard_size"))?,
            shard_size: usize::try_from(shard_size).map_err(|_| too_big("manifest.shard_size"))?,
        })
    }

    /// `k + m`.
    pub(crate) fn n(&self) -> usize {
        self.k + self.m
    }

    /// Depth of the Merkle tree: `ceil(log2(k + m))`.
    pub(crate) fn depth(&self) -> usize {
        let mut d = 0;
        while (1usize << d) < self.n() {
            d += 1;
        }
        d
    }

    /// Bytes of one stripe of payload: `k · C`.
    pub(crate) fn stripe_payload(&self) -> usize {
        self.k * self.stripe
    }

    /// The payload length as `usize` (fails on targets where it does not fit).
    pub(crate) fn len_usize(&self) -> Result<usize, ShardError> {
        usize::try_from(self.len).map_err(|_| ShardError::PayloadTooLarge { len: self.len })
    }
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)]
mod tests {
    use super::*;

    #[test]
    fn encoder_layouts_validate() {
        for k in [1u16, 2, 3, 4, 10, 32, 255] {
            let p = Params::new(k, 256 - k).unwrap();
            for len in [0usize, 1, 2, 7, 4095, 4096, 65_536, 1 << 20, (1 << 20) + 3, 10_000_019] {
                let l = Layout::choose(&p, len).unwrap();
                let back =
                    Layout::from_header(l.len, k, 256 - k, l.stripe as u64, l.shard_size as u64)
                        .unwrap();
                assert_eq!(l, back);
                // Padding is under one byte per data chunk per stripe, plus under one byte per data shard.
                let padded = l.stripes * l.stripe_payload();
                assert!(padded >= len);
                assert!(padded - len < l.k * (l.stripes + 1));
                assert!(l.stripe as u32 <= DEFAULT_MAX_STRIPE_SIZE);
            }
        }
    }

    #[test]
    fn params_bounds() {
        assert!(Params::new(0, 1).is_err());
        assert!(Params::new(1, 255).is_ok());
        assert!(Params::new(2, 255).is_err());
        assert!(Params::new(1, 0).unwrap().with_max_stripe_size(0).is_err());
        assert!(Params::new(1, 0).unwrap().with_max_stripe_size(MAX_STRIPE_SIZE + 1).is_err());
    }

    /// The decoder accepts exactly the stripe sizes the encoder picks for some cap.
    #[test]
    fn canonical_stripes_are_the_encoders() {
        for k in [1u16, 3, 10] {
            for len in [1usize, 100, 4097 * 3, 40_000, 100_003, 1 << 20] {
                let per_shard = (len as u64).div_ceil(u64::from(k));
                let mut produced = std::collections::BTreeSet::new();
                for cap in (1..=per_shard.min(20_000)).chain([65_536, 1 << 20]) {
                    let p = Params::new(k, 1).unwrap().with_max_stripe_size(cap as u32).unwrap();
                    produced.insert(Layout::choose(&p, len).unwrap().stripe as u64);
                }
                for c in 1..=per_shard.min(20_000) {
                    let canonical = stripe_is_canonical(len as u64, u64::from(k), c);
                    assert_eq!(canonical, produced.contains(&c), "k {k}, len {len}, C {c}");
                }
            }
        }
    }

    #[test]
    fn header_rejections() {
        assert!(Layout::from_header(0, 1, 0, 1, 1).is_ok());
        assert!(Layout::from_header(0, 1, 0, 2, 2).is_err());
        assert!(Layout::from_header(10, 0, 1, 1, 10).is_err());
        assert!(Layout::from_header(10, 200, 57, 1, 1).is_err());
        assert!(Layout::from_header(10, 2, 1, 5, 6).is_err());
        assert!(Layout::from_header(MAX_PAYLOAD_LEN + 1, 1, 0, 1 << 20, 0).is_err());
        // 1 TiB at k = 1 would need 1 TiB shards.
        assert!(Layout::from_header(MAX_PAYLOAD_LEN, 1, 0, 1 << 20, MAX_PAYLOAD_LEN).is_err());
    }
}
