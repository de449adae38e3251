//! QUIC's TLS 1.3 configs offer AES-128-GCM first (the workspace's patched libp2p-tls,
//! `vendor/libp2p-tls/PATCH.md`), so two gradseal nodes encrypt their packets with the AES
//! hardware rather than ChaCha20-Poly1305, and still offer all three suites.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use libp2p::identity::Keypair;
use rustls::CipherSuite;

const OFFERED: [CipherSuite; 3] = [
    CipherSuite::TLS13_AES_128_GCM_SHA256,
    CipherSuite::TLS13_AES_256_GCM_SHA384,
    CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
];

fn suites(provider: &rustls::crypto::CryptoProvider) -> Vec<CipherSuite> {
    provider.cipher_suites.iter().map(rustls::SupportedCipherSuite::suite).collect()
}

#[test]
fn quic_tls_configs_offer_aes_128_gcm_first() {
    let keypair = Keypair::ed25519_from_bytes([7u8; 32]).expect("32-byte ed25519 secret");
    let client = libp2p_tls::make_client_config(&keypair, None).expect("client config");
    let server = libp2p_tls::make_server_config(&keypair).expect("server config");
    assert_eq!(suites(client.crypto_provider()), OFFERED, "client's order");
    assert_eq!(suites(server.crypto_provider()), OFFERED, "server's order");
}
