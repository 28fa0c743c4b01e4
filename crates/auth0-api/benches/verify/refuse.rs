//! The cost of refusing garbage: what an attacker makes the API spend.
//!
//! One warm client with default options; each request is refused (checked
//! once, with its error, before timing). The DPoP rows send a bound token
//! the client has already verified (a cache hit), so that what they time is
//! the proof's refusal: with a token never seen before, its RSA check runs
//! alongside the proof's and costs what `forged_signature` does.

use std::hint::black_box;
use std::time::Duration;

use auth0_api::{AuthErrorKind, Clock};
use criterion::Criterion;
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue};

use crate::report::Records;
use crate::{Bench, URL};

/// A token-shaped string whose segments are base64url but not JSON
/// (`foo.bar.baz`).
const JUNK: &str = "Zm9v.YmFy.YmF6";

pub(crate) fn refuse(c: &mut Criterion, bench: &Bench, records: &Records) {
    let mut group = c.benchmark_group("refuse");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    let client = &bench.warm_client();

    // The first user's bound token, verified once so that it is cached.
    // The proofs are made now; this group does not move the clock, so they
    // stay within their window.
    let user = &bench.users[0];
    let dpop_token = user.token();
    let now = u64::try_from(bench.clock.unix_seconds()).unwrap();
    bench
        .rt
        .block_on(client.verify_request(&user.get_headers(URL, now), "GET", URL))
        .unwrap();
    let bad_htu = dev_issuer::testing::proof_at(
        user.key(),
        "GET",
        "https://evil.example.com/orders",
        dpop_token,
        now,
    );

    // A valid token's header and claims under another token's signature.
    let other = bench.issuer.token().sub("auth0|other").sign().unwrap();
    let (signed_part, _) = bench.token.rsplit_once('.').unwrap();
    let (_, other_signature) = other.rsplit_once('.').unwrap();
    let forged = format!("{signed_part}.{other_signature}");

    let rows: [(&str, HeaderMap, AuthErrorKind); 5] = [
        (
            "no_header",
            HeaderMap::new(),
            AuthErrorKind::MissingCredentials,
        ),
        (
            "junk_token",
            headers(&format!("Bearer {JUNK}"), None),
            AuthErrorKind::InvalidToken,
        ),
        (
            "forged_signature",
            headers(&format!("Bearer {forged}"), None),
            AuthErrorKind::InvalidToken,
        ),
        (
            "garbage_proof",
            headers(&format!("DPoP {dpop_token}"), Some(JUNK)),
            AuthErrorKind::InvalidDpopProof,
        ),
        (
            "bad_htu",
            headers(&format!("DPoP {dpop_token}"), Some(&bad_htu)),
            AuthErrorKind::InvalidDpopProof,
        ),
    ];
    for (id, headers, kind) in &rows {
        let error = bench
            .rt
            .block_on(client.verify_request(headers, "GET", URL))
            .unwrap_err();
        assert_eq!(error.kind(), *kind, "{id}: {error}");
        records.refusal(id, &error.to_string());
        group.bench_function(*id, |b| {
            b.to_async(&bench.rt).iter(|| async {
                client
                    .verify_request(black_box(headers), "GET", URL)
                    .await
                    .unwrap_err()
            });
        });
    }
    group.finish();
    records.warm_done("refuse", bench.fetches());
}

/// Request headers: `Authorization`, and `DPoP` when given.
fn headers(authorization: &str, proof: Option<&str>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, HeaderValue::from_str(authorization).unwrap());
    if let Some(proof) = proof {
        headers.insert("dpop", HeaderValue::from_str(proof).unwrap());
    }
    headers
}
