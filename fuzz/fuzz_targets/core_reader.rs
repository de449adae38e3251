//! Drives gradseal-core's `Reader` over arbitrary bytes: every read either succeeds within
//! bounds or returns a `DecodeError`, and a decoded byte list re-encodes to the bytes read.
#![no_main]

use gradseal_core::{Reader, Writer};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut r = Reader::new(data);
    let before = r.remaining();
    if let Ok(items) = r.read_list("list", 64, |r| r.read_var_bytes("item", 1024)) {
        let mut w = Writer::new();
        w.put_list(&items, |w, it| w.put_var_bytes(it));
        let consumed = before - r.remaining();
        assert_eq!(w.as_slice(), &data[..consumed], "re-encoding differs from input");
    }
    let _ = r.read_bool("bool");
    let _ = r.read_u64("u64");
    let _ = r.finish("end");
});
