//! Negative (Wycheproof-style) cases: each takes a valid input of a positive case and breaks
//! one thing, or forges an authentic ciphertext with a bad inside. Every random value is
//! `seed(case, label)` (spec §9 lists the labels and the recipe of each forgery).

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::scalar::Scalar;
use gradseal_core::{Codec, Writer};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::{Case, hx, vec_bytes};
use crate::enrolment::Unrestricted;
use crate::fuzzing::seed;
use crate::schnorr::{message_digest, schnorr_sign, sign_with_random};
use crate::signcrypt::{
    Ephemeral, HEADER_LEN, assemble, derive_key, pt_len_u32, signcrypt_statement,
    write_sender_block,
};
use crate::wire::{Point, hash_to_scalar};
use crate::{
    Identity, Kgc, MAX_MESSAGE_LEN, MAX_SEALED_LEN, NodeKeys, NodeSecret, PublicBundle, tags,
};

/// `a + b` as 256-bit little-endian integers (wrapping; never wraps for the values here).
fn add_le(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        let t = u16::from(*x) + u16::from(*y) + carry;
        *o = t.to_le_bytes()[0];
        carry = t >> 8;
    }
    out
}

/// `a − b` as 256-bit little-endian integers (`a ≥ b` here).
fn sub_le(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        let mut t = i16::from(*x) - i16::from(*y) - borrow;
        borrow = i16::from(t < 0);
        if t < 0 {
            t += 256;
        }
        *o = t.to_le_bytes()[0];
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

/// The three non-canonical encodings of a point encoding `v` (even, `< p`): `v + p` (odd,
/// so rejected as negative), `2p − v` (even and `≥ p`: only the `s < p` check rejects it)
/// and `v + 2^255` (even, top bit set: likewise).
fn non_canonical(v: &[u8; 32]) -> [(&'static str, [u8; 32]); 3] {
    let p = field_modulus();
    let mut top = *v;
    top[31] |= 0x80;
    [("v + p", add_le(v, &p)), ("2p − v", sub_le(&add_le(&p, &p), v)), ("v + 2^255", top)]
}

fn scalar_plus_order(v: &[u8; 32]) -> [u8; 32] {
    add_le(v, &group_order())
}

/// One negative case (see `OPERATIONS` in the parent module for what each operation runs).
pub(super) struct Negative {
    comment: String,
    flags: Vec<&'static str>,
    operation: &'static str,
    error: &'static str,
    keys: Option<&'static str>,
    context: Option<Vec<u8>>,
    message: Option<Vec<u8>>,
    max_sealed_len: Option<usize>,
    input: Vec<u8>,
}

impl Negative {
    fn new(
        comment: &str,
        flags: &[&'static str],
        operation: &'static str,
        error: &'static str,
        input: Vec<u8>,
    ) -> Self {
        Self {
            comment: comment.into(),
            flags: flags.to_vec(),
            operation,
            error,
            keys: None,
            context: None,
            message: None,
            max_sealed_len: None,
            input,
        }
    }

    fn unsigncrypt(
        case: &Case,
        comment: &str,
        flags: &[&'static str],
        error: &'static str,
        input: Vec<u8>,
    ) -> Self {
        Self {
            keys: Some("recipient"),
            context: Some(case.input.context.clone()),
            ..Self::new(comment, flags, "unsigncrypt", error, input)
        }
    }

    /// An authentic ciphertext whose inside is bad: always the opaque `Unsigncrypt`.
    fn forged(case: &Case, comment: &str, flags: &[&'static str], input: Vec<u8>) -> Self {
        Self::unsigncrypt(case, comment, flags, "Unsigncrypt", input)
    }

    fn verify(
        case: &Case,
        comment: &str,
        flags: &[&'static str],
        error: &'static str,
        input: Vec<u8>,
    ) -> Self {
        Self {
            context: Some(case.input.sign_context.clone()),
            message: Some(case.input.message.clone()),
            ..Self::new(comment, flags, "verify", error, input)
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
            "error": self.error,
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
            if let Some(m) = self.max_sealed_len {
                obj.insert("max_sealed_len".into(), json!(m));
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

fn replace_at(mut bytes: Vec<u8>, at: usize, with: &[u8]) -> Vec<u8> {
    bytes.get_mut(at..at + with.len()).expect("field inside input").copy_from_slice(with);
    bytes
}

fn arr32(bytes: &[u8], at: usize) -> [u8; 32] {
    bytes.get(at..at + 32).and_then(|s| s.try_into().ok()).expect("field inside input")
}

/// Seals `pt` as it is under `key` with ephemeral point `e` (the forger holds the key).
fn reseal(e: Point, key: &[u8; 32], context: &[u8], pt: &[u8]) -> Vec<u8> {
    assemble(e, key, context, pt.len(), |w| w.put_bytes(pt)).into_bytes()
}

/// How a forger builds an authentic signcryption to the case's recipient (spec §9):
/// `e = Hs("vector-seed", seed(case, label))`, the honest key schedule under the case's
/// context, a signature by `sk` with `rnd = seed(case, label)` over the statement of
/// `bundle` (bound to `statement_context` and the padded length `pt_len`), the honest
/// plaintext layout, then `mutate` applied to the plaintext before sealing.
struct Forgery<'a> {
    label: &'static str,
    sk: &'a Scalar,
    bundle: &'a PublicBundle,
    statement_context: &'a [u8],
    pt_len: usize,
}

impl<'a> Forgery<'a> {
    /// The honest sender, the case's context and padding.
    fn honest(c: &'a Case, label: &'static str) -> Self {
        Self {
            label,
            sk: c.sender.sk(),
            bundle: c.sender.bundle(),
            statement_context: &c.input.context,
            pt_len: c.input.padding.padded_len(HEADER_LEN + c.input.message.len()),
        }
    }

    fn seal(&self, c: &Case, mutate: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let input = &c.input;
        let kp = c.kgc.public();
        let rcpt = c.recipient.public_key();
        let rnd = seed(input.tc, self.label);
        let e = Ephemeral(Zeroizing::new(hash_to_scalar(tags::TAG_VECTOR_SEED, &[&rnd])));
        let (e_pub, k) = e.agree(rcpt.point());
        let key = derive_key(&e_pub.bytes, &k, rcpt.bundle_id(), &input.context);
        let st = signcrypt_statement(
            &self.bundle.id_under(kp),
            rcpt.bundle_id(),
            &e_pub.bytes,
            self.statement_context,
            &message_digest(&input.message),
            pt_len_u32(self.pt_len),
        );
        let sig = schnorr_sign(self.sk, &rnd, &st);
        let mut w = Writer::new();
        write_sender_block(&mut w, self.bundle);
        sig.encode(&mut w);
        w.put_var_bytes(&input.message);
        let mut pt = w.into_bytes();
        pt.resize(self.pt_len, 0);
        mutate(&mut pt);
        reseal(e_pub, &key, &input.context, &pt)
    }
}

fn set(pt: &mut [u8], at: usize, with: &[u8]) {
    pt.get_mut(at..at + with.len()).expect("field inside plaintext").copy_from_slice(with);
}

/// A change made to a forged plaintext before it is sealed.
type Mutation = Box<dyn FnOnce(&mut Vec<u8>)>;

/// A plaintext mutation case: comment, flags, forgery label, the mutation.
type InnerCase = (&'static str, &'static [&'static str], &'static str, Mutation);

/// The mutation replacing the 32-byte field at `at` by `f` of its value.
fn map32(at: usize, f: fn(&[u8; 32]) -> [u8; 32]) -> Mutation {
    Box::new(move |pt: &mut Vec<u8>| {
        let v = arr32(pt, at);
        set(pt, at, &f(&v));
    })
}

/// Offsets in the plaintext (spec §4).
const PT_X: usize = 65;
const PT_R: usize = 97;
const PT_RSIG: usize = 129;
const PT_Z: usize = 161;
const PT_LEN: usize = 193;

/// Unsigncrypt cases that need an authentic ciphertext with a bad inside: a forger who knows
/// the AEAD key (the sender, or the recipient re-encrypting to itself).
pub(super) fn forged_signcryptions(c: &Case) -> Vec<Negative> {
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
    let ct =
        Forgery { sk: mallory.secret(), bundle: &forged_bundle, ..Forgery::honest(c, "mallory") }
            .seal(c, |_| {});
    out.push(Negative::forged(
        c,
        "sender bundle with X replaced, signed with the replacing secret only",
        &["ReplacedPublicValue"],
        ct,
    ));

    // The recipient re-encrypts the sender's signed plaintext to itself under a new E.
    let rcpt = c.recipient.public_key();
    let e2 = Ephemeral(Zeroizing::new(hash_to_scalar(
        tags::TAG_VECTOR_SEED,
        &[&seed(input.tc, "rebind")],
    )));
    let (e2_pub, k2) = e2.agree(rcpt.point());
    let key2 = derive_key(&e2_pub.bytes, &k2, rcpt.bundle_id(), &input.context);
    out.push(Negative::forged(
        c,
        "the sender's plaintext (valid inner signature) re-encrypted by the recipient under a new E",
        &["ReboundSignature"],
        reseal(e2_pub, &key2, &input.context, &c.plaintext),
    ));
    out.extend(repadded(c));

    // A malicious sender: signature over another context than the AEAD's.
    out.push(Negative::forged(
        c,
        "authentic ciphertext whose inner signature binds another context",
        &["InvalidInnerSignature", "WrongContext"],
        Forgery { statement_context: b"another context", ..Forgery::honest(c, "inner-context") }
            .seal(c, |_| {}),
    ));
    // The signature binds a padded length other than the one sealed.
    let honest = Forgery::honest(c, "inner-length");
    let len = honest.pt_len;
    out.push(Negative::forged(
        c,
        "authentic ciphertext of N bytes whose inner signature binds N + 16",
        &["InvalidInnerSignature"],
        Forgery { pt_len: len + 16, ..honest }.seal(c, |pt| pt.truncate(len)),
    ));

    let msg_len = input.message.len();
    let padded = HEADER_LEN + msg_len + 16;
    out.push(Negative::forged(
        c,
        "authentic ciphertext and valid signature (over N = 197 + len m + 16), last padding byte 0x01",
        &["NonZeroPadding"],
        Forgery { pt_len: padded, ..Forgery::honest(c, "padding") }
            .seal(c, |pt| set(pt, padded - 1, &[1])),
    ));
    let id_len = c.sender.identity().as_bytes().len();
    assert!(id_len < 64, "case 1 has a short sender identity");
    let inner: Vec<InnerCase> = vec![
        (
            "identity filler byte right after the identity is 0x01",
            &["NonZeroFiller"],
            "filler",
            Box::new(move |pt: &mut Vec<u8>| set(pt, 1 + id_len, &[1])),
        ),
        (
            "inner identity length 0",
            &["InvalidIdentity"],
            "id-len-0",
            Box::new(|pt: &mut Vec<u8>| set(pt, 0, &[0])),
        ),
        (
            "inner identity length 65",
            &["InvalidIdentity"],
            "id-len-65",
            Box::new(|pt: &mut Vec<u8>| set(pt, 0, &[65])),
        ),
        (
            "inner X_S is the identity point",
            &["IdentityPoint"],
            "x-identity",
            Box::new(|pt: &mut Vec<u8>| set(pt, PT_X, &[0; 32])),
        ),
        (
            "inner R_S encoded non-canonically (2p − v)",
            &["NonCanonicalPoint"],
            "r-2p",
            map32(PT_R, |v| non_canonical(v)[1].1),
        ),
        (
            "inner Rsig encoded non-canonically (v + 2^255)",
            &["NonCanonicalPoint"],
            "rsig-top",
            map32(PT_RSIG, |v| non_canonical(v)[2].1),
        ),
        (
            "inner z encoded non-canonically (z + l)",
            &["NonCanonicalScalar"],
            "z-plus-l",
            map32(PT_Z, scalar_plus_order),
        ),
        (
            "inner u32(len m) one more than the bytes left",
            &["MessageLengthBeyondPlaintext"],
            "len-beyond",
            Box::new(|pt: &mut Vec<u8>| {
                let left = u32::try_from(pt.len() - HEADER_LEN + 1).expect("small");
                set(pt, PT_LEN, &left.to_be_bytes());
            }),
        ),
        (
            "inner u32(len m) = 2^30 + 1 (above the maximum, and beyond the bytes left)",
            &["MessageTooLong", "MessageLengthBeyondPlaintext"],
            "len-max",
            Box::new(|pt: &mut Vec<u8>| {
                let len = u32::try_from(MAX_MESSAGE_LEN + 1).expect("2^30 + 1");
                set(pt, PT_LEN, &len.to_be_bytes());
            }),
        ),
    ];
    for (comment, flags, label, mutate) in inner {
        out.push(Negative::forged(
            c,
            &format!("authentic ciphertext and valid signature, {comment}"),
            flags,
            Forgery::honest(c, label).seal(c, mutate),
        ));
    }
    out
}

/// The positive signcryption's plaintext with 64 more zero bytes, re-sealed under its own
/// `E` and key: what the recipient (or sender) holding the key can do. Accepted before the
/// padded length was bound into `e` and the statement.
fn repadded(c: &Case) -> Vec<Negative> {
    let e = Point::from_bytes(arr32(&c.signcryption, 0), "E").expect("valid E");
    let longer = [c.plaintext.as_slice(), &[0; 64]].concat();
    vec![Negative::forged(
        c,
        "the signcryption's plaintext re-sealed under its own E and key with 64 more zero bytes of padding",
        &["Repadded"],
        reseal(e, &c.key, &c.input.context, &longer),
    )]
}

/// Forgeries specific to a padding policy: re-padding, and a non-zero byte inside the
/// policy's own padding.
pub(super) fn padding_forgeries(c: &Case) -> Vec<Negative> {
    let honest = Forgery::honest(c, "padding");
    let len = honest.pt_len;
    assert!(len > HEADER_LEN + c.input.message.len(), "the policy pads this case");
    let mut out = repadded(c);
    out.push(Negative::forged(
        c,
        "authentic ciphertext and valid signature, last byte of the policy's padding 0x01",
        &["NonZeroPadding"],
        honest.seal(c, |pt| set(pt, len - 1, &[1])),
    ));
    out
}

pub(super) fn unsigncrypt_negatives(c: &Case) -> Vec<Negative> {
    let ct = c.signcryption.clone();
    let e = arr32(&ct, 0);
    let e_point = Point::from_bytes(e, "E").expect("valid E");
    let e_plus_g = Point::new(e_point.point + RISTRETTO_BASEPOINT_POINT).expect("not identity");
    let last = ct.len() - 1;
    let sealed_len = ct.len() - 36;
    let mut out = vec![Negative::unsigncrypt(
        c,
        "E replaced by E + G",
        &["TamperedEphemeral"],
        "Unsigncrypt",
        replace_at(ct.clone(), 0, &e_plus_g.bytes),
    )];
    for (how, bytes) in non_canonical(&e) {
        out.push(Negative::unsigncrypt(
            c,
            &format!("E encoded non-canonically ({how})"),
            &["TamperedEphemeral", "NonCanonicalPoint"],
            "Decode",
            replace_at(ct.clone(), 0, &bytes),
        ));
    }
    out.extend([
        Negative::unsigncrypt(
            c,
            "E is the identity",
            &["TamperedEphemeral", "IdentityPoint"],
            "Decode",
            replace_at(ct.clone(), 0, &[0; 32]),
        ),
        Negative::unsigncrypt(
            c,
            "last tag byte flipped",
            &["TamperedTag"],
            "Unsigncrypt",
            with_byte(ct.clone(), last, |b| b ^ 0x80),
        ),
        Negative::unsigncrypt(
            c,
            "first ciphertext byte flipped",
            &["TamperedBody"],
            "Unsigncrypt",
            with_byte(ct.clone(), 36, |b| b ^ 0x01),
        ),
        Negative::unsigncrypt(
            c,
            "byte inside the message flipped",
            &["TamperedBody"],
            "Unsigncrypt",
            with_byte(ct.clone(), 36 + HEADER_LEN, |b| b ^ 0x01),
        ),
        Negative::unsigncrypt(
            c,
            "last byte removed (length prefix now too long)",
            &["Truncated"],
            "Decode",
            ct.get(..last).expect("non-empty").to_vec(),
        ),
        Negative::unsigncrypt(
            c,
            "one zero byte appended",
            &["Extended"],
            "Decode",
            [ct.as_slice(), &[0]].concat(),
        ),
        Negative::unsigncrypt(
            c,
            "sealed part shorter than the minimum (header + tag)",
            &["Truncated"],
            "Decode",
            {
                let mut w = Writer::new();
                w.put_bytes(&e);
                w.put_var_bytes(ct.get(36..36 + HEADER_LEN).expect("header"));
                w.into_bytes()
            },
        ),
        Negative::unsigncrypt(
            c,
            "sealed length field MAX_SEALED_LEN + 1 (the bytes that follow are the original sealed part)",
            &["SealedTooLong"],
            "Decode",
            {
                let too_long = u32::try_from(MAX_SEALED_LEN + 1).expect("fits a u32");
                replace_at(ct.clone(), 32, &too_long.to_be_bytes())
            },
        ),
        Negative {
            max_sealed_len: Some(sealed_len - 1),
            ..Negative::unsigncrypt(
                c,
                "valid signcryption, caller's maximum sealed length one below its sealed length",
                &["SealedTooLong"],
                "Decode",
                ct.clone(),
            )
        },
        Negative {
            keys: Some("sender"),
            ..Negative::unsigncrypt(
                c,
                "opened by the sender instead of the recipient",
                &["WrongRecipient"],
                "Unsigncrypt",
                ct.clone(),
            )
        },
        Negative {
            context: Some([c.input.context.as_slice(), b"!"].concat()),
            ..Negative::unsigncrypt(
                c,
                "opened under another context",
                &["WrongContext"],
                "Unsigncrypt",
                ct,
            )
        },
    ]);
    out
}

pub(super) fn signature_negatives(c: &Case, other: &NodeKeys) -> Vec<Negative> {
    let sig = c.signature.clone();
    let r = arr32(&sig, 0);
    let z = arr32(&sig, 32);
    let by_other = sign_with_random(
        other,
        &c.input.sign_context,
        &c.input.message,
        &seed(c.input.tc, "other/rnd"),
    );
    let mut out = vec![
        Negative {
            context: Some(b"another context".to_vec()),
            ..Negative::verify(
                c,
                "verified under another context",
                &["WrongContext"],
                "InvalidSignature",
                sig.clone(),
            )
        },
        Negative {
            message: Some([c.input.message.as_slice(), b"."].concat()),
            ..Negative::verify(
                c,
                "verified against another message",
                &["WrongMessage"],
                "InvalidSignature",
                sig.clone(),
            )
        },
        Negative::verify(
            c,
            "signature by the recipient, verified under the sender",
            &["WrongSigner"],
            "InvalidSignature",
            by_other.to_bytes(),
        ),
        Negative::verify(
            c,
            "z encoded non-canonically (z + l)",
            &["NonCanonicalScalar"],
            "Decode",
            replace_at(sig.clone(), 32, &scalar_plus_order(&z)),
        ),
        Negative::verify(
            c,
            "Rsig is the identity",
            &["IdentityPoint"],
            "Decode",
            replace_at(sig.clone(), 0, &[0; 32]),
        ),
    ];
    for (how, bytes) in non_canonical(&r) {
        out.push(Negative::verify(
            c,
            &format!("Rsig encoded non-canonically ({how})"),
            &["NonCanonicalPoint"],
            "Decode",
            replace_at(sig.clone(), 0, &bytes),
        ));
    }
    out.extend([
        Negative::verify(
            c,
            "63 bytes",
            &["Truncated"],
            "Decode",
            sig.get(..63).expect("64 bytes").to_vec(),
        ),
        Negative::verify(c, "65 bytes", &["Extended"], "Decode", [sig.as_slice(), &[0]].concat()),
    ]);
    out
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
        kgc.issue_with_random(&req, &mut Unrestricted, &seed(tc, &format!("{label}/partial")))
            .expect("issue")
            .to_bytes()
    };
    let request_of =
        |node: &NodeSecret, label: &str| node.request_with_random(kp, &seed(tc, label)).to_bytes();
    let good_partial = c.sender_partial.clone();
    let d = arr32(&good_partial, 32);
    let request = c.sender_request.clone();
    let id_len = c.sender.identity().as_bytes().len();
    let x_at = 4 + id_len;
    let z_at = x_at + 64;
    let z = arr32(&request, z_at);
    let bundle = c.sender.bundle().to_bytes();
    let big_x = arr32(&bundle, x_at);
    let unauthorised = NodeSecret::from_seed(
        Identity::new(b"mallory".to_vec()).expect("id"),
        &seed(tc, "mallory/x"),
    )
    .expect("x != 0");
    let again =
        NodeSecret::from_seed(c.recipient.identity().clone(), &seed(tc, "again/x")).expect("x");
    let mut out = vec![
        Negative::new(
            "partial key issued for the sender's X under another identity",
            &["PartialKeyOtherIdentity"],
            "complete",
            "InvalidPartialKey",
            issue(&c.kgc, &same_x, "same-x"),
        ),
        Negative::new(
            "partial key issued for the sender's identity with another X",
            &["PartialKeyOtherPublicValue"],
            "complete",
            "InvalidPartialKey",
            issue(&c.kgc, &other_x, "other-x"),
        ),
        Negative::new(
            "partial key for the sender from another KGC",
            &["OtherKgc"],
            "complete",
            "InvalidPartialKey",
            issue(&other_kgc, &c.sender_secret, "other-kgc"),
        ),
        Negative::new(
            "d encoded non-canonically (d + l)",
            &["NonCanonicalScalar"],
            "complete",
            "Decode",
            replace_at(good_partial.clone(), 32, &scalar_plus_order(&d)),
        ),
        Negative::new(
            "R is the identity",
            &["IdentityPoint"],
            "complete",
            "Decode",
            replace_at(good_partial, 0, &[0; 32]),
        ),
        Negative::new(
            "identity changed after the proof of possession",
            &["InvalidProofOfPossession"],
            "issue",
            "InvalidProofOfPossession",
            with_byte(request.clone(), 4, |b| b ^ 0x01),
        ),
        Negative::new(
            "proof of possession made for another KGC",
            &["InvalidProofOfPossession", "OtherKgc"],
            "issue",
            "InvalidProofOfPossession",
            c.sender_secret
                .request_with_random(other_kgc.public(), &seed(tc, "sender/pop"))
                .to_bytes(),
        ),
        Negative::new(
            "valid request for the identity \"mallory\", which the registry does not authorise",
            &["NotAuthorised"],
            "issue",
            "NotAuthorised",
            request_of(&unauthorised, "mallory/pop"),
        ),
        Negative::new(
            "valid request (another X) for the recipient's identity, already enrolled",
            &["AlreadyEnrolled"],
            "issue",
            "AlreadyEnrolled",
            request_of(&again, "again/pop"),
        ),
        Negative::new(
            "z encoded non-canonically (z + l)",
            &["NonCanonicalScalar"],
            "issue",
            "Decode",
            replace_at(request.clone(), z_at, &scalar_plus_order(&z)),
        ),
        Negative::new(
            "X is the identity",
            &["IdentityPoint"],
            "issue",
            "Decode",
            replace_at(request.clone(), x_at, &[0; 32]),
        ),
        Negative::new(
            "request truncated by one byte",
            &["Truncated"],
            "issue",
            "Decode",
            request.get(..request.len() - 1).expect("non-empty").to_vec(),
        ),
    ];
    for (how, bytes) in non_canonical(&big_x) {
        out.push(Negative::new(
            &format!("bundle X encoded non-canonically ({how})"),
            &["NonCanonicalPoint"],
            "derive",
            "Decode",
            replace_at(bundle.clone(), x_at, &bytes),
        ));
    }
    out.extend([
        Negative::new(
            "bundle R is the identity",
            &["IdentityPoint"],
            "derive",
            "Decode",
            replace_at(bundle.clone(), x_at + 32, &[0; 32]),
        ),
        Negative::new(
            "bundle truncated by one byte",
            &["Truncated"],
            "derive",
            "Decode",
            bundle.get(..bundle.len() - 1).expect("non-empty").to_vec(),
        ),
        Negative::new(
            "bundle with one byte appended",
            &["Extended"],
            "derive",
            "Decode",
            [bundle.as_slice(), &[0]].concat(),
        ),
        Negative::new(
            "bundle with an empty identity",
            &["InvalidIdentity"],
            "derive",
            "Decode",
            [&[0u8, 0, 0, 0][..], bundle.get(x_at..).expect("points")].concat(),
        ),
        Negative::new(
            "bundle with a 65-byte identity",
            &["InvalidIdentity"],
            "derive",
            "Decode",
            [&[0u8, 0, 0, 65][..], &[b'a'; 65], bundle.get(x_at..).expect("points")].concat(),
        ),
        Negative::new(
            "Ppub is the identity",
            &["IdentityPoint"],
            "decode_kgc",
            "Decode",
            vec![0; 32],
        ),
    ]);
    for (how, bytes) in non_canonical(kp.ppub_bytes()) {
        out.push(Negative::new(
            &format!("Ppub encoded non-canonically ({how})"),
            &["NonCanonicalPoint"],
            "decode_kgc",
            "Decode",
            bytes.to_vec(),
        ));
    }
    out
}

/// Secret key files (`vec(ID) ‖ LE(x) ‖ enc(R) ‖ LE(d)`), node seed files
/// (`vec(ID) ‖ seed`) and the KGC secret (`LE(s)`).
pub(super) fn key_file_negatives(c: &Case) -> Vec<Negative> {
    let file = c.sender.to_secret_bytes().to_vec();
    let id_len = c.sender.identity().as_bytes().len();
    let (x_at, r_at, d_at) = (4 + id_len, 4 + id_len + 32, 4 + id_len + 64);
    let x = arr32(&file, x_at);
    let r = arr32(&file, r_at);
    let d = arr32(&file, d_at);
    let d_plus_one = (Scalar::from_canonical_bytes(d).expect("canonical") + Scalar::ONE).to_bytes();
    let sk = "decode_secret_key_file";
    let seed_file =
        [vec_bytes(c.sender.identity().as_bytes()), seed(c.input.tc, "sender/x").to_vec()].concat();
    let ns = "decode_node_seed";
    let s = c.kgc.to_secret_bytes();
    let ks = "decode_kgc_secret";
    let mut out = vec![
        Negative::new(
            "x = 0",
            &["ZeroScalar"],
            sk,
            "Decode",
            replace_at(file.clone(), x_at, &[0; 32]),
        ),
        Negative::new(
            "x encoded non-canonically (x + l)",
            &["NonCanonicalScalar"],
            sk,
            "Decode",
            replace_at(file.clone(), x_at, &scalar_plus_order(&x)),
        ),
        Negative::new(
            "R is the identity",
            &["IdentityPoint"],
            sk,
            "Decode",
            replace_at(file.clone(), r_at, &[0; 32]),
        ),
        Negative::new(
            "R encoded non-canonically (2p − v)",
            &["NonCanonicalPoint"],
            sk,
            "Decode",
            replace_at(file.clone(), r_at, &non_canonical(&r)[1].1),
        ),
        Negative::new(
            "d encoded non-canonically (d + l)",
            &["NonCanonicalScalar"],
            sk,
            "Decode",
            replace_at(file.clone(), d_at, &scalar_plus_order(&d)),
        ),
        Negative::new(
            "d replaced by d + 1 (fails d·G = R + h·Ppub)",
            &["WrongPartialKey"],
            sk,
            "InvalidPartialKey",
            replace_at(file.clone(), d_at, &d_plus_one),
        ),
        Negative::new(
            "truncated by one byte",
            &["Truncated"],
            sk,
            "Decode",
            file.get(..file.len() - 1).expect("non-empty").to_vec(),
        ),
        Negative::new(
            "one byte appended",
            &["Extended"],
            sk,
            "Decode",
            [file.as_slice(), &[0]].concat(),
        ),
        Negative::new(
            "empty identity",
            &["InvalidIdentity"],
            sk,
            "Decode",
            [&[0u8, 0, 0, 0][..], file.get(x_at..).expect("scalars")].concat(),
        ),
        Negative::new(
            "seed truncated by one byte",
            &["Truncated"],
            ns,
            "Decode",
            seed_file.get(..seed_file.len() - 1).expect("non-empty").to_vec(),
        ),
        Negative::new(
            "one byte appended",
            &["Extended"],
            ns,
            "Decode",
            [seed_file.as_slice(), &[0]].concat(),
        ),
        Negative::new(
            "empty identity",
            &["InvalidIdentity"],
            ns,
            "Decode",
            [&[0u8, 0, 0, 0][..], seed_file.get(x_at..).expect("seed")].concat(),
        ),
        Negative::new(
            "65-byte identity",
            &["InvalidIdentity"],
            ns,
            "Decode",
            [&[0u8, 0, 0, 65][..], &[b'a'; 65], seed_file.get(x_at..).expect("seed")].concat(),
        ),
        Negative::new("s = 0", &["ZeroScalar"], ks, "Decode", vec![0; 32]),
        Negative::new(
            "s = l (zero, non-canonically)",
            &["ZeroScalar", "NonCanonicalScalar"],
            ks,
            "Decode",
            group_order().to_vec(),
        ),
    ];
    out.extend([
        Negative::new(
            "s encoded non-canonically (s + l)",
            &["NonCanonicalScalar"],
            ks,
            "Decode",
            scalar_plus_order(&s).to_vec(),
        ),
        Negative::new("31 bytes", &["Truncated"], ks, "Decode", s.get(..31).expect("32").to_vec()),
        Negative::new("33 bytes", &["Extended"], ks, "Decode", [&s[..], &[0]].concat()),
    ]);
    out
}
