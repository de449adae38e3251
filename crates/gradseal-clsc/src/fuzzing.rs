//! Fixed keys for the fuzz targets and their seed corpora (not part of the API).
//!
//! Built from fixed seeds with the deterministic internals, so `fuzz/` (which has no
//! `vectors` feature) and the corpus writer agree on the keys byte for byte.

use gradseal_core::hash;

use crate::enrolment::Unrestricted;
use crate::{Identity, Kgc, NodeKeys, NodeSecret, tags};

/// The context every fuzz-corpus signcryption is bound to.
pub const CONTEXT: &[u8] = b"gradseal fuzz context";

/// A KGC and two enrolled nodes.
#[derive(Debug)]
pub struct Fixture {
    /// The KGC.
    pub kgc: Kgc,
    /// The node that signcrypts the corpus.
    pub sender: NodeKeys,
    /// The node the fuzz target unsigncrypts with.
    pub recipient: NodeKeys,
}

/// `H(TAG_VECTOR_SEED, u32(case), label)`.
pub(crate) fn seed(case: u32, label: &str) -> [u8; 32] {
    hash(tags::TAG_VECTOR_SEED, &[&case.to_be_bytes(), label.as_bytes()])
}

/// Enrols `name` deterministically (seed labels `name/…`, case `case`).
fn enrol(kgc: &Kgc, case: u32, name: &[u8]) -> Option<NodeKeys> {
    let label = String::from_utf8_lossy(name);
    let secret =
        NodeSecret::from_seed(Identity::new(name).ok()?, &seed(case, &format!("{label}/x")))?;
    let request = secret.request_with_random(kgc.public(), &seed(case, &format!("{label}/pop")));
    let partial = kgc
        .issue_with_random(&request, &mut Unrestricted, &seed(case, &format!("{label}/partial")))
        .ok()?;
    secret.complete(kgc.public(), &partial).ok()
}

/// The fixture (`None` only if the fixed seeds hit a probability-2^-252 event).
pub fn fixture() -> Option<Fixture> {
    const CASE: u32 = 0xf022;
    let kgc = Kgc::from_seed(&seed(CASE, "kgc"))?;
    let sender = enrol(&kgc, CASE, b"fuzz-sender")?;
    let recipient = enrol(&kgc, CASE, b"fuzz-recipient")?;
    Some(Fixture { kgc, sender, recipient })
}
