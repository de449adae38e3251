//! Signcryption: anonymous, context-bound, sender-authenticated encryption to a
//! certificateless public key (spec: `spec/clsc.md`, sections "Signcrypt" and "Unsigncrypt").
//!
//! Wire: `E (32) ‖ u32(len) ‖ ChaCha20-Poly1305(key, nonce = 0^12, ad = context, pt)`, where
//! `pt = sender block ‖ signature ‖ u32(len msg) ‖ msg ‖ 0^pad`, where the sender block is the
//! sender's bundle with the identity padded to 64 bytes. Only `E` is in the clear, so a relay
//! learns neither the sender nor (beyond `E`, a random point) the recipient, and the length
//! depends only on the message length and the padding policy.

use chacha20poly1305::aead::inout::InOutBuf;
use chacha20poly1305::{AeadInOut, ChaCha20Poly1305, KeyInit, Tag};
use curve25519_dalek::scalar::Scalar;
use gradseal_core::{Codec, DecodeError, Reader, Writer, hash};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::schnorr::{
    SIGNATURE_LEN, Signature, message_digest, schnorr_sign, schnorr_verify_folded_ct,
};
use crate::wire::{Point, hash_to_scalar};
use crate::{Error, Identity, MAX_IDENTITY_LEN, NodeKeys, Padding, PublicBundle, PublicKey, tags};

/// Largest message one signcryption carries (1 GiB).
pub const MAX_MESSAGE_LEN: usize = 1 << 30;
/// Poly1305 tag length.
pub const TAG_LEN: usize = 16;
/// The plaintext header: the sender's bundle with its identity padded to a fixed width
/// (`u8(len ID) ‖ ID ‖ 0^(64 − len ID) ‖ X ‖ R`), the signature and the message length.
/// Its length is fixed, so the ciphertext length never depends on who sent it.
pub(crate) const HEADER_LEN: usize = 1 + MAX_IDENTITY_LEN + 64 + SIGNATURE_LEN + 4;
/// Largest padded plaintext: the largest message, its header and any padding policy's
/// overhead (Padmé adds < 2^25 bytes at this size).
pub(crate) const MAX_PLAINTEXT_LEN: usize = MAX_MESSAGE_LEN + (1 << 26);
/// Bounds of the sealed field (ciphertext and tag) on the wire.
pub const MIN_SEALED_LEN: usize = HEADER_LEN + TAG_LEN;
/// Largest sealed field accepted on the wire.
pub const MAX_SEALED_LEN: usize = MAX_PLAINTEXT_LEN + TAG_LEN;
/// Offset of the sealed bytes in the encoding: `E` and the `u32` length.
const SEALED_OFFSET: usize = 32 + 4;

/// One signcrypted message: `E (32) ‖ u32(len) ‖ sealed`.
///
/// Decoding checks that `E` is a canonical non-identity point and that the sealed length is
/// within [`MIN_SEALED_LEN`]..=[`MAX_SEALED_LEN`]; everything else is checked by
/// [`unsigncrypt`], which fails opaquely.
#[derive(Clone, PartialEq, Eq)]
pub struct Signcryption {
    e: Point,
    /// The whole canonical encoding, kept so encoding is a copy and decryption needs none.
    bytes: Vec<u8>,
}

impl Signcryption {
    /// The canonical encoding.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The canonical encoding, by value.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The canonical encoding of the ephemeral point `E`.
    pub fn ephemeral(&self) -> &[u8; 32] {
        &self.e.bytes
    }

    fn sealed(&self) -> &[u8] {
        self.bytes.get(SEALED_OFFSET..).unwrap_or_default()
    }
}

impl core::fmt::Debug for Signcryption {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Signcryption")
            .field("e", &self.e)
            .field("sealed_len", &self.sealed().len())
            .finish()
    }
}

impl Codec for Signcryption {
    fn encode(&self, w: &mut Writer) {
        w.put_bytes(&self.bytes);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let (e, sealed) = read_outer(r, MAX_SEALED_LEN)?;
        let mut w = Writer::with_capacity(SEALED_OFFSET + sealed.len());
        e.write(&mut w);
        w.put_var_bytes(sealed);
        Ok(Self { e, bytes: w.into_bytes() })
    }
}

/// The ephemeral scalar `e` of one signcryption. Consumed by the key agreement, so it
/// cannot be used twice.
pub(crate) struct Ephemeral(pub(crate) Zeroizing<Scalar>);

impl Ephemeral {
    /// `e = Hs(TAG_EPHEMERAL, sk_S, rnd, bid_R, context, md, u32(N))`: hedged, so a repeated
    /// `rnd` repeats `e` (hence the AEAD key) only for the same sender, recipient, context,
    /// message and padded length `N`, i.e. only for the same plaintext.
    pub(crate) fn derive(
        sk: &Scalar,
        rnd: &[u8; 32],
        recipient_bid: &[u8; 32],
        context: &[u8],
        md: &[u8; 32],
        pt_len: u32,
    ) -> Self {
        let sk_bytes = Zeroizing::new(sk.to_bytes());
        Self(Zeroizing::new(hash_to_scalar(
            tags::TAG_EPHEMERAL,
            &[&sk_bytes[..], rnd, recipient_bid, context, md, &pt_len.to_be_bytes()],
        )))
    }

    /// Returns `E = e·G` and `K = e·P_R` (encoded), consuming `e`.
    pub(crate) fn agree(self, recipient: &Point) -> (Point, Zeroizing<[u8; 32]>) {
        let e_pub = Point::mul_base_unchecked(&self.0);
        let k = Zeroizing::new((*self.0 * recipient.point).compress().to_bytes());
        (e_pub, k)
    }
}

/// `key = H(TAG_KDF, E, K, bid_R, context)`: the single-use ChaCha20-Poly1305 key.
pub(crate) fn derive_key(
    e: &[u8; 32],
    k: &[u8; 32],
    recipient_bid: &[u8; 32],
    context: &[u8],
) -> Zeroizing<[u8; 32]> {
    Zeroizing::new(hash(tags::TAG_KDF, &[e, k, recipient_bid, context]))
}

/// The statement signed inside a signcryption: `H(TAG_SIGNCRYPT_STATEMENT, bid_S, bid_R, E,
/// context, md, u32(N))`. It binds the recipient and `E`, so the recipient cannot re-address
/// the signed content to a third party (no surreptitious forwarding), and the padded
/// plaintext length `N`, so whoever holds the AEAD key cannot re-seal the signed content
/// with another amount of padding.
pub(crate) fn signcrypt_statement(
    sender_bid: &[u8; 32],
    recipient_bid: &[u8; 32],
    e: &[u8; 32],
    context: &[u8],
    md: &[u8; 32],
    pt_len: u32,
) -> [u8; 32] {
    hash(
        tags::TAG_SIGNCRYPT_STATEMENT,
        &[sender_bid, recipient_bid, e, context, md, &pt_len.to_be_bytes()],
    )
}

/// The padded plaintext length `N` as the `u32` bound into `e` and the statement.
/// `N ≤ MAX_PLAINTEXT_LEN < 2^31` for every message the encoder accepts.
pub(crate) fn pt_len_u32(pt_len: usize) -> u32 {
    u32::try_from(pt_len).unwrap_or(u32::MAX)
}

/// The AEAD with a single-use key: nonce zero is safe because every key is used once.
fn aead(key: &[u8; 32]) -> ChaCha20Poly1305 {
    ChaCha20Poly1305::new(&(*key).into())
}

const NONCE: [u8; 12] = [0; 12];

/// Signcrypts `message` from `sender` to `recipient`, bound to `context`.
///
/// The hedged ephemeral and signature nonces come from the sender's secret, the message
/// digest and 32 fresh bytes of `rng`. The message is hashed once and encrypted once.
///
/// # Errors
/// [`Error::MessageTooLong`] beyond [`MAX_MESSAGE_LEN`]; [`Error::KgcMismatch`] if the two
/// keys belong to different KGCs.
pub fn signcrypt(
    sender: &NodeKeys,
    recipient: &PublicKey,
    context: &[u8],
    message: &[u8],
    padding: Padding,
    rng: &mut impl CryptoRng,
) -> Result<Signcryption, Error> {
    let mut rnd = Zeroizing::new([0u8; 32]);
    rng.fill_bytes(&mut rnd[..]);
    signcrypt_with_random(sender, recipient, context, message, padding, &rnd)
}

pub(crate) fn signcrypt_with_random(
    sender: &NodeKeys,
    recipient: &PublicKey,
    context: &[u8],
    message: &[u8],
    padding: Padding,
    rnd: &[u8; 32],
) -> Result<Signcryption, Error> {
    if message.len() > MAX_MESSAGE_LEN {
        return Err(Error::MessageTooLong { len: message.len(), max: MAX_MESSAGE_LEN });
    }
    if sender.kgc() != recipient.kgc() {
        return Err(Error::KgcMismatch);
    }
    let sender_pk = sender.public_key();
    Ok(signcrypt_core(
        sender.sk(),
        sender_pk.bundle(),
        sender_pk.bundle_id(),
        recipient,
        context,
        message,
        padding,
        rnd,
    ))
}

/// Signcrypt from a raw secret and bundle (the vector generator also forges with it).
#[allow(clippy::too_many_arguments)]
pub(crate) fn signcrypt_core(
    sk: &Scalar,
    sender_bundle: &PublicBundle,
    sender_bid: &[u8; 32],
    recipient: &PublicKey,
    context: &[u8],
    message: &[u8],
    padding: Padding,
    rnd: &[u8; 32],
) -> Signcryption {
    let md = message_digest(message);
    let pt_len = padding.padded_len(HEADER_LEN + message.len());
    let n = pt_len_u32(pt_len);
    let eph = Ephemeral::derive(sk, rnd, recipient.bundle_id(), context, &md, n);
    let (e, k) = eph.agree(recipient.point());
    let key = derive_key(&e.bytes, &k, recipient.bundle_id(), context);
    let st = signcrypt_statement(sender_bid, recipient.bundle_id(), &e.bytes, context, &md, n);
    let signature = schnorr_sign(sk, rnd, &st);
    assemble(e, &key, context, pt_len, |w| {
        write_sender_block(w, sender_bundle);
        signature.encode(w);
        w.put_var_bytes(message);
    })
}

/// Lays out `E ‖ u32(pt_len + 16)`, lets `write_plaintext` write the plaintext in place
/// (zero padding up to `pt_len` is appended), encrypts it in place and appends the tag.
pub(crate) fn assemble(
    e: Point,
    key: &[u8; 32],
    context: &[u8],
    pt_len: usize,
    write_plaintext: impl FnOnce(&mut Writer),
) -> Signcryption {
    let mut w = Writer::with_capacity(SEALED_OFFSET + pt_len + TAG_LEN);
    e.write(&mut w);
    w.put_len(pt_len + TAG_LEN);
    write_plaintext(&mut w);
    let mut bytes = w.into_bytes();
    debug_assert!(bytes.len() <= SEALED_OFFSET + pt_len);
    bytes.resize(SEALED_OFFSET + pt_len, 0);
    let tag = seal(key, context, bytes.get_mut(SEALED_OFFSET..).unwrap_or_default());
    bytes.extend_from_slice(&tag);
    Signcryption { e, bytes }
}

/// `u8(len ID) ‖ ID ‖ 0^(64 − len ID) ‖ X ‖ R`.
pub(crate) fn write_sender_block(w: &mut Writer, bundle: &PublicBundle) {
    let id = bundle.identity.as_bytes();
    // Identity lengths are 1..=64 by construction.
    w.put_u8(u8::try_from(id.len()).unwrap_or(u8::MAX));
    w.put_bytes(id);
    for _ in id.len()..MAX_IDENTITY_LEN {
        w.put_u8(0);
    }
    bundle.x.write(w);
    bundle.r.write(w);
}

/// Parses a sender block strictly: length 1..=64, zero filler, canonical points.
fn read_sender_block(r: &mut Reader<'_>) -> Option<PublicBundle> {
    let len = usize::from(r.read_u8("sender.len").ok()?);
    let field = r.read_bytes("sender.identity", MAX_IDENTITY_LEN).ok()?;
    let (id, filler) = field.split_at_checked(len)?;
    if filler.iter().any(|b| *b != 0) {
        return None;
    }
    Some(PublicBundle {
        identity: Identity::new(id).ok()?,
        x: Point::read(r, "sender.x").ok()?,
        r: Point::read(r, "sender.r").ok()?,
    })
}

fn seal(key: &[u8; 32], context: &[u8], buf: &mut [u8]) -> Tag {
    // Encryption fails only beyond ChaCha20's 256 GiB limit, far above MAX_PLAINTEXT_LEN.
    aead(key).encrypt_inout_detached(&NONCE.into(), context, buf.into()).unwrap_or_default()
}

/// Unsigncrypts `ciphertext` with the recipient's keys under `context`.
///
/// Returns the sender's bundle (whose signature over this message, `E`, the recipient, the
/// context and the padded length has been verified) and the message. Check the bundle
/// against your roster of enrolled nodes: any node enrolled by the same KGC can signcrypt
/// to you (see [`unsigncrypt_bounded`]).
///
/// Accepts any sealed length up to [`MAX_SEALED_LEN`]; [`unsigncrypt_bounded`] takes the
/// caller's own bound and checks it before allocating (prefer it for untrusted input).
///
/// # Errors
/// [`Error::Unsigncrypt`], whatever failed (wrong key or context, tampering, bad padding,
/// bad inner signature): the caller learns nothing about which check failed.
pub fn unsigncrypt(
    recipient: &NodeKeys,
    context: &[u8],
    ciphertext: &Signcryption,
) -> Result<(PublicBundle, Vec<u8>), Error> {
    open(recipient, context, &ciphertext.e, ciphertext.sealed()).ok_or(Error::Unsigncrypt)
}

/// Unsigncrypts the encoded signcryption `bytes`, refusing a sealed part longer than
/// `max_sealed_len` before allocating or decrypting anything.
///
/// Pick `max_sealed_len` from the largest message you accept and the sender's padding
/// policy: [`Padding::sealed_len`]`(max_message_len)`. The decoding rules are those of
/// [`Signcryption`]'s decoder (canonical `E`, sealed length in
/// [`MIN_SEALED_LEN`]`..=`[`MAX_SEALED_LEN`], no trailing bytes), with the caller's bound
/// in place of [`MAX_SEALED_LEN`] when it is smaller. The bytes are read in place: the
/// only allocation is the plaintext buffer, after the bound is checked.
///
/// The returned bundle is authenticated, not authorised: compare it with the roster entry
/// you expect using [`PublicBundle::ct_eq`] (the whole bundle, in constant time; comparing
/// the identity alone would accept a second bundle the KGC issued for it).
///
/// # Errors
/// [`Error::Decode`] if the outer encoding is malformed or its sealed length exceeds
/// `max_sealed_len` (public facts: both are in the clear); [`Error::Unsigncrypt`] for
/// every failure after that, whatever it was.
pub fn unsigncrypt_bounded(
    recipient: &NodeKeys,
    context: &[u8],
    bytes: &[u8],
    max_sealed_len: usize,
) -> Result<(PublicBundle, Vec<u8>), Error> {
    let mut r = Reader::new(bytes);
    let (e, sealed) = read_outer(&mut r, max_sealed_len.min(MAX_SEALED_LEN))?;
    r.finish("signcryption")?;
    open(recipient, context, &e, sealed).ok_or(Error::Unsigncrypt)
}

/// Reads `E ‖ u32(len) ‖ sealed` with `MIN_SEALED_LEN ≤ len ≤ max`, borrowing the sealed
/// bytes (the length is checked before anything is copied).
fn read_outer<'a>(r: &mut Reader<'a>, max: usize) -> Result<(Point, &'a [u8]), DecodeError> {
    const FIELD: &str = "signcryption.sealed";
    let e = Point::read(r, "signcryption.e")?;
    let sealed = r.read_var_bytes(FIELD, max)?;
    if sealed.len() < MIN_SEALED_LEN {
        return Err(DecodeError::Truncated { field: FIELD });
    }
    Ok((e, sealed))
}

fn open(
    recipient: &NodeKeys,
    context: &[u8],
    e: &Point,
    sealed: &[u8],
) -> Option<(PublicBundle, Vec<u8>)> {
    let me = recipient.public_key();
    let k = Zeroizing::new((recipient.sk() * e.point).compress().to_bytes());
    let key = derive_key(&e.bytes, &k, me.bundle_id(), context);

    let (body, tag) = sealed.split_at_checked(sealed.len().checked_sub(TAG_LEN)?)?;
    let tag = Tag::try_from(tag).ok()?;
    let mut pt = vec![0u8; body.len()];
    let buf = InOutBuf::new(body, &mut pt).ok()?;
    aead(&key).decrypt_inout_detached(&NONCE.into(), context, buf, &tag).ok()?;

    // The plaintext is authentic from here on; parse it strictly.
    let mut r = Reader::new(&pt);
    let sender = read_sender_block(&mut r)?;
    let signature = Signature::decode(&mut r).ok()?;
    let message = r.read_var_bytes("message", MAX_MESSAGE_LEN).ok()?;
    let padding = r.read_bytes("padding", r.remaining()).ok()?;
    if padding.iter().any(|b| *b != 0) {
        return None;
    }

    // The sender's bundle and signature are hidden from outsiders (spec §7.5), so the
    // verification runs in constant time (spec §8).
    let kgc = recipient.kgc();
    let md = message_digest(message);
    let sender_bid = sender.id_under(kgc);
    let n = pt_len_u32(pt.len());
    let st = signcrypt_statement(&sender_bid, me.bundle_id(), &e.bytes, context, &md, n);
    let h = kgc.partial_hash(&sender.identity, &sender.x, &sender.r);
    let x_plus_r = sender.x.point + sender.r.point;
    if !schnorr_verify_folded_ct(&x_plus_r, &h, &kgc.ppub.point, &st, &signature) {
        return None;
    }
    let start = pt.len() - message.len() - padding.len();
    let end = start + message.len();
    pt.truncate(end);
    pt.drain(..start);
    Some((sender, pt))
}

#[cfg(test)]
mod tests {
    use chacha20::ChaCha20Rng;
    use rand_core::SeedableRng;

    use super::*;
    use crate::enrolment::Unrestricted;
    use crate::{Kgc, NodeSecret};

    fn enrol(kgc: &Kgc, name: &str, rng: &mut ChaCha20Rng) -> NodeKeys {
        let secret = NodeSecret::generate(Identity::new(name).unwrap(), rng);
        let partial = kgc
            .issue_authorised(&secret.request(kgc.public(), rng), &mut Unrestricted, rng)
            .unwrap();
        secret.complete(kgc.public(), &partial).unwrap()
    }

    /// The recipient (who holds the AEAD key) re-seals the sender's signed plaintext with 64
    /// more zero bytes of padding under the same `E`: the longer ciphertext must be rejected.
    #[test]
    fn repadded_signcryption_is_rejected() {
        let mut rng = ChaCha20Rng::from_seed([3; 32]);
        let kgc = Kgc::generate(&mut rng);
        let alice = enrol(&kgc, "alice", &mut rng);
        let bob = enrol(&kgc, "bob", &mut rng);
        let ct =
            signcrypt(&alice, bob.public_key(), b"ctx", b"msg", Padding::None, &mut rng).unwrap();
        let k = Zeroizing::new((bob.sk() * ct.e.point).compress().to_bytes());
        let key = derive_key(&ct.e.bytes, &k, bob.public_key().bundle_id(), b"ctx");
        let sealed = ct.sealed();
        let (body, tag) = sealed.split_at(sealed.len() - TAG_LEN);
        let mut pt = body.to_vec();
        let tag = Tag::try_from(tag).unwrap();
        aead(&key)
            .decrypt_inout_detached(&NONCE.into(), b"ctx", pt.as_mut_slice().into(), &tag)
            .unwrap();
        let longer = assemble(ct.e, &key, b"ctx", pt.len() + 64, |w| w.put_bytes(&pt));
        assert_eq!(longer.as_bytes().len(), ct.as_bytes().len() + 64);
        assert_eq!(unsigncrypt(&bob, b"ctx", &longer), Err(Error::Unsigncrypt));
    }
}
