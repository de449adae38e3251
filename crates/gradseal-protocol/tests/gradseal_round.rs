//! Scheme v2's protocol-level regressions over the production suite (real signcryption and
//! RLWE): an honest round decrypts exactly; a sealed seed copied from another client is
//! refused by the member it was sealed to; an aggregator that sends different lists to
//! different members gets no quorum and no sum; and the t-of-n committee
//! (5 members, f = 2): a member killed in any position still gives the exact sum, and any
//! 2 colluding members miss exactly their own set's seed of a victim.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chacha20::ChaCha20Rng;
use gradseal_clsc::{EnrolmentRegistry, Identity, Kgc, NodeKeys, NodeSecret};
use gradseal_core::{Codec, hash};
use gradseal_protocol::round::RoundContext;
use gradseal_protocol::sim::{self, AGGREGATOR, OBSERVER, RoundPlan, Sim};
use gradseal_protocol::{
    Aggregator, Event, GradsealSuite, GradsealSystem, Misbehave, NodeConfig, RoundFailure, RoundId,
    ShardLayout, Suite, Tamper, TranscriptFault, build_contribution, send_contribution,
    sign_contribution,
};
use rand_core::SeedableRng;

fn seed(label: &str, i: usize) -> [u8; 32] {
    hash("gradseal/v1/protocol/test/seed", &[label.as_bytes(), &(i as u64).to_be_bytes()])
}

fn kgc() -> Kgc {
    Kgc::generate(&mut ChaCha20Rng::from_seed(seed("kgc", 0)))
}

fn key(kgc: &Kgc, label: &str, i: usize) -> NodeKeys {
    let mut rng = ChaCha20Rng::from_seed(seed(label, i));
    let id = Identity::new(format!("{label}-{i}")).unwrap();
    let mut policy = EnrolmentRegistry::new([id.clone()]);
    let secret = NodeSecret::generate(id, &mut rng);
    kgc.enrol_in_process(&secret, &mut policy, &mut rng).unwrap()
}

fn plan() -> RoundPlan {
    RoundPlan {
        round: RoundId(9),
        clients: 4,
        members: 2,
        privacy_threshold: 1,
        relays: 2,
        layout: ShardLayout { data: 2, parity: 1 },
        dimension: 16,
        bits: 8,
        min_clients: 2,
    }
}

fn update(i: usize) -> Vec<i64> {
    (0..16).map(|j| (i as i64 * 7 + j) % 100 - 50).collect()
}

fn build(kgc: &Kgc, clients: usize) -> Sim {
    build_plan(kgc, &plan(), clients)
}

fn build_plan(kgc: &Kgc, plan: &RoundPlan, clients: usize) -> Sim {
    let sys = GradsealSystem { kgc: *kgc.public() };
    let updates = (0..clients).map(update).collect();
    sim::build::<GradsealSuite>(plan, &sys, |l, i| key(kgc, l, i), seed, updates).unwrap()
}

/// The t-of-n committee of issue 16: 5 members, privacy threshold 2, quorum 4.
fn plan_tofn() -> RoundPlan {
    RoundPlan { members: 5, privacy_threshold: 2, clients: 3, ..plan() }
}

/// Issue 16 (a) over the production suite: a member killed (never answers) in every position
/// of a 5-member, f = 2 committee; the other four are a quorum and the round completes with
/// the exact sum (q = 4 floodings), audited by the observer.
#[test]
fn tofn_member_killed_in_every_position_gives_the_exact_sum() {
    let kgc = kgc();
    let expected: Vec<i64> = (0..16).map(|j| (0..3).map(|i| update(i)[j]).sum()).collect();
    for k in 0..5 {
        let mut s = build_plan(&kgc, &plan_tofn(), 3);
        s.map_nodes(|id, node| if id == sim::member(k) { Box::new(sim::Offline) } else { node });
        assert!(s.run(1_000_000));
        assert_eq!(completed(&s), Some(expected.clone()), "member {k} killed");
        assert!(s.events_of(OBSERVER).any(|e| *e == Event::AuditPassed { count: 3 }));
    }
}

/// The round context of `s`'s announcement, as a client builds it, and client 0's honest
/// contribution to it (the victim of the seed-handling tests).
fn context_and_victim(
    kgc: &Kgc,
    s: &Sim,
    rng: &mut ChaCha20Rng,
) -> (RoundContext<GradsealSuite>, gradseal_protocol::messages::Contribution) {
    let sys = GradsealSystem { kgc: *kgc.public() };
    let authority = GradsealSuite::bundle(&key(kgc, "authority", 0));
    let ann = s.announcement.clone().unwrap();
    let ctx = RoundContext::<GradsealSuite>::new(sys, &authority, ann).unwrap();
    let victim =
        build_contribution(&ctx, &key(kgc, "client", 0), 0, &update(0), Tamper::default(), rng)
            .unwrap();
    (ctx, victim)
}

/// Issue 16 (c) over the production suite: for every coalition of f = 2 of the 5 members,
/// the victim's sealed seeds that open under the coalition's keys (real signcryption, every
/// position tried under every coalition member's context) are exactly those of the sets
/// other than the coalition's own: the seed of the coalition's set, which pads the victim's
/// correction, is sealed only to the three members outside it. The aggregator (which sees
/// the transcript) holds nothing more: it cannot open any sealed seed.
#[test]
fn tofn_f_colluding_members_and_the_aggregator_miss_the_victims_set_seed() {
    let kgc = kgc();
    let s = build_plan(&kgc, &plan_tofn(), 0);
    let sys = GradsealSystem { kgc: *kgc.public() };
    let mut rng = ChaCha20Rng::from_seed([5; 32]);
    let (ctx, victim) = context_and_victim(&kgc, &s, &mut rng);
    let sets = ctx.committee.set_count();
    assert_eq!((sets, victim.sealed_seeds.len()), (10, 30));
    // The set of each canonical position: each set has 3 holders.
    let set_of: Vec<u16> = (0..sets).flat_map(|t| std::iter::repeat_n(t, 3)).collect();
    let aggregator = key(&kgc, "aggregator", 0);
    for a in 0..5u32 {
        for b in a + 1..5 {
            let keys = [(a, key(&kgc, "member", a as usize)), (b, key(&kgc, "member", b as usize))];
            let mut opened = std::collections::BTreeSet::new();
            for (i, sealed) in victim.sealed_seeds.iter().enumerate() {
                let t = set_of[i];
                for (m, k) in &keys {
                    let context = ctx.seed_context(0, u32::from(t), *m);
                    if GradsealSuite::unsigncrypt(&sys, k, &context, sealed, 32).is_some() {
                        opened.insert(t);
                    }
                }
                // The aggregator opens nothing, under any member's context.
                for m in 0..5 {
                    let context = ctx.seed_context(0, u32::from(t), m);
                    assert!(
                        GradsealSuite::unsigncrypt(&sys, &aggregator, &context, sealed, 32)
                            .is_none()
                    );
                }
            }
            let own = (0..sets)
                .find(|&t| {
                    ctx.committee.set(t) == Some(gradseal_agg::MemberSet((1 << a) | (1 << b)))
                })
                .unwrap();
            let expected: std::collections::BTreeSet<u16> =
                (0..sets).filter(|&t| t != own).collect();
            assert_eq!(opened, expected, "coalition {{{a}, {b}}}");
        }
    }
}

fn completed(s: &Sim) -> Option<Vec<i64>> {
    s.events_of(AGGREGATOR).find_map(|e| match e {
        Event::Completed(r) => Some(r.sum.clone()),
        _ => None,
    })
}

#[test]
fn honest_round_decrypts_the_sum_and_audits() {
    let kgc = kgc();
    let mut s = build(&kgc, 4);
    assert!(s.run(1_000_000));
    let expected: Vec<i64> = (0..16).map(|j| (0..4).map(|i| update(i)[j]).sum()).collect();
    assert_eq!(completed(&s), Some(expected));
    assert!(s.events_of(OBSERVER).any(|e| *e == Event::AuditPassed { count: 4 }));
}

#[test]
fn copied_sealed_seed_is_refused() {
    let kgc = kgc();
    let mut s = build(&kgc, 3);
    let mut rng = ChaCha20Rng::from_seed([3; 32]);
    let (ctx, victim) = context_and_victim(&kgc, &s, &mut rng);
    let key3 = key(&kgc, "client", 3);
    let mut c =
        build_contribution(&ctx, &key3, 3, &update(3), Tamper::default(), &mut rng).unwrap();
    // Position 0 is set {0}, sealed to its one holder, member 1 (sets of f = 1 members of
    // a 2-member committee: {0}, {1}).
    c.sealed_seeds[0] = victim.sealed_seeds[0].clone();
    sign_contribution(&ctx, &key3, &mut c, &mut rng);
    for (relay, m) in send_contribution(&ctx, &key3, &c, &mut rng).unwrap() {
        s.inject(sim::client(3), relay, m.to_bytes().into());
    }
    assert!(s.run(1_000_000));
    let refused = Event::Refused { member: 1, fault: TranscriptFault::BadSealedSeed { client: 3 } };
    assert!(s.events_of(sim::member(1)).any(|e| *e == refused));
    assert!(completed(&s).is_none());
}

/// *Adversary: the aggregator*, sending member 0 the honest list and member 1 the list
/// without the last client (n-of-n, 2 members). Each member agrees to and, with `q = n`,
/// decrypts its own list at once (§5.5); the agreement digests differ, so no certificate,
/// `NoQuorum`, no result, no audit. The two partials are everything the aggregator gets:
/// combined with the aggregate of either list they give neither sum nor the victim's update
/// (each leaves one seed expansion of the last client unremoved, §7.8).
#[test]
fn equivocating_aggregator_gets_no_sum_from_the_n_of_n_partials() {
    let kgc = kgc();
    let mut s = build(&kgc, 4);
    s.log = Some(Vec::new());
    let sys = GradsealSystem { kgc: *kgc.public() };
    s.map_nodes(|id, node| {
        if id != AGGREGATOR {
            return node;
        }
        let cfg = NodeConfig::<GradsealSuite> {
            sys: sys.clone(),
            authority: GradsealSuite::bundle(&key(&kgc, "authority", 0)),
            key: key(&kgc, "aggregator", 0),
            round: plan().round,
            seed: seed("aggregator", 0),
        };
        let mut a = Aggregator::new(cfg);
        a.danger_misbehave(Misbehave::Equivocate);
        Box::new(a)
    });
    assert!(s.run(1_000_000));
    let agreed: Vec<_> = s
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::Agreed { agreed } => Some(*agreed),
            _ => None,
        })
        .collect();
    assert_eq!(agreed.len(), 2);
    assert_ne!(agreed[0], agreed[1]);
    let decrypted = s.events.iter().filter(|(_, e)| matches!(e, Event::Decrypted { .. }));
    assert_eq!(decrypted.count(), 2, "each member decrypts its own list, once");
    let no_quorum = Event::Failed(RoundFailure::NoQuorum { agreed: 1, quorum: 2 });
    assert!(s.events_of(AGGREGATOR).any(|e| *e == no_quorum));
    assert!(!s.events.iter().any(|(_, e)| matches!(e, Event::Completed(_))));
    assert!(!s.events_of(OBSERVER).any(|e| matches!(e, Event::AuditPassed { .. })));
    // What the aggregator holds: every entry, and the two partials.
    let ann = s.announcement.clone().unwrap();
    let authority = GradsealSuite::bundle(&key(&kgc, "authority", 0));
    let ctx = RoundContext::<GradsealSuite>::new(sys.clone(), &authority, ann).unwrap();
    let (mut entries, mut partials) = (Vec::new(), Vec::new());
    for d in s.log.take().unwrap() {
        match gradseal_protocol::Message::from_bytes(&d.payload).unwrap() {
            gradseal_protocol::Message::Entry(e) if d.to == OBSERVER => entries.push(e.entry),
            gradseal_protocol::Message::Partial(p) if d.to == AGGREGATOR => partials.push(p),
            _ => {}
        }
    }
    entries.sort_by_key(|e| e.client);
    partials.sort_by_key(|p| p.member);
    assert_eq!((entries.len(), partials.len()), (4, 2));
    let refs: Vec<&[u8]> = partials.iter().map(|p| p.partial.as_slice()).collect();
    let sum_of = |clients: &[usize]| -> Vec<i64> {
        (0..16).map(|j| clients.iter().map(|&i| update(i)[j]).sum()).collect()
    };
    for (n, truth) in [(4, sum_of(&[0, 1, 2, 3])), (3, sum_of(&[0, 1, 2]))] {
        let mut agg = GradsealSuite::new_aggregate(&ctx.params);
        for e in &entries[..n] {
            let c = GradsealSuite::decode_contribution(&ctx.params, &e.body).unwrap();
            assert!(GradsealSuite::add(&ctx.params, &mut agg, &c));
        }
        if let Some(values) = GradsealSuite::combine(&ctx.params, &agg, &refs) {
            assert_ne!(values, truth, "the sum of {n} clients came out");
            let hits = values.iter().zip(update(3)).filter(|(a, b)| **a == *b).count();
            assert!(hits <= 2, "the victim's update matched on {hits} of 16 coordinates");
        }
    }
}

/// *Adversary: anyone sending an envelope* sized to make the receiver allocate and decrypt
/// far more than it expects (issue 13: a sealed seed is 32 bytes). The caller's bound is
/// checked on the sealed length before anything is allocated or decrypted.
#[test]
fn envelopes_beyond_the_callers_bound_are_refused_unopened() {
    let kgc = kgc();
    let sys = GradsealSystem { kgc: *kgc.public() };
    let (alice, bob) = (key(&kgc, "client", 0), key(&kgc, "member", 0));
    let bob_bundle = GradsealSuite::bundle(&bob);
    let mut rng = ChaCha20Rng::from_seed(seed("envelope", 0));
    let ctx = [3u8; 32];
    let env =
        GradsealSuite::signcrypt(&sys, &alice, &bob_bundle, &ctx, &[7; 200], &mut rng).unwrap();
    let open = |max| GradsealSuite::unsigncrypt(&sys, &bob, &ctx, &env, max);
    let (sender, msg) = open(200).unwrap();
    assert_eq!((sender, msg.to_vec()), (GradsealSuite::bundle(&alice), vec![7; 200]));
    assert!(open(32).is_none());
}

/// Issue 16 (b) over the production suite (real signatures): the aggregator splits a (5, 2)
/// committee between two lists (members 0-2 the honest one, 3-4 one without the last
/// entry) and colludes with members 0 and 4 (played here with their real keys), who sign
/// both agreement digests; it then assembles every certificate it can, padding a short one
/// with another digest's signature, and sends them all to the honest members. Quorums of 4
/// out of 5 share 3 > 2 members, so only the first list gets a valid certificate: every
/// partial of the run names one digest, member 3 never decrypts, and the aggregator's round
/// fails typed.
#[test]
fn tofn_equivocating_aggregator_with_colluding_members_gets_one_list_at_most() {
    use gradseal_core::Codec as _;
    use gradseal_protocol::messages::{Agreement, MemberSignature, Message, QuorumCertificate};

    let kgc = kgc();
    let sys = GradsealSystem { kgc: *kgc.public() };
    let mut s = build_plan(&kgc, &plan_tofn(), 3);
    s.log = Some(Vec::new());
    let authority = GradsealSuite::bundle(&key(&kgc, "authority", 0));
    s.map_nodes(|id, node| {
        if id == AGGREGATOR {
            let cfg = NodeConfig::<GradsealSuite> {
                sys: sys.clone(),
                authority: authority.clone(),
                key: key(&kgc, "aggregator", 0),
                round: plan().round,
                seed: seed("aggregator", 0),
            };
            let mut a = Aggregator::new(cfg);
            a.danger_misbehave(Misbehave::SplitLists);
            return Box::new(a);
        }
        if id == sim::member(0) || id == sim::member(4) {
            return Box::new(sim::Offline);
        }
        node
    });
    let logged = |s: &Sim| -> Vec<Message> {
        let log = s.log.as_ref().unwrap();
        log.iter().map(|d| Message::from_bytes(&d.payload).unwrap()).collect()
    };
    // Until the three honest members agreed (each agreement goes to aggregator and observer).
    while logged(&s).iter().filter(|m| matches!(m, Message::Agreement(_))).count() < 6 {
        assert!(s.step());
    }
    let round = plan().round;
    let mut signed: Vec<Agreement> = logged(&s)
        .into_iter()
        .filter_map(|m| match m {
            Message::Agreement(a) => Some(a),
            _ => None,
        })
        .collect();
    signed.dedup();
    let digests: std::collections::BTreeSet<_> = signed.iter().map(|a| a.list).collect();
    assert_eq!(digests.len(), 2);
    let mut rng = ChaCha20Rng::from_seed([8; 32]);
    for m in [0u32, 4] {
        let k = key(&kgc, "member", m as usize);
        for &e in &digests {
            let mut a = Agreement { round, member: m, list: e, signature: vec![] };
            a.signature = GradsealSuite::sign(&k, &a.digest(), &mut rng);
            signed.push(a);
        }
    }
    for &e in &digests {
        let mut on_e: Vec<&Agreement> = signed.iter().filter(|a| a.list == e).collect();
        on_e.sort_by_key(|a| a.member);
        let mut chosen: Vec<&Agreement> = on_e.iter().take(4).copied().collect();
        if chosen.len() < 4 {
            let present: Vec<u32> = chosen.iter().map(|a| a.member).collect();
            let extra = signed.iter().find(|a| a.list != e && !present.contains(&a.member));
            chosen.extend(extra);
            chosen.sort_by_key(|a| a.member);
        }
        let cert = QuorumCertificate {
            round,
            list: e,
            signatures: chosen
                .iter()
                .map(|a| MemberSignature { member: a.member, signature: a.signature.clone() })
                .collect(),
        };
        for m in 1..4 {
            s.inject(
                AGGREGATOR,
                sim::member(m),
                Message::Certificate(cert.clone()).to_bytes().into(),
            );
        }
    }
    assert!(s.run(1_000_000));
    let partial_digests: std::collections::BTreeSet<_> = logged(&s)
        .into_iter()
        .filter_map(|m| match m {
            Message::Partial(p) => Some(p.agreed),
            _ => None,
        })
        .collect();
    assert_eq!(partial_digests.len(), 1, "exactly one list decrypted");
    assert!(!s.events_of(sim::member(3)).any(|e| matches!(e, Event::Decrypted { .. })));
    let decrypted = s.events.iter().filter(|(_, e)| matches!(e, Event::Decrypted { .. })).count();
    assert_eq!(decrypted, 2, "members 1 and 2, once each");
    let no_quorum = Event::Failed(RoundFailure::NoQuorum { agreed: 2, quorum: 4 });
    assert!(s.events_of(AGGREGATOR).any(|e| *e == no_quorum));
    assert!(completed(&s).is_none());
}
