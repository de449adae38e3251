//! The transport's stream codec (untrusted bytes from an authenticated but possibly hostile
//! peer): `data = max (2 bytes) ‖ cuts (1 byte) ‖ stream bytes`. The stream is fed to the
//! sans-IO decoder three ways: in one piece, split at pseudo-random points, and as the
//! transport's read loop does (never more than `wanted()` bytes at a time). All three must
//! agree; the decoder never panics, never hands out body bytes past the declared length or a
//! length above the maximum, and an accepted stream re-encodes to exactly its bytes.
#![no_main]

use gradseal_net::Error;
use gradseal_net::codec::{CHUNK_LEN, HEADER_LEN, Step, StreamDecoder, decode_all, encode_all};

/// Feeds `input` in pieces whose lengths come from `next_len`; returns the body and the
/// final result, checking the decoder's invariants on the way.
fn feed(input: &[u8], max: u64, mut next_len: impl FnMut(&StreamDecoder) -> usize) -> Result<Vec<u8>, Error> {
    let mut dec = StreamDecoder::new(max);
    let mut body = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        assert!(dec.wanted() <= CHUNK_LEN.max(HEADER_LEN));
        let take = next_len(&dec).clamp(1, rest.len());
        let mut piece = &rest[..take];
        while !piece.is_empty() {
            let (used, step) = dec.feed(piece)?;
            assert!(used <= piece.len());
            match step {
                Step::Header { len } => assert!(len <= max),
                Step::Body(b) => {
                    assert_eq!(b, &piece[..b.len()], "a body piece is a prefix of the input");
                    body.extend_from_slice(b);
                }
                Step::NeedMore => assert_eq!(used, piece.len()),
            }
            if let Some(len) = dec.declared_len() {
                assert!(body.len() as u64 <= len && len <= max);
                assert_eq!(dec.remaining(), len - body.len() as u64);
            }
            piece = &piece[used..];
        }
        rest = &rest[take..];
    }
    dec.finish()?;
    Ok(body)
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let [m0, m1, cuts, stream @ ..] = data else { return };
    let max = u64::from(u16::from_be_bytes([*m0, *m1]));
    let whole = decode_all(stream, max);
    let mut seed = u32::from(*cuts) | 1;
    let split = feed(stream, max, |_| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (seed >> 16) as usize % 40
    });
    let io = feed(stream, max, |d| d.wanted().max(1));
    assert_eq!(whole, split, "splitting the input changed the result");
    assert_eq!(whole, io, "reading wanted() bytes at a time changed the result");
    if let Ok(body) = whole {
        assert!(body.len() as u64 <= max);
        assert_eq!(encode_all(&body), stream, "an accepted stream re-encodes to its bytes");
    }
});
