//! Negative (Wycheproof-style) cases: each takes a valid input of a positive case and breaks
//! one thing, or forges an authentic ciphertext with a bad inside.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::scalar::Scalar;
use gradseal_core::{Codec, Writer};
use serde_json::{Value, json};

use super::{Case, hx};
use crate::fuzzing::seed;
use crate::schnorr::{message_digest, schnorr_sign, sign_with_random};
use crate::signcrypt::{
    Ephemeral, HEADER_LEN, assemble, derive_key, signcrypt_core, signcrypt_statement,
    write_sender_block,
};
use crate::wire::Point;
use crate::{Identity, Kgc, NodeKeys, NodeSecret, PublicBundle};

/// `bytes + m` as 256-bit little-endian integers (for non-canonical encodings).
fn add_le(bytes: &[u8; 32], m: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for ((o, a), b) in out.iter_mut().zip(bytes).zip(m) {
        let t = u16::from(*a) + u16::from(*b) + carry;
        *o = t.to_le_bytes()[0];
        carry = t >> 8;
    }
    out
}

/// p = 2^255 − 19, little-endian.
fn field_modulus() -> [u8; 32] {
    let mut p = [0xff; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    p
}

/// ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian: (ℓ − 1) + 1.
fn group_order() -> [u8; 32] {
    let mut one = [0u8; 32];
    one[0] = 1;
    add_le(&(-Scalar::ONE).to_bytes(), &one)
}

/// One negative case. `operation` names what is run on `input` (see the spec):
/// `unsigncrypt` (with `keys` = "recipient" or "sender" of case `case`, under `context`),
/// `verify` (under the sender's key, `context`, `message`), `complete` (the sender's node
/// secret completes `input` as a partial key), `issue` (the case's KGC checks `input` as a
/// request), `derive` (decode `input` as a bundle and derive its key), `decode_kgc`.
pub(super) struct Negative {
    comment: String,
    flags: Vec<&'static str>,
    operation: &'static str,
    keys: Option<&'static str>,
    context: Option<Vec<u8>>,
    message: Option<Vec<u8>>,
    input: Vec<u8>,
}

impl Negative {
    fn new(comment: &str, flags: &[&'static str], operation: &'static str, input: Vec<u8>) -> Self {
        Self {
            comment: comment.into(),
            flags: flags.to_vec(),
            operation,
            keys: None,
            context: None,
            message: None,
            input,
        }
    }

    fn unsigncrypt(case: &Case, comment: &str, flags: &[&'static str], input: Vec<u8>) -> Self {
        Self {
            keys: Some("recipient"),
            context: Some(case.input.context.clone()),
            ..Self::new(comment, flags, "unsigncrypt", input)
        }
    }

    fn verify(case: &Case, comment: &str, flags: &[&'static str], input: Vec<u8>) -> Self {
        Self {
            context: Some(case.input.sign_context.clone()),
            message: Some(case.input.message.clone()),
            ..Self::new(comment, flags, "verify", input)
        }
    }

    pub(super) fn to_json(&self, tc: u32, case: u32) -> Value {
        let mut v = json!({
            "tcId": tc,
            "comment": self.comment,
            "flags": self.flags,
            "case": case,
            "operation": self.operation,
            "input": hx(&self.input),
            "result": "invalid",
        });
        if let Some(obj) = v.as_object_mut() {
            if let Some(k) = self.keys {
                obj.insert("keys".into(), json!(k));
            }
            if let Some(c) = &self.context {
                obj.insert("context".into(), hx(c));
            }
            if let Some(m) = &self.message {
                obj.insert("message".into(), hx(m));
            }
        }
        v
    }
}

fn with_byte(mut bytes: Vec<u8>, at: usize, f: impl FnOnce(u8) -> u8) -> Vec<u8> {
    let b = bytes.get_mut(at).expect("offset inside input");
    *b = f(*b);
    bytes
}

fn replace32(mut bytes: Vec<u8>, at: usize, with: &[u8; 32]) -> Vec<u8> {
    bytes.get_mut(at..at + 32).expect("field inside input").copy_from_slice(with);
    bytes
}

fn arr32(bytes: &[u8], at: usize) -> [u8; 32] {
    bytes.get(at..at + 32).and_then(|s| s.try_into().ok()).expect("field inside input")
}

/// Negative unsigncrypt cases that need an authentic ciphertext with a bad inside: a forger
/// who knows the AEAD key (the sender, or the recipient re-encrypting to itself).
pub(super) fn forged_signcryptions(c: &Case) -> Vec<Negative> {
    let kp = c.kgc.public();
    let rcpt = c.recipient.public_key();
    let input = &c.input;
    let mut out = Vec::new();

    // Type I: Mallory claims the sender's identity and R with her own X' and signs with x'.
    let mallory = NodeSecret::from_seed(c.sender.identity().clone(), &seed(input.tc, "mallory/x"))
        .expect("x != 0");
    let forged_bundle = PublicBundle {
        identity: c.sender.identity().clone(),
        x: mallory.x_point(),
        r: c.sender.bundle().r,
    };
    let forged_bid = forged_bundle.id_under(kp);
    let ct = signcrypt_core(
        mallory.secret(),
        &forged_bundle,
        &forged_bid,
        rcpt,
        &input.context,
        &input.message,
        input.padding,
        &seed(input.tc, "mallory/rnd"),
    );
    out.push(Negative::unsigncrypt(
        c,
        "sender bundle with X replaced, signed with the replacing secret only",
        &["ReplacedPublicValue"],
        ct.into_bytes(),
    ));

    // The recipient re-encrypts the sender's signed plaintext to itself under a new E.
    let e2 = Ephemeral(zeroize::Zeroizing::new(crate::wire::hash_to_scalar(
        crate::tags::TAG_VECTOR_SEED,
        &[&seed(input.tc, "rebind/e")],
    )));
    let (e2_pub, k2) = e2.agree(rcpt.point());
    let key2 = derive_key(&e2_pub.bytes, &k2, rcpt.bundle_id(), &input.context);
    let original = {
        let md = message_digest(&input.message);
        let orig_e = Point::from_bytes(arr32(&c.signcryption, 0), "E").expect("valid E");
        let st = signcrypt_statement(
            c.sender.public_key().bundle_id(),
            rcpt.bundle_id(),
            &orig_e.bytes,
            &input.context,
            &md,
        );
        schnorr_sign(c.sender.sk(), &seed(input.tc, "signcrypt/rnd"), &st)
    };
    let pt_len = input.padding.padded_len(HEADER_LEN + input.message.len());
    let rebound = assemble(e2_pub, &key2, &input.context, pt_len, |w| {
        write_sender_block(w, c.sender.bundle());
        original.encode(w);
        w.put_var_bytes(&input.message);
    });
    out.push(Negative::unsigncrypt(
        c,
        "the sender's valid inner signature re-encrypted by the recipient under a new E",
        &["ReboundSignature"],
        rebound.into_bytes(),
    ));

    // A malicious sender: signature over another context than the AEAD's.
    let rnd = seed(input.tc, "inner/rnd");
    let eph = Ephemeral::derive(c.sender.sk(), &rnd, rcpt.bundle_id(), &input.context, &[0; 32]);
    let (e3, k3) = eph.agree(rcpt.point());
    let key3 = derive_key(&e3.bytes, &k3, rcpt.bundle_id(), &input.context);
    let md = message_digest(&input.message);
    let st = signcrypt_statement(
        c.sender.public_key().bundle_id(),
        rcpt.bundle_id(),
        &e3.bytes,
        b"another context",
        &md,
    );
    let sig = schnorr_sign(c.sender.sk(), &rnd, &st);
    let ct = assemble(e3, &key3, &input.context, pt_len, |w| {
        write_sender_block(w, c.sender.bundle());
        sig.encode(w);
        w.put_var_bytes(&input.message);
    });
    out.push(Negative::unsigncrypt(
        c,
        "authentic ciphertext whose inner signature binds another context",
        &["InvalidInnerSignature", "WrongContext"],
        ct.into_bytes(),
    ));

    // Authentic ciphertext, valid signature, one non-zero padding byte.
    let eph = Ephemeral::derive(c.sender.sk(), &rnd, rcpt.bundle_id(), &input.context, &[1; 32]);
    let (e4, k4) = eph.agree(rcpt.point());
    let key4 = derive_key(&e4.bytes, &k4, rcpt.bundle_id(), &input.context);
    let st = signcrypt_statement(
        c.sender.public_key().bundle_id(),
        rcpt.bundle_id(),
        &e4.bytes,
        &input.context,
        &md,
    );
    let sig = schnorr_sign(c.sender.sk(), &rnd, &st);
    let ct = assemble(e4, &key4, &input.context, HEADER_LEN + input.message.len() + 16, |w| {
        write_sender_block(w, c.sender.bundle());
        sig.encode(w);
        w.put_var_bytes(&input.message);
        w.put_bytes(&[0; 15]);
        w.put_u8(1);
    });
    out.push(Negative::unsigncrypt(
        c,
        "authentic ciphertext and valid signature, last padding byte 0x01",
        &["NonZeroPadding"],
        ct.into_bytes(),
    ));
    out
}

pub(super) fn unsigncrypt_negatives(c: &Case) -> Vec<Negative> {
    let ct = c.signcryption.clone();
    let e = arr32(&ct, 0);
    let e_point = Point::from_bytes(e, "E").expect("valid E");
    let e_plus_g = Point::new(e_point.point + RISTRETTO_BASEPOINT_POINT).expect("not identity");
    let last = ct.len() - 1;
    let mut out = vec![
        Negative::unsigncrypt(
            c,
            "E replaced by E + G",
            &["TamperedEphemeral"],
            replace32(ct.clone(), 0, &e_plus_g.bytes),
        ),
        Negative::unsigncrypt(
            c,
            "E encoded non-canonically (value + p)",
            &["TamperedEphemeral", "NonCanonicalPoint"],
            replace32(ct.clone(), 0, &add_le(&e, &field_modulus())),
        ),
        Negative::unsigncrypt(
            c,
            "E is the identity",
            &["TamperedEphemeral", "IdentityPoint"],
            replace32(ct.clone(), 0, &[0; 32]),
        ),
        Negative::unsigncrypt(
            c,
            "last tag byte flipped",
            &["TamperedTag"],
            with_byte(ct.clone(), last, |b| b ^ 0x80),
        ),
        Negative::unsigncrypt(
            c,
            "first ciphertext byte flipped",
            &["TamperedBody"],
            with_byte(ct.clone(), 36, |b| b ^ 0x01),
        ),
        Negative::unsigncrypt(
            c,
            "byte inside the message flipped",
            &["TamperedBody"],
            with_byte(ct.clone(), 36 + HEADER_LEN, |b| b ^ 0x01),
        ),
        Negative::unsigncrypt(
            c,
            "last byte removed (length prefix now too long)",
            &["Truncated"],
            ct.get(..last).expect("non-empty").to_vec(),
        ),
        Negative::unsigncrypt(
            c,
            "one zero byte appended",
            &["Extended"],
            [ct.as_slice(), &[0]].concat(),
        ),
        Negative::unsigncrypt(
            c,
            "sealed part shorter than the minimum (header + tag)",
            &["Truncated"],
            {
                let mut w = Writer::new();
                w.put_bytes(&e);
                w.put_var_bytes(ct.get(36..36 + HEADER_LEN).expect("header"));
                w.into_bytes()
            },
        ),
        Negative {
            keys: Some("sender"),
            ..Negative::unsigncrypt(
                c,
                "opened by the sender instead of the recipient",
                &["WrongRecipient"],
                ct.clone(),
            )
        },
        Negative {
            context: Some([c.input.context.as_slice(), b"!"].concat()),
            ..Negative::unsigncrypt(
                c,
                "opened under another context",
                &["WrongContext"],
                ct.clone(),
            )
        },
    ];
    out.extend(forged_signcryptions(c));
    out
}

pub(super) fn signature_negatives(c: &Case, other: &NodeKeys) -> Vec<Negative> {
    let sig = c.signature.clone();
    let r = arr32(&sig, 0);
    let s = arr32(&sig, 32);
    let by_other = sign_with_random(
        other,
        &c.input.sign_context,
        &c.input.message,
        &seed(c.input.tc, "other/rnd"),
    );
    vec![
        Negative {
            context: Some(b"another context".to_vec()),
            ..Negative::verify(c, "verified under another context", &["WrongContext"], sig.clone())
        },
        Negative {
            message: Some([c.input.message.as_slice(), b"."].concat()),
            ..Negative::verify(
                c,
                "verified against another message",
                &["WrongMessage"],
                sig.clone(),
            )
        },
        Negative::verify(
            c,
            "signature by the recipient, verified under the sender",
            &["WrongSigner"],
            by_other.to_bytes(),
        ),
        Negative::verify(
            c,
            "s encoded non-canonically (s + l)",
            &["NonCanonicalScalar"],
            replace32(sig.clone(), 32, &add_le(&s, &group_order())),
        ),
        Negative::verify(
            c,
            "Rsig is the identity",
            &["IdentityPoint"],
            replace32(sig.clone(), 0, &[0; 32]),
        ),
        Negative::verify(
            c,
            "Rsig encoded non-canonically (value + p)",
            &["NonCanonicalPoint"],
            replace32(sig.clone(), 0, &add_le(&r, &field_modulus())),
        ),
        Negative::verify(c, "63 bytes", &["Truncated"], sig.get(..63).expect("64 bytes").to_vec()),
        Negative::verify(c, "65 bytes", &["Extended"], [sig.as_slice(), &[0]].concat()),
    ]
}

pub(super) fn enrolment_negatives(c: &Case) -> Vec<Negative> {
    let kp = c.kgc.public();
    let tc = c.input.tc;
    let other_kgc = Kgc::from_seed(&seed(tc, "other-kgc")).expect("s != 0");
    // The sender's x under another identity, and another x under the sender's identity.
    let same_x = NodeSecret::from_seed(
        Identity::new(b"mallory".to_vec()).expect("id"),
        &seed(tc, "sender/x"),
    )
    .expect("x != 0");
    let other_x =
        NodeSecret::from_seed(c.sender.identity().clone(), &seed(tc, "other/x")).expect("x != 0");
    let issue = |kgc: &Kgc, node: &NodeSecret, label: &str| {
        let req = node.request_with_random(kgc.public(), &seed(tc, label));
        kgc.issue_with_random(&req, &seed(tc, &format!("{label}/partial")))
            .expect("issue")
            .to_bytes()
    };
    let good_partial = c.sender_partial.clone();
    let d = arr32(&good_partial, 32);
    let request = c.sender_request.clone();
    let id_len = c.sender.identity().as_bytes().len();
    let x_at = 4 + id_len;
    let z_at = x_at + 64;
    let z = arr32(&request, z_at);
    let bundle = c.sender.bundle().to_bytes();
    let big_x = arr32(&bundle, x_at);
    vec![
        Negative::new(
            "partial key issued for the sender's X under another identity",
            &["PartialKeyOtherIdentity"],
            "complete",
            issue(&c.kgc, &same_x, "same-x"),
        ),
        Negative::new(
            "partial key issued for the sender's identity with another X",
            &["PartialKeyOtherPublicValue"],
            "complete",
            issue(&c.kgc, &other_x, "other-x"),
        ),
        Negative::new(
            "partial key for the sender from another KGC",
            &["OtherKgc"],
            "complete",
            issue(&other_kgc, &c.sender_secret, "other-kgc"),
        ),
        Negative::new(
            "d encoded non-canonically (d + l)",
            &["NonCanonicalScalar"],
            "complete",
            replace32(good_partial.clone(), 32, &add_le(&d, &group_order())),
        ),
        Negative::new(
            "R is the identity",
            &["IdentityPoint"],
            "complete",
            replace32(good_partial, 0, &[0; 32]),
        ),
        Negative::new(
            "identity changed after the proof of possession",
            &["InvalidProofOfPossession"],
            "issue",
            with_byte(request.clone(), 4, |b| b ^ 0x01),
        ),
        Negative::new(
            "proof of possession made for another KGC",
            &["InvalidProofOfPossession", "OtherKgc"],
            "issue",
            c.sender_secret
                .request_with_random(other_kgc.public(), &seed(tc, "sender/pop"))
                .to_bytes(),
        ),
        Negative::new(
            "z encoded non-canonically (z + l)",
            &["NonCanonicalScalar"],
            "issue",
            replace32(request.clone(), z_at, &add_le(&z, &group_order())),
        ),
        Negative::new(
            "X is the identity",
            &["IdentityPoint"],
            "issue",
            replace32(request.clone(), x_at, &[0; 32]),
        ),
        Negative::new(
            "request truncated by one byte",
            &["Truncated"],
            "issue",
            request.get(..request.len() - 1).expect("non-empty").to_vec(),
        ),
        Negative::new(
            "bundle X encoded non-canonically (value + p)",
            &["NonCanonicalPoint"],
            "derive",
            replace32(bundle.clone(), x_at, &add_le(&big_x, &field_modulus())),
        ),
        Negative::new(
            "bundle R is the identity",
            &["IdentityPoint"],
            "derive",
            replace32(bundle.clone(), x_at + 32, &[0; 32]),
        ),
        Negative::new(
            "bundle truncated by one byte",
            &["Truncated"],
            "derive",
            bundle.get(..bundle.len() - 1).expect("non-empty").to_vec(),
        ),
        Negative::new(
            "bundle with one byte appended",
            &["Extended"],
            "derive",
            [bundle.as_slice(), &[0]].concat(),
        ),
        Negative::new(
            "bundle with an empty identity",
            &["InvalidIdentity"],
            "derive",
            [&[0u8, 0, 0, 0][..], bundle.get(x_at..).expect("points")].concat(),
        ),
        Negative::new(
            "bundle with a 65-byte identity",
            &["InvalidIdentity"],
            "derive",
            [&[0u8, 0, 0, 65][..], &[b'a'; 65], bundle.get(x_at..).expect("points")].concat(),
        ),
        Negative::new("Ppub is the identity", &["IdentityPoint"], "decode_kgc", vec![0; 32]),
        Negative::new(
            "Ppub encoded non-canonically (value + p)",
            &["NonCanonicalPoint"],
            "decode_kgc",
            add_le(kp.ppub_bytes(), &field_modulus()).to_vec(),
        ),
    ]
}
