//! The attack that flooding prevents: one partial decryption *without* flooding noise is a
//! noiseless linear system in the member's share (n equations per list, n unknowns). We solve
//! it over GF(2) (the share is binary), confirm the solution exactly over Z_{2^64}, and use the
//! recovered share (with the other members' colluding shares) to decrypt one client's
//! ciphertext alone. The same attack on the flooded partial decryption finds nothing.

use super::super::*;
use super::correctness::setup;
use crate::decrypt::decode_phases;
use crate::poly::conv_binary;

const WORDS: usize = 2048 / 64;

/// One GF(2) equation: coefficients (bitset over the n unknowns) and right-hand side.
#[derive(Clone)]
struct Row {
    bits: [u64; WORDS],
    rhs: bool,
}

impl Row {
    fn get(&self, u: usize) -> bool {
        (self.bits[u / 64] >> (u % 64)) & 1 == 1
    }

    fn xor(&mut self, other: &Row) {
        for (a, b) in self.bits.iter_mut().zip(&other.bits) {
            *a ^= b;
        }
        self.rhs ^= other.rhs;
    }
}

/// `conv(mask, s)[n-1-j]` for every coordinate of every list of `agg`.
fn products(params: &RoundParams, agg: &Aggregate, s: &[u64]) -> Vec<u64> {
    let n = params.n();
    let mut out = Vec::new();
    let mut prod = vec![0u64; n];
    for (l, mask) in agg.masks.chunks(n).enumerate() {
        conv_binary(&mut prod, mask, s);
        for j in 0..params.list_coords(l) {
            out.push(prod[n - 1 - j]);
        }
    }
    out
}

/// Recovers a binary s with `conv(mask_l, s)[n-1-j] = partial[j]` for all coordinates, if the
/// values are an unflooded partial decryption; `None` otherwise.
fn recover_share(params: &RoundParams, agg: &Aggregate, partial: &[u64]) -> Option<Vec<u64>> {
    let n = params.n();
    // Build the equations mod 2: column u is conv(mask, e_u).
    let mut rows: Vec<Row> =
        partial.iter().map(|p| Row { bits: [0; WORDS], rhs: p & 1 == 1 }).collect();
    let mut unit = vec![0u64; n];
    let mut column = vec![0u64; n];
    for u in 0..n {
        unit.fill(0);
        unit[u] = 1;
        let mut row_index = 0;
        for (l, mask) in agg.masks.chunks(n).enumerate() {
            conv_binary(&mut column, mask, &unit);
            for j in 0..params.list_coords(l) {
                if column[n - 1 - j] & 1 == 1 {
                    rows[row_index].bits[u / 64] |= 1 << (u % 64);
                }
                row_index += 1;
            }
        }
    }
    // Gauss-Jordan elimination over GF(2).
    let mut pivots = Vec::new(); // (row, column)
    let mut next = 0;
    for u in 0..n {
        let Some(found) = (next..rows.len()).find(|&r| rows[r].get(u)) else { continue };
        rows.swap(next, found);
        let pivot = rows[next].clone();
        for (r, row) in rows.iter_mut().enumerate() {
            if r != next && row.get(u) {
                row.xor(&pivot);
            }
        }
        pivots.push((next, u));
        next += 1;
    }
    if rows[next..].iter().any(|r| r.rhs) {
        return None; // inconsistent modulo 2
    }
    let pivot_cols: Vec<usize> = pivots.iter().map(|&(_, u)| u).collect();
    let free: Vec<usize> = (0..n).filter(|u| !pivot_cols.contains(u)).collect();
    if free.len() > 12 {
        return None;
    }
    // Enumerate the kernel; confirm each candidate exactly over Z_{2^64}.
    for combo in 0u32..(1 << free.len()) {
        let mut s = vec![0u64; n];
        for (i, &u) in free.iter().enumerate() {
            s[u] = u64::from((combo >> i) & 1);
        }
        for &(r, u) in &pivots {
            let mut v = rows[r].rhs;
            for &f in &free {
                if rows[r].get(f) && s[f] == 1 {
                    v = !v;
                }
            }
            s[u] = u64::from(v);
        }
        if products(params, agg, &s) == partial {
            return Some(s);
        }
    }
    None
}

#[test]
fn unflooded_partial_decryption_reveals_the_share_and_every_ciphertext() {
    let mut c = RoundConfig::new([0xa7; 32], 4096);
    c.committee_size = 2;
    let (params, mut shares, key, mut rng) = setup(c, 0x51);
    let victim: Vec<i64> = (0..4096).map(|i| (i * 37 % 1001) - 500).collect();
    let other: Vec<i64> = (0..4096).map(|i| 1000 - i % 2000).collect();
    let victim_ct =
        encrypt(&params, &key, &EncodedUpdate::from_signed(&params, &victim).unwrap(), &mut rng)
            .unwrap();
    let other_ct =
        encrypt(&params, &key, &EncodedUpdate::from_signed(&params, &other).unwrap(), &mut rng)
            .unwrap();
    let agg = recompute_aggregate(&params, &[victim_ct.clone(), other_ct]).unwrap();

    let honest = shares.remove(0);
    let colluder = shares.remove(0);
    let true_share: Vec<u64> = honest.secret_reversed.iter().rev().copied().collect();

    // Unprotected variant: the textbook partial decryption conv(mask, s_0).
    let unprotected = honest.unflooded_partial(&params, &agg, false);
    let recovered =
        recover_share(&params, &agg, &unprotected).expect("the linear system is solvable");
    assert_eq!(recovered, true_share, "the attacker recovers the honest member's share");

    // With the colluding member's share, the attacker now decrypts the victim's update alone.
    let colluder_share: Vec<u64> = colluder.secret_reversed.iter().rev().copied().collect();
    let single = recompute_aggregate(&params, &[victim_ct]).unwrap();
    let p0 = products(&params, &single, &recovered);
    let p1 = products(&params, &single, &colluder_share);
    let phases: Vec<u64> = single
        .bodies
        .iter()
        .zip(p0.iter().zip(&p1))
        .map(|(b, (x, y))| b.wrapping_sub(*x).wrapping_sub(*y))
        .collect();
    assert_eq!(
        decode_phases(&params, 1, &phases).unwrap().sums,
        victim,
        "one client's update leaks"
    );

    // Protected: the real partial decryption (flooded) differs and the attack finds nothing.
    let protected = honest.partial_decrypt(&params, &agg, &mut rng).unwrap();
    let values = protected.values;
    let differing = values.iter().zip(unprotected.iter()).filter(|(a, b)| a != b).count();
    assert!(differing > 4000, "flooding changes (almost) every coordinate: {differing}");
    assert_eq!(
        recover_share(&params, &agg, &values),
        None,
        "the flooded partial does not give the share"
    );
}
