//! Steps 4b and 5: a member's partial decryption or refusal, the aggregator's rejection
//! notices to clients, and the round result.

use gradseal_core::{Codec, DecodeError, Reader, Writer, bulk_digest, hash};

use super::agree::{Equivocation, QuorumCertificate};
use super::{
    Digest, MAX_EQUIVOCATIONS, MAX_PARTIAL, MAX_SIGNATURE, put_digest, read_digest, usize_of,
};
use crate::params::{MAX_COMMITTEE, MAX_DIMENSION, RoundId};
use crate::reason::{RejectReason, TranscriptFault};
use crate::tags;

/// Step 4b: a member's partial decryption of the list it checked and agreed to, under a
/// quorum certificate on its agreement digest. Signed by the member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialDecryption {
    /// The round.
    pub round: RoundId,
    /// Digest `T` of the transcript the member's list names.
    pub transcript: Digest,
    /// Digest `L_j` of the list the member checked and decrypted (observers compare it
    /// with the list the transcript gives this member).
    pub list: Digest,
    /// The aggregator's signature over `list`, copied from the MemberList: the evidence that
    /// the aggregator sent this list (a member cannot name a list it was never sent).
    pub list_signature: Vec<u8>,
    /// The agreement digest `E` of the list, which the quorum certificate names.
    pub agreed: Digest,
    /// The quorum `Q` the partial was made for (bit j = member j): the certificate's signers.
    pub quorum: u64,
    /// Committee index.
    pub member: u32,
    /// Encoded gradseal-agg partial decryption.
    pub partial: Vec<u8>,
    /// The member's signature over [`PartialDecryption::digest`].
    pub signature: Vec<u8>,
}

impl PartialDecryption {
    fn encode_body(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        put_digest(w, &self.transcript);
        put_digest(w, &self.list);
        w.put_var_bytes(&self.list_signature);
        put_digest(w, &self.agreed);
        w.put_u64(self.quorum);
        w.put_u32(self.member);
        w.put_var_bytes(&self.partial);
    }

    /// `B("…/partial-share", partial)`: the digest of the encoded gradseal-agg partial
    /// decryption, which the member's signed statement covers in its place.
    pub fn share_digest(&self) -> Digest {
        bulk_digest(tags::TAG_PARTIAL_SHARE, &self.partial)
    }

    /// This partial by reference: its fields with the share replaced by
    /// [`PartialDecryption::share_digest`], and its signature.
    pub fn to_ref(&self) -> PartialRef {
        PartialRef {
            round: self.round,
            transcript: self.transcript,
            list: self.list,
            list_signature: self.list_signature.clone(),
            agreed: self.agreed,
            quorum: self.quorum,
            member: self.member,
            share: self.share_digest(),
            signature: self.signature.clone(),
        }
    }

    /// The digest the member signs: [`PartialRef::digest`] of [`PartialDecryption::to_ref`],
    /// so a result can carry the signed statement without the share.
    pub fn digest(&self) -> Digest {
        self.to_ref().digest()
    }
}

impl Codec for PartialDecryption {
    fn encoded_len_hint(&self) -> usize {
        140 + self.partial.len() + self.list_signature.len() + self.signature.len()
    }

    fn encode(&self, w: &mut Writer) {
        self.encode_body(w);
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(PartialDecryption {
            round: RoundId(r.read_u64("partial.round")?),
            transcript: read_digest(r, "partial.transcript")?,
            list: read_digest(r, "partial.list")?,
            list_signature: r.read_var_bytes("partial.list_signature", MAX_SIGNATURE)?.to_vec(),
            agreed: read_digest(r, "partial.agreed")?,
            quorum: r.read_u64("partial.quorum")?,
            member: r.read_u32("partial.member")?,
            partial: r.read_var_bytes("partial.partial", MAX_PARTIAL)?.to_vec(),
            signature: r.read_var_bytes("partial.signature", MAX_SIGNATURE)?.to_vec(),
        })
    }
}

/// A member's partial decryption by reference, as a result carries it: every field but the
/// share, the share's digest, and the member's signature, which covers exactly these. A
/// result thus proves that each member of the quorum signed a partial for it without
/// carrying the megabytes of the shares (observers get those from the members).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialRef {
    /// The round.
    pub round: RoundId,
    /// Digest `T` of the transcript the member's list names.
    pub transcript: Digest,
    /// Digest `L_j` of the list the member decrypted.
    pub list: Digest,
    /// The aggregator's signature over `list`.
    pub list_signature: Vec<u8>,
    /// The agreement digest `E` the quorum certificate names.
    pub agreed: Digest,
    /// The quorum `Q` (bit j = member j).
    pub quorum: u64,
    /// Committee index.
    pub member: u32,
    /// [`PartialDecryption::share_digest`] of the partial.
    pub share: Digest,
    /// The member's signature over [`PartialRef::digest`].
    pub signature: Vec<u8>,
}

impl PartialRef {
    fn encode_body(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        put_digest(w, &self.transcript);
        put_digest(w, &self.list);
        w.put_var_bytes(&self.list_signature);
        put_digest(w, &self.agreed);
        w.put_u64(self.quorum);
        w.put_u32(self.member);
        put_digest(w, &self.share);
    }

    /// The statement the member signs: `H("…/partial-decryption-v4", body)`, the body
    /// holding the share's digest in place of the share.
    pub fn digest(&self) -> Digest {
        let mut w = Writer::with_capacity(256);
        self.encode_body(&mut w);
        hash(tags::TAG_PARTIAL, &[w.as_slice()])
    }
}

impl Codec for PartialRef {
    fn encode(&self, w: &mut Writer) {
        self.encode_body(w);
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(PartialRef {
            round: RoundId(r.read_u64("partial_ref.round")?),
            transcript: read_digest(r, "partial_ref.transcript")?,
            list: read_digest(r, "partial_ref.list")?,
            list_signature: r.read_var_bytes("partial_ref.list_signature", MAX_SIGNATURE)?.to_vec(),
            agreed: read_digest(r, "partial_ref.agreed")?,
            quorum: r.read_u64("partial_ref.quorum")?,
            member: r.read_u32("partial_ref.member")?,
            share: read_digest(r, "partial_ref.share")?,
            signature: r.read_var_bytes("partial_ref.signature", MAX_SIGNATURE)?.to_vec(),
        })
    }
}

/// The bytes `now` has read since it was at `start` (a clone of it taken earlier).
fn read_since<'a>(start: &Reader<'a>, now: &Reader<'a>) -> &'a [u8] {
    let n = start.remaining().saturating_sub(now.remaining());
    start.clone().read_bytes("span", n).unwrap_or_default()
}

/// A member's signed refusal to decrypt a list, with the failed check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The round.
    pub round: RoundId,
    /// Digest `T` the refused list names.
    pub transcript: Digest,
    /// Digest `L_j` of the refused list.
    pub list: Digest,
    /// The aggregator's signature over `list`, copied from the MemberList.
    pub list_signature: Vec<u8>,
    /// Committee index.
    pub member: u32,
    /// The failed check.
    pub fault: TranscriptFault,
    /// The member's signature over [`Refusal::digest`].
    pub signature: Vec<u8>,
}

impl Refusal {
    fn encode_body(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        put_digest(w, &self.transcript);
        put_digest(w, &self.list);
        w.put_var_bytes(&self.list_signature);
        w.put_u32(self.member);
        self.fault.encode(w);
    }

    /// The digest the member signs.
    pub fn digest(&self) -> Digest {
        let mut w = Writer::new();
        self.encode_body(&mut w);
        hash(tags::TAG_REFUSAL, &[w.as_slice()])
    }
}

impl Codec for Refusal {
    fn encode(&self, w: &mut Writer) {
        self.encode_body(w);
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Refusal {
            round: RoundId(r.read_u64("refusal.round")?),
            transcript: read_digest(r, "refusal.transcript")?,
            list: read_digest(r, "refusal.list")?,
            list_signature: r.read_var_bytes("refusal.list_signature", MAX_SIGNATURE)?.to_vec(),
            member: r.read_u32("refusal.member")?,
            fault: TranscriptFault::decode(r)?,
            signature: r.read_var_bytes("refusal.signature", MAX_SIGNATURE)?.to_vec(),
        })
    }
}

/// The aggregator tells a client its contribution was rejected. Signed by the aggregator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The round.
    pub round: RoundId,
    /// Roster index of the client.
    pub client: u32,
    /// Digest of the rejected contribution.
    pub item: Digest,
    /// Why.
    pub reason: RejectReason,
    /// The aggregator's signature over [`Rejection::digest`].
    pub signature: Vec<u8>,
}

impl Rejection {
    fn encode_body(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        w.put_u32(self.client);
        put_digest(w, &self.item);
        self.reason.encode(w);
    }

    /// The digest the aggregator signs.
    pub fn digest(&self) -> Digest {
        let mut w = Writer::new();
        self.encode_body(&mut w);
        hash(tags::TAG_REJECTION, &[w.as_slice()])
    }
}

impl Codec for Rejection {
    fn encode(&self, w: &mut Writer) {
        self.encode_body(w);
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Rejection {
            round: RoundId(r.read_u64("rejection.round")?),
            client: r.read_u32("rejection.client")?,
            item: read_digest(r, "rejection.item")?,
            reason: RejectReason::decode(r)?,
            signature: r.read_var_bytes("rejection.signature", MAX_SIGNATURE)?.to_vec(),
        })
    }
}

/// Step 5: the result: the decrypted sum, and the signed references to the quorum's
/// partial decryptions and its certificate, so a client can check that the quorum released
/// partials for this transcript (observers recombine from the partials themselves).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundResult {
    /// The round.
    pub round: RoundId,
    /// Digest of the transcript.
    pub transcript: Digest,
    /// Number of accepted contributions summed.
    pub count: u32,
    /// The decrypted sum of the quantized updates, one entry per coordinate.
    pub sum: Vec<i64>,
    /// The partial decryption of every member of the certificate's quorum, by reference, in
    /// ascending member order.
    pub partials: Vec<PartialRef>,
    /// The quorum certificate the partials were made under (on the transcript's agreement
    /// digest).
    pub certificate: QuorumCertificate,
    /// Evidence of every member the aggregator saw sign two different agreement digests
    /// (excluded from the quorum when caught before it formed), ascending by member.
    pub equivocations: Vec<Equivocation>,
    /// The aggregator's signature over [`RoundResult::digest`].
    pub signature: Vec<u8>,
}

impl RoundResult {
    fn encode_body(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        put_digest(w, &self.transcript);
        w.put_u32(self.count);
        w.put_list(&self.sum, |w, v| w.put_u64(v.cast_unsigned()));
        w.put_list(&self.partials, |w, p| p.encode(w));
        self.certificate.encode(w);
        w.put_list(&self.equivocations, |w, e| e.encode(w));
    }

    /// The digest the aggregator signs: `B("…/result-v4", body)` (the body holds the sum).
    pub fn digest(&self) -> Digest {
        let mut w = Writer::with_capacity(self.encoded_len_hint());
        self.encode_body(&mut w);
        bulk_digest(tags::TAG_RESULT, w.as_slice())
    }

    /// Decodes a result (as [`Codec::decode`]) and computes its [`RoundResult::digest`] over
    /// the bytes just read instead of re-encoding. The codec is canonical (a value has one
    /// encoding, and decoding accepts only that one), so this is exactly
    /// [`RoundResult::digest`]; it saves a client copying the megabyte of the sum once more
    /// to check the signature.
    ///
    /// # Errors
    /// As [`Codec::decode`].
    pub fn decode_digested(r: &mut Reader<'_>) -> Result<(Self, Digest), DecodeError> {
        let (result, body) = Self::decode_spanned(r)?;
        Ok((result, bulk_digest(tags::TAG_RESULT, body)))
    }

    /// Decodes a result and returns, beside it, the encoded bytes its digest covers.
    fn decode_spanned<'a>(r: &mut Reader<'a>) -> Result<(Self, &'a [u8]), DecodeError> {
        let start = r.clone();
        let round = RoundId(r.read_u64("result.round")?);
        let transcript = read_digest(r, "result.transcript")?;
        let count = r.read_u32("result.count")?;
        let sum = r.read_list("result.sum", usize_of(MAX_DIMENSION), |r| {
            Ok(r.read_u64("result.sum")?.cast_signed())
        })?;
        let partials =
            r.read_list("result.partials", usize_of(MAX_COMMITTEE), PartialRef::decode)?;
        let certificate = QuorumCertificate::decode(r)?;
        let equivocations =
            r.read_list("result.equivocations", MAX_EQUIVOCATIONS, Equivocation::decode)?;
        let body = read_since(&start, r);
        let signature = r.read_var_bytes("result.signature", MAX_SIGNATURE)?.to_vec();
        let result = RoundResult {
            round,
            transcript,
            count,
            sum,
            partials,
            certificate,
            equivocations,
            signature,
        };
        Ok((result, body))
    }

    /// The mean update in model units: `sum / (count · scale)` per coordinate.
    pub fn mean(&self, scale: u32) -> Vec<f64> {
        let denom = f64::from(self.count.max(1)) * f64::from(scale);
        #[allow(clippy::cast_precision_loss)] // sums are far below 2^53
        self.sum.iter().map(|&s| s as f64 / denom).collect()
    }
}

impl Codec for RoundResult {
    fn encoded_len_hint(&self) -> usize {
        let partials = 320 * self.partials.len();
        let certificate = 48 + 72 * self.certificate.signatures.len();
        let equivocations = 200 * self.equivocations.len();
        64 + 8 * self.sum.len() + partials + certificate + equivocations + self.signature.len()
    }

    fn encode(&self, w: &mut Writer) {
        self.encode_body(w);
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Self::decode_spanned(r).map(|(v, _)| v)
    }
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)] // small test indices
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::messages::Message;

    fn partial(member: u32, len: usize, fill: u8) -> PartialDecryption {
        PartialDecryption {
            round: RoundId(3),
            transcript: [fill; 32],
            list: [fill ^ 1; 32],
            list_signature: vec![fill; 64],
            agreed: [fill ^ 2; 32],
            quorum: u64::from(fill),
            member,
            partial: (0..len).map(|i| (i as u8).wrapping_mul(fill)).collect(),
            signature: vec![fill ^ 7; 64],
        }
    }

    proptest! {
        /// The digest computed over the received bytes is exactly the re-encoded one, the
        /// decoded result is the same, and non-canonical inputs still fail.
        #[test]
        fn wire_digests_equal_reencoded_digests(
            sum in proptest::collection::vec(any::<i64>(), 0..3000),
            sizes in proptest::collection::vec(0usize..20_000, 0..4),
            sig in proptest::collection::vec(any::<u8>(), 0..100),
        ) {
            let partials = sizes
                .iter()
                .enumerate()
                .map(|(j, &len)| partial(j as u32, len, j as u8 + 1).to_ref())
                .collect();
            let r = RoundResult {
                round: RoundId(3),
                transcript: [9; 32],
                count: 5,
                sum,
                partials,
                certificate: QuorumCertificate {
                    round: RoundId(3),
                    list: [4; 32],
                    signatures: vec![crate::messages::MemberSignature { member: 1, signature: vec![5; 64] }],
                },
                equivocations: Vec::new(),
                signature: sig,
            };
            let bytes = Message::Result(r.clone()).to_bytes();
            let (m, digests) = Message::from_bytes_digested(&bytes).unwrap();
            prop_assert_eq!(m, Message::Result(r.clone()));
            prop_assert_eq!(digests, Some(r.digest()));
            let mut longer = bytes.clone();
            longer.push(0);
            prop_assert!(Message::from_bytes_digested(&longer).is_err());
            prop_assert!(Message::from_bytes_digested(&bytes[..bytes.len() - 1]).is_err());
        }
    }

    /// A member's signed statement covers every field of its partial, the share through its
    /// digest: changing any of them changes the statement, and the reference round-trips.
    #[test]
    fn the_signed_statement_covers_every_field_of_a_partial() {
        let p = partial(2, 1000, 5);
        let r = p.to_ref();
        assert_eq!(PartialRef::from_bytes(&r.to_bytes()).unwrap(), r);
        assert_eq!(p.digest(), r.digest());
        let changed: [fn(&mut PartialDecryption); 8] = [
            |p| p.round.0 ^= 1,
            |p| p.transcript[0] ^= 1,
            |p| p.list[31] ^= 1,
            |p| p.list_signature[0] ^= 1,
            |p| p.agreed[5] ^= 1,
            |p| p.quorum ^= 1 << 9,
            |p| p.member ^= 1,
            |p| p.partial[999] ^= 1,
        ];
        for change in changed {
            let mut q = p.clone();
            change(&mut q);
            assert_ne!(q.digest(), p.digest(), "{q:?}");
        }
        let mut resigned = p.clone();
        resigned.signature[0] ^= 1;
        assert_eq!(resigned.digest(), p.digest());
    }

    #[test]
    fn other_kinds_decode_without_digests() {
        let bytes = Message::Partial(partial(0, 100, 3)).to_bytes();
        let (m, digests) = Message::from_bytes_digested(&bytes).unwrap();
        assert_eq!(m, Message::from_bytes(&bytes).unwrap());
        assert_eq!(digests, None);
    }
}
