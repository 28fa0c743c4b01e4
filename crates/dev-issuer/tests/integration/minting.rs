//! Minted tokens: good ones verify with jose-core and the JWKS served over
//! HTTP; each deliberately broken one fails for exactly the reason it names.

use std::time::Duration;

use dev_issuer::{DEFAULT_SUBJECT, DevIssuer, SigningKey};
use jose_core::{Algorithm, ClaimsError, Error, HeaderError, Jwt, KeyError, SignatureError};
use serde_json::json;

use crate::support::{NOW, block_on, fetch_keys, header_of, shared, verify, verify_with};

const NOW_I64: i64 = NOW as i64;

#[test]
fn a_default_token_is_what_auth0_would_issue() {
    let issuer = shared();
    block_on(async {
        let token = issuer.token().sign().unwrap();
        let header = header_of(&token);
        assert_eq!(header["alg"], "RS256");
        assert_eq!(header["typ"], "JWT");
        assert_eq!(header["kid"], issuer.current_kid());

        let claims = verify(issuer, &token).await.unwrap();
        assert_eq!(claims["iss"], issuer.issuer_url());
        assert_eq!(claims["sub"], DEFAULT_SUBJECT);
        assert_eq!(claims["aud"], issuer.audience());
        assert_eq!(claims["iat"], NOW_I64);
        assert_eq!(claims["exp"], NOW_I64 + 86_400);
        assert_eq!(claims.len(), 5, "{claims:?}");
    });
}

#[test]
fn every_claim_option_lands_in_the_token() {
    let issuer = shared();
    block_on(async {
        let token = issuer
            .token()
            .sub("auth0|user-1")
            .audiences([issuer.audience(), "https://tenant.example/userinfo"])
            .scope("read:messages write:messages")
            .permissions(["read:messages"])
            .cnf_jkt("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I")
            .actor("agent-2")
            .actor("agent-1")
            .claim("org_id", "org_1")
            .expires_in(Duration::from_secs(60))
            .nbf(NOW_I64 - 5)
            .typ("at+jwt")
            .sign()
            .unwrap();
        assert_eq!(header_of(&token)["typ"], "at+jwt");
        let claims = verify(issuer, &token).await.unwrap();
        assert_eq!(claims["sub"], "auth0|user-1");
        assert_eq!(
            claims["aud"],
            json!([issuer.audience(), "https://tenant.example/userinfo"])
        );
        assert_eq!(claims["scope"], "read:messages write:messages");
        assert_eq!(claims["permissions"], json!(["read:messages"]));
        assert_eq!(
            claims["cnf"],
            json!({ "jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I" })
        );
        assert_eq!(
            claims["act"],
            json!({ "sub": "agent-2", "act": { "sub": "agent-1" } })
        );
        assert_eq!(claims["org_id"], "org_1");
        assert_eq!(claims["exp"], NOW_I64 + 60);
        assert_eq!(claims["nbf"], NOW_I64 - 5);
    });
}

#[test]
fn header_options_and_claim_removal() {
    let issuer = shared();
    let token = issuer
        .token()
        .without_typ()
        .header("jku", "https://attacker.example/jwks")
        .without_claim("sub")
        .sign()
        .unwrap();
    let header = header_of(&token);
    assert!(header.get("typ").is_none());
    assert_eq!(header["jku"], "https://attacker.example/jwks");
    let claims = Jwt::parse(&token).unwrap().into_unverified_claims();
    assert!(claims.get("sub").is_none());

    let token = issuer.token().kid("custom-kid").sign().unwrap();
    assert_eq!(header_of(&token)["kid"], "custom-kid");
    let token = issuer.token().without_kid().sign().unwrap();
    assert!(header_of(&token).get("kid").is_none());

    let preview = issuer.token().sub("x").claims();
    assert_eq!(preview["sub"], "x");
}

/// The jose-core error an API gets for `token`.
fn refusal(issuer: &DevIssuer, token: &str) -> Error {
    let keys = block_on(fetch_keys(issuer));
    verify_with(issuer, &keys, token, issuer.audience()).unwrap_err()
}

#[test]
fn time_breakage_fails_the_claim_rules() {
    let issuer = shared();
    let expired = issuer.token().expired().sign().unwrap();
    assert!(matches!(
        refusal(issuer, &expired),
        Error::Claims(ClaimsError::Expired { exp, now, .. }) if exp == NOW_I64 - 60 && now == NOW_I64
    ));
    let early = issuer.token().not_yet_valid().sign().unwrap();
    assert!(matches!(
        refusal(issuer, &early),
        Error::Claims(ClaimsError::NotYetValid { nbf, .. }) if nbf == NOW_I64 + 300
    ));
    let future = issuer.token().iat(NOW_I64 + 3600).sign().unwrap();
    assert!(matches!(
        refusal(issuer, &future),
        Error::Claims(ClaimsError::IssuedInFuture { .. })
    ));
    let no_exp = issuer.token().without_claim("exp").sign().unwrap();
    assert!(matches!(
        refusal(issuer, &no_exp),
        Error::Claims(ClaimsError::Missing { claim }) if claim == "exp"
    ));
    let string_exp = issuer.token().claim("exp", "4000000000").sign().unwrap();
    assert!(matches!(
        refusal(issuer, &string_exp),
        Error::Claims(ClaimsError::InvalidType { .. })
    ));
    let past = issuer.token().exp(NOW_I64).sign().unwrap();
    assert!(matches!(
        refusal(issuer, &past),
        Error::Claims(ClaimsError::Expired { .. })
    ));
}

#[test]
fn identity_breakage_fails_issuer_and_audience_checks() {
    let issuer = shared();
    let foreign = issuer
        .token()
        .issuer("https://evil.example/")
        .sign()
        .unwrap();
    assert!(matches!(
        refusal(issuer, &foreign),
        Error::Claims(ClaimsError::IssuerMismatch { .. })
    ));
    let other_api = issuer
        .token()
        .audience("https://other.example")
        .sign()
        .unwrap();
    assert!(matches!(
        refusal(issuer, &other_api),
        Error::Claims(ClaimsError::AudienceMismatch { .. })
    ));
}

#[test]
fn key_breakage_fails_key_selection_or_the_signature() {
    let issuer = shared();
    let unknown = issuer.token().signed_with_unknown_key().sign().unwrap();
    let kid = header_of(&unknown)["kid"].as_str().unwrap().to_owned();
    assert_ne!(kid, issuer.current_kid());
    assert!(matches!(
        refusal(issuer, &unknown),
        Error::Key(KeyError::UnknownKid { .. })
    ));

    let wrong = issuer.token().signed_with_wrong_key().sign().unwrap();
    assert_eq!(header_of(&wrong)["kid"], issuer.current_kid());
    assert!(matches!(
        refusal(issuer, &wrong),
        Error::Signature(SignatureError::Invalid)
    ));

    let kidless = issuer.token().without_kid().sign().unwrap();
    assert!(matches!(
        refusal(issuer, &kidless),
        Error::Key(KeyError::MissingKid)
    ));

    let tampered = issuer.token().tampered().sign().unwrap();
    let claims = Jwt::parse(&tampered).unwrap().into_unverified_claims();
    assert_eq!(claims["tampered"], true);
    assert!(matches!(
        refusal(issuer, &tampered),
        Error::Signature(SignatureError::Invalid)
    ));
}

#[test]
fn algorithm_breakage_is_refused_before_any_key_is_used() {
    let issuer = shared();
    let none = issuer.token().alg_none().sign().unwrap();
    assert!(none.ends_with('.'), "alg none has an empty signature");
    assert_eq!(header_of(&none)["alg"], "none");
    assert!(matches!(
        refusal(issuer, &none),
        Error::Header(HeaderError::UnsupportedAlgorithm { .. })
    ));

    let hs256 = issuer.token().hs256_with_public_key().sign().unwrap();
    assert_eq!(header_of(&hs256)["alg"], "HS256");
    assert_eq!(header_of(&hs256)["kid"], issuer.current_kid());
    assert!(matches!(
        refusal(issuer, &hs256),
        Error::Header(HeaderError::AlgorithmNotAllowed { .. })
    ));
    // It really is an HMAC keyed with the public key's DER bytes (the
    // issuer's first key is bundled key 0): a verifier that used them as an
    // HMAC secret would accept it.
    let (input, tag) = hs256.rsplit_once('.').unwrap();
    let public = SigningKey::bundled_test_rsa(0).unwrap().public_key_bytes();
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &public);
    let tag = jose_core::base64url::decode(tag).unwrap();
    ring::hmac::verify(&key, input.as_bytes(), &tag).unwrap();

    let lying = issuer.token().header("alg", "ES256").sign().unwrap();
    assert!(matches!(
        refusal(issuer, &lying),
        Error::Key(KeyError::IncompatibleAlgorithm {
            alg: Algorithm::Es256
        })
    ));
}

#[test]
fn es256_issuers_mint_es256_tokens() {
    block_on(async {
        let issuer = DevIssuer::builder()
            .algorithm(Algorithm::Es256)
            .start()
            .await
            .unwrap();
        let token = issuer.token().sub("u").sign().unwrap();
        assert_eq!(header_of(&token)["alg"], "ES256");
        verify(&issuer, &token).await.unwrap();
        let wrong = issuer.token().signed_with_wrong_key().sign().unwrap();
        assert!(matches!(
            verify(&issuer, &wrong).await.unwrap_err(),
            Error::Signature(SignatureError::Invalid)
        ));
    });
}
