//! What signing costs per request (BENCHMARKS.md, "Signing"): a client assertion
//! (private_key_jwt with ES256, RS256 and EdDSA; client_secret_jwt with HS256) and
//! a DPoP proof, each timed over many runs with the keys made once, as `outbound`
//! does per request. Run by `scripts/bench`; by hand:
//!
//!     openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem
//!     openssl genpkey -algorithm ED25519 -out ed.pem
//!     cargo run --release --example sign_costs -- rsa.pem ed.pem

use std::time::Instant;

use outbound::jose;
use outbound::secret::Secret;

fn time(label: &str, runs: u32, mut f: impl FnMut()) {
    f(); // warm up
    let start = Instant::now();
    for _ in 0..runs {
        f();
    }
    let per = start.elapsed().as_secs_f64() * 1e6 / f64::from(runs);
    println!("{label:<40} {per:>9.1} µs per signature ({runs} runs)");
}

fn main() {
    let runs = 2000;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let aud = "https://auth.example.com/";
    let ec = jose::private_key(&jose::new_p256_pem().expect("key"), None).expect("P-256");
    time("client assertion, ES256 (P-256)", runs, || {
        jose::client_assertion(&ec, "client", aud).expect("sign");
    });
    for path in &args {
        let pem = Secret::new(std::fs::read_to_string(path).expect("a PEM key file"));
        let key = jose::private_key(&pem, None).expect("a private key");
        let label = format!("client assertion, {}", key.alg.as_str());
        let runs = if key.alg.as_str().starts_with("RS") {
            200
        } else {
            runs
        };
        time(&label, runs, || {
            jose::client_assertion(&key, "client", aud).expect("sign");
        });
    }
    let hs = jose::hmac_key(&Secret::new("s".repeat(48)), None).expect("HMAC");
    time("client assertion, HS256", runs, || {
        jose::client_assertion(&hs, "client", aud).expect("sign");
    });
    let dir = std::env::temp_dir().join(format!("outbound-sign-costs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let store = outbound::store::open(outbound::store::Backend::File, &dir, None);
    let dpop = outbound::dpop::Dpop::load_or_create(store.as_ref(), &dir, "app", "default")
        .expect("a DPoP key");
    let url = url::Url::parse("https://api.example.com/v1/items?page=2").expect("url");
    let token = Secret::new("an-access-token-of-some-length-0123456789");
    time("DPoP proof, ES256 (with ath)", runs, || {
        dpop.proof(outbound::dpop::Server::Resource, "GET", &url, Some(&token))
            .expect("proof");
    });
    let _ = std::fs::remove_dir_all(&dir);
}
