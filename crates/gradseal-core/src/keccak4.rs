//! Four TurboSHAKE128 instances in lockstep on AVX2 (x86-64-v3), through `pulp`'s safe
//! SIMD types: the chunk digests of one stripe have equal lengths, so four of them are
//! absorbed at once. The output is bit-for-bit TurboSHAKE128 (RFC 9861), checked against
//! the `turboshake` crate by the tests; this module only makes it faster.
//!
//! Used by [`crate::bulk`] and by gradseal-shard's chunk digests; x86-64 only (elsewhere
//! callers use the portable `turboshake` crate).

// Every index below is a constant bounded by the Keccak state (25 lanes) or the rate.
#![allow(clippy::indexing_slicing)]

pub use pulp::x86::V3;
use pulp::{NullaryFnOnce, u64x4};

/// Keccak round constants; Keccak-p[1600, 12] uses the last 12.
const RC: [u64; 24] = [
    0x0000_0000_0000_0001,
    0x0000_0000_0000_8082,
    0x8000_0000_0000_808A,
    0x8000_0000_8000_8000,
    0x0000_0000_0000_808B,
    0x0000_0000_8000_0001,
    0x8000_0000_8000_8081,
    0x8000_0000_0000_8009,
    0x0000_0000_0000_008A,
    0x0000_0000_0000_0088,
    0x0000_0000_8000_8009,
    0x0000_0000_8000_000A,
    0x0000_0000_8000_808B,
    0x8000_0000_0000_008B,
    0x8000_0000_0000_8089,
    0x8000_0000_0000_8003,
    0x8000_0000_0000_8002,
    0x8000_0000_0000_0080,
    0x0000_0000_0000_800A,
    0x8000_0000_8000_000A,
    0x8000_0000_8000_8081,
    0x8000_0000_0000_8080,
    0x0000_0000_8000_0001,
    0x8000_0000_8000_8008,
];

/// TurboSHAKE128 rate in bytes.
const RATE: usize = 168;
/// TurboSHAKE domain byte used by gradseal (the default).
const DS: u8 = 0x1F;

#[inline(always)]
fn rol<const L: i32, const R: i32>(s: V3, x: u64x4) -> u64x4 {
    s.or_u64x4(s.shl_const_u64x4::<L>(x), s.shr_const_u64x4::<R>(x))
}

#[inline(always)]
fn x5(s: V3, a: u64x4, b: u64x4, c: u64x4, d: u64x4, e: u64x4) -> u64x4 {
    s.xor_u64x4(s.xor_u64x4(s.xor_u64x4(a, b), s.xor_u64x4(c, d)), e)
}

/// Keccak-p[1600, 12] on four states.
#[inline(always)]
fn permute(s: V3, a: &mut [u64x4; 25]) {
    for &rc in &RC[12..] {
        let c0 = x5(s, a[0], a[5], a[10], a[15], a[20]);
        let c1 = x5(s, a[1], a[6], a[11], a[16], a[21]);
        let c2 = x5(s, a[2], a[7], a[12], a[17], a[22]);
        let c3 = x5(s, a[3], a[8], a[13], a[18], a[23]);
        let c4 = x5(s, a[4], a[9], a[14], a[19], a[24]);
        let d0 = s.xor_u64x4(c4, rol::<1, 63>(s, c1));
        let d1 = s.xor_u64x4(c0, rol::<1, 63>(s, c2));
        let d2 = s.xor_u64x4(c1, rol::<1, 63>(s, c3));
        let d3 = s.xor_u64x4(c2, rol::<1, 63>(s, c4));
        let d4 = s.xor_u64x4(c3, rol::<1, 63>(s, c0));
        let b0 = s.xor_u64x4(a[0], d0);
        let b10 = rol::<1, 63>(s, s.xor_u64x4(a[1], d1));
        let b20 = rol::<62, 2>(s, s.xor_u64x4(a[2], d2));
        let b5 = rol::<28, 36>(s, s.xor_u64x4(a[3], d3));
        let b15 = rol::<27, 37>(s, s.xor_u64x4(a[4], d4));
        let b16 = rol::<36, 28>(s, s.xor_u64x4(a[5], d0));
        let b1 = rol::<44, 20>(s, s.xor_u64x4(a[6], d1));
        let b11 = rol::<6, 58>(s, s.xor_u64x4(a[7], d2));
        let b21 = rol::<55, 9>(s, s.xor_u64x4(a[8], d3));
        let b6 = rol::<20, 44>(s, s.xor_u64x4(a[9], d4));
        let b7 = rol::<3, 61>(s, s.xor_u64x4(a[10], d0));
        let b17 = rol::<10, 54>(s, s.xor_u64x4(a[11], d1));
        let b2 = rol::<43, 21>(s, s.xor_u64x4(a[12], d2));
        let b12 = rol::<25, 39>(s, s.xor_u64x4(a[13], d3));
        let b22 = rol::<39, 25>(s, s.xor_u64x4(a[14], d4));
        let b23 = rol::<41, 23>(s, s.xor_u64x4(a[15], d0));
        let b8 = rol::<45, 19>(s, s.xor_u64x4(a[16], d1));
        let b18 = rol::<15, 49>(s, s.xor_u64x4(a[17], d2));
        let b3 = rol::<21, 43>(s, s.xor_u64x4(a[18], d3));
        let b13 = rol::<8, 56>(s, s.xor_u64x4(a[19], d4));
        let b14 = rol::<18, 46>(s, s.xor_u64x4(a[20], d0));
        let b24 = rol::<2, 62>(s, s.xor_u64x4(a[21], d1));
        let b9 = rol::<61, 3>(s, s.xor_u64x4(a[22], d2));
        let b19 = rol::<56, 8>(s, s.xor_u64x4(a[23], d3));
        let b4 = rol::<14, 50>(s, s.xor_u64x4(a[24], d4));
        a[0] = s.xor_u64x4(b0, s.andnot_u64x4(b1, b2));
        a[1] = s.xor_u64x4(b1, s.andnot_u64x4(b2, b3));
        a[2] = s.xor_u64x4(b2, s.andnot_u64x4(b3, b4));
        a[3] = s.xor_u64x4(b3, s.andnot_u64x4(b4, b0));
        a[4] = s.xor_u64x4(b4, s.andnot_u64x4(b0, b1));
        a[5] = s.xor_u64x4(b5, s.andnot_u64x4(b6, b7));
        a[6] = s.xor_u64x4(b6, s.andnot_u64x4(b7, b8));
        a[7] = s.xor_u64x4(b7, s.andnot_u64x4(b8, b9));
        a[8] = s.xor_u64x4(b8, s.andnot_u64x4(b9, b5));
        a[9] = s.xor_u64x4(b9, s.andnot_u64x4(b5, b6));
        a[10] = s.xor_u64x4(b10, s.andnot_u64x4(b11, b12));
        a[11] = s.xor_u64x4(b11, s.andnot_u64x4(b12, b13));
        a[12] = s.xor_u64x4(b12, s.andnot_u64x4(b13, b14));
        a[13] = s.xor_u64x4(b13, s.andnot_u64x4(b14, b10));
        a[14] = s.xor_u64x4(b14, s.andnot_u64x4(b10, b11));
        a[15] = s.xor_u64x4(b15, s.andnot_u64x4(b16, b17));
        a[16] = s.xor_u64x4(b16, s.andnot_u64x4(b17, b18));
        a[17] = s.xor_u64x4(b17, s.andnot_u64x4(b18, b19));
        a[18] = s.xor_u64x4(b18, s.andnot_u64x4(b19, b15));
        a[19] = s.xor_u64x4(b19, s.andnot_u64x4(b15, b16));
        a[20] = s.xor_u64x4(b20, s.andnot_u64x4(b21, b22));
        a[21] = s.xor_u64x4(b21, s.andnot_u64x4(b22, b23));
        a[22] = s.xor_u64x4(b22, s.andnot_u64x4(b23, b24));
        a[23] = s.xor_u64x4(b23, s.andnot_u64x4(b24, b20));
        a[24] = s.xor_u64x4(b24, s.andnot_u64x4(b20, b21));
        a[0] = s.xor_u64x4(a[0], s.splat_u64x4(rc));
    }
}

/// One lane's message: a short header followed by the chunk (absorbed as `header ‖ body`).
#[derive(Clone, Copy, Debug)]
pub struct Message<'a> {
    /// The framed prefix.
    pub header: &'a [u8],
    /// The bulk data.
    pub body: &'a [u8],
}

impl Message<'_> {
    fn len(&self) -> usize {
        self.header.len() + self.body.len()
    }

    /// The little-endian word at byte offset `off` (bytes past the end read as 0).
    #[inline(always)]
    fn word(&self, off: usize) -> u64 {
        let h = self.header.len();
        if off >= h
            && let Some(bytes) = self.body.get(off - h..off - h + 8)
        {
            let mut w = [0u8; 8];
            w.copy_from_slice(bytes);
            return u64::from_le_bytes(w);
        }
        let mut w = [0u8; 8];
        for (k, b) in w.iter_mut().enumerate() {
            *b = self.byte(off + k);
        }
        u64::from_le_bytes(w)
    }

    /// The whole rate-sized block at message offset `off`, if it lies inside the body.
    #[inline(always)]
    fn block(&self, off: usize) -> Option<&[u8; RATE]> {
        let start = off.checked_sub(self.header.len())?;
        self.body.get(start..start + RATE)?.try_into().ok()
    }

    fn byte(&self, i: usize) -> u8 {
        let h = self.header.len();
        if i < h {
            self.header.get(i).copied().unwrap_or(0)
        } else {
            self.body.get(i - h).copied().unwrap_or(0)
        }
    }
}

/// Little-endian word `w` (< 21) of a block.
#[inline(always)]
fn le(block: &[u8; RATE], w: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&block[8 * w..8 * w + 8]);
    u64::from_le_bytes(x)
}

/// Absorbs four messages of equal length (with TurboSHAKE's padding, D = 0x1F) into four
/// Keccak states, ready to squeeze.
#[inline(always)]
fn absorb(s: V3, m: &[Message<'_>; 4]) -> [u64x4; 25] {
    let len = m[0].len();
    let mut st = [s.splat_u64x4(0); 25];
    let full = len / RATE;
    for b in 0..full {
        let base = b * RATE;
        if let (Some(b0), Some(b1), Some(b2), Some(b3)) =
            (m[0].block(base), m[1].block(base), m[2].block(base), m[3].block(base))
        {
            // Fast path: the block lies inside every body (all blocks after the first).
            for (w, lane) in st.iter_mut().enumerate().take(RATE / 8) {
                let v = u64x4(le(b0, w), le(b1, w), le(b2, w), le(b3, w));
                *lane = s.xor_u64x4(*lane, v);
            }
        } else {
            for (w, lane) in st.iter_mut().enumerate().take(RATE / 8) {
                let off = base + 8 * w;
                let v = u64x4(m[0].word(off), m[1].word(off), m[2].word(off), m[3].word(off));
                *lane = s.xor_u64x4(*lane, v);
            }
        }
        permute(s, &mut st);
    }
    // Last, partial block with the padding: DS after the message, 0x80 in the last byte.
    let base = full * RATE;
    let rest = len - base;
    let mut last = [[0u8; RATE]; 4];
    for (l, blk) in last.iter_mut().enumerate() {
        for (i, byte) in blk.iter_mut().enumerate().take(rest) {
            *byte = m[l].byte(base + i);
        }
        blk[rest] ^= DS;
        blk[RATE - 1] ^= 0x80;
    }
    let word = |l: usize, w: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&last[l][8 * w..8 * w + 8]);
        u64::from_le_bytes(b)
    };
    for (w, lane) in st.iter_mut().enumerate().take(RATE / 8) {
        *lane = s.xor_u64x4(*lane, u64x4(word(0, w), word(1, w), word(2, w), word(3, w)));
    }
    permute(s, &mut st);
    st
}

/// Copies the first `out[l].len()` bytes of each state's rate (little-endian words) out.
#[inline(always)]
fn squeeze_block(st: &[u64x4; 25], out: &mut [&mut [u8]; 4]) {
    for (w, lane) in st.iter().take(RATE / 8).enumerate() {
        let words = [lane.0, lane.1, lane.2, lane.3];
        for (o, word) in out.iter_mut().zip(words) {
            let start = 8 * w;
            if start >= o.len() {
                return;
            }
            let end = o.len().min(start + 8);
            o[start..end].copy_from_slice(&word.to_le_bytes()[..end - start]);
        }
    }
}

struct Absorb<'a> {
    simd: V3,
    msgs: [Message<'a>; 4],
}

impl NullaryFnOnce for Absorb<'_> {
    type Output = [[u8; 32]; 4];

    #[inline(always)]
    fn call(self) -> Self::Output {
        let st = absorb(self.simd, &self.msgs);
        let mut out = [[0u8; 32]; 4];
        let [o0, o1, o2, o3] = &mut out;
        squeeze_block(&st, &mut [&mut o0[..], &mut o1[..], &mut o2[..], &mut o3[..]]);
        out
    }
}

struct Xof<'a, 'o> {
    simd: V3,
    msgs: [Message<'a>; 4],
    out: [&'o mut [u8]; 4],
}

impl NullaryFnOnce for Xof<'_, '_> {
    type Output = ();

    #[inline(always)]
    fn call(self) {
        let s = self.simd;
        let mut st = absorb(s, &self.msgs);
        let [o0, o1, o2, o3] = self.out;
        let mut blocks =
            [o0.chunks_mut(RATE), o1.chunks_mut(RATE), o2.chunks_mut(RATE), o3.chunks_mut(RATE)];
        let mut first = true;
        loop {
            let [b0, b1, b2, b3] = &mut blocks;
            let (Some(c0), Some(c1), Some(c2), Some(c3)) =
                (b0.next(), b1.next(), b2.next(), b3.next())
            else {
                return;
            };
            if !first {
                permute(s, &mut st);
            }
            first = false;
            squeeze_block(&st, &mut [c0, c1, c2, c3]);
        }
    }
}

/// The AVX2 backend, if this CPU has it.
pub fn detect() -> Option<V3> {
    V3::try_new()
}

/// TurboSHAKE128(header_l ‖ body_l, D = 0x1F, 32 bytes) for four messages of equal length
/// (`header.len() + body.len()` equal across the four; checked in debug builds).
pub fn turboshake4(simd: V3, msgs: [Message<'_>; 4]) -> [[u8; 32]; 4] {
    debug_assert!(msgs.iter().all(|m| m.len() == msgs[0].len()));
    simd.vectorize(Absorb { simd, msgs })
}

/// TurboSHAKE128(header_l ‖ body_l, D = 0x1F) read as an XOF: fills `out[l]` with the first
/// `out[l].len()` output bytes of message l. The four messages must have equal lengths, and
/// so must the four outputs (checked in debug builds).
pub fn turboshake4_xof(simd: V3, msgs: [Message<'_>; 4], out: [&mut [u8]; 4]) {
    debug_assert!(msgs.iter().all(|m| m.len() == msgs[0].len()));
    debug_assert!(out.iter().all(|o| o.len() == out[0].len()));
    simd.vectorize(Xof { simd, msgs, out });
}

#[cfg(test)]
mod tests {
    use turboshake::TurboShake128;
    use turboshake::digest::{ExtendableOutput, Update, XofReader};

    use super::*;

    fn reference(header: &[u8], body: &[u8], out_len: usize) -> Vec<u8> {
        let mut h = TurboShake128::default();
        h.update(header);
        h.update(body);
        let mut out = vec![0u8; out_len];
        h.finalize_xof().read(&mut out);
        out
    }

    #[test]
    fn xof_matches_turboshake128_at_every_shape() {
        let Some(simd) = detect() else { return };
        let data: Vec<u8> =
            (0..2000u32).map(|i| u8::try_from((i * 37 + 11) % 251).unwrap_or(0)).collect();
        for (header_len, body_len) in [(0, 0), (5, 0), (70, 0), (0, 168), (13, 155), (40, 900)] {
            for out_len in [0, 1, 8, 31, 32, 167, 168, 169, 336, 1000, 32_768] {
                let headers: Vec<&[u8]> =
                    (0..4).map(|l| &data[l * 3..l * 3 + header_len]).collect();
                let bodies: Vec<&[u8]> =
                    (0..4).map(|l| &data[100 + l..100 + l + body_len]).collect();
                let msgs = [0, 1, 2, 3].map(|l| Message { header: headers[l], body: bodies[l] });
                let mut outs = [0, 1, 2, 3].map(|_| vec![0u8; out_len]);
                let [o0, o1, o2, o3] = &mut outs;
                turboshake4_xof(simd, msgs, [o0, o1, o2, o3]);
                for l in 0..4 {
                    assert_eq!(
                        outs[l],
                        reference(headers[l], bodies[l], out_len),
                        "lane {l}, header {header_len}, body {body_len}, out {out_len}"
                    );
                }
                let digests = turboshake4(simd, msgs);
                for l in 0..4 {
                    assert_eq!(&digests[l][..], &reference(headers[l], bodies[l], 32)[..]);
                }
            }
        }
    }
}
