//! Enrols two nodes with a key generation centre, signcrypts a message from one to the
//! other, opens it, and shows what an outsider sees.
//!
//! Run: `cargo run --release -p gradseal-clsc --example signcrypt`
#![allow(clippy::print_stdout)]

use gradseal_clsc::{
    EnrolmentRequest, Error, Identity, Kgc, NodeKeys, NodeSecret, Padding, PartialKey,
    Signcryption, signcrypt, unsigncrypt,
};
use gradseal_core::Codec;
use rand_core::SeedableRng;

fn enrol(kgc: &Kgc, name: &str, rng: &mut chacha20::ChaCha20Rng) -> Result<NodeKeys, Error> {
    // The node keeps x; the KGC only sees X and a proof that the node knows x. Requests and
    // partial keys cross the network as bytes, so decode them as the receiver would.
    let secret = NodeSecret::generate(Identity::new(name)?, rng);
    let request = EnrolmentRequest::from_bytes(&secret.request(kgc.public(), rng).to_bytes())?;
    let partial = PartialKey::from_bytes(&kgc.issue(&request, rng)?.to_bytes())?;
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

    let client = enrol(&kgc, "client-17", &mut rng)?;
    let aggregator = enrol(&kgc, "aggregator", &mut rng)?;
    println!("client bundle       {}", hex(&client.bundle().to_bytes()));

    let context = b"gradseal demo: round 1";
    let message = b"model update: [0.25, -1.5, 3.0]";
    let ct =
        signcrypt(&client, aggregator.public_key(), context, message, Padding::Padme, &mut rng)?;
    let wire = ct.to_bytes();
    println!("signcryption        {} bytes for a {}-byte message", wire.len(), message.len());
    println!("an outsider sees E  {} and ciphertext", hex(ct.ephemeral()));

    let received = Signcryption::from_bytes(&wire)?;
    let (sender, opened) = unsigncrypt(&aggregator, context, &received)?;
    println!(
        "aggregator opened   {:?} from {:?}",
        String::from_utf8_lossy(&opened),
        String::from_utf8_lossy(sender.identity().as_bytes())
    );
    assert_eq!(opened, message);

    // Anyone else, or the right recipient under another context, learns nothing.
    let other = unsigncrypt(&aggregator, b"gradseal demo: round 2", &received);
    println!("wrong context       {other:?}");
    let eavesdropper = unsigncrypt(&client, context, &received);
    println!("wrong recipient     {eavesdropper:?}");
    Ok(())
}
