//! Node frame decoding (untrusted TCP bytes): never panics, never accepts a length above
//! MAX_FRAME_LEN, and a decoded frame re-encodes to exactly the bytes it consumed.
#![no_main]

use gradseal_node::frame::{Frame, HEADER_LEN, MAX_FRAME_LEN};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    match Frame::decode(data) {
        Ok(Some((f, used))) => {
            assert!(f.payload.len() <= MAX_FRAME_LEN);
            assert_eq!(used, HEADER_LEN + f.payload.len());
            let enc = Frame::encode(f.from, &f.payload).expect("a decoded frame re-encodes");
            assert_eq!(&enc[..], &data[..used], "frame encoding is not canonical");
            assert_eq!(Frame::decode_exact(&data[..used]).ok(), Some(f));
        }
        Ok(None) => assert!(Frame::decode_exact(data).is_err()),
        Err(_) => assert!(data.len() >= HEADER_LEN),
    }
});
