//! Shard decoding: arbitrary bytes give a typed error or a shard that re-encodes to the
//! input; a parsed shard checked against a fixed manifest never panics.
#![no_main]

use gradseal_core::{Codec, Writer};
use gradseal_shard::{Params, Shard, ShardRef, encode};
use std::sync::OnceLock;

fn manifest() -> &'static gradseal_shard::Manifest {
    static M: OnceLock<gradseal_shard::Manifest> = OnceLock::new();
    M.get_or_init(|| encode(&Params::new(4, 2).unwrap(), &[7u8; 300]).unwrap().0)
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let parsed = ShardRef::parse(data);
    let owned = Shard::from_bytes(data);
    assert_eq!(parsed.is_ok(), owned.is_ok());
    if let (Ok(r), Ok(o)) = (parsed, owned) {
        let mut w = Writer::new();
        r.encode(&mut w);
        assert_eq!(w.as_slice(), data, "shard encoding is not canonical");
        assert_eq!(o.to_bytes(), data);
        // Any parsed shard either verifies or is rejected; a fuzzer cannot forge one.
        let _ = manifest().verify_shard(&r);
    }
});
