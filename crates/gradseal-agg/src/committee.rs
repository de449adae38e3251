//! The t-of-n committee (`spec/agg.md`, section 2.2): n members, privacy threshold f, quorum
//! q = ⌊(n + f)/2⌋ + 1, the C(n, f) key sets and who holds and decrypts them.
//!
//! ```text
//! sets       T_0, T_1, …  all f-subsets of {0..n−1}, lexicographic in their ascending tuples
//! holders    H_t = {0..n−1} \ T_t        (the seed of set t is sealed to every holder)
//! held       member j holds every t with j ∉ T_t (C(n−1, f) sets)
//! assignment under quorum Q: sets in order, set t to the least-loaded member of Q \ T_t
//!            so far (lowest index on ties)
//! ```
//! Any f members miss exactly one seed (their own set's); any f + 1 members hold every seed;
//! |Q \ T_t| ≥ q − f ≥ 1, so every set has a decryptor in every quorum.

use crate::AggError;
use crate::params::{MAX_COMMITTEE, MIN_COMMITTEE};

/// Most key seeds one client may seal, (n − f) · C(n, f): parameters above it are refused
/// (e.g. (7, 3) seals 140 seeds; (16, 2) would seal 1680).
pub const MAX_SEALED_SEEDS: usize = 1024;

/// A set of committee members as a bitmask: bit j is member j (so members are below 64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MemberSet(pub u64);

impl MemberSet {
    /// The empty set.
    pub const EMPTY: MemberSet = MemberSet(0);

    /// The members 0, 1, …, `n − 1` (every member for `n` ≥ 64).
    pub fn all(n: u16) -> MemberSet {
        if n >= 64 { MemberSet(u64::MAX) } else { MemberSet((1u64 << n) - 1) }
    }

    /// Whether member `j` is in the set (never for `j` ≥ 64).
    pub fn contains(self, j: u16) -> bool {
        j < 64 && (self.0 >> j) & 1 == 1
    }

    /// The number of members.
    pub fn len(self) -> u16 {
        // count_ones of a u64 is at most 64.
        u16::try_from(self.0.count_ones()).unwrap_or(u16::MAX)
    }

    /// Whether the set has no member.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The members in ascending order.
    pub fn iter(self) -> impl Iterator<Item = u16> {
        (0..64u16).filter(move |&j| self.contains(j))
    }

    /// The set with member `j` added (unchanged for `j` ≥ 64, which no set can hold).
    #[must_use]
    pub fn with(self, j: u16) -> MemberSet {
        if j < 64 { MemberSet(self.0 | (1u64 << j)) } else { self }
    }

    /// The members of `self` not in `other`.
    #[must_use]
    pub fn minus(self, other: MemberSet) -> MemberSet {
        MemberSet(self.0 & !other.0)
    }

    /// The `i`-th smallest member, if the set has more than `i` members.
    pub fn nth(self, i: u16) -> Option<u16> {
        self.iter().nth(usize::from(i))
    }
}

impl FromIterator<u16> for MemberSet {
    /// The set of the given members (indices of 64 and above are ignored).
    fn from_iter<I: IntoIterator<Item = u16>>(iter: I) -> Self {
        iter.into_iter().fold(MemberSet::EMPTY, MemberSet::with)
    }
}

/// C(n, k) exactly (n ≤ 64 keeps every intermediate below 2^71).
fn binomial(n: u16, k: u16) -> u128 {
    if k > n {
        return 0;
    }
    let k = k.min(n - k);
    (0..k).fold(1u128, |c, i| c * u128::from(n - i) / u128::from(i + 1))
}

/// A validated committee: its size n, privacy threshold f, quorum size q and the C(n, f) sets
/// in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committee {
    size: u16,
    threshold: u16,
    quorum: u16,
    sets: Vec<MemberSet>,
}

impl Committee {
    /// The committee of `size` members with privacy threshold `threshold`.
    ///
    /// # Errors
    /// [`AggError::InvalidParams`] unless 2 ≤ n ≤ 64, 1 ≤ f ≤ n − 1 and a client seals at
    /// most [`MAX_SEALED_SEEDS`] seeds.
    pub fn new(size: u16, threshold: u16) -> Result<Committee, AggError> {
        if !(MIN_COMMITTEE..=MAX_COMMITTEE).contains(&size) {
            return Err(AggError::InvalidParams("committee_size must be in 2..=64"));
        }
        if threshold == 0 || threshold >= size {
            return Err(AggError::InvalidParams(
                "privacy_threshold must be in 1..=committee_size-1",
            ));
        }
        let sealed = u128::from(size - threshold) * binomial(size, threshold);
        if sealed > MAX_SEALED_SEEDS as u128 {
            return Err(AggError::InvalidParams(
                "(committee_size - privacy_threshold) * C(committee_size, privacy_threshold) \
                 sealed seeds exceed 1024",
            ));
        }
        Ok(Committee {
            size,
            threshold,
            quorum: (size + threshold) / 2 + 1,
            sets: subsets(size, threshold),
        })
    }

    /// The committee size n.
    pub fn size(&self) -> u16 {
        self.size
    }

    /// The privacy threshold f: no f members learn anything of a client.
    pub fn threshold(&self) -> u16 {
        self.threshold
    }

    /// The quorum size q = ⌊(n + f)/2⌋ + 1: any q members decrypt, and two quorums share at
    /// least f + 1 members.
    pub fn quorum_size(&self) -> u16 {
        self.quorum
    }

    /// The number of sets, C(n, f) (at most [`MAX_SEALED_SEEDS`]).
    pub fn set_count(&self) -> u16 {
        u16::try_from(self.sets.len()).unwrap_or(u16::MAX)
    }

    /// Set T_t, if `t` < C(n, f).
    pub fn set(&self, t: u16) -> Option<MemberSet> {
        self.sets.get(usize::from(t)).copied()
    }

    /// The members outside T_t, to whom the seed of set t is sealed.
    pub fn holders(&self, t: u16) -> Option<MemberSet> {
        self.set(t).map(|set| MemberSet::all(self.size).minus(set))
    }

    /// The sets `member` holds (those not containing it), ascending; empty for a member out
    /// of range.
    pub fn held_sets(&self, member: u16) -> Vec<u16> {
        if member >= self.size {
            return Vec::new();
        }
        self.indices().filter(|&t| self.set(t).is_some_and(|s| !s.contains(member))).collect()
    }

    /// Checks that `quorum` has exactly q members, all below n.
    ///
    /// # Errors
    /// [`AggError::InvalidQuorum`].
    pub fn check_quorum(&self, quorum: MemberSet) -> Result<(), AggError> {
        if quorum.minus(MemberSet::all(self.size)).is_empty() && quorum.len() == self.quorum {
            Ok(())
        } else {
            Err(AggError::InvalidQuorum)
        }
    }

    /// The decryptor of every set under `quorum`, in set order: the sets are taken in order and
    /// each goes to the least-loaded member of Q \ T_t so far (the lowest index on ties). Every
    /// party computes the same assignment. The largest load is at most ⌈C(n, f)/q⌉ + 1 for
    /// every quorum of (3, 2), (4, 1), (5, 2), (6, 2), (7, 3) and (9, 4) (tested); the previous
    /// rule, `(Q \ T_t)[t mod |Q \ T_t|]`, reached 5 of 10 sets for (5, 2) and 10 of 35 for
    /// (7, 3). `None` for an invalid quorum.
    pub fn assignment(&self, quorum: MemberSet) -> Option<Vec<u16>> {
        self.check_quorum(quorum).ok()?;
        let mut loads = [0u16; 64];
        self.sets
            .iter()
            .map(|&set| {
                // |Q \ T| ≥ q − f ≥ 1 for a valid quorum.
                let j = quorum
                    .minus(set)
                    .iter()
                    .min_by_key(|&j| (loads.get(usize::from(j)).copied().unwrap_or(u16::MAX), j))?;
                if let Some(load) = loads.get_mut(usize::from(j)) {
                    *load += 1;
                }
                Some(j)
            })
            .collect()
    }

    /// The member of `quorum` that decrypts set t (by [`Committee::assignment`]). `None` for
    /// an invalid quorum or set index.
    pub fn assignee(&self, quorum: MemberSet, t: u16) -> Option<u16> {
        self.assignment(quorum)?.get(usize::from(t)).copied()
    }

    /// The sets `member` decrypts under `quorum`, ascending (by [`Committee::assignment`]);
    /// empty if the quorum is invalid or does not contain the member. Over the members of a
    /// valid quorum these partition all sets.
    pub fn assigned_sets(&self, quorum: MemberSet, member: u16) -> Vec<u16> {
        if !quorum.contains(member) {
            return Vec::new();
        }
        let owners = self.assignment(quorum).unwrap_or_default();
        self.indices().zip(owners).filter(|&(_, j)| j == member).map(|(t, _)| t).collect()
    }

    /// The number of seeds a client seals, (n − f) · C(n, f): every set to each of its
    /// n − f holders.
    pub fn sealed_seed_count(&self) -> usize {
        usize::from(self.size - self.threshold) * self.sets.len()
    }

    fn indices(&self) -> impl Iterator<Item = u16> {
        0..self.set_count()
    }
}

/// All `k`-subsets of {0..n−1} as bitmasks, in lexicographic order of their ascending tuples.
fn subsets(n: u16, k: u16) -> Vec<MemberSet> {
    let mut out = Vec::new();
    let mut tuple: Vec<u16> = (0..k).collect();
    loop {
        out.push(tuple.iter().copied().collect());
        // The rightmost position that can still move right.
        let Some(i) =
            (0..k).rev().find(|&i| tuple.get(usize::from(i)).is_some_and(|&x| x < n - k + i))
        else {
            return out;
        };
        let start = tuple.get(usize::from(i)).copied().unwrap_or(0) + 1;
        for (offset, x) in tuple.iter_mut().skip(usize::from(i)).enumerate() {
            *x = start + u16::try_from(offset).unwrap_or(u16::MAX);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_are_lexicographic() {
        let c = Committee::new(3, 2).unwrap();
        let sets: Vec<MemberSet> = (0..c.set_count()).map(|t| c.set(t).unwrap()).collect();
        assert_eq!(sets, [MemberSet(0b011), MemberSet(0b101), MemberSet(0b110)]);
        assert_eq!(c.holders(0), Some(MemberSet(0b100)));
        assert_eq!(c.held_sets(0), [2]);
        assert_eq!(c.held_sets(2), [0]);
        assert_eq!(c.quorum_size(), 3);
        assert_eq!(c.sealed_seed_count(), 3);
        let c = Committee::new(5, 2).unwrap();
        let tuples: Vec<Vec<u16>> =
            (0..c.set_count()).map(|t| c.set(t).unwrap().iter().collect()).collect();
        assert_eq!(
            tuples,
            [[0, 1], [0, 2], [0, 3], [0, 4], [1, 2], [1, 3], [1, 4], [2, 3], [2, 4], [3, 4]]
        );
        assert_eq!(c.quorum_size(), 4);
        assert_eq!(c.sealed_seed_count(), 30);
    }

    #[test]
    fn parameters_are_validated() {
        for (n, f) in [(1, 0), (2, 0), (2, 2), (3, 3), (65, 1), (16, 2)] {
            assert!(matches!(Committee::new(n, f), Err(AggError::InvalidParams(_))), "{n} {f}");
        }
        assert_eq!(Committee::new(7, 3).unwrap().sealed_seed_count(), 140);
        assert_eq!(Committee::new(64, 63).unwrap().set_count(), 64);
        assert_eq!(Committee::new(64, 63).unwrap().quorum_size(), 64);
        assert_eq!(binomial(64, 32), 1_832_624_140_942_590_534);
    }

    #[test]
    fn quorums_are_checked() {
        let c = Committee::new(5, 2).unwrap();
        assert_eq!(c.check_quorum(MemberSet(0b01111)), Ok(()));
        assert_eq!(c.check_quorum(MemberSet(0b11111)), Err(AggError::InvalidQuorum));
        assert_eq!(c.check_quorum(MemberSet(0b00111)), Err(AggError::InvalidQuorum));
        assert_eq!(c.check_quorum(MemberSet(0b100111)), Err(AggError::InvalidQuorum));
        assert_eq!(c.check_quorum(MemberSet(1 << 63 | 0b111)), Err(AggError::InvalidQuorum));
        assert!(c.assigned_sets(MemberSet(0b11111), 0).is_empty());
        assert!(c.assigned_sets(MemberSet(0b01111), 4).is_empty());
    }

    #[test]
    fn member_sets() {
        let s: MemberSet = [0u16, 3, 63, 64].into_iter().collect();
        assert_eq!(s, MemberSet(1 | 8 | 1 << 63));
        assert_eq!(s.len(), 3);
        assert_eq!(s.iter().collect::<Vec<_>>(), [0, 3, 63]);
        assert!(!s.contains(64) && s.contains(63) && !s.contains(1));
        assert_eq!(s.nth(1), Some(3));
        assert_eq!(s.nth(3), None);
        assert_eq!(MemberSet::all(64), MemberSet(u64::MAX));
        assert_eq!(MemberSet::all(3), MemberSet(7));
        assert!(MemberSet::EMPTY.is_empty());
    }

    #[test]
    fn assignment_is_balanced_within_one_set() {
        for (n, f) in [(3u16, 2u16), (4, 1), (5, 2), (6, 2), (7, 3), (9, 4)] {
            let c = Committee::new(n, f).unwrap();
            let q = c.quorum_size();
            let bound = c.set_count().div_ceil(q) + 1;
            for mask in 0..(1u64 << n) {
                let quorum = MemberSet(mask);
                if c.check_quorum(quorum).is_err() {
                    continue;
                }
                let owners = c.assignment(quorum).unwrap();
                for j in quorum.iter() {
                    let load = owners.iter().filter(|&&o| o == j).count();
                    assert!(load <= usize::from(bound), "({n},{f}) {quorum:?} member {j}: {load}");
                }
                for (t, &j) in (0u16..).zip(&owners) {
                    assert!(quorum.contains(j) && !c.set(t).unwrap().contains(j));
                }
            }
        }
        // (5, 2) without member 2: loads 3, 3, 2, 2 (the old rule gave 1, 3, 5, 1).
        let c = Committee::new(5, 2).unwrap();
        let owners = c.assignment(MemberSet(0b11011)).unwrap();
        assert_eq!(owners, [3, 1, 4, 1, 0, 0, 3, 4, 0, 1]);
    }
}
