//! Length-delimited frames on TCP: `u32 BE length ‖ u32 BE sender ‖ message`.
//!
//! `length` counts the message bytes only (not the 8-byte header) and is checked against
//! [`MAX_FRAME_LEN`] before anything is allocated. The sender is the node id the peer
//! *claims*: the transport is unauthenticated, and the protocol treats addresses as routing
//! hints only (`spec/protocol.md`). Spec: `spec/node.md`, section "Frames".

use gradseal_protocol::NodeId;

use crate::Error;

/// Bytes of the frame header: length (4) and sender (4).
pub const HEADER_LEN: usize = 8;

/// The largest message a frame may carry (64 MiB). The largest messages of a round are the
/// observers' transcript, which carries every accepted contribution (`8·d + 33 821` bytes
/// each at k = 3: the n = 4096-word correction is the fixed part) plus the aggregate, and
/// the result, which carries the sum and every partial (`(k + 1)·8·d`); so over TCP a round
/// needs `(clients + 1)·(8·d + 33 821) ≤ 2^26` (e.g. 79 clients at 10^5 coordinates, 1 006 at
/// 4 096) and `d ≤ 2 097 123` at k = 3 (`spec/node.md`, "Frames").
pub const MAX_FRAME_LEN: usize = 64 << 20;

/// One frame: the claimed sender and an encoded `gradseal_protocol::Message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The node id the peer claims to be.
    pub from: NodeId,
    /// The message bytes (not decoded here: the role decodes and validates them).
    pub payload: Vec<u8>,
}

/// A decoded frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Length of the message that follows.
    pub len: usize,
    /// Claimed sender.
    pub from: NodeId,
}

impl Header {
    /// Parses a header, rejecting a length above [`MAX_FRAME_LEN`] (before any allocation).
    ///
    /// # Errors
    /// [`Error::FrameTooLong`].
    pub fn parse(bytes: [u8; HEADER_LEN]) -> Result<Self, Error> {
        let [l0, l1, l2, l3, s0, s1, s2, s3] = bytes;
        let len = u32::from_be_bytes([l0, l1, l2, l3]);
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        if len > MAX_FRAME_LEN {
            return Err(Error::FrameTooLong { len, max: MAX_FRAME_LEN });
        }
        Ok(Header { len, from: NodeId(u32::from_be_bytes([s0, s1, s2, s3])) })
    }
}

impl Frame {
    /// Encodes a frame for `payload` sent by `from`.
    ///
    /// # Errors
    /// [`Error::FrameTooLong`] if the payload exceeds [`MAX_FRAME_LEN`].
    pub fn encode(from: NodeId, payload: &[u8]) -> Result<Vec<u8>, Error> {
        let len = u32::try_from(payload.len())
            .ok()
            .filter(|_| payload.len() <= MAX_FRAME_LEN)
            .ok_or(Error::FrameTooLong { len: payload.len(), max: MAX_FRAME_LEN })?;
        let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&from.0.to_be_bytes());
        out.extend_from_slice(payload);
        Ok(out)
    }

    /// Decodes one frame from the front of `buf`: `Ok(None)` if more bytes are needed,
    /// otherwise the frame and the number of bytes it used. Never panics.
    ///
    /// # Errors
    /// [`Error::FrameTooLong`] if the header announces more than [`MAX_FRAME_LEN`].
    pub fn decode(buf: &[u8]) -> Result<Option<(Frame, usize)>, Error> {
        let Some((head, rest)) = buf.split_first_chunk::<HEADER_LEN>() else {
            return Ok(None);
        };
        let h = Header::parse(*head)?;
        let Some(payload) = rest.get(..h.len) else {
            return Ok(None);
        };
        Ok(Some((Frame { from: h.from, payload: payload.to_vec() }, HEADER_LEN + h.len)))
    }

    /// Decodes a buffer holding exactly one frame.
    ///
    /// # Errors
    /// [`Error::FrameTooLong`], or [`Error::Truncated`] / [`Error::TrailingBytes`].
    pub fn decode_exact(buf: &[u8]) -> Result<Frame, Error> {
        match Frame::decode(buf)? {
            None => Err(Error::Truncated),
            Some((f, used)) if used == buf.len() => Ok(f),
            Some(_) => Err(Error::TrailingBytes),
        }
    }
}

/// Reads one frame from an async stream. `Ok(None)` on a clean end of stream before a header.
///
/// # Errors
/// [`Error::FrameTooLong`] before allocating, [`Error::Io`] on a read error or an end of
/// stream inside a frame.
pub async fn read_frame<R: tokio::io::AsyncRead + Unpin>(
    r: &mut R,
) -> Result<Option<Frame>, Error> {
    use tokio::io::AsyncReadExt;
    let mut head = [0u8; HEADER_LEN];
    match r.read_exact(&mut head).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(Error::Io(e.to_string())),
    }
    let h = Header::parse(head)?;
    let mut payload = vec![0u8; h.len];
    r.read_exact(&mut payload).await.map_err(|e| Error::Io(e.to_string()))?;
    Ok(Some(Frame { from: h.from, payload }))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn round_trip(from in any::<u32>(), payload in proptest::collection::vec(any::<u8>(), 0..512), extra in proptest::collection::vec(any::<u8>(), 0..16)) {
            let enc = Frame::encode(NodeId(from), &payload).unwrap();
            prop_assert_eq!(Frame::decode_exact(&enc).unwrap(), Frame { from: NodeId(from), payload: payload.clone() });
            // Every strict prefix asks for more bytes.
            for cut in 0..enc.len() {
                prop_assert!(Frame::decode(&enc[..cut]).unwrap().is_none());
            }
            let mut longer = enc.clone();
            longer.extend_from_slice(&extra);
            let (f, used) = Frame::decode(&longer).unwrap().unwrap();
            prop_assert_eq!(used, enc.len());
            prop_assert_eq!(f.payload, payload);
        }

        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = Frame::decode(&bytes);
        }
    }

    #[test]
    fn oversized_length_rejected_from_header_alone() {
        let mut head = (u32::try_from(MAX_FRAME_LEN).unwrap() + 1).to_be_bytes().to_vec();
        head.extend_from_slice(&7u32.to_be_bytes());
        // Only the 8 header bytes are present: the decoder must refuse, not wait for 64 MiB.
        assert!(matches!(Frame::decode(&head), Err(Error::FrameTooLong { .. })));
        let max = u32::MAX.to_be_bytes();
        assert!(matches!(
            Frame::decode(&[max[0], max[1], max[2], max[3], 0, 0, 0, 1]),
            Err(Error::FrameTooLong { .. })
        ));
    }

    /// The sizes `spec/node.md` ("Frames") derives its round limit from, measured on a real
    /// round (production suite): with k members, c accepted clients and d coordinates, the
    /// transcript is `(c + 1)·(8d + 32 809) + c·(76 + 312k) + 125` bytes and the result
    /// `(k + 1)·8d + 259k + 121`; a partial decryption `8d + 260`.
    #[test]
    fn message_sizes_match_the_frame_limit_derivation() {
        use chacha20::ChaCha20Rng;
        use gradseal_clsc::Kgc;
        use gradseal_core::Codec;
        use gradseal_protocol::sim::{self, RoundPlan};
        use gradseal_protocol::{GradsealSuite, GradsealSystem, Message, RoundId, ShardLayout};
        use rand_core::SeedableRng;

        let kgc = Kgc::generate(&mut ChaCha20Rng::from_seed([6; 32]));
        let key = |label: &str, i: usize| {
            let seed = gradseal_core::hash(
                "gradseal/v1/node/test/key",
                &[label.as_bytes(), &[u8::try_from(i).unwrap()]],
            );
            crate::keyfile::enrol_locally(
                &kgc,
                &format!("{label}-{i}"),
                &mut ChaCha20Rng::from_seed(seed),
            )
            .unwrap()
        };
        let (c, k, d) = (4usize, 3usize, 100usize);
        let plan = RoundPlan {
            round: RoundId(1),
            clients: c,
            members: k,
            relays: 2,
            layout: ShardLayout { data: 2, parity: 1 },
            dimension: u32::try_from(d).unwrap(),
            bits: 16,
            min_clients: 2,
        };
        let sys = GradsealSystem { kgc: *kgc.public() };
        let seed = |_: &str, i: usize| [u8::try_from(i).unwrap(); 32];
        let mut s =
            sim::build::<GradsealSuite>(&plan, &sys, key, seed, vec![vec![7; d]; c]).unwrap();
        s.log = Some(Vec::new());
        assert!(s.run(100_000));
        let mut largest = std::collections::BTreeMap::new();
        for m in s.log.take().unwrap() {
            let kind = Message::from_bytes(&m.payload).unwrap().kind();
            let e = largest.entry(kind).or_insert(0);
            *e = (*e).max(m.payload.len());
        }
        assert_eq!(largest[&5], 8 * d + 260);
        assert_eq!(largest[&3], (c + 1) * (8 * d + 32_809) + c * (76 + 312 * k) + 125);
        assert_eq!(largest[&8], (k + 1) * 8 * d + 259 * k + 121);
    }

    #[tokio::test]
    async fn async_reader_rejects_oversized_and_truncated() {
        let mut head = (u32::try_from(MAX_FRAME_LEN).unwrap() + 1).to_be_bytes().to_vec();
        head.extend_from_slice(&[0; 4]);
        assert!(matches!(read_frame(&mut head.as_slice()).await, Err(Error::FrameTooLong { .. })));
        let enc = Frame::encode(NodeId(3), b"hello").unwrap();
        assert!(read_frame(&mut &enc[..enc.len() - 1]).await.is_err());
        assert_eq!(read_frame(&mut &enc[..]).await.unwrap().unwrap().payload, b"hello");
        assert!(read_frame(&mut &[][..]).await.unwrap().is_none());
    }
}
