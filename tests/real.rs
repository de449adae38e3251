//! Enrolment for the production suite.

use chacha20::ChaCha20Rng;
use gradseal_clsc::{NodeKeys, NodeSecret};
use gradseal_protocol::{GradsealSuite, GradsealSystem};
use rand_core::SeedableRng;

use crate::scenario::TestSuite;

impl TestSuite for GradsealSuite {
    type Kgc = gradseal_clsc::Kgc;
    fn setup(seed: [u8; 32]) -> (gradseal_clsc::Kgc, GradsealSystem) {
        let kgc = gradseal_clsc::Kgc::generate(&mut ChaCha20Rng::from_seed(seed));
        let sys = GradsealSystem { kgc: *kgc.public(), crs: None };
        (kgc, sys)
    }
    fn enroll(
        kgc: &mut gradseal_clsc::Kgc,
        sys: &GradsealSystem,
        id: &[u8],
        seed: [u8; 32],
    ) -> NodeKeys {
        let mut rng = ChaCha20Rng::from_seed(seed);
        let identity = gradseal_clsc::Identity::new(id.to_vec()).unwrap();
        let secret = NodeSecret::generate(identity, &mut rng);
        let partial = kgc.issue(&secret.request(&sys.kgc, &mut rng), &mut rng).unwrap();
        secret.complete(&sys.kgc, &partial).unwrap()
    }
}
