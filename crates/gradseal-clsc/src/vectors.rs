//! Test-vector generator for `spec/vectors/clsc.json` (feature `vectors`).
//!
//! Positive cases follow RFC 9180's style: the random inputs (seeds and `rnd` values), every
//! intermediate and every output. Negative cases follow Wycheproof's: `tcId`, `comment`,
//! `flags` from a closed set, `result`. Everything is derived from fixed seeds
//! (`H(TAG_VECTOR_SEED, u32(case), label)`), so the file is reproducible byte for byte.
//! A generator failure is a bug in the crate, hence the `expect`s.
#![allow(clippy::expect_used, clippy::too_many_lines)]

use core::num::NonZeroU16;

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::scalar::Scalar;
use gradseal_core::{Codec, Writer};
use serde_json::{Value, json};

use crate::fuzzing::{self, seed};
use crate::kgc::EnrolmentRequest;
use crate::schnorr::{
    challenge, message_digest, schnorr_nonce, schnorr_sign, sign_statement, sign_with_random,
};
use crate::signcrypt::{
    Ephemeral, HEADER_LEN, assemble, derive_key, signcrypt_core, signcrypt_statement,
    signcrypt_with_random, write_sender_block,
};
use crate::wire::Point;
use crate::{Identity, Kgc, NodeKeys, NodeSecret, Padding, PublicBundle, PublicKey};

/// Every flag a negative case may carry, with its meaning (the closed set).
pub const FLAGS: &[(&str, &str)] = &[
    ("TamperedEphemeral", "E replaced by another point or encoding"),
    ("TamperedTag", "the Poly1305 tag was modified"),
    ("TamperedBody", "a ciphertext byte was modified"),
    ("WrongRecipient", "opened with keys other than the recipient's"),
    ("WrongContext", "checked under another context than the one bound at creation"),
    ("WrongMessage", "signature checked against another message"),
    ("WrongSigner", "signature checked under another signer's public key"),
    ("ReplacedPublicValue", "Type I: the sender's X replaced by one whose secret the forger knows"),
    ("ReboundSignature", "a valid inner signature re-encrypted under a new E"),
    ("InvalidInnerSignature", "authentic ciphertext whose inner signature does not verify"),
    ("NonZeroPadding", "authentic plaintext with a non-zero padding byte"),
    ("PartialKeyOtherIdentity", "partial key issued for the same X under another identity"),
    ("PartialKeyOtherPublicValue", "partial key issued for the same identity and another X"),
    ("OtherKgc", "made under another KGC's parameters"),
    ("InvalidProofOfPossession", "the enrolment request's proof does not verify"),
    ("IdentityPoint", "a point field holds the identity element"),
    ("NonCanonicalPoint", "a point field holds a non-canonical encoding (value + p)"),
    ("NonCanonicalScalar", "a scalar field holds a non-canonical encoding (value + l)"),
    ("InvalidIdentity", "an identity field is empty or longer than 64 bytes"),
    ("Truncated", "input shortened"),
    ("Extended", "input lengthened"),
];

fn hx(bytes: &[u8]) -> Value {
    Value::String(hex::encode(bytes))
}

fn sc(s: &Scalar) -> Value {
    hx(s.as_bytes())
}

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

fn padding_name(p: Padding) -> String {
    match p {
        Padding::None => "none".into(),
        Padding::Padme => "padme".into(),
        Padding::Multiple(n) => format!("multiple:{n}"),
    }
}

/// Parses the `padding` field of a positive case.
pub fn parse_padding(s: &str) -> Option<Padding> {
    match s {
        "none" => Some(Padding::None),
        "padme" => Some(Padding::Padme),
        _ => {
            let n = s.strip_prefix("multiple:")?.parse::<u16>().ok()?;
            Some(Padding::Multiple(NonZeroU16::new(n)?))
        }
    }
}

struct CaseInput {
    tc: u32,
    comment: &'static str,
    sender: Vec<u8>,
    recipient: Vec<u8>,
    context: Vec<u8>,
    message: Vec<u8>,
    padding: Padding,
    sign_context: Vec<u8>,
}

fn case_inputs() -> Vec<CaseInput> {
    let pattern = |n: usize, mul: u8| -> Vec<u8> {
        (0..n).map(|i| (i.to_le_bytes()[0]).wrapping_mul(mul).wrapping_add(3)).collect()
    };
    vec![
        CaseInput {
            tc: 1,
            comment: "short message, no padding",
            sender: b"alice".to_vec(),
            recipient: b"bob".to_vec(),
            context: b"gradseal/demo/round-1".to_vec(),
            message: b"hello, bob".to_vec(),
            padding: Padding::None,
            sign_context: b"gradseal/demo/transcript".to_vec(),
        },
        CaseInput {
            tc: 2,
            comment: "empty message and empty context, Padme",
            sender: b"client-0001".to_vec(),
            recipient: b"aggregator".to_vec(),
            context: Vec::new(),
            message: Vec::new(),
            padding: Padding::Padme,
            sign_context: Vec::new(),
        },
        CaseInput {
            tc: 3,
            comment: "1000-byte message, 64-byte sender identity, padding to multiples of 256",
            sender: vec![b'n'; 64],
            recipient: b"committee-3".to_vec(),
            context: b"round 42".to_vec(),
            message: pattern(1000, 7),
            padding: Padding::Multiple(NonZeroU16::new(256).expect("non-zero")),
            sign_context: b"gradseal/v1/protocol/signature".to_vec(),
        },
        CaseInput {
            tc: 4,
            comment: "binary (non-UTF-8) identities, 200-byte message, Padme",
            sender: vec![0x00, 0xff, 0x10, 0x80],
            recipient: vec![0xfe],
            context: vec![0xaa; 32],
            message: pattern(200, 13),
            padding: Padding::Padme,
            sign_context: vec![0x55; 32],
        },
        CaseInput {
            tc: 5,
            comment: "3000-byte message, 32-byte context, no padding",
            sender: b"relay-7".to_vec(),
            recipient: b"client-0002".to_vec(),
            context: (0u8..32).collect(),
            message: pattern(3000, 31),
            padding: Padding::None,
            sign_context: b"x".to_vec(),
        },
    ]
}

struct Case {
    input: CaseInput,
    kgc: Kgc,
    sender: NodeKeys,
    sender_secret: NodeSecret,
    /// The sender's enrolment request and partial key, as encoded in the file.
    sender_request: Vec<u8>,
    sender_partial: Vec<u8>,
    recipient: NodeKeys,
    signcryption: Vec<u8>,
    signature: Vec<u8>,
}

struct Enrolled {
    secret: NodeSecret,
    keys: NodeKeys,
    request: Vec<u8>,
    partial: Vec<u8>,
}

fn node_json(kgc: &Kgc, case: u32, role: &str, id: &[u8]) -> (Enrolled, Value) {
    let label = |what: &str| format!("{role}/{what}");
    let x_seed = seed(case, &label("x"));
    let pop_rnd = seed(case, &label("pop"));
    let partial_rnd = seed(case, &label("partial"));
    let kp = kgc.public();
    let secret =
        NodeSecret::from_seed(Identity::new(id).expect("identity"), &x_seed).expect("x != 0");
    let pop_k = secret.pop_nonce(kp, &pop_rnd);
    let request = secret.request_with_random(kp, &pop_rnd);
    let pop_c = EnrolmentRequest::challenge(kp, &request.identity, &request.x, &request.a);
    let r = kgc.partial_nonce(&partial_rnd, &request);
    let partial = kgc.issue_with_random(&request, &partial_rnd).expect("issue");
    let h = kp.partial_hash(&request.identity, &request.x, &partial.r);
    let keys = secret.complete(kp, &partial).expect("complete");
    let pk = keys.public_key();
    let value = json!({
        "identity": hx(id),
        "x_seed": hx(&x_seed),
        "x": sc(secret.secret()),
        "X": hx(&request.x.bytes),
        "pop_rnd": hx(&pop_rnd),
        "pop_k": sc(&pop_k),
        "pop_A": hx(&request.a.bytes),
        "pop_c": sc(&pop_c),
        "pop_z": sc(&request.z),
        "request": hx(&request.to_bytes()),
        "partial_rnd": hx(&partial_rnd),
        "r": sc(&r),
        "R": hx(&partial.r.bytes),
        "h": sc(&h),
        "d": sc(keys.partial_secret()),
        "partial_key": hx(&partial.to_bytes()),
        "sk": sc(keys.sk()),
        "P": hx(pk.point_bytes()),
        "bundle": hx(&pk.bundle().to_bytes()),
        "bundle_id": hx(pk.bundle_id()),
        "secret_key_file": hx(&keys.to_secret_bytes()),
    });
    (Enrolled { secret, keys, request: request.to_bytes(), partial: partial.to_bytes() }, value)
}

fn signcrypt_json(c: &CaseInput, sender: &NodeKeys, recipient: &PublicKey) -> (Vec<u8>, Value) {
    let rnd = seed(c.tc, "signcrypt/rnd");
    let md = message_digest(&c.message);
    let eph = Ephemeral::derive(sender.sk(), &rnd, recipient.bundle_id(), &c.context, &md);
    let e_scalar = *eph.0;
    let (e, k) = eph.agree(recipient.point());
    let key = derive_key(&e.bytes, &k, recipient.bundle_id(), &c.context);
    let st = signcrypt_statement(
        sender.public_key().bundle_id(),
        recipient.bundle_id(),
        &e.bytes,
        &c.context,
        &md,
    );
    let nonce = schnorr_nonce(sender.sk(), &rnd, &st);
    let sig = schnorr_sign(sender.sk(), &rnd, &st);
    let ch = challenge(&sig.r, &st);
    let pt_len = c.padding.padded_len(HEADER_LEN + c.message.len());
    let mut w = Writer::new();
    write_sender_block(&mut w, sender.bundle());
    sig.encode(&mut w);
    w.put_var_bytes(&c.message);
    let mut plaintext = w.into_bytes();
    plaintext.resize(pt_len, 0);
    let out = signcrypt_with_random(sender, recipient, &c.context, &c.message, c.padding, &rnd)
        .expect("signcrypt");
    assert_eq!(out.ephemeral(), &e.bytes, "trace and code disagree on E");
    let bytes = out.into_bytes();
    let value = json!({
        "rnd": hx(&rnd),
        "md": hx(&md),
        "e": sc(&e_scalar),
        "E": hx(&e.bytes),
        "K": hx(&k[..]),
        "key": hx(&key[..]),
        "statement": hx(&st),
        "k": sc(&nonce),
        "Rsig": hx(&sig.r.bytes),
        "c": sc(&ch),
        "s": sc(&sig.s),
        "signature": hx(&sig.to_bytes()),
        "plaintext": hx(&plaintext),
        "signcryption": hx(&bytes),
    });
    (bytes, value)
}

fn sign_json(c: &CaseInput, signer: &NodeKeys) -> (Vec<u8>, Value) {
    let rnd = seed(c.tc, "sign/rnd");
    let md = message_digest(&c.message);
    let st = sign_statement(signer.public_key().bundle_id(), &c.sign_context, &md);
    let nonce = schnorr_nonce(signer.sk(), &rnd, &st);
    let sig = sign_with_random(signer, &c.sign_context, &c.message, &rnd);
    let ch = challenge(&sig.r, &st);
    let bytes = sig.to_bytes();
    let value = json!({
        "context": hx(&c.sign_context),
        "rnd": hx(&rnd),
        "md": hx(&md),
        "statement": hx(&st),
        "k": sc(&nonce),
        "Rsig": hx(&sig.r.bytes),
        "c": sc(&ch),
        "s": sc(&sig.s),
        "signature": hx(&bytes),
    });
    (bytes, value)
}

fn positive(input: CaseInput) -> (Case, Value) {
    let kgc_seed = seed(input.tc, "kgc");
    let kgc = Kgc::from_seed(&kgc_seed).expect("s != 0");
    let (sender, sender_json) = node_json(&kgc, input.tc, "sender", &input.sender);
    let (recipient, recipient_json) = node_json(&kgc, input.tc, "recipient", &input.recipient);
    let recipient = recipient.keys;
    let (signcryption, sc_json) = signcrypt_json(&input, &sender.keys, recipient.public_key());
    let (signature, sig_json) = sign_json(&input, &sender.keys);
    let value = json!({
        "tcId": input.tc,
        "comment": input.comment,
        "kgc_seed": hx(&kgc_seed),
        "s": sc(kgc.secret()),
        "Ppub": hx(kgc.public().ppub_bytes()),
        "sender": sender_json,
        "recipient": recipient_json,
        "context": hx(&input.context),
        "message": hx(&input.message),
        "padding": padding_name(input.padding),
        "signcrypt": sc_json,
        "sign": sig_json,
    });
    let case = Case {
        input,
        kgc,
        sender: sender.keys,
        sender_secret: sender.secret,
        sender_request: sender.request,
        sender_partial: sender.partial,
        recipient,
        signcryption,
        signature,
    };
    (case, value)
}

/// One negative case. `operation` names what is run on `input` (see the spec):
/// `unsigncrypt` (with `keys` = "recipient" or "sender" of case `case`, under `context`),
/// `verify` (under the sender's key, `context`, `message`), `complete` (the sender's node
/// secret completes `input` as a partial key), `issue` (the case's KGC checks `input` as a
/// request), `derive` (decode `input` as a bundle and derive its key), `decode_kgc`.
struct Negative {
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

    fn to_json(&self, tc: u32, case: u32) -> Value {
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
fn forged_signcryptions(c: &Case) -> Vec<Negative> {
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

fn unsigncrypt_negatives(c: &Case) -> Vec<Negative> {
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

fn signature_negatives(c: &Case, other: &NodeKeys) -> Vec<Negative> {
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

fn enrolment_negatives(c: &Case) -> Vec<Negative> {
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

/// Builds every case (used by [`generate`] and [`corpus`]).
fn build() -> (Vec<Case>, Vec<Value>, Vec<Value>) {
    let mut cases = Vec::new();
    let mut positives = Vec::new();
    for input in case_inputs() {
        let (case, value) = positive(input);
        cases.push(case);
        positives.push(value);
    }
    let mut negatives = Vec::new();
    let mut tc = 100;
    let first = cases.first().expect("at least one case");
    let mut groups: Vec<(u32, Vec<Negative>)> = vec![
        (first.input.tc, unsigncrypt_negatives(first)),
        (first.input.tc, signature_negatives(first, &first.recipient)),
        (first.input.tc, enrolment_negatives(first)),
    ];
    // Padding-specific tampering on the padded cases.
    for c in cases.iter().filter(|c| c.input.padding != Padding::None) {
        groups.push((c.input.tc, forged_signcryptions(c).into_iter().skip(3).collect()));
    }
    for (case, group) in groups {
        for n in group {
            tc += 1;
            negatives.push(n.to_json(tc, case));
        }
    }
    (cases, positives, negatives)
}

/// The pretty-printed JSON of `spec/vectors/clsc.json`.
pub fn generate() -> String {
    let (_, positive, negative) = build();
    let flags: serde_json::Map<String, Value> =
        FLAGS.iter().map(|(k, v)| ((*k).to_string(), json!(v))).collect();
    let doc = json!({
        "algorithm": "gradseal-clsc v1: ristretto255, SHA3-256 (framed), TurboSHAKE128, ChaCha20-Poly1305",
        "spec": "spec/clsc.md",
        "generator": "cargo run -p gradseal-clsc --features vectors --example clsc_vectors -- --write",
        "notes": flags,
        "positive": positive,
        "negative": negative,
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON");
    s.push('\n');
    s
}

/// Fuzz seed files derived from the vectors: `(target, file name, bytes)`.
///
/// `clsc_decode` inputs are a selector byte (0 KgcPublic, 1 EnrolmentRequest, 2 PartialKey,
/// 3 PublicBundle, 4 Signature, 5 Signcryption, 6 Identity, 7 secret key file) followed by
/// the encoding; `clsc_unsigncrypt` inputs are signcryptions to the [`fuzzing::fixture`]
/// recipient under [`fuzzing::CONTEXT`].
pub fn corpus() -> Vec<(&'static str, String, Vec<u8>)> {
    let (cases, _, _) = build();
    let mut out = Vec::new();
    for c in &cases {
        let tc = c.input.tc;
        let items: [(u8, &str, Vec<u8>); 8] = [
            (0, "kgc", c.kgc.public().to_bytes()),
            (1, "request", c.sender_request.clone()),
            (2, "partial", c.sender_partial.clone()),
            (3, "bundle", c.sender.bundle().to_bytes()),
            (4, "signature", c.signature.clone()),
            (5, "signcryption", c.signcryption.clone()),
            (6, "identity", c.sender.identity().to_bytes()),
            (7, "secret-key-file", c.sender.to_secret_bytes().to_vec()),
        ];
        for (sel, name, bytes) in items {
            out.push(("clsc_decode", format!("case{tc}-{name}"), [&[sel][..], &bytes].concat()));
        }
    }
    let fx = fuzzing::fixture().expect("fixture");
    for c in &cases {
        let ct = signcrypt_with_random(
            &fx.sender,
            fx.recipient.public_key(),
            fuzzing::CONTEXT,
            &c.input.message,
            c.input.padding,
            &seed(c.input.tc, "fuzz/rnd"),
        )
        .expect("signcrypt");
        out.push(("clsc_unsigncrypt", format!("case{}", c.input.tc), ct.into_bytes()));
    }
    out
}
