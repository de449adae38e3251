//! Step 4a (t-of-n): agreement before decryption. Each member signs, once per round, the
//! agreement digest `E` of the list it checked ([`Agreement`]); the aggregator gathers `q`
//! of them on one `E` into a [`QuorumCertificate`] and sends it to those `q` members, who
//! decrypt only with a certificate on their own `E`. Two quorums share more than `f`
//! members, so an honest one, which signs once: two different lists can never both be
//! certified. A member that signs two different digests is caught by the pair
//! ([`Equivocation`]).

use gradseal_core::{Codec, DecodeError, Reader, Writer, hash};

use super::{Digest, MAX_SIGNATURE, put_digest, read_digest, usize_of};
use crate::params::{MAX_COMMITTEE, RoundId};
use crate::tags;

/// The agreement digest `E` of a list of accepted contributions:
/// `H("…/agreed-list", A, u64 round, u32 count, (u32 client ‖ S_client)…)`, with `S` each
/// client's signed contribution statement (which binds its body and every sealed seed).
/// Member-independent: a member computes it from its checked list, an observer from the
/// transcript; two members with the same `E` decrypt the same contributions of the same
/// clients.
pub fn agreed_list_digest(
    announcement: &Digest,
    round: RoundId,
    entries: impl ExactSizeIterator<Item = (u32, Digest)>,
) -> Digest {
    let count = u32::try_from(entries.len()).unwrap_or(u32::MAX);
    let mut w = Writer::with_capacity(16 + 36 * entries.len());
    w.put_u32(count);
    for (client, statement) in entries {
        w.put_u32(client);
        put_digest(&mut w, &statement);
    }
    hash(tags::TAG_AGREED_LIST, &[announcement, &round.0.to_be_bytes(), w.as_slice()])
}

/// A member's signed agreement to decrypt the list with agreement digest `list` (sent to
/// the aggregator and the observers once its list passes every check). A member signs at
/// most one per round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    /// The round.
    pub round: RoundId,
    /// Committee index of the signer.
    pub member: u32,
    /// The agreement digest `E` of the member's checked list.
    pub list: Digest,
    /// The member's signature over [`Agreement::digest`].
    pub signature: Vec<u8>,
}

impl Agreement {
    /// The statement a member signs: `H("…/agreement", u64 round ‖ u32 member ‖ [32] E)`.
    pub fn statement(round: RoundId, member: u32, list: &Digest) -> Digest {
        let mut w = Writer::with_capacity(44);
        w.put_u64(round.0);
        w.put_u32(member);
        put_digest(&mut w, list);
        hash(tags::TAG_AGREEMENT, &[w.as_slice()])
    }

    /// The digest the member signs ([`Agreement::statement`] of its fields).
    pub fn digest(&self) -> Digest {
        Self::statement(self.round, self.member, &self.list)
    }
}

impl Codec for Agreement {
    fn encode(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        w.put_u32(self.member);
        put_digest(w, &self.list);
        w.put_var_bytes(&self.signature);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Agreement {
            round: RoundId(r.read_u64("agreement.round")?),
            member: r.read_u32("agreement.member")?,
            list: read_digest(r, "agreement.list")?,
            signature: r.read_var_bytes("agreement.signature", MAX_SIGNATURE)?.to_vec(),
        })
    }
}

/// One member's signature inside a certificate (its [`Agreement`] without the round and
/// the digest the certificate states once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberSignature {
    /// Committee index.
    pub member: u32,
    /// The member's signature over [`Agreement::statement`]`(round, member, E)`.
    pub signature: Vec<u8>,
}

/// `q` agreements of distinct members on one agreement digest `E`, in ascending member
/// order: the quorum `Q` is the set of signers. Needs no aggregator signature (it is `q`
/// member signatures); sent by the aggregator to the members of `Q` and the observers, and
/// carried in the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumCertificate {
    /// The round.
    pub round: RoundId,
    /// The agreement digest `E` every signer agreed to.
    pub list: Digest,
    /// The signers' signatures, strictly ascending by member (the decoder enforces it).
    pub signatures: Vec<MemberSignature>,
}

impl QuorumCertificate {
    /// The quorum as a bitmask (bit j = member j); `None` if a member index is 64 or more
    /// (the decoder already bounds the list by the largest committee).
    pub fn quorum_mask(&self) -> Option<u64> {
        self.signatures.iter().try_fold(0u64, |m, s| Some(m | 1u64.checked_shl(s.member)?))
    }

    /// The signers' agreements, rebuilt (for checks and evidence).
    pub fn agreements(&self) -> impl Iterator<Item = Agreement> + '_ {
        self.signatures.iter().map(|s| Agreement {
            round: self.round,
            member: s.member,
            list: self.list,
            signature: s.signature.clone(),
        })
    }
}

impl Codec for QuorumCertificate {
    fn encode(&self, w: &mut Writer) {
        w.put_u64(self.round.0);
        put_digest(w, &self.list);
        w.put_list(&self.signatures, |w, s| {
            w.put_u32(s.member);
            w.put_var_bytes(&s.signature);
        });
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let round = RoundId(r.read_u64("certificate.round")?);
        let list = read_digest(r, "certificate.list")?;
        let signatures = r.read_list("certificate.signatures", usize_of(MAX_COMMITTEE), |r| {
            Ok(MemberSignature {
                member: r.read_u32("certificate.member")?,
                signature: r.read_var_bytes("certificate.signature", MAX_SIGNATURE)?.to_vec(),
            })
        })?;
        // Canonical: strictly ascending members, each a possible committee index.
        let ascending = signatures.windows(2).all(|w| matches!(w, [a, b] if a.member < b.member));
        let bounded = signatures.iter().all(|s| s.member < MAX_COMMITTEE);
        if !ascending || !bounded {
            return Err(DecodeError::InvalidValue { field: "certificate.signatures" });
        }
        Ok(QuorumCertificate { round, list, signatures })
    }
}

/// Evidence that a member signed two different agreement digests in one round: both of its
/// agreements (same round and member, `first.list < second.list`, both signatures valid).
/// Anyone holding the committee's bundles can check it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Equivocation {
    /// The agreement on the smaller digest.
    pub first: Agreement,
    /// The agreement on the larger digest.
    pub second: Agreement,
}

impl Equivocation {
    /// The evidence of two agreements, ordered canonically; `None` unless they name the same
    /// round and member and different digests (signatures are the caller's to check).
    pub fn of(a: Agreement, b: Agreement) -> Option<Self> {
        if a.round != b.round || a.member != b.member || a.list == b.list {
            return None;
        }
        Some(if a.list < b.list {
            Equivocation { first: a, second: b }
        } else {
            Equivocation { first: b, second: a }
        })
    }

    /// The equivocating member.
    pub fn member(&self) -> u32 {
        self.first.member
    }
}

impl Codec for Equivocation {
    fn encode(&self, w: &mut Writer) {
        self.first.encode(w);
        self.second.encode(w);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let first = Agreement::decode(r)?;
        let second = Agreement::decode(r)?;
        let canonical = first.round == second.round
            && first.member == second.member
            && first.list < second.list;
        if !canonical {
            return Err(DecodeError::InvalidValue { field: "equivocation" });
        }
        Ok(Equivocation { first, second })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn agreement(member: u32, fill: u8) -> Agreement {
        Agreement { round: RoundId(7), member, list: [fill; 32], signature: vec![fill; 64] }
    }

    proptest! {
        /// Certificates round-trip; members out of order, repeated or past the largest
        /// committee do not decode.
        #[test]
        fn certificates_round_trip_canonically(
            members in proptest::collection::btree_set(0u32..16, 0..16),
            list in any::<[u8; 32]>(),
            sig_len in 0usize..100,
        ) {
            let signatures: Vec<MemberSignature> = members
                .iter()
                .map(|&member| MemberSignature { member, signature: vec![7; sig_len] })
                .collect();
            let c = QuorumCertificate { round: RoundId(3), list, signatures };
            let bytes = c.to_bytes();
            prop_assert_eq!(QuorumCertificate::from_bytes(&bytes), Ok(c.clone()));
            prop_assert_eq!(
                c.quorum_mask(),
                Some(members.iter().fold(0u64, |m, &j| m | (1 << j)))
            );
            if c.signatures.len() >= 2 {
                let mut swapped = c.clone();
                swapped.signatures.swap(0, 1);
                prop_assert!(QuorumCertificate::from_bytes(&swapped.to_bytes()).is_err());
                let mut repeated = c.clone();
                repeated.signatures[1].member = repeated.signatures[0].member;
                prop_assert!(QuorumCertificate::from_bytes(&repeated.to_bytes()).is_err());
            }
            let mut past = c.clone();
            past.signatures.push(MemberSignature { member: 16, signature: vec![] });
            prop_assert!(QuorumCertificate::from_bytes(&past.to_bytes()).is_err());
            prop_assert!(QuorumCertificate::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        }

        /// Agreements and equivocations round-trip; an equivocation must be canonical.
        #[test]
        fn agreements_and_equivocations_round_trip(
            member in any::<u32>(),
            a in any::<u8>(),
            b in any::<u8>(),
        ) {
            let x = agreement(member, a);
            prop_assert_eq!(Agreement::from_bytes(&x.to_bytes()), Ok(x.clone()));
            let y = agreement(member, b);
            match Equivocation::of(x.clone(), y.clone()) {
                None => prop_assert_eq!(a, b),
                Some(e) => {
                    prop_assert!(e.first.list < e.second.list);
                    prop_assert_eq!(Equivocation::from_bytes(&e.to_bytes()), Ok(e.clone()));
                    let flipped = Equivocation { first: e.second.clone(), second: e.first.clone() };
                    prop_assert!(Equivocation::from_bytes(&flipped.to_bytes()).is_err());
                }
            }
            prop_assert!(Equivocation::of(x, agreement(member.wrapping_add(1), b)).is_none());
        }
    }

    #[test]
    fn statement_and_agreed_digest_bind_every_field() {
        let base = Agreement::statement(RoundId(1), 2, &[3; 32]);
        assert_ne!(base, Agreement::statement(RoundId(2), 2, &[3; 32]));
        assert_ne!(base, Agreement::statement(RoundId(1), 3, &[3; 32]));
        assert_ne!(base, Agreement::statement(RoundId(1), 2, &[4; 32]));
        let e = |a: u8, r: u64, entries: &[(u32, Digest)]| {
            agreed_list_digest(&[a; 32], RoundId(r), entries.iter().copied())
        };
        let base = e(1, 1, &[(0, [5; 32]), (2, [6; 32])]);
        for other in [
            e(2, 1, &[(0, [5; 32]), (2, [6; 32])]),
            e(1, 2, &[(0, [5; 32]), (2, [6; 32])]),
            e(1, 1, &[(1, [5; 32]), (2, [6; 32])]),
            e(1, 1, &[(0, [5; 32]), (2, [7; 32])]),
            e(1, 1, &[(0, [5; 32])]),
        ] {
            assert_ne!(other, base);
        }
    }
}
