//! Enrolment and contribution arithmetic for the production suite.

use std::collections::{HashMap, HashSet};

use chacha20::ChaCha20Rng;
use gradseal_agg as agg;
use gradseal_clsc::{
    EnrolmentPolicy, Identity, Kgc, NodeKeys, NodeSecret, PartialKey, PublicBundle,
};
use gradseal_core::Codec;
use gradseal_protocol::{GradsealParams, GradsealSuite, GradsealSystem};
use rand_core::SeedableRng;

use crate::scenario::TestSuite;

/// The fixtures' KGC: every identity a fixture names is authorised and enrolled once
/// (`Kgc::issue_authorised`); the partial key is kept so that a node's key can be rebuilt
/// (keys are not `Clone`) without a second issuance.
pub struct TestKgc {
    kgc: Kgc,
    enrolled: HashSet<Identity>,
    issued: HashMap<Vec<u8>, Vec<u8>>,
}

/// Authorises everything, enrols each identity once.
struct Once<'a>(&'a mut HashSet<Identity>);

impl EnrolmentPolicy for Once<'_> {
    fn authorises(&self, _: &Identity) -> bool {
        true
    }
    fn is_enrolled(&self, identity: &Identity) -> bool {
        self.0.contains(identity)
    }
    fn record(&mut self, bundle: &PublicBundle) -> bool {
        self.0.insert(bundle.identity().clone())
    }
}

impl TestSuite for GradsealSuite {
    type Kgc = TestKgc;
    fn setup(seed: [u8; 32]) -> (TestKgc, GradsealSystem) {
        let kgc = Kgc::generate(&mut ChaCha20Rng::from_seed(seed));
        let sys = GradsealSystem { kgc: *kgc.public() };
        (TestKgc { kgc, enrolled: HashSet::new(), issued: HashMap::new() }, sys)
    }
    fn enroll(kgc: &mut TestKgc, sys: &GradsealSystem, id: &[u8], seed: [u8; 32]) -> NodeKeys {
        let mut rng = ChaCha20Rng::from_seed(seed);
        let identity = Identity::new(id.to_vec()).unwrap();
        let secret = NodeSecret::generate(identity, &mut rng);
        let partial = match kgc.issued.get(id) {
            Some(bytes) => PartialKey::from_bytes(bytes).unwrap(),
            None => {
                let request = secret.request(&sys.kgc, &mut rng);
                let partial = kgc
                    .kgc
                    .issue_authorised(&request, &mut Once(&mut kgc.enrolled), &mut rng)
                    .unwrap();
                kgc.issued.insert(id.to_vec(), partial.to_bytes());
                partial
            }
        };
        secret.complete(&sys.kgc, &partial).unwrap()
    }
    fn subtract(p: &GradsealParams, base: &[u8], minus: &[&[u8]]) -> Option<Vec<u8>> {
        let decode = |b: &[u8]| {
            let c = agg::Contribution::from_bytes(b).ok()?;
            c.check(&p.agg).ok()?;
            Some(c)
        };
        let base = decode(base)?;
        let mut bodies = base.bodies().to_vec();
        let mut correction = base.correction().to_vec();
        for m in minus {
            let m = decode(m)?;
            bodies.iter_mut().zip(m.bodies()).for_each(|(a, b)| *a = a.wrapping_sub(*b));
            correction.iter_mut().zip(m.correction()).for_each(|(a, b)| *a = a.wrapping_sub(*b));
        }
        Some(agg::Contribution::from_parts(&p.agg, bodies, correction).ok()?.to_bytes())
    }
}
