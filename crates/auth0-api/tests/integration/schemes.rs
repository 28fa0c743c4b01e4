//! The scheme matrix: every DPoP mode against every way a request can be
//! made, each asserting status, error code and the exact challenges.

use auth0_api::{ApiClient, DpopMode};
use dev_issuer::dpop::ProofKey;

use crate::support::{Env, Headers, URL, assert_refused, proof};

const OTHER_URL: &str = "https://api.example.com/invoices";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    NoHeader,
    BearerOk,
    BearerWithBoundToken,
    BearerPlusDpopHeader,
    DpopOk,
    DpopWithoutProof,
    TwoProofs,
    BadProof,
    ProofForAnotherToken,
    ProofForAnotherUrl,
    ProofForAnotherMethod,
    ProofWithAnotherKey,
    ReplayedProof,
    BasicScheme,
    BearerWithNoToken,
    TwoAuthorizationHeaders,
    LowerCaseBearer,
    UpperCaseDpop,
}

const CASES: [Case; 18] = [
    Case::NoHeader,
    Case::BearerOk,
    Case::BearerWithBoundToken,
    Case::BearerPlusDpopHeader,
    Case::DpopOk,
    Case::DpopWithoutProof,
    Case::TwoProofs,
    Case::BadProof,
    Case::ProofForAnotherToken,
    Case::ProofForAnotherUrl,
    Case::ProofForAnotherMethod,
    Case::ProofWithAnotherKey,
    Case::ReplayedProof,
    Case::BasicScheme,
    Case::BearerWithNoToken,
    Case::TwoAuthorizationHeaders,
    Case::LowerCaseBearer,
    Case::UpperCaseDpop,
];

/// What must happen: accepted, or refused with (status, code, challenges).
#[derive(Debug)]
enum Outcome {
    Accepted,
    Refused(u16, &'static str, String),
}

fn no_credentials(mode: DpopMode) -> Outcome {
    let challenges = match mode {
        DpopMode::Disabled => "Bearer realm=\"api\"",
        DpopMode::Required => "DPoP algs=\"ES256\"",
        _ => "Bearer realm=\"api\", DPoP algs=\"ES256\"",
    };
    Outcome::Refused(401, "", challenges.to_owned())
}

/// An error reported on the challenge of the scheme that was used.
fn refused_on(
    mode: DpopMode,
    on_dpop: bool,
    status: u16,
    code: &'static str,
    description: &str,
) -> Outcome {
    let params = format!("error=\"{code}\", error_description=\"{description}\"");
    let challenges = match (mode, on_dpop) {
        (DpopMode::Disabled, _) => format!("Bearer realm=\"api\", {params}"),
        (DpopMode::Required, _) => format!("DPoP {params}, algs=\"ES256\""),
        (_, false) => format!("Bearer realm=\"api\", {params}, DPoP algs=\"ES256\""),
        (_, true) => format!("Bearer realm=\"api\", DPoP {params}, algs=\"ES256\""),
    };
    Outcome::Refused(status, code, challenges)
}

fn bad_proof(mode: DpopMode, description: &str) -> Outcome {
    match mode {
        DpopMode::Disabled => no_credentials(mode),
        _ => refused_on(mode, true, 401, "invalid_dpop_proof", description),
    }
}

fn expected(mode: DpopMode, case: Case) -> Outcome {
    use Case::*;
    let disabled = mode == DpopMode::Disabled;
    let required = mode == DpopMode::Required;
    match case {
        NoHeader | BasicScheme => no_credentials(mode),
        BearerOk | LowerCaseBearer if required => no_credentials(mode),
        BearerOk | LowerCaseBearer => Outcome::Accepted,
        BearerWithBoundToken | BearerPlusDpopHeader if required => no_credentials(mode),
        BearerWithBoundToken | BearerPlusDpopHeader if disabled => Outcome::Accepted,
        BearerWithBoundToken => refused_on(
            mode,
            false,
            401,
            "invalid_token",
            "a DPoP-bound token requires the DPoP authorization scheme",
        ),
        BearerPlusDpopHeader => refused_on(
            mode,
            false,
            400,
            "invalid_request",
            "a DPoP proof requires the DPoP authorization scheme",
        ),
        DpopOk | UpperCaseDpop if disabled => no_credentials(mode),
        DpopOk | UpperCaseDpop => Outcome::Accepted,
        DpopWithoutProof if disabled => no_credentials(mode),
        DpopWithoutProof => refused_on(
            mode,
            true,
            400,
            "invalid_request",
            "the DPoP scheme requires a DPoP header",
        ),
        TwoProofs => bad_proof(mode, "request has 2 DPoP headers, exactly one is allowed"),
        BadProof => bad_proof(mode, "DPoP proof signature is invalid"),
        ProofForAnotherToken => bad_proof(mode, "DPoP proof ath does not match the access token"),
        ProofForAnotherUrl => bad_proof(
            mode,
            "DPoP proof htu 'https://api.example.com/invoices' does not match the request URL \
             'https://api.example.com/orders'",
        ),
        ProofForAnotherMethod => bad_proof(
            mode,
            "DPoP proof htm 'POST' does not match the request method 'GET'",
        ),
        // A valid proof by another key than the token's `cnf.jkt`: the
        // token is at fault (RFC 9449 section 7.1).
        ProofWithAnotherKey if disabled => no_credentials(mode),
        ProofWithAnotherKey => {
            refused_on(mode, true, 401, "invalid_token", "Invalid DPoP key binding")
        }
        ReplayedProof => bad_proof(mode, "DPoP proof has already been used"),
        BearerWithNoToken if required => no_credentials(mode),
        BearerWithNoToken => refused_on(
            mode,
            false,
            400,
            "invalid_request",
            "the scheme has no token",
        ),
        TwoAuthorizationHeaders => refused_on(
            mode,
            required,
            400,
            "invalid_request",
            "multiple Authorization headers",
        ),
    }
}

/// The headers of `case`, and whether the same request is sent twice first.
fn request(env: &Env, key: &ProofKey, case: Case) -> (Headers, bool) {
    use Case::*;
    let bearer = env.token();
    let bound = env.bound_token(key);
    let good_proof = || proof(key, "GET", URL, &bound);
    let h = Headers::default();
    let headers = match case {
        NoHeader => h,
        BearerOk => h.authorization(&format!("Bearer {bearer}")),
        BearerWithBoundToken => h.authorization(&format!("Bearer {bound}")),
        BearerPlusDpopHeader => h
            .authorization(&format!("Bearer {bearer}"))
            .dpop(&proof(key, "GET", URL, &bearer)),
        DpopOk | ReplayedProof => h
            .authorization(&format!("DPoP {bound}"))
            .dpop(&good_proof()),
        DpopWithoutProof => h.authorization(&format!("DPoP {bound}")),
        TwoProofs => h
            .authorization(&format!("DPoP {bound}"))
            .dpop(&good_proof())
            .dpop(&good_proof()),
        BadProof => {
            // the last signature character changed: a forged signature
            let mut forged = good_proof();
            let last = forged.pop().unwrap();
            let swap = match last {
                'A' => 'Q',
                _ => 'A',
            };
            forged.push(swap);
            h.authorization(&format!("DPoP {bound}")).dpop(&forged)
        }
        ProofForAnotherToken => h
            .authorization(&format!("DPoP {bound}"))
            .dpop(&proof(key, "GET", URL, &bearer)),
        ProofForAnotherUrl => h
            .authorization(&format!("DPoP {bound}"))
            .dpop(&proof(key, "GET", OTHER_URL, &bound)),
        ProofForAnotherMethod => h
            .authorization(&format!("DPoP {bound}"))
            .dpop(&proof(key, "POST", URL, &bound)),
        ProofWithAnotherKey => {
            let other = ProofKey::generate().unwrap();
            h.authorization(&format!("DPoP {bound}"))
                .dpop(&proof(&other, "GET", URL, &bound))
        }
        BasicScheme => h.authorization("Basic dXNlcjpwYXNz"),
        BearerWithNoToken => h.authorization("Bearer"),
        TwoAuthorizationHeaders => h
            .authorization(&format!("Bearer {bearer}"))
            .authorization(&format!("Bearer {bearer}")),
        LowerCaseBearer => h.authorization(&format!("bearer {bearer}")),
        UpperCaseDpop => h
            .authorization(&format!("DPOP {bound}"))
            .dpop(&good_proof()),
    };
    (headers, case == ReplayedProof)
}

async fn run_matrix(mode: DpopMode) {
    let env = Env::start().await;
    let options = env.options();
    let options = match mode {
        DpopMode::Disabled => options.dpop_enabled(false),
        DpopMode::Required => options.dpop_required(true),
        _ => options,
    };
    let client = ApiClient::new(options).unwrap();
    assert_eq!(client.dpop_mode(), mode);
    let key = ProofKey::generate().unwrap();
    for case in CASES {
        let (headers, send_twice) = request(&env, &key, case);
        if send_twice {
            let first = client.verify_request(&headers.0, "GET", URL).await;
            assert_eq!(
                first.is_ok(),
                mode != DpopMode::Disabled,
                "{mode:?} {case:?} first send"
            );
        }
        let result = client.verify_request(&headers.0, "GET", URL).await;
        match (expected(mode, case), result) {
            (Outcome::Accepted, Ok(claims)) => assert_eq!(claims.sub(), Some("auth0|user")),
            (Outcome::Refused(status, code, challenges), Err(error)) => {
                assert_refused(&error, status, code, &challenges);
            }
            (expected, result) => {
                panic!("{mode:?} {case:?}: expected {expected:?}, got {result:?}")
            }
        }
    }
}

#[tokio::test]
async fn dpop_allowed() {
    run_matrix(DpopMode::Allowed).await;
}

#[tokio::test]
async fn dpop_required() {
    run_matrix(DpopMode::Required).await;
}

#[tokio::test]
async fn dpop_disabled() {
    run_matrix(DpopMode::Disabled).await;
}

#[tokio::test]
async fn nonce_required_yields_use_dpop_nonce_then_accepts() {
    use std::sync::Arc;
    let env = Env::start().await;
    let nonces = Arc::new(
        dpop::NonceSource::builder()
            .clock(env.clock.clone())
            .build()
            .unwrap(),
    );
    let client = ApiClient::new(env.options().dpop_nonces(nonces)).unwrap();
    let key = ProofKey::generate().unwrap();
    let bound = env.bound_token(&key);
    let headers = Headers::default()
        .authorization(&format!("DPoP {bound}"))
        .dpop(&proof(&key, "GET", URL, &bound));
    let err = client
        .verify_request(&headers.0, "GET", URL)
        .await
        .unwrap_err();
    assert_eq!(
        (err.status_code(), err.error_code()),
        (401, "use_dpop_nonce")
    );
    let nonce = err.dpop_nonce().unwrap().to_owned();
    assert_eq!(err.response_headers()["dpop-nonce"], nonce.as_str());
    assert!(err.www_authenticate()[1].starts_with("DPoP error=\"use_dpop_nonce\""));
    let with_nonce = dev_issuer::dpop::ProofBuilder::new(&key)
        .htm("GET")
        .htu(URL)
        .access_token(&bound)
        .nonce(&nonce)
        .iat(i64::try_from(crate::support::NOW).unwrap())
        .sign()
        .unwrap();
    let headers = Headers::default()
        .authorization(&format!("DPoP {bound}"))
        .dpop(&with_nonce);
    client.verify_request(&headers.0, "GET", URL).await.unwrap();
}
