//! Enrolment authorisation: which identities a KGC may enrol, and enrolling each only once.
//!
//! A proof of possession shows that the requester knows `x`, not that it has a right to the
//! identity it names. [`crate::Kgc::issue_authorised`] therefore asks the caller's
//! [`EnrolmentPolicy`] whether the identity may be enrolled and whether it already was, and
//! records the issued bundle before it releases the partial key. The caller owns that state
//! (in memory with [`EnrolmentRegistry`], or persisted by its own implementation), so "once
//! per identity" means once per record the caller keeps. Spec: `spec/clsc.md` §5.4.

use std::collections::{BTreeMap, BTreeSet};

use crate::{Identity, PublicBundle};

/// The KGC operator's authorisation of enrolments and its record of past ones.
///
/// [`crate::Kgc::issue_authorised`] calls, in this order and only after the request's proof
/// of possession verified: [`authorises`](Self::authorises), then
/// [`is_enrolled`](Self::is_enrolled), then (having computed the partial key)
/// [`record`](Self::record); the partial key is returned only if `record` succeeds. The three
/// calls happen under one `&mut` borrow, so no other issuance can interleave with them.
pub trait EnrolmentPolicy {
    /// Whether `identity` may be enrolled by this KGC at all (e.g. it is on the operator's
    /// list of participants).
    fn authorises(&self, identity: &Identity) -> bool;

    /// Whether a partial key was already issued for `identity`.
    fn is_enrolled(&self, identity: &Identity) -> bool;

    /// Records that a partial key completing `bundle` is being issued for its identity.
    /// Returns `false` if the record could not be kept (for instance persistence failed):
    /// the KGC then withholds the partial key.
    fn record(&mut self, bundle: &PublicBundle) -> bool;
}

/// An in-memory [`EnrolmentPolicy`]: a fixed set of authorised identities and the bundle
/// issued for each enrolled one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnrolmentRegistry {
    authorised: BTreeSet<Identity>,
    enrolled: BTreeMap<Identity, PublicBundle>,
}

impl EnrolmentRegistry {
    /// A registry authorising exactly `identities`, none enrolled yet.
    pub fn new(identities: impl IntoIterator<Item = Identity>) -> Self {
        Self { authorised: identities.into_iter().collect(), enrolled: BTreeMap::new() }
    }

    /// The bundle issued for `identity`, if it was enrolled.
    pub fn bundle(&self, identity: &Identity) -> Option<&PublicBundle> {
        self.enrolled.get(identity)
    }

    /// Every enrolled bundle, by identity.
    pub fn enrolled(&self) -> impl Iterator<Item = &PublicBundle> {
        self.enrolled.values()
    }
}

impl EnrolmentPolicy for EnrolmentRegistry {
    fn authorises(&self, identity: &Identity) -> bool {
        self.authorised.contains(identity)
    }

    fn is_enrolled(&self, identity: &Identity) -> bool {
        self.enrolled.contains_key(identity)
    }

    fn record(&mut self, bundle: &PublicBundle) -> bool {
        if self.enrolled.contains_key(bundle.identity()) {
            return false;
        }
        self.enrolled.insert(bundle.identity().clone(), bundle.clone());
        true
    }
}

/// Authorises every identity and remembers nothing: for the crate's test vectors and fuzz
/// seeds only (a deployment's KGC always has a policy).
pub(crate) struct Unrestricted;

impl EnrolmentPolicy for Unrestricted {
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
