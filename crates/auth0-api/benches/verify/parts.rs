//! The pieces of both pipelines, each alone.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use auth0_api::{Clock, ManualClock};
use criterion::{BatchSize, Criterion};
use dpop::{InMemoryReplayCache, ReplayCache, Request as DpopRequest, Verifier};
use http::header::AUTHORIZATION;
use jose_core::{Algorithm, Jwk, Jws, Jwt, Limits, Validation, VerifyingKey, base64url};
use oidc_discovery::{Discovery, HttpFetcher};

use crate::{Bench, NOW, PROOF_CHUNK, PROOFS_PER_SECOND, URL};

/// How long a replay cache entry lives with the default options: the proof
/// `iat` window (300 s) plus its leeway (30 s).
const PROOF_WINDOW_SECS: u64 = 330;

/// The pieces of the two pipelines, each alone, on the same tokens and
/// proofs: where the time above the floor goes. These call the crates the
/// SDK is built from (`jose-core`, `oidc-discovery`, `dpop`) the way the
/// SDK calls them.
pub(crate) fn parts(c: &mut Criterion, bench: &Bench) {
    let mut group = c.benchmark_group("parts");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    let token = bench.token.as_str();

    // Access token: syntax.
    group.bench_function("base64url_decode_token", |b| {
        b.iter(|| {
            for segment in black_box(token).split('.') {
                black_box(base64url::decode(segment).unwrap());
            }
        });
    });
    group.bench_function("jws_parse", |b| {
        b.iter(|| Jws::parse_with(black_box(token), &Limits::new()).unwrap());
    });
    group.bench_function("jwt_parse", |b| {
        b.iter(|| Jwt::parse_with(black_box(token), &Limits::new()).unwrap());
    });
    let authorization = bench.bearer_headers();
    let authorization = &authorization[AUTHORIZATION];
    group.bench_function("authorization_to_str", |b| {
        b.iter(|| black_box(authorization).to_str().unwrap().len());
    });

    // Access token: key, signature, claims.
    let discovery = Discovery::builder()
        .fetcher(Arc::new(HttpFetcher::new().unwrap()))
        .clock(bench.clock.clone())
        .build()
        .unwrap();
    let issuer = bench.issuer.issuer_url();
    let kid = bench.issuer.current_kid();
    let key = bench
        .rt
        .block_on(discovery.key_for(issuer, Some(&kid), Algorithm::Rs256))
        .unwrap();
    group.bench_function("key_lookup", |b| {
        b.to_async(&bench.rt).iter(|| async {
            discovery
                .key_for(black_box(issuer), Some(&kid), Algorithm::Rs256)
                .await
                .unwrap()
        });
    });
    let jwt = Jwt::parse(token).unwrap();
    group.bench_function("jwt_verify_rsa", |b| {
        // `verify` consumes the token: the clone is made outside the timing,
        // and the `VerifiedJwt` is dropped outside it too.
        b.iter_batched(
            || jwt.clone(),
            |jwt| black_box(jwt).verify(&key, &[Algorithm::Rs256]).unwrap(),
            BatchSize::SmallInput,
        );
    });
    let verified = jwt.verify(&key, &[Algorithm::Rs256]).unwrap();
    // Built once, as the client builds its rules for fixed issuers.
    let mut validation = Validation::new(issuer, bench.issuer.audience());
    validation.clock(bench.clock.clone());
    group.bench_function("claims_validation", |b| {
        b.iter(|| validation.validate(black_box(&verified)).unwrap());
    });
    group.bench_function("claims_drop", |b| {
        b.iter_batched(|| verified.claims().clone(), drop, BatchSize::SmallInput);
    });

    // DPoP proof.
    let headers = bench.dpop_headers();
    let proof = headers["dpop"].to_str().unwrap();
    let jws = Jws::parse(proof).unwrap();
    group.bench_function("proof_parse", |b| {
        b.iter(|| {
            let jws = Jws::parse_with(black_box(proof), &Limits::new()).unwrap();
            jws.unverified_payload_object().unwrap()
        });
    });
    let jwk = jws.header().get("jwk").unwrap();
    group.bench_function("proof_key", |b| {
        b.iter(|| VerifyingKey::from_jwk(&Jwk::from_value(black_box(jwk)).unwrap()).unwrap());
    });
    let proof_key = VerifyingKey::from_jwk(&Jwk::from_value(jwk).unwrap()).unwrap();
    group.bench_function("proof_thumbprint", |b| {
        b.iter(|| black_box(&proof_key).thumbprint());
    });
    group.bench_function("proof_ath", |b| {
        b.iter(|| dpop::access_token_hash(black_box(&bench.bound_token)));
    });

    // The replay cache alone, in the same steady state as the SDK's: the
    // clock moves one second per 200 entries.
    let replay_clock = Arc::new(ManualClock::at_unix_seconds(NOW));
    let replay = InMemoryReplayCache::builder()
        .clock(replay_clock.clone())
        .build();
    // One thumbprint per bench user, in turn, as the SDK's requests come.
    let jkts: Vec<String> = bench.users.iter().map(|u| u.key().thumbprint()).collect();
    let mut stored = 0_u64;
    group.bench_function("replay_insert", |b| {
        b.to_async(&bench.rt).iter_batched(
            || {
                stored += 1;
                if stored.is_multiple_of(PROOFS_PER_SECOND) {
                    replay_clock.advance(Duration::from_secs(1));
                }
                let now = u64::try_from(replay_clock.unix_seconds()).unwrap();
                let jkt = &jkts[stored as usize % jkts.len()];
                (format!("jti-{stored}"), now + PROOF_WINDOW_SECS, jkt)
            },
            |(jti, expires_at, jkt)| {
                let replay = &replay;
                async move {
                    replay.check_and_store(jkt, &jti, expires_at).await.unwrap();
                    jti
                }
            },
            BatchSize::NumIterations(PROOF_CHUNK),
        );
    });

    // The `dpop` crate's verifier alone (every check and a replay cache),
    // on fresh proofs like the SDK's.
    let verifier = Verifier::builder()
        .clock(bench.clock.clone())
        .replay_cache(Arc::new(
            InMemoryReplayCache::builder()
                .clock(bench.clock.clone())
                .build(),
        ))
        .build();
    group.bench_function("dpop_verifier", |b| {
        b.to_async(&bench.rt).iter_batched(
            || {
                let (headers, user) = bench.dpop_request();
                (headers, user.key().thumbprint(), user.token())
            },
            |(headers, expected_jkt, token)| {
                let verifier = &verifier;
                async move {
                    {
                        let proofs = [headers["dpop"].to_str().unwrap()];
                        let request = DpopRequest::new(&proofs, "GET", URL)
                            .access_token(token)
                            .expected_jkt(&expected_jkt);
                        drop(black_box(verifier.verify(&request).await.unwrap()));
                    }
                    headers
                }
            },
            BatchSize::NumIterations(PROOF_CHUNK),
        );
    });
    group.finish();
}
