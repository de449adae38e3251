//! gradseal-clsc against its peer, side by side in one run (DESIGN.md, "Peers").
//!
//! - `clsc/signcrypt+unsigncrypt`: gradseal-clsc signcrypt → bytes → decode → unsigncrypt,
//!   against HPKE auth mode (RFC 9180: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
//!   ChaCha20-Poly1305, hpke 0.15 single-shot) sealing `msg ‖ Ed25519(msg)` and opening +
//!   verifying it (ed25519-dalek 3). Both give the recipient confidentiality, sender
//!   authentication and a transferable signature on the message; identical messages, fixed
//!   seeds, sizes 64 B, 1 KiB, 64 KiB, 1 MiB.
//! - `clsc/message-digest`: the message digest alone over an 834 KB contribution (the
//!   833 829-byte plaintext of a 10^5-coordinate contribution with three sealed seeds), the
//!   former one-lane TurboSHAKE128 (`old-turboshake128-1-lane`, spelled out here) beside
//!   the current `gradseal_core::bulk_digest` under `TAG_MESSAGE` (`bulk-digest`).
//! - `clsc/contribution`: signcrypt alone, and decode + unsigncrypt alone, of that message.
//! - `clsc/sign+verify`: certificateless Schnorr against Ed25519 at 1 KiB.
//! - `clsc/keys`: a full enrolment (node secret, request, KGC issue with proof check, node
//!   completion) and public key derivation from a bundle.
//!
//! Run: `cargo bench -p gradseal-benches --bench clsc` (one group: append its name as a
//! filter, e.g. `-- clsc/message-digest`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ed25519_dalek::{Signer, SigningKey, Verifier};
use gradseal_clsc::{
    EnrolmentRegistry, Identity, Kgc, NodeKeys, NodeSecret, Padding, PublicKey, sign, signcrypt,
    tags, unsigncrypt_bounded, verify,
};
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem as _, OpModeR, OpModeS, Serializable};
use rand_core::SeedableRng;

type Rng = chacha20::ChaCha20Rng;
type HpkeKem = X25519HkdfSha256;

const SIZES: [usize; 4] = [64, 1 << 10, 64 << 10, 1 << 20];
const CONTEXT: &[u8] = b"gradseal bench context";
/// A contribution's plaintext at d = 10^5 with three sealed seeds: `8d + 32 893 + 312·3`
/// bytes (spec/protocol.md), the message a client signcrypts to the aggregator.
const CONTRIBUTION: usize = 8 * 100_000 + 32_893 + 312 * 3;

fn rng(seed: u8) -> Rng {
    Rng::from_seed([seed; 32])
}

fn enrol(kgc: &Kgc, name: &str, rng: &mut Rng) -> NodeKeys {
    let id = Identity::new(name).expect("identity");
    let mut policy = EnrolmentRegistry::new([id.clone()]);
    let secret = NodeSecret::generate(id, rng);
    kgc.enrol_in_process(&secret, &mut policy, rng).expect("enrol")
}

fn message(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(7)).collect()
}

struct Clsc {
    sender: NodeKeys,
    recipient: NodeKeys,
    recipient_pk: PublicKey,
}

impl Clsc {
    fn new(rng: &mut Rng) -> Self {
        let kgc = Kgc::generate(rng);
        let sender = enrol(&kgc, "client-0001", rng);
        let recipient = enrol(&kgc, "aggregator", rng);
        let recipient_pk = recipient.public_key().clone();
        Self { sender, recipient, recipient_pk }
    }

    fn round_trip(&self, msg: &[u8], rng: &mut Rng) -> Vec<u8> {
        let ct = signcrypt(&self.sender, &self.recipient_pk, CONTEXT, msg, Padding::None, rng)
            .expect("signcrypt");
        let wire = ct.into_bytes();
        let bound = Padding::None.sealed_len(msg.len());
        let (_sender, msg) =
            unsigncrypt_bounded(&self.recipient, CONTEXT, &wire, bound).expect("open");
        msg
    }
}

struct HpkeEd25519 {
    sender_kem: (<HpkeKem as hpke::Kem>::PrivateKey, <HpkeKem as hpke::Kem>::PublicKey),
    recipient_kem: (<HpkeKem as hpke::Kem>::PrivateKey, <HpkeKem as hpke::Kem>::PublicKey),
    signing: SigningKey,
}

impl HpkeEd25519 {
    fn new(rng: &mut Rng) -> Self {
        let sender_kem = HpkeKem::gen_keypair_with_rng(rng);
        let recipient_kem = HpkeKem::gen_keypair_with_rng(rng);
        let mut seed = [0u8; 32];
        rand_core::Rng::fill_bytes(rng, &mut seed);
        Self { sender_kem, recipient_kem, signing: SigningKey::from_bytes(&seed) }
    }

    fn round_trip(&self, msg: &[u8], rng: &mut Rng) -> Vec<u8> {
        // Sender: sign, then seal msg ‖ sig in auth mode.
        let sig = self.signing.sign(msg);
        let mut pt = Vec::with_capacity(msg.len() + 64);
        pt.extend_from_slice(msg);
        pt.extend_from_slice(&sig.to_bytes());
        let mode = OpModeS::Auth((self.sender_kem.0.clone(), self.sender_kem.1.clone()));
        let (enc, ct) = hpke::single_shot_seal_with_rng::<ChaCha20Poly1305, HkdfSha256, HpkeKem>(
            &mode,
            &self.recipient_kem.1,
            CONTEXT,
            &pt,
            b"",
            rng,
        )
        .expect("seal");
        let enc_bytes = enc.to_bytes();
        // Recipient: decode, open, verify.
        let enc = <HpkeKem as hpke::Kem>::EncappedKey::from_bytes(&enc_bytes).expect("enc");
        let mut opened = hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, HpkeKem>(
            &OpModeR::Auth(self.sender_kem.1.clone()),
            &self.recipient_kem.0,
            &enc,
            CONTEXT,
            &ct,
            b"",
        )
        .expect("open");
        let sig_bytes: [u8; 64] =
            opened.split_off(opened.len() - 64).try_into().expect("signature length");
        let sig = ed25519_dalek::Signature::from_bytes(&sig_bytes);
        self.signing.verifying_key().verify(&opened, &sig).expect("verify");
        opened
    }
}

fn signcrypt_vs_hpke(c: &mut Criterion) {
    let mut setup = rng(1);
    let clsc = Clsc::new(&mut setup);
    let peer = HpkeEd25519::new(&mut setup);
    let mut group = c.benchmark_group("clsc/signcrypt+unsigncrypt");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for size in SIZES {
        let msg = message(size);
        // Both sides must round-trip before being timed.
        assert_eq!(clsc.round_trip(&msg, &mut rng(2)), msg);
        assert_eq!(peer.round_trip(&msg, &mut rng(2)), msg);
        group.throughput(Throughput::Bytes(size as u64));
        let mut r = rng(3);
        group.bench_with_input(BenchmarkId::new("gradseal-clsc", size), &msg, |b, msg| {
            b.iter(|| black_box(clsc.round_trip(black_box(msg), &mut r)))
        });
        let mut r = rng(3);
        group.bench_with_input(BenchmarkId::new("hpke-auth+ed25519", size), &msg, |b, msg| {
            b.iter(|| black_box(peer.round_trip(black_box(msg), &mut r)))
        });
    }
    group.finish();
}

/// The message digest before it became the bulk digest: one TurboSHAKE128 lane over
/// `u32(len T) ‖ T ‖ u64(len m) ‖ m` (kept here for the comparison only).
fn old_message_digest(message: &[u8]) -> [u8; 32] {
    use turboshake::digest::{ExtendableOutput, Update};
    let tag = tags::TAG_MESSAGE.as_bytes();
    let mut h = turboshake::TurboShake128::default();
    h.update(&u32::try_from(tag.len()).expect("short tag").to_be_bytes());
    h.update(tag);
    h.update(&(message.len() as u64).to_be_bytes());
    h.update(message);
    let mut md = [0u8; 32];
    h.finalize_xof_into(&mut md);
    md
}

fn contribution(c: &mut Criterion) {
    let msg = message(CONTRIBUTION);
    let mut group = c.benchmark_group("clsc/message-digest");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Bytes(msg.len() as u64));
    group.bench_function(BenchmarkId::new("old-turboshake128-1-lane", msg.len()), |b| {
        b.iter(|| black_box(old_message_digest(black_box(&msg))))
    });
    group.bench_function(BenchmarkId::new("bulk-digest", msg.len()), |b| {
        b.iter(|| black_box(gradseal_core::bulk_digest(tags::TAG_MESSAGE, black_box(&msg))))
    });
    group.finish();

    let mut setup = rng(9);
    let clsc = Clsc::new(&mut setup);
    let bound = Padding::None.sealed_len(msg.len());
    let wire =
        signcrypt(&clsc.sender, &clsc.recipient_pk, CONTEXT, &msg, Padding::None, &mut setup)
            .expect("signcrypt")
            .into_bytes();
    assert_eq!(unsigncrypt_bounded(&clsc.recipient, CONTEXT, &wire, bound).expect("open").1, msg);
    let mut group = c.benchmark_group("clsc/contribution");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Bytes(msg.len() as u64));
    let mut r = rng(10);
    group.bench_function(BenchmarkId::new("signcrypt", msg.len()), |b| {
        b.iter(|| {
            black_box(
                signcrypt(
                    &clsc.sender,
                    &clsc.recipient_pk,
                    CONTEXT,
                    black_box(&msg),
                    Padding::None,
                    &mut r,
                )
                .expect("signcrypt"),
            )
        })
    });
    group.bench_function(BenchmarkId::new("unsigncrypt", msg.len()), |b| {
        b.iter(|| {
            black_box(
                unsigncrypt_bounded(&clsc.recipient, CONTEXT, black_box(&wire), bound)
                    .expect("open"),
            )
        })
    });
    group.finish();
}

fn sign_vs_ed25519(c: &mut Criterion) {
    let mut setup = rng(4);
    let clsc = Clsc::new(&mut setup);
    let peer = HpkeEd25519::new(&mut setup);
    let msg = message(1 << 10);
    let mut group = c.benchmark_group("clsc/sign+verify");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    group.throughput(Throughput::Bytes(msg.len() as u64));
    let mut r = rng(5);
    group.bench_function(BenchmarkId::new("gradseal-clsc", msg.len()), |b| {
        b.iter(|| {
            let sig = sign(&clsc.sender, CONTEXT, black_box(&msg), &mut r);
            verify(clsc.sender.public_key(), CONTEXT, &msg, &sig).expect("verify");
        })
    });
    group.bench_function(BenchmarkId::new("ed25519", msg.len()), |b| {
        b.iter(|| {
            let sig = peer.signing.sign(black_box(&msg));
            peer.signing.verifying_key().verify(&msg, &sig).expect("verify");
        })
    });
    group.finish();
}

fn keys(c: &mut Criterion) {
    let mut setup = rng(6);
    let kgc = Kgc::generate(&mut setup);
    let node = enrol(&kgc, "client-0001", &mut setup);
    let bundle = node.bundle().clone();
    let mut group = c.benchmark_group("clsc/keys");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let mut r = rng(7);
    group.bench_function("enrolment", |b| b.iter(|| black_box(enrol(&kgc, "client-0002", &mut r))));
    group.bench_function("derive-public-key", |b| {
        b.iter(|| {
            black_box(PublicKey::derive(kgc.public(), black_box(bundle.clone())).expect("derive"))
        })
    });
    let mut r = rng(8);
    group.bench_function("hpke-x25519-keygen (peer)", |b| {
        b.iter(|| black_box(HpkeKem::gen_keypair_with_rng(&mut r)))
    });
    group.finish();
}

criterion_group!(benches, signcrypt_vs_hpke, contribution, sign_vs_ed25519, keys);
criterion_main!(benches);
