//! `spec/vectors/clsc.json` against the code.
//!
//! 1. The generator reproduces the committed file byte for byte.
//! 2. The file is parsed independently (serde, `deny_unknown_fields`, closed flag set) and
//!    every positive case is recomputed twice: by a small second implementation written from
//!    `spec/clsc.md` (dalek, framed SHA3-256, TurboSHAKE128 and ChaCha20-Poly1305 called
//!    directly, tags spelled out), and through the public API fed the recorded random bytes.
//!    Every negative case must be rejected by the public API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::cast_possible_truncation)]

use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;

use chacha20poly1305::{AeadInOut, ChaCha20Poly1305, KeyInit};
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use gradseal_clsc::*;
use gradseal_core::{Codec, hash};
use serde::Deserialize;

const FILE: &str = include_str!("../../../spec/vectors/clsc.json");

#[test]
fn generator_reproduces_the_committed_file() {
    assert!(
        gradseal_clsc::vectors::generate() == FILE,
        "spec/vectors/clsc.json differs from the generator: run \
         `cargo run -p gradseal-clsc --features vectors --example clsc_vectors -- --write`"
    );
}

// ---------------------------------------------------------------- schema

type Hex = String;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    algorithm: String,
    spec: String,
    generator: String,
    notes: BTreeMap<String, String>,
    operations: BTreeMap<String, String>,
    message_digests: Vec<MessageDigest>,
    positive: Vec<Positive>,
    negative: Vec<NegativeCase>,
}

/// A known answer for `MD` alone, with its chunk digests.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageDigest {
    id: u32,
    comment: String,
    message: Hex,
    chunks: Vec<Hex>,
    md: Hex,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Positive {
    #[serde(rename = "tcId")]
    tc_id: u32,
    comment: String,
    kgc_seed: Hex,
    s: Hex,
    kgc_secret: Hex,
    #[serde(rename = "Ppub")]
    ppub: Hex,
    sender: Node,
    recipient: Node,
    context: Hex,
    message: Hex,
    padding: String,
    signcrypt: SigncryptTrace,
    sign: SignTrace,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case)]
struct Node {
    identity: Hex,
    x_seed: Hex,
    x: Hex,
    X: Hex,
    pop_rnd: Hex,
    pop_k: Hex,
    pop_A: Hex,
    pop_c: Hex,
    pop_z: Hex,
    request: Hex,
    partial_rnd: Hex,
    r: Hex,
    R: Hex,
    h: Hex,
    d: Hex,
    partial_key: Hex,
    sk: Hex,
    P: Hex,
    bundle: Hex,
    bundle_id: Hex,
    secret_key_file: Hex,
    node_secret_seed: Hex,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case)]
struct SigncryptTrace {
    rnd: Hex,
    md: Hex,
    N: usize,
    e: Hex,
    E: Hex,
    K: Hex,
    key: Hex,
    statement: Hex,
    k: Hex,
    Rsig: Hex,
    c: Hex,
    z: Hex,
    signature: Hex,
    plaintext: Hex,
    signcryption: Hex,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case)]
struct SignTrace {
    context: Hex,
    rnd: Hex,
    md: Hex,
    statement: Hex,
    k: Hex,
    Rsig: Hex,
    c: Hex,
    z: Hex,
    signature: Hex,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Flag {
    TamperedEphemeral,
    TamperedTag,
    TamperedBody,
    WrongRecipient,
    WrongContext,
    WrongMessage,
    WrongSigner,
    ReplacedPublicValue,
    ReboundSignature,
    Repadded,
    InvalidInnerSignature,
    NonZeroPadding,
    NonZeroFiller,
    MessageLengthBeyondPlaintext,
    MessageTooLong,
    SealedTooLong,
    PartialKeyOtherIdentity,
    PartialKeyOtherPublicValue,
    WrongPartialKey,
    OtherKgc,
    InvalidProofOfPossession,
    NotAuthorised,
    AlreadyEnrolled,
    IdentityPoint,
    NonCanonicalPoint,
    NonCanonicalScalar,
    ZeroScalar,
    InvalidIdentity,
    Truncated,
    Extended,
}

/// The number of `Flag` variants (the notes must document exactly these).
const FLAG_COUNT: usize = 30;

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Operation {
    Unsigncrypt,
    Verify,
    Complete,
    Issue,
    Derive,
    DecodeKgc,
    DecodeSecretKeyFile,
    DecodeNodeSeed,
    DecodeKgcSecret,
}

/// The number of `Operation` variants (the file must describe exactly these).
const OPERATION_COUNT: usize = 9;

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Keys {
    Recipient,
    Sender,
}

#[derive(Deserialize, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Verdict {
    Valid,
    Invalid,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NegativeCase {
    #[serde(rename = "tcId")]
    tc_id: u32,
    comment: String,
    flags: Vec<Flag>,
    case: u32,
    operation: Operation,
    keys: Option<Keys>,
    context: Option<Hex>,
    message: Option<Hex>,
    max_sealed_len: Option<usize>,
    input: Hex,
    result: Verdict,
    error: String,
}

fn un(h: &str) -> Vec<u8> {
    hex::decode(h).expect("hex")
}

fn un32(h: &str) -> [u8; 32] {
    un(h).try_into().expect("32 bytes")
}

fn scalar(h: &str) -> Scalar {
    Option::from(Scalar::from_canonical_bytes(un32(h))).expect("canonical scalar")
}

fn point(h: &str) -> RistrettoPoint {
    CompressedRistretto(un32(h)).decompress().expect("valid point")
}

fn parsed() -> File {
    let file: File = serde_json::from_str(FILE).expect("schema");
    assert!(file.algorithm.contains("ristretto255"));
    assert_eq!(file.spec, "spec/clsc.md");
    assert!(file.generator.contains("clsc_vectors"));
    file
}

// ---------------------------------------------------------------- second implementation

/// `Hs(T, p..) = LE(H(T, 0x00, p..) ‖ H(T, 0x01, p..)) mod ℓ` (spec: "Hash inputs").
fn hs(tag: &str, parts: &[&[u8]]) -> Scalar {
    let with = |counter: u8| {
        let c = [counter];
        let mut all: Vec<&[u8]> = vec![&c];
        all.extend_from_slice(parts);
        hash(tag, &all)
    };
    let mut wide = [0u8; 64];
    wide[..32].copy_from_slice(&with(0));
    wide[32..].copy_from_slice(&with(1));
    Scalar::from_bytes_mod_order_wide(&wide)
}

/// The chunk digests of `MD(m)` (spec §3.3, the bulk digest of spec/core.md §3 under
/// `T = "gradseal/v1/clsc/message"`): `TurboSHAKE128(u32(len T) ‖ T ‖ u64(i) ‖ u64(len c_i)
/// ‖ c_i, D = 0x1F, 32)` for each 8192-byte chunk `c_i` of `m`, the last possibly shorter.
fn md_chunks(message: &[u8]) -> Vec<[u8; 32]> {
    use turboshake::digest::{ExtendableOutput, Update, XofReader};
    let tag = b"gradseal/v1/clsc/message";
    message
        .chunks(8192)
        .enumerate()
        .map(|(i, c)| {
            let mut h = turboshake::TurboShake128::default();
            h.update(&(tag.len() as u32).to_be_bytes());
            h.update(tag);
            h.update(&(i as u64).to_be_bytes());
            h.update(&(c.len() as u64).to_be_bytes());
            h.update(c);
            let mut out = [0u8; 32];
            h.finalize_xof().read(&mut out);
            out
        })
        .collect()
}

/// `MD(m) = H("gradseal/v1/core/bulk", T, u64(len m), chunk_0 ‖ … ‖ chunk_{n-1})`.
fn md(message: &[u8]) -> [u8; 32] {
    let chunks = md_chunks(message);
    hash(
        "gradseal/v1/core/bulk",
        &[
            b"gradseal/v1/clsc/message",
            &(message.len() as u64).to_be_bytes(),
            chunks.as_flattened(),
        ],
    )
}

fn enc(p: &RistrettoPoint) -> [u8; 32] {
    p.compress().to_bytes()
}

fn mul_g(s: &Scalar) -> RistrettoPoint {
    RistrettoPoint::mul_base(s)
}

fn vec_field(bytes: &[u8]) -> Vec<u8> {
    [&(bytes.len() as u32).to_be_bytes()[..], bytes].concat()
}

fn padded_len(padding: &str, len: usize) -> usize {
    match padding {
        "none" => len,
        "padme" => {
            let e = usize::BITS - 1 - len.leading_zeros();
            let s = u32::BITS - e.leading_zeros();
            let mask = (1usize << (e - s)) - 1;
            (len + mask) & !mask
        }
        other => {
            let n: usize = other.strip_prefix("multiple:").unwrap().parse().unwrap();
            len.div_ceil(n) * n
        }
    }
}

struct Derived {
    sk: Scalar,
    p: RistrettoPoint,
    bid: [u8; 32],
    id: Vec<u8>,
    x_pub: [u8; 32],
    r_pub: [u8; 32],
}

/// Recomputes a node's enrolment from its seeds and checks every field.
fn check_node(n: &Node, s: &Scalar, ppub: &[u8; 32], what: &str) -> Derived {
    let id = un(&n.identity);
    let x = hs("gradseal/v1/clsc/node-secret", &[&un(&n.x_seed)]);
    assert_eq!(x, scalar(&n.x), "{what}: x");
    let x_pub = enc(&mul_g(&x));
    assert_eq!(hex::encode(x_pub), n.X, "{what}: X");
    let k = hs("gradseal/v1/clsc/pop-nonce", &[x.as_bytes(), &un(&n.pop_rnd), ppub, &id, &x_pub]);
    assert_eq!(k, scalar(&n.pop_k), "{what}: pop k");
    let a = enc(&mul_g(&k));
    assert_eq!(hex::encode(a), n.pop_A, "{what}: pop A");
    let c = hs("gradseal/v1/clsc/pop-challenge", &[ppub, &id, &x_pub, &a]);
    assert_eq!(c, scalar(&n.pop_c), "{what}: pop c");
    let z = k + c * x;
    assert_eq!(z, scalar(&n.pop_z), "{what}: pop z");
    let request = [vec_field(&id), x_pub.to_vec(), a.to_vec(), z.to_bytes().to_vec()].concat();
    assert_eq!(hex::encode(&request), n.request, "{what}: request");
    let r = hs("gradseal/v1/clsc/partial-nonce", &[s.as_bytes(), &un(&n.partial_rnd), &request]);
    assert_eq!(r, scalar(&n.r), "{what}: r");
    let r_pub = enc(&mul_g(&r));
    assert_eq!(hex::encode(r_pub), n.R, "{what}: R");
    let h = hs("gradseal/v1/clsc/partial-key", &[ppub, &id, &x_pub, &r_pub]);
    assert_eq!(h, scalar(&n.h), "{what}: h");
    let d = r + h * s;
    assert_eq!(d, scalar(&n.d), "{what}: d");
    assert_eq!(hex::encode([r_pub, d.to_bytes()].concat()), n.partial_key, "{what}: partial key");
    let sk = x + d;
    assert_eq!(sk, scalar(&n.sk), "{what}: sk");
    let p = mul_g(&sk);
    assert_eq!(p, point(&n.X) + point(&n.R) + h * point(&hex::encode(ppub)), "{what}: P two ways");
    assert_eq!(hex::encode(enc(&p)), n.P, "{what}: P");
    let bundle = [vec_field(&id), x_pub.to_vec(), r_pub.to_vec()].concat();
    assert_eq!(hex::encode(&bundle), n.bundle, "{what}: bundle");
    let bid = hash("gradseal/v1/clsc/bundle-id", &[ppub, &id, &x_pub, &r_pub]);
    assert_eq!(hex::encode(bid), n.bundle_id, "{what}: bundle id");
    let file =
        [vec_field(&id), x.to_bytes().to_vec(), r_pub.to_vec(), d.to_bytes().to_vec()].concat();
    assert_eq!(hex::encode(file), n.secret_key_file, "{what}: secret key file");
    let seed_file = [vec_field(&id), un(&n.x_seed)].concat();
    assert_eq!(hex::encode(seed_file), n.node_secret_seed, "{what}: node secret seed");
    Derived { sk, p, bid, id, x_pub, r_pub }
}

fn check_signcrypt(c: &Positive, sender: &Derived, recipient: &Derived) {
    let t = &c.signcrypt;
    let ctx = un(&c.context);
    let msg = un(&c.message);
    let m = md(&msg);
    assert_eq!(hex::encode(m), t.md, "md");
    let n = padded_len(&c.padding, 197 + msg.len());
    assert_eq!(n, t.N, "N");
    let n_be = (n as u32).to_be_bytes();
    let e = hs(
        "gradseal/v1/clsc/ephemeral",
        &[sender.sk.as_bytes(), &un(&t.rnd), &recipient.bid, &ctx, &m, &n_be],
    );
    assert_eq!(e, scalar(&t.e), "e");
    let e_pub = enc(&mul_g(&e));
    assert_eq!(hex::encode(e_pub), t.E, "E");
    let k_shared = enc(&(e * recipient.p));
    assert_eq!(k_shared, enc(&(recipient.sk * point(&t.E))), "K both sides");
    assert_eq!(hex::encode(k_shared), t.K, "K");
    let key = hash("gradseal/v1/clsc/kdf", &[&e_pub, &k_shared, &recipient.bid, &ctx]);
    assert_eq!(hex::encode(key), t.key, "key");
    let st = hash(
        "gradseal/v1/clsc/signcrypt-statement",
        &[&sender.bid, &recipient.bid, &e_pub, &ctx, &m, &n_be],
    );
    assert_eq!(hex::encode(st), t.statement, "statement");
    let sig =
        check_schnorr(&sender.sk, &un32(&t.rnd), &st, &t.k, &t.Rsig, &t.c, &t.z, &t.signature);
    let mut pt = vec![u8::try_from(sender.id.len()).unwrap()];
    pt.extend_from_slice(&sender.id);
    pt.resize(65, 0);
    pt.extend_from_slice(&sender.x_pub);
    pt.extend_from_slice(&sender.r_pub);
    pt.extend_from_slice(&sig);
    pt.extend_from_slice(&vec_field(&msg));
    assert_eq!(pt.len(), 197 + msg.len());
    pt.resize(n, 0);
    assert_eq!(hex::encode(&pt), t.plaintext, "plaintext");
    let mut body = pt.clone();
    let tag = ChaCha20Poly1305::new(&key.into())
        .encrypt_inout_detached(&[0u8; 12].into(), &ctx, body.as_mut_slice().into())
        .unwrap();
    let wire = [&e_pub[..], &((body.len() + 16) as u32).to_be_bytes(), &body, &tag].concat();
    assert_eq!(hex::encode(wire), t.signcryption, "signcryption");
}

#[allow(clippy::too_many_arguments)]
fn check_schnorr(
    sk: &Scalar,
    rnd: &[u8; 32],
    st: &[u8; 32],
    k_hex: &str,
    r_hex: &str,
    c_hex: &str,
    z_hex: &str,
    sig_hex: &str,
) -> Vec<u8> {
    let k = hs("gradseal/v1/clsc/schnorr-nonce", &[sk.as_bytes(), rnd, st]);
    assert_eq!(k, scalar(k_hex), "schnorr k");
    let r = enc(&mul_g(&k));
    assert_eq!(hex::encode(r), r_hex, "Rsig");
    let c = hs("gradseal/v1/clsc/schnorr-challenge", &[&r, st]);
    assert_eq!(c, scalar(c_hex), "schnorr c");
    let z = k + c * sk;
    assert_eq!(z, scalar(z_hex), "schnorr z");
    let sig = [r, z.to_bytes()].concat();
    assert_eq!(hex::encode(&sig), sig_hex, "signature");
    sig
}

fn check_sign(c: &Positive, signer: &Derived) {
    let t = &c.sign;
    let m = md(&un(&c.message));
    assert_eq!(hex::encode(m), t.md, "sign md");
    let st = hash("gradseal/v1/clsc/sign-statement", &[&signer.bid, &un(&t.context), &m]);
    assert_eq!(hex::encode(st), t.statement, "sign statement");
    check_schnorr(&signer.sk, &un32(&t.rnd), &st, &t.k, &t.Rsig, &t.c, &t.z, &t.signature);
}

#[test]
fn message_digest_known_answers_follow_the_spec() {
    let file = parsed();
    assert!(file.message_digests.len() >= 2);
    let mut lengths = Vec::new();
    for t in &file.message_digests {
        let m = un(&t.message);
        let chunks = md_chunks(&m);
        assert_eq!(chunks.len(), m.len().div_ceil(8192), "md {}: chunk count", t.id);
        let recorded: Vec<[u8; 32]> = t.chunks.iter().map(|c| un32(c)).collect();
        assert_eq!(recorded, chunks, "md {} ({}): chunks", t.id, t.comment);
        assert_eq!(hex::encode(md(&m)), t.md, "md {} ({})", t.id, t.comment);
        // The code's digest: gradseal-core's bulk digest under the clsc message tag.
        assert_eq!(gradseal_core::bulk_digest(tags::TAG_MESSAGE, &m), un32(&t.md), "md {}", t.id);
        lengths.push(m.len());
    }
    // No chunk, and more than four (the lockstep lanes and a short last chunk).
    assert!(lengths.contains(&0));
    assert!(lengths.iter().any(|&l| l > 4 * 8192 && l % 8192 != 0));
}

#[test]
fn second_implementation_reproduces_every_positive_intermediate() {
    let file = parsed();
    let mut ran = 0;
    for c in &file.positive {
        let s = hs("gradseal/v1/clsc/kgc-secret", &[&un(&c.kgc_seed)]);
        assert_eq!(s, scalar(&c.s), "case {}: s", c.tc_id);
        assert_eq!(hex::encode(s.to_bytes()), c.kgc_secret, "case {}: KGC secret", c.tc_id);
        let ppub = enc(&mul_g(&s));
        assert_eq!(hex::encode(ppub), c.ppub, "case {}: Ppub", c.tc_id);
        let sender = check_node(&c.sender, &s, &ppub, "sender");
        let recipient = check_node(&c.recipient, &s, &ppub, "recipient");
        check_signcrypt(c, &sender, &recipient);
        check_sign(c, &sender);
        assert!(!c.comment.is_empty());
        ran += 1;
    }
    assert!(ran >= 5, "only {ran} positive cases");
}

// ---------------------------------------------------------------- the public API

/// Replays recorded 32-byte random values, in order, to the public API.
struct Replay(VecDeque<[u8; 32]>);

impl rand_core::TryRng for Replay {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        unimplemented!("the API draws 32-byte values only")
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        unimplemented!("the API draws 32-byte values only")
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        dst.copy_from_slice(&self.0.pop_front().expect("a recorded value left"));
        Ok(())
    }
}

impl rand_core::TryCryptoRng for Replay {}

struct ApiCase {
    kgc: Kgc,
    /// Authorises the case's two identities; the recipient is enrolled (the sender too).
    registry: EnrolmentRegistry,
    sender_secret: NodeSecret,
    sender: NodeKeys,
    recipient: NodeKeys,
}

fn api_enrol(kgc: &Kgc, registry: &mut EnrolmentRegistry, n: &Node) -> (NodeSecret, NodeKeys) {
    let mut rng = Replay([un32(&n.x_seed), un32(&n.pop_rnd), un32(&n.partial_rnd)].into());
    let secret = NodeSecret::generate(Identity::new(un(&n.identity)).unwrap(), &mut rng);
    let request = secret.request(kgc.public(), &mut rng);
    assert_eq!(hex::encode(request.to_bytes()), n.request);
    let partial = kgc.issue_authorised(&request, registry, &mut rng).unwrap();
    assert_eq!(registry.bundle(secret.identity()), Some(&request.bundle(&partial)));
    let stored = NodeSecretSeed::from_secret_bytes(&un(&n.node_secret_seed)).unwrap();
    assert_eq!(stored.secret().unwrap(), secret);
    assert_eq!(hex::encode(partial.to_bytes()), n.partial_key);
    let keys = secret.complete(kgc.public(), &partial).unwrap();
    let pk = keys.public_key();
    assert_eq!(hex::encode(pk.point_bytes()), n.P);
    assert_eq!(hex::encode(pk.bundle_id()), n.bundle_id);
    assert_eq!(hex::encode(keys.bundle().to_bytes()), n.bundle);
    assert_eq!(hex::encode(&*keys.to_secret_bytes()), n.secret_key_file);
    // Anyone else derives the same key from the published bundle.
    let derived =
        PublicKey::derive(kgc.public(), PublicBundle::from_bytes(&un(&n.bundle)).unwrap()).unwrap();
    assert_eq!(&derived, pk);
    assert!(rng.0.is_empty());
    (secret, keys)
}

fn api_case(c: &Positive) -> ApiCase {
    let kgc = Kgc::generate(&mut Replay([un32(&c.kgc_seed)].into()));
    assert_eq!(hex::encode(kgc.public().ppub_bytes()), c.ppub);
    assert_eq!(hex::encode(&kgc.to_secret_bytes()[..]), c.kgc_secret);
    assert_eq!(Kgc::from_secret_bytes(&un32(&c.kgc_secret)).unwrap(), kgc);
    let ids = [&c.sender.identity, &c.recipient.identity];
    let mut registry = EnrolmentRegistry::new(ids.map(|id| Identity::new(un(id)).unwrap()));
    let (sender_secret, sender) = api_enrol(&kgc, &mut registry, &c.sender);
    let (_, recipient) = api_enrol(&kgc, &mut registry, &c.recipient);
    ApiCase { kgc, registry, sender_secret, sender, recipient }
}

#[test]
fn public_api_reproduces_every_positive_output() {
    let file = parsed();
    for c in &file.positive {
        let api = api_case(c);
        let (ctx, msg) = (un(&c.context), un(&c.message));
        let padding = gradseal_clsc::vectors::parse_padding(&c.padding).unwrap();
        let mut rng = Replay([un32(&c.signcrypt.rnd), un32(&c.sign.rnd)].into());
        let ct = signcrypt(&api.sender, api.recipient.public_key(), &ctx, &msg, padding, &mut rng)
            .unwrap();
        assert_eq!(hex::encode(ct.as_bytes()), c.signcrypt.signcryption, "case {}", c.tc_id);
        let decoded = Signcryption::from_bytes(&un(&c.signcrypt.signcryption)).unwrap();
        let (from, opened) = unsigncrypt(&api.recipient, &ctx, &decoded).unwrap();
        assert_eq!((&from, &opened), (api.sender.bundle(), &msg));
        // The bound that fits exactly: the policy's sealed length of this message.
        let exact = padding.sealed_len(msg.len());
        assert_eq!(exact, c.signcrypt.N + 16);
        let (from, opened) =
            unsigncrypt_bounded(&api.recipient, &ctx, ct.as_bytes(), exact).unwrap();
        assert!(from.ct_eq(api.sender.bundle()) && !from.ct_eq(api.recipient.bundle()));
        assert_eq!(opened, msg);
        let sig = sign(&api.sender, &un(&c.sign.context), &msg, &mut rng);
        assert_eq!(hex::encode(sig.to_bytes()), c.sign.signature);
        verify(api.sender.public_key(), &un(&c.sign.context), &msg, &sig).unwrap();
    }
}

/// The name of an error variant, as the vector file's `error` field spells it.
fn error_name(e: Error) -> &'static str {
    match e {
        Error::Decode(_) => "Decode",
        Error::InvalidIdentity => "InvalidIdentity",
        Error::InvalidProofOfPossession => "InvalidProofOfPossession",
        Error::NotAuthorised => "NotAuthorised",
        Error::AlreadyEnrolled => "AlreadyEnrolled",
        Error::EnrolmentNotRecorded => "EnrolmentNotRecorded",
        Error::InvalidPartialKey => "InvalidPartialKey",
        Error::DegeneratePublicKey => "DegeneratePublicKey",
        Error::KgcMismatch => "KgcMismatch",
        Error::InvalidSignature => "InvalidSignature",
        Error::MessageTooLong { .. } => "MessageTooLong",
        Error::Unsigncrypt => "Unsigncrypt",
        other => panic!("error {other:?} has no name in the vector file"),
    }
}

/// Runs a negative case's operation; `Ok(())` if it was (wrongly) accepted, else the error.
fn run(n: &NegativeCase, api: &ApiCase) -> Result<(), Error> {
    let input = un(&n.input);
    let ctx = n.context.as_deref().map(un);
    match n.operation {
        Operation::Unsigncrypt => {
            let keys = match n.keys.expect("keys") {
                Keys::Recipient => &api.recipient,
                Keys::Sender => &api.sender,
            };
            let ctx = ctx.expect("context");
            let max = n.max_sealed_len.unwrap_or(MAX_SEALED_LEN);
            let bounded = unsigncrypt_bounded(keys, &ctx, &input, max).map(|_| ());
            if n.max_sealed_len.is_none() {
                // The decoder and unsigncrypt agree with the bounded entry point.
                let old = Signcryption::from_bytes(&input)
                    .map_err(Error::from)
                    .and_then(|ct| unsigncrypt(keys, &ctx, &ct).map(|_| ()));
                assert_eq!(old.map_err(error_name), bounded.map_err(error_name), "tc {}", n.tc_id);
            }
            bounded
        }
        Operation::Verify => {
            let sig = Signature::from_bytes(&input)?;
            let msg = un(n.message.as_deref().expect("message"));
            verify(api.sender.public_key(), &ctx.expect("context"), &msg, &sig)
        }
        Operation::Complete => {
            let partial = PartialKey::from_bytes(&input)?;
            api.sender_secret.complete(api.kgc.public(), &partial).map(|_| ())
        }
        Operation::Issue => {
            let request = EnrolmentRequest::from_bytes(&input)?;
            let mut registry = api.registry.clone();
            let mut rng = Replay([[0u8; 32]].into());
            api.kgc.issue_authorised(&request, &mut registry, &mut rng).map(|_| ())
        }
        Operation::Derive => {
            let bundle = PublicBundle::from_bytes(&input)?;
            PublicKey::derive(api.kgc.public(), bundle).map(|_| ())
        }
        Operation::DecodeKgc => KgcPublic::from_bytes(&input).map(|_| ()).map_err(Error::from),
        Operation::DecodeSecretKeyFile => {
            NodeKeys::from_secret_bytes(api.kgc.public(), &input).map(|_| ())
        }
        Operation::DecodeNodeSeed => NodeSecretSeed::from_secret_bytes(&input).map(|_| ()),
        Operation::DecodeKgcSecret => {
            let bytes: [u8; 32] = input.as_slice().try_into().map_err(|_| {
                Error::Decode(gradseal_core::DecodeError::LengthMismatch {
                    field: "kgc.secret",
                    len: input.len() as u64,
                    expected: 32,
                })
            })?;
            Kgc::from_secret_bytes(&bytes).map(|_| ())
        }
    }
}

#[test]
fn every_negative_case_is_rejected() {
    let file = parsed();
    let apis: BTreeMap<u32, ApiCase> =
        file.positive.iter().map(|c| (c.tc_id, api_case(c))).collect();
    let mut ran = 0;
    let mut seen_ids = std::collections::BTreeSet::new();
    for n in &file.negative {
        assert!(seen_ids.insert(n.tc_id), "duplicate tcId {}", n.tc_id);
        assert_eq!(n.result, Verdict::Invalid);
        assert!(!n.flags.is_empty() && !n.comment.is_empty());
        for f in &n.flags {
            assert!(file.notes.contains_key(&format!("{f:?}")), "flag {f:?} undocumented");
        }
        let api = apis.get(&n.case).expect("negative case refers to a positive case");
        match run(n, api) {
            Ok(()) => panic!("tc {} ({}) was accepted", n.tc_id, n.comment),
            Err(e) => assert_eq!(error_name(e), n.error, "tc {} ({})", n.tc_id, n.comment),
        }
        ran += 1;
    }
    assert!(ran >= 15, "only {ran} negative cases");
    assert_eq!(file.notes.len(), FLAG_COUNT, "notes document exactly the flag set");
    assert_eq!(file.operations.len(), OPERATION_COUNT, "operations document exactly the set");
    for op in file.negative.iter().map(|n| n.operation) {
        let name = serde_json::to_value(format!("{op:?}")).unwrap();
        assert!(
            file.operations
                .keys()
                .any(|k| k.replace('_', "") == name.as_str().unwrap().to_lowercase())
        );
    }
}
