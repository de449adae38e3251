//! Key files and `inspect` (untrusted files): never panic; an accepted key file re-encodes
//! to exactly its bytes; `describe` never prints more than one description.
#![no_main]

use gradseal_node::inspect::describe;
use gradseal_node::keyfile::KeyFile;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(f) = KeyFile::from_bytes(data) {
        assert_eq!(&f.to_bytes()[..], data, "key file encoding is not canonical");
    }
    let _ = describe(data);
});
