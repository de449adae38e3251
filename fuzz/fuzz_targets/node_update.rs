//! Update files (untrusted bytes from the caller's training loop): `.npy` headers and raw f32
//! bodies never panic; an accepted file has exactly the dimension asked for, and a raw file
//! decodes to the same bits it holds.
#![no_main]

use gradseal_node::update::decode_update;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&d, rest)) = data.split_first() else { return };
    let dimension = u32::from(d);
    for npy in [false, true] {
        if let Ok(v) = decode_update(rest, npy, dimension, "fuzz") {
            assert_eq!(v.len(), usize::from(d));
            if !npy {
                let back: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
                assert_eq!(back, rest);
            }
        }
    }
});
