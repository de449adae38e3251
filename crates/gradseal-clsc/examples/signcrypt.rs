//! Enrols two nodes with a key generation centre, signcrypts a message from one to the
//! other, opens it, and shows what an outsider sees.
//!
//! Run: `cargo run --release -p gradseal-clsc --example signcrypt`
#![allow(clippy::print_stdout)]

use gradseal_clsc::{
    EnrolmentRegistry, EnrolmentRequest, Error, Identity, Kgc, NodeKeys, NodeSecret, Padding,
    PartialKey, signcrypt, unsigncrypt_bounded,
};
use gradseal_core::Codec;
use rand_core::SeedableRng;

fn enrol(
    kgc: &Kgc,
    registry: &mut EnrolmentRegistry,
    name: &str,
    rng: &mut chacha20::ChaCha20Rng,
) -> Result<NodeKeys, Error> {
    // The node keeps x; the KGC only sees X and a proof that the node knows x, and issues
    // only for identities its registry authorises, once each. Requests and partial keys
    // cross the network as bytes, so decode them as the receiver would.
    let secret = NodeSecret::generate(Identity::new(name)?, rng);
    let request = EnrolmentRequest::from_bytes(&secret.request(kgc.public(), rng).to_bytes())?;
    let partial =
        PartialKey::from_bytes(&kgc.issue_authorised(&request, registry, rng)?.to_bytes())?;
    secret.complete(kgc.public(), &partial)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn main() -> Result<(), Error> {
    // A fixed seed keeps the demo reproducible; a real node seeds from the OS.
    let mut rng = chacha20::ChaCha20Rng::from_seed([7; 32]);
    let kgc = Kgc::generate(&mut rng);
    println!("KGC Ppub            {}", hex(kgc.public().ppub_bytes()));

    let mut registry =
        EnrolmentRegistry::new([Identity::new("client-17")?, Identity::new("aggregator")?]);
    let client = enrol(&kgc, &mut registry, "client-17", &mut rng)?;
    let aggregator = enrol(&kgc, &mut registry, "aggregator", &mut rng)?;
    let again = enrol(&kgc, &mut registry, "client-17", &mut rng).err();
    println!("second enrolment    {again:?}");
    println!("client bundle       {}", hex(&client.bundle().to_bytes()));

    let context = b"gradseal demo: round 1";
    let message = b"model update: [0.25, -1.5, 3.0]";
    let ct =
        signcrypt(&client, aggregator.public_key(), context, message, Padding::Padme, &mut rng)?;
    let wire = ct.to_bytes();
    println!("signcryption        {} bytes for a {}-byte message", wire.len(), message.len());
    println!("an outsider sees E  {} and ciphertext", hex(ct.ephemeral()));

    // The aggregator bounds what it accepts (messages up to 1 KiB under Padmé) before
    // anything is allocated, then checks the sender against its roster: the whole bundle,
    // in constant time.
    let bound = Padding::Padme.sealed_len(1024);
    let (sender, opened) = unsigncrypt_bounded(&aggregator, context, &wire, bound)?;
    assert!(sender.ct_eq(client.bundle()));
    println!(
        "aggregator opened   {:?} from {:?}",
        String::from_utf8_lossy(&opened),
        String::from_utf8_lossy(sender.identity().as_bytes())
    );
    assert_eq!(opened, message);

    // Anyone else, or the right recipient under another context, learns nothing.
    let other = unsigncrypt_bounded(&aggregator, b"gradseal demo: round 2", &wire, bound);
    println!("wrong context       {other:?}");
    let eavesdropper = unsigncrypt_bounded(&client, context, &wire, bound);
    println!("wrong recipient     {eavesdropper:?}");
    let too_long = unsigncrypt_bounded(&aggregator, context, &wire, 100);
    println!("bound of 100 bytes  {too_long:?}");
    Ok(())
}
