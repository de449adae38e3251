//! Decoding: screen, verify, rebuild, confirm (`spec/shard.md`, "Decoding").

use crate::encode::coder;
use crate::hashing::{self, Digest, Tree};
use crate::layout::Layout;
use crate::manifest::Manifest;
use crate::par;
use crate::shard::{ShardRef, VerifiedShard};
use crate::{ShardError, ShardRejection};
use gradseal_core::DecodeError;
use reed_solomon_erasure::galois_8::ReedSolomon;

/// One received item that was not used, named by its position in the decoder's input so
/// the caller can blame the relay that delivered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejected {
    /// Position in the input list.
    pub position: usize,
    /// The index the item claimed, if it parsed.
    pub index: Option<u16>,
    /// Why it was not used.
    pub reason: ShardRejection,
}

/// What the decoder saw, besides the payload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecodeReport {
    /// Indices (ascending) for which no valid shard was received.
    pub missing: Vec<u16>,
    /// Indices below `k + m` (ascending, each once) for which at least one received copy
    /// was rejected.
    pub invalid: Vec<u16>,
    /// Every rejected input item, each once, sorted by input position (whatever stage
    /// rejected it: screening, verification or the duplicate comparison).
    pub rejected: Vec<Rejected>,
    /// Exact copies of an already verified shard (harmless, ignored).
    pub duplicates: usize,
}

impl DecodeReport {
    fn reject(&mut self, position: usize, index: Option<u16>, reason: ShardRejection) {
        self.rejected.push(Rejected { position, index, reason });
    }
}

/// A rebuilt payload and the report of what was received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The payload committed by the manifest, exactly.
    pub payload: Vec<u8>,
    /// Missing and rejected shards.
    pub report: DecodeReport,
}

/// Rebuilds the payload from shards in any order, with duplicates, missing and bad ones.
///
/// Every shard is checked against the manifest before use; any `k` valid ones rebuild the
/// payload; the rebuilt codeword is then confirmed against every other valid shard (byte
/// comparison) and against the root (the missing shards are hashed), so the payload
/// returned is the one the manifest commits to, or none is returned.
///
/// # Errors
/// [`ShardError::NotEnoughShards`] (with the report) if fewer than `k` distinct indices
/// have a valid shard; [`ShardError::Inconsistent`] (no report) if the manifest's issuer
/// committed to shards that are not one codeword or have non-zero padding.
pub fn decode<'a, I>(manifest: &Manifest, shards: I) -> Result<Decoded, ShardError>
where
    I: IntoIterator<Item = ShardRef<'a>>,
{
    decode_items(manifest, shards.into_iter().map(Ok).collect(), Vec::new())
}

/// As [`decode`], rebuilding into `buffer` (for instance the payload of an earlier call):
/// a receiver decoding one payload after another avoids faulting in fresh memory for each
/// output. Every byte of the buffer that ends up in the payload is overwritten.
///
/// # Errors
/// As [`decode`].
pub fn decode_reusing<'a, I>(
    manifest: &Manifest,
    shards: I,
    buffer: Vec<u8>,
) -> Result<Decoded, ShardError>
where
    I: IntoIterator<Item = ShardRef<'a>>,
{
    decode_items(manifest, shards.into_iter().map(Ok).collect(), buffer)
}

/// As [`decode`], from encoded shards as received; items that do not parse are reported
/// as [`ShardRejection::Malformed`].
///
/// # Errors
/// As [`decode`].
pub fn decode_bytes<B: AsRef<[u8]>>(
    manifest: &Manifest,
    items: &[B],
) -> Result<Decoded, ShardError> {
    decode_items(manifest, items.iter().map(|b| ShardRef::parse(b.as_ref())).collect(), Vec::new())
}

/// As [`decode_reusing`], from shards the caller already checked one by one
/// ([`crate::Manifest::verify_owned`], the relay check): step 2 of the decoder (hashing each
/// index's first candidate) is not repeated, every other step is, so the payload returned
/// is again the one the manifest commits to (the rebuilt codeword is confirmed against the
/// root). A shard checked against another manifest is rejected as
/// [`ShardRejection::NotAuthentic`]; later copies of an index are duplicates or
/// [`ShardRejection::ConflictingDuplicate`], as in [`decode`]. Positions in the report are
/// positions in `shards`.
///
/// # Errors
/// As [`decode`].
pub fn decode_verified<'a, I>(
    manifest: &Manifest,
    shards: I,
    buffer: Vec<u8>,
) -> Result<Decoded, ShardError>
where
    I: IntoIterator<Item = &'a VerifiedShard>,
{
    let mut report = DecodeReport::default();
    let mut valid: Vec<Valid<'a>> = vec![None; manifest.layout().n()];
    for (pos, v) in shards.into_iter().enumerate() {
        let index = v.index();
        let parts = v.parts().filter(|_| v.manifest() == manifest);
        match (parts, valid.get_mut(usize::from(index))) {
            (Some((s, leaf)), Some(slot)) => match slot {
                None => *slot = Some((s, leaf)),
                Some((first, _)) if *first == s => report.duplicates += 1,
                Some(_) => report.reject(pos, Some(index), ShardRejection::ConflictingDuplicate),
            },
            _ => report.reject(pos, Some(index), ShardRejection::NotAuthentic),
        }
    }
    finish(manifest, valid, report, buffer)
}

/// A verified shard and its leaf.
type Valid<'a> = Option<(ShardRef<'a>, Digest)>;

fn decode_items<'a>(
    manifest: &Manifest,
    items: Vec<Result<ShardRef<'a>, DecodeError>>,
    buffer: Vec<u8>,
) -> Result<Decoded, ShardError> {
    let layout = *manifest.layout();
    let n = layout.n();
    let mut report = DecodeReport::default();
    let mut candidates: Vec<Vec<(usize, ShardRef<'a>)>> = vec![Vec::new(); n];
    for (pos, item) in items.into_iter().enumerate() {
        match item {
            Err(e) => report.reject(pos, None, ShardRejection::Malformed(e)),
            Ok(s) => match (manifest.screen(&s), candidates.get_mut(usize::from(s.index()))) {
                (Ok(()), Some(list)) => list.push((pos, s)),
                (Err(r), _) => report.reject(pos, Some(s.index()), r),
                (Ok(()), None) => {
                    report.reject(pos, Some(s.index()), ShardRejection::IndexOutOfRange)
                }
            },
        }
    }
    let valid = verify_candidates(manifest, &candidates, &mut report);
    finish(manifest, valid, report, buffer)
}

/// Steps 3-6 of the decoder, from the verified shard (and leaf) of each index.
fn finish(
    manifest: &Manifest,
    valid: Vec<Valid<'_>>,
    mut report: DecodeReport,
    buffer: Vec<u8>,
) -> Result<Decoded, ShardError> {
    let layout = *manifest.layout();
    let n = layout.n();
    // Screening, verification rounds and duplicate comparison reject in that order; the
    // report lists items by input position (each item is rejected at most once).
    report.rejected.sort_by_key(|r| r.position);
    report.missing = valid
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_none())
        .filter_map(|(i, _)| u16::try_from(i).ok())
        .collect();
    let mut invalid: Vec<u16> =
        report.rejected.iter().filter_map(|r| r.index).filter(|&i| usize::from(i) < n).collect();
    invalid.sort_unstable();
    invalid.dedup();
    report.invalid = invalid;

    let valid_count = valid.iter().filter(|v| v.is_some()).count();
    if valid_count < layout.k {
        return Err(ShardError::NotEnoughShards {
            valid: valid_count,
            needed: layout.k,
            report: Box::new(report),
        });
    }
    let payload = rebuild(manifest, &layout, &valid, buffer)?;
    Ok(Decoded { payload, report })
}

/// Verifies one candidate per index at a time (the first received, then the next if it
/// failed), hashing on all cores; later exact copies of a verified shard are compared,
/// not hashed.
fn verify_candidates<'a>(
    manifest: &Manifest,
    candidates: &[Vec<(usize, ShardRef<'a>)>],
    report: &mut DecodeReport,
) -> Vec<Valid<'a>> {
    let layout = manifest.layout();
    let header = manifest.header();
    let mut valid: Vec<Valid<'a>> = vec![None; candidates.len()];
    // Per index, how many of its candidates have been hashed.
    let mut next = vec![0usize; candidates.len()];
    loop {
        // Per index still without a valid shard, its next candidate and where to record it.
        let mut batch = Vec::new();
        for (i, ((list, slot), tried)) in
            candidates.iter().zip(valid.iter_mut()).zip(next.iter_mut()).enumerate()
        {
            if slot.is_none()
                && let Some(&(pos, s)) = list.get(*tried)
            {
                *tried += 1;
                batch.push((i, pos, s, slot));
            }
        }
        if batch.is_empty() {
            break;
        }
        let jobs: Vec<(usize, &[u8])> = batch.iter().map(|&(i, _, s, _)| (i, s.data())).collect();
        let digests = hashing::shard_chunk_digests(layout, &jobs);
        for ((i, pos, s, slot), d) in batch.into_iter().zip(digests) {
            let leaf = hashing::leaf(&header, i, &d);
            if manifest.proof_matches(&s, leaf) {
                *slot = Some((s, leaf));
            } else {
                report.reject(pos, Some(s.index()), ShardRejection::NotAuthentic);
            }
        }
    }
    for ((list, v), &tried) in candidates.iter().zip(&valid).zip(&next) {
        if let Some((v, _)) = *v {
            for &(pos, s) in list.iter().skip(tried) {
                if s == v {
                    report.duplicates += 1;
                } else {
                    report.reject(pos, Some(s.index()), ShardRejection::ConflictingDuplicate);
                }
            }
        }
    }
    valid
}

/// Rebuilds the padded payload from the first `k` valid shards, confirms the codeword and
/// the root, checks and strips the padding.
fn rebuild(
    manifest: &Manifest,
    layout: &Layout,
    valid: &[Valid<'_>],
    mut payload: Vec<u8>,
) -> Result<Vec<u8>, ShardError> {
    let n = layout.n();
    // The first `k` valid shards.
    let mut to_choose = layout.k;
    let chosen: Vec<bool> = valid
        .iter()
        .map(|v| {
            let pick = v.is_some() && to_choose > 0;
            to_choose -= usize::from(pick);
            pick
        })
        .collect();
    let shards: Vec<Option<&[u8]>> = valid.iter().map(|v| v.map(|(s, _)| s.data())).collect();
    let missing: Vec<usize> =
        valid.iter().enumerate().filter(|(_, v)| v.is_none()).map(|(i, _)| i).collect();
    let rs = coder(layout)?;
    let len = layout.len_usize()?;
    let padded = layout.stripes * layout.stripe_payload();
    if payload.capacity() < padded {
        payload = vec![0u8; padded];
    } else {
        // Recycled: every byte below `padded` is written by the rebuild (chosen data
        // chunks copied, the others reconstructed), so it is not cleared first.
        payload.resize(padded, 0);
        payload.truncate(padded);
    }

    let t = par::workers(n * layout.shard_size, layout.stripes);
    let mut parts = Vec::with_capacity(t);
    let mut rest = payload.as_mut_slice();
    for r in par::ranges(layout.stripes, t) {
        let (head, tail) = rest
            .split_at_mut_checked(r.len() * layout.stripe_payload())
            .ok_or(ShardError::Coding)?;
        parts.push((r.start, head));
        rest = tail;
    }
    let ctx =
        Ctx { layout, rs: rs.as_deref(), shards: &shards, chosen: &chosen, missing: &missing };
    let jobs: Vec<_> =
        parts.into_iter().map(|(s0, part)| move || ctx.rebuild_range(s0, part)).collect();
    let mut missing_digests: Vec<Vec<Digest>> = missing.iter().map(|_| Vec::new()).collect();
    for part in par::run_all(jobs) {
        for (dst, src) in missing_digests.iter_mut().zip(part?) {
            dst.extend(src);
        }
    }

    // Confirm: the rebuilt missing shards, with the verified ones, must give the root.
    let header = manifest.header();
    // `missing_digests` follows `missing`: the indices without a valid shard, ascending.
    let mut rebuilt = missing_digests.iter();
    let leaves: Vec<Digest> = valid
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Some((_, l)) => *l,
            None => rebuilt.next().map(|d| hashing::leaf(&header, i, d)).unwrap_or_default(),
        })
        .collect();
    if Tree::build(leaves, layout.depth()).root() != *manifest.root() {
        return Err(ShardError::Inconsistent);
    }
    if payload.get(len..).is_some_and(|pad| pad.iter().any(|&x| x != 0)) {
        return Err(ShardError::Inconsistent);
    }
    payload.truncate(len);
    Ok(payload)
}

/// What every rebuild worker shares.
#[derive(Clone, Copy)]
struct Ctx<'c> {
    layout: &'c Layout,
    rs: Option<&'c ReedSolomon>,
    shards: &'c [Option<&'c [u8]>],
    chosen: &'c [bool],
    missing: &'c [usize],
}

impl Ctx<'_> {
    /// Rebuilds the stripes `s0 ..` into `part` (whole stripes of the padded payload).
    /// Returns the chunk digests of the missing shards, or `Inconsistent` if a rebuilt
    /// chunk differs from a verified shard.
    fn rebuild_range(&self, s0: usize, part: &mut [u8]) -> Result<Vec<Vec<Digest>>, ShardError> {
        let Ctx { layout, rs, shards, chosen, missing } = *self;
        let c = layout.stripe;
        let mut scratch = vec![0u8; layout.m * c];
        let count = part.len() / layout.stripe_payload();
        let mut digests: Vec<Vec<Digest>> =
            missing.iter().map(|_| Vec::with_capacity(count)).collect();
        for (local, stripe) in part.chunks_exact_mut(layout.stripe_payload()).enumerate() {
            let s = s0 + local;
            let off = s * c;
            // The stripe's `n` chunks: `k` data chunks in the payload, `m` parity chunks in
            // the scratch buffer, each flagged present if its shard was chosen.
            let mut entries: Vec<(&mut [u8], bool)> = stripe
                .chunks_exact_mut(c)
                .chain(scratch.chunks_exact_mut(c))
                .zip(chosen.iter().copied())
                .collect();
            for ((dst, present), src) in entries.iter_mut().zip(shards) {
                if *present {
                    let src = src.and_then(|d| d.get(off..off + c)).ok_or(ShardError::Coding)?;
                    dst.copy_from_slice(src);
                }
            }
            if let Some(rs) = rs {
                rs.reconstruct(&mut entries).map_err(|_| ShardError::Coding)?;
            }
            let mut rebuilt: Vec<(usize, usize, &[u8])> = Vec::with_capacity(missing.len());
            // `reconstruct` may set the flags, so the choice is read from `chosen`.
            for (i, (((chunk, _), &was_chosen), shard)) in
                entries.into_iter().zip(chosen).zip(shards).enumerate()
            {
                if was_chosen {
                    continue;
                }
                let chunk: &[u8] = chunk;
                match *shard {
                    Some(d) if d.get(off..off + c) != Some(chunk) => {
                        return Err(ShardError::Inconsistent);
                    }
                    Some(_) => {}
                    None => rebuilt.push((i, s, chunk)),
                }
            }
            for (dg, d) in digests.iter_mut().zip(hashing::chunk_digests(&rebuilt)) {
                dg.push(d);
            }
        }
        Ok(digests)
    }
}
