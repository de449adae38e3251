//! Encode a payload into authenticated shards, lose and corrupt some, rebuild it.
//!
//! `cargo run --release -p gradseal-shard --example roundtrip [MiB] [k] [m]` also prints the
//! encode and decode throughput.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::cast_possible_truncation)]

use gradseal_core::Codec;
use gradseal_shard::{Params, decode, encode};
use std::time::Instant;

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let mib = args.first().copied().unwrap_or(4);
    let (k, m) =
        (args.get(1).copied().unwrap_or(10) as u16, args.get(2).copied().unwrap_or(4) as u16);
    let payload: Vec<u8> =
        (0..mib << 20).map(|i| (i as u32).wrapping_mul(2_654_435_761).to_be_bytes()[0]).collect();
    let params = Params::new(k, m).unwrap();

    let t = Instant::now();
    let (manifest, shards) = encode(&params, &payload).unwrap();
    let enc = t.elapsed();
    println!(
        "manifest: {} bytes, digest {}, {} stripes of {} bytes per shard",
        manifest.to_bytes().len(),
        manifest.digest().iter().map(|b| format!("{b:02x}")).collect::<String>(),
        manifest.stripes(),
        manifest.stripe_size()
    );

    // A relay checks one shard on its own.
    manifest.verify_shard(&shards[0].as_ref()).unwrap();

    // Lose the first m shards (data shards: the expensive case), corrupt nothing else.
    let received: Vec<_> = shards.iter().skip(usize::from(m)).map(|s| s.as_ref()).collect();
    let t = Instant::now();
    let out = decode(&manifest, received).unwrap();
    let dec = t.elapsed();
    assert_eq!(out.payload, payload);
    println!("missing {:?}, invalid {:?}", out.report.missing, out.report.invalid);
    let gbps = |d: std::time::Duration| payload.len() as f64 / d.as_secs_f64() / 1e9;
    println!(
        "({k}, {m}) {mib} MiB: encode+hash {:.2} GB/s, verify+reconstruct {:.2} GB/s",
        gbps(enc),
        gbps(dec)
    );
}
