//! The aggregator's deliberate faults, for adversary tests only (`Aggregator::danger_misbehave`).

use crate::io::Outbox;
use crate::messages::{
    AcceptedEntry, Digest, EntryMsg, EntryRef, MemberList, Message, TranscriptMsg,
};
use crate::round::RoundContext;
use crate::suite::Suite;

/// Ways a malicious aggregator cheats (adversary tests only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Misbehave {
    /// Leave the first accepted contribution out of the transcript and every list but keep
    /// it in the aggregate.
    Omit,
    /// Send every member a list with the first contribution only (try to get one update
    /// decrypted alone).
    Isolate,
    /// List the first contribution twice (transcript and lists) and add it twice.
    Duplicate,
    /// Add the first contribution again under the next client index that has none.
    Inject,
    /// Claim an aggregate that is not the sum (the sum of all entries but the first).
    WrongAggregate,
    /// Equivocate: send member 0 a list without the last entry, every other member (and the
    /// observers) the honest one.
    Equivocate,
    /// After the honest lists, send member 0 a second list without the last entry (try for
    /// a second decryption).
    SecondList,
    /// Split the committee: members `0..n/2` get the honest lists, members `n/2..n` lists
    /// without the last entry (the observers the honest transcript); two lists, each agreed
    /// to by a part of the committee (t-of-n: at most one can reach a quorum).
    SplitLists,
}

/// Member `j`'s list from the transcript, altered as `misbehave` says (`Equivocate`: member
/// 0's list loses its last entry; `SplitLists`: the upper half's lists do).
pub(super) fn member_list<S: Suite>(
    ctx: &RoundContext<S>,
    t: &TranscriptMsg,
    digest: &Digest,
    sealed: &[&[Vec<u8>]],
    j: u32,
    misbehave: Option<Misbehave>,
) -> Option<MemberList> {
    let mut list = t.member_list(digest, sealed, j, &ctx.holders)?;
    let upper = usize::try_from(j).is_ok_and(|j| 2 * j >= ctx.committee_size());
    let alter = match misbehave {
        Some(Misbehave::Equivocate) => j == 0,
        Some(Misbehave::SplitLists) => upper,
        _ => false,
    };
    if alter {
        list.entries.pop();
    }
    Some(list)
}

/// A cheating aggregator's close: it kept every body, cheats on the entries and the sum as
/// `how` says, and only then streams the entries it lists to the observers (so the cheat is
/// in what it signs, not in entries it already sent). Returns the head's entries and their
/// sealed seeds.
pub(super) fn cheat_and_stream<S: Suite>(
    ctx: &RoundContext<S>,
    how: Misbehave,
    mut accepted: Vec<AcceptedEntry>,
    sum: &mut S::Aggregate,
    out: &mut Outbox,
) -> (Vec<EntryRef>, Vec<Vec<Vec<u8>>>) {
    cheat::<S>(ctx, how, &mut accepted, sum);
    let refs = accepted.iter().map(AcceptedEntry::to_ref).collect();
    let mut sealed = Vec::with_capacity(accepted.len());
    for entry in accepted {
        sealed.push(entry.sealed_seeds.clone());
        let msg = Message::Entry(EntryMsg { round: ctx.round(), entry });
        out.broadcast(ctx.ann.observers.iter().copied(), &msg);
    }
    (refs, sealed)
}

fn cheat<S: Suite>(
    ctx: &RoundContext<S>,
    how: Misbehave,
    accepted: &mut Vec<AcceptedEntry>,
    sum: &mut S::Aggregate,
) {
    let Some(first) = accepted.first().cloned() else { return };
    let Some(first_c) = S::decode_contribution(&ctx.params, &first.body) else { return };
    match how {
        Misbehave::Omit => {
            accepted.remove(0);
        }
        Misbehave::Isolate => {
            accepted.truncate(1);
            let mut alone = S::new_aggregate(&ctx.params);
            S::add(&ctx.params, &mut alone, &first_c);
            *sum = alone;
        }
        Misbehave::Duplicate => {
            accepted.insert(1, first);
            S::add(&ctx.params, sum, &first_c);
        }
        Misbehave::Inject => {
            let used: std::collections::HashSet<u32> = accepted.iter().map(|e| e.client).collect();
            let n = u32::try_from(ctx.ann.roster.len()).unwrap_or(0);
            if let Some(free) = (0..n).find(|c| !used.contains(c)) {
                let pos = accepted.iter().position(|e| e.client > free).unwrap_or(accepted.len());
                accepted.insert(pos, AcceptedEntry { client: free, ..first });
                S::add(&ctx.params, sum, &first_c);
            }
        }
        Misbehave::WrongAggregate => {
            // Claim the sum of every entry but the first while listing them all.
            let mut partial = S::new_aggregate(&ctx.params);
            for e in accepted.iter().skip(1) {
                if let Some(c) = S::decode_contribution(&ctx.params, &e.body) {
                    S::add(&ctx.params, &mut partial, &c);
                }
            }
            *sum = partial;
        }
        // These alter the lists, not the transcript.
        Misbehave::Equivocate | Misbehave::SecondList | Misbehave::SplitLists => {}
    }
}
