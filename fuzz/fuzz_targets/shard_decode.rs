//! Decode with arbitrary shard sets: honest shards of a payload, then an operation list
//! that keeps, drops, duplicates, corrupts, relabels, truncates shards or adds raw bytes.
//! The decoder must return exactly the payload or `NotEnoughShards`, never another payload,
//! never `Inconsistent` (the issuer here is honest), never panic; the report lists rejected
//! items in input order.
#![no_main]

use gradseal_core::Codec;
use gradseal_shard::{Params, ShardError, decode_bytes, encode};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let [k, m, l0, l1, ops @ ..] = data else { return };
    let k = u16::from(*k % 12) + 1;
    let m = u16::from(*m % 6);
    let len = usize::from(u16::from_be_bytes([*l0, *l1]) % 3000);
    let payload: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(31) ^ *l1).collect();
    let params = Params::new(k, m).unwrap().with_max_stripe_size(u32::from(*l0 % 64) + 1).unwrap();
    let (manifest, shards) = encode(&params, &payload).unwrap();
    let n = shards.len();
    let wire: Vec<Vec<u8>> = shards.iter().map(Codec::to_bytes).collect();
    let mut received: Vec<Vec<u8>> = Vec::new();
    if ops.is_empty() {
        received = wire.clone();
    }
    let mut it = ops.chunks_exact(3);
    for op in &mut it {
        let (kind, a, b) = (op[0] % 6, usize::from(op[1]), usize::from(op[2]));
        let mut s = wire[a % n].clone();
        match kind {
            0 => {}
            1 => {
                let at = (a * 257 + b) % s.len();
                s[at] ^= 1 << (b % 8);
            }
            2 => s[..2].copy_from_slice(&(b as u16).to_be_bytes()),
            3 => s.truncate(b % s.len()),
            4 => s = ops.get(..b % (ops.len() + 1)).unwrap_or(&[]).to_vec(),
            _ => {
                received.push(s.clone());
            }
        }
        received.push(s);
    }
    // Each rejected item once, in input order (spec/shard.md §6).
    let ordered = |r: &gradseal_shard::DecodeReport| {
        r.rejected.windows(2).all(|w| w[0].position < w[1].position)
    };
    match decode_bytes(&manifest, &received) {
        Ok(out) => {
            assert_eq!(out.payload, payload, "decoder returned a wrong payload");
            assert!(ordered(&out.report), "rejected items out of input order");
        }
        Err(ShardError::NotEnoughShards { valid, needed, report }) => {
            assert!(valid < needed);
            assert_eq!(report.missing.len(), n - valid);
            assert!(ordered(&report), "rejected items out of input order");
        }
        Err(e) => panic!("unexpected error {e:?}"),
    }
});
