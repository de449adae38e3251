//! Shared fixtures: a KGC and enrolled nodes from fixed seeds.
#![allow(dead_code, unreachable_pub)]

use chacha20::ChaCha20Rng;
use gradseal_clsc::*;
use rand_core::SeedableRng;

pub fn rng(seed: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([seed; 32])
}

/// A KGC policy that authorises every identity and records nothing: the tests play a KGC
/// that issues to anyone, second bundles for an identity included.
pub struct AnyIdentity;

impl EnrolmentPolicy for AnyIdentity {
    fn authorises(&self, _: &Identity) -> bool {
        true
    }

    fn is_enrolled(&self, _: &Identity) -> bool {
        false
    }

    fn record(&mut self, _: &PublicBundle) -> bool {
        true
    }
}

pub fn enrol(kgc: &Kgc, name: &str, rng: &mut ChaCha20Rng) -> NodeKeys {
    let secret = NodeSecret::generate(Identity::new(name).unwrap(), rng);
    let request = secret.request(kgc.public(), rng);
    let partial = kgc.issue_authorised(&request, &mut AnyIdentity, rng).unwrap();
    secret.complete(kgc.public(), &partial).unwrap()
}

pub struct World {
    pub kgc: Kgc,
    pub alice: NodeKeys,
    pub bob: NodeKeys,
    pub carol: NodeKeys,
    pub rng: ChaCha20Rng,
}

pub fn world() -> World {
    let mut rng = rng(42);
    let kgc = Kgc::generate(&mut rng);
    let alice = enrol(&kgc, "alice", &mut rng);
    let bob = enrol(&kgc, "bob", &mut rng);
    let carol = enrol(&kgc, "carol", &mut rng);
    World { kgc, alice, bob, carol, rng }
}
