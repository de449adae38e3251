//! The per-round committee key (`spec/agg.md`, section 3).
//!
//! Every member derives the same public mask `a` from the round digest, samples a binary secret
//! share `s_i` and TUniform key noise `e_i`, and publishes only its key body
//! `b_i = conv(a, s_i) + e_i`. Anyone sums the bodies: the joint key is `(a, Σ b_i)`, a tfhe
//! compact public key for the secret `Σ s_i`, which nobody ever forms.

use gradseal_core::{Codec, DecodeError, Reader, Writer};
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use tfhe::core_crypto::entities::LweCompactPublicKey;
use tfhe::core_crypto::prelude::CiphertextModulus;
use zeroize::{ZeroizeOnDrop, Zeroizing};

use crate::noise::{fill_binary, fill_tuniform};
use crate::poly::{conv_binary, conv_binary_prereversed, expand_mask};
use crate::wire::{put_words, read_profile, read_words};
use crate::{AggError, Profile, RoundParams, tags};

/// A committee member's secret share for one round. Not `Clone`, zeroized on drop, redacted in
/// `Debug`, compared in constant time. [`KeyShare::partial_decrypt`] consumes it: a share
/// decrypts at most once (a second decryption would be a second leak).
pub struct KeyShare {
    pub(crate) round: [u8; 32],
    pub(crate) member: u16,
    /// φ(s_i): the binary share in reversed coefficient order (the form the product needs).
    pub(crate) secret_reversed: Zeroizing<Vec<u64>>,
    /// w_i = conv(e_i, 1): lets the member remove the mean of the key-noise term.
    pub(crate) noise_mean: Zeroizing<Vec<i64>>,
}

impl ZeroizeOnDrop for KeyShare {}

impl core::fmt::Debug for KeyShare {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyShare").field("member", &self.member).finish_non_exhaustive()
    }
}

impl PartialEq for KeyShare {
    fn eq(&self, other: &Self) -> bool {
        let same = self.round.ct_eq(&other.round)
            & self.member.ct_eq(&other.member)
            & self.secret_reversed.as_slice().ct_eq(other.secret_reversed.as_slice())
            & self.noise_mean.as_slice().ct_eq(other.noise_mean.as_slice());
        same.into()
    }
}

impl Eq for KeyShare {}

impl KeyShare {
    /// Samples member `member`'s share for the round and returns it with its public key body.
    ///
    /// # Errors
    /// [`AggError::MemberOutOfRange`] if `member >= committee_size`.
    pub fn generate<R: CryptoRng + ?Sized>(
        params: &RoundParams,
        member: u16,
        rng: &mut R,
    ) -> Result<(KeyShare, KeyBody), AggError> {
        check_member(params, member)?;
        let n = params.n();
        let mut secret = Zeroizing::new(vec![0u64; n]);
        fill_binary(rng, &mut secret);
        let mut noise = Zeroizing::new(vec![0u64; n]);
        fill_tuniform(rng, &mut noise, params.profile().noise_log2_bound());
        let secret_reversed = Zeroizing::new(secret.iter().rev().copied().collect::<Vec<u64>>());

        let a = params.public_mask();
        let mut body = vec![0u64; n];
        conv_binary_prereversed(&mut body, &a, &secret_reversed);
        for (b, e) in body.iter_mut().zip(noise.iter()) {
            *b = b.wrapping_add(*e);
        }

        let ones = vec![1u64; n];
        let mut mean = Zeroizing::new(vec![0u64; n]);
        conv_binary(&mut mean, &noise, &ones);
        let noise_mean = Zeroizing::new(mean.iter().map(|x| x.cast_signed()).collect::<Vec<i64>>());

        let share = KeyShare { round: *params.digest(), member, secret_reversed, noise_mean };
        let body = KeyBody { profile: params.profile(), round: *params.digest(), member, body };
        Ok((share, body))
    }

    /// The member index of this share.
    pub fn member(&self) -> u16 {
        self.member
    }
}

pub(crate) fn check_member(params: &RoundParams, member: u16) -> Result<(), AggError> {
    if member >= params.committee_size() {
        return Err(AggError::MemberOutOfRange { member, committee_size: params.committee_size() });
    }
    Ok(())
}

/// A member's public key body `b_i = conv(a, s_i) + e_i`, bound to the round.
///
/// Wire form: `profile u8 ‖ round digest [32] ‖ member u16 ‖ n × u64` (n from the profile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBody {
    profile: Profile,
    round: [u8; 32],
    member: u16,
    body: Vec<u64>,
}

impl KeyBody {
    /// The member index.
    pub fn member(&self) -> u16 {
        self.member
    }

    /// Checks that the body belongs to this round and to a member of its committee.
    ///
    /// # Errors
    /// [`AggError::WrongProfile`], [`AggError::WrongRound`], [`AggError::MemberOutOfRange`].
    pub fn check(&self, params: &RoundParams) -> Result<(), AggError> {
        if self.profile != params.profile() {
            return Err(AggError::WrongProfile);
        }
        if &self.round != params.digest() {
            return Err(AggError::WrongRound);
        }
        check_member(params, self.member)
    }
}

impl Codec for KeyBody {
    fn encode(&self, w: &mut Writer) {
        w.put_u8(self.profile.id());
        w.put_bytes(&self.round);
        w.put_u16(self.member);
        put_words(w, &self.body);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let profile = read_profile(r, "agg.key_body.profile")?;
        let round = r.read_array("agg.key_body.round")?;
        let member = r.read_u16("agg.key_body.member")?;
        let body = read_words(r, "agg.key_body.body", profile.lwe_dimension())?;
        Ok(KeyBody { profile, round, member, body })
    }
}

/// The joint public key of a round: mask `a` (from the round digest) and body `Σ b_i`.
///
/// Wire form: `profile u8 ‖ round digest [32] ‖ n × u64` (the body; the mask is recomputed
/// from the round digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JointPublicKey {
    profile: Profile,
    round: [u8; 32],
    /// `mask ‖ body`, the layout of tfhe's `LweCompactPublicKey`.
    data: Vec<u64>,
}

impl JointPublicKey {
    /// Sums the key bodies of the whole committee (one per member, any order).
    ///
    /// # Errors
    /// Any error of [`KeyBody::check`], [`AggError::DuplicateMember`],
    /// [`AggError::MissingMember`].
    pub fn combine(params: &RoundParams, bodies: &[KeyBody]) -> Result<JointPublicKey, AggError> {
        let k = usize::from(params.committee_size());
        let mut seen = vec![false; k];
        let n = params.n();
        let mut sum = vec![0u64; n];
        for body in bodies {
            body.check(params)?;
            let slot =
                seen.get_mut(usize::from(body.member)).ok_or(AggError::MemberOutOfRange {
                    member: body.member,
                    committee_size: params.committee_size(),
                })?;
            if *slot {
                return Err(AggError::DuplicateMember { member: body.member });
            }
            *slot = true;
            for (s, b) in sum.iter_mut().zip(&body.body) {
                *s = s.wrapping_add(*b);
            }
        }
        if let Some(missing) = seen.iter().position(|s| !s) {
            return Err(AggError::MissingMember {
                member: u16::try_from(missing).unwrap_or(u16::MAX),
            });
        }
        let mut data = params.public_mask();
        data.extend_from_slice(&sum);
        Ok(JointPublicKey { profile: params.profile(), round: *params.digest(), data })
    }

    /// Checks that the key belongs to this round.
    ///
    /// # Errors
    /// [`AggError::WrongProfile`], [`AggError::WrongRound`].
    pub fn check(&self, params: &RoundParams) -> Result<(), AggError> {
        if self.profile != params.profile() {
            return Err(AggError::WrongProfile);
        }
        if &self.round != params.digest() {
            return Err(AggError::WrongRound);
        }
        Ok(())
    }

    /// `hash(JOINT_KEY, [encoding])`.
    pub fn digest(&self) -> [u8; 32] {
        gradseal_core::hash(tags::JOINT_KEY, &[&self.to_bytes()])
    }

    pub(crate) fn mask(&self) -> &[u64] {
        self.data.get(..self.n()).unwrap_or(&[])
    }

    pub(crate) fn body(&self) -> &[u64] {
        self.data.get(self.n()..).unwrap_or(&[])
    }

    fn n(&self) -> usize {
        self.profile.lwe_dimension()
    }

    /// The key as tfhe's compact public key (a view, no copy).
    pub(crate) fn as_tfhe(&self) -> LweCompactPublicKey<&[u64]> {
        LweCompactPublicKey::from_container(self.data.as_slice(), CiphertextModulus::new_native())
    }
}

impl Codec for JointPublicKey {
    fn encode(&self, w: &mut Writer) {
        w.put_u8(self.profile.id());
        w.put_bytes(&self.round);
        put_words(w, self.body());
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let profile = read_profile(r, "agg.joint_key.profile")?;
        let round = r.read_array("agg.joint_key.round")?;
        let body = read_words(r, "agg.joint_key.body", profile.lwe_dimension())?;
        let mut data = expand_mask(&round, profile.lwe_dimension());
        data.extend_from_slice(&body);
        Ok(JointPublicKey { profile, round, data })
    }
}
