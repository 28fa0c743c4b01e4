//! Each grant end to end: the answer, and exactly what the issuer saw.

use dev_issuer::ClientAuthMethod;
use token_exchange::{ConnectionTokenRequest, OnBehalfOfRequest, TokenExchangeRequest, grant};

use crate::support::{
    CLIENT, DOWNSTREAM, LEGACY_TOKEN, LEGACY_TYPE, NOW, client, issuer, only_request,
};

fn sorted_names(request: &dev_issuer::RecordedTokenRequest) -> Vec<&str> {
    let mut names = request.field_names();
    names.sort_unstable();
    names
}

#[tokio::test]
async fn connection_token() {
    let issuer = issuer().await;
    let user = issuer.token().sub("auth0|user-1").sign().unwrap();
    let token = client(&issuer)
        .connection_token(
            &ConnectionTokenRequest::new("google-oauth2", user.as_str())
                .login_hint("user@example.com"),
        )
        .await
        .unwrap();
    assert_eq!(token.access_token().expose_secret(), "ya29.upstream");
    assert_eq!(token.expires_at(), NOW + 600);
    assert_eq!(token.scope(), "calendar.readonly");

    let seen = only_request(&issuer);
    assert_eq!(
        sorted_names(&seen),
        [
            "client_id",
            "connection",
            "grant_type",
            "login_hint",
            "requested_token_type",
            "subject_token",
            "subject_token_type"
        ]
    );
    assert_eq!(seen.field("grant_type"), Some(grant::FEDERATED_CONNECTION));
    assert_eq!(seen.field("subject_token"), Some(user.as_str()));
    assert_eq!(
        seen.field("subject_token_type"),
        Some(grant::ACCESS_TOKEN_TYPE)
    );
    assert_eq!(
        seen.field("requested_token_type"),
        Some(grant::FEDERATED_CONNECTION_TOKEN_TYPE)
    );
    assert_eq!(seen.field("connection"), Some("google-oauth2"));
    assert_eq!(seen.field("client_id"), Some(CLIENT.0));
    assert_eq!(seen.auth_method(), ClientAuthMethod::Basic);
    assert_eq!(seen.client_id(), Some(CLIENT.0));
    assert!(!seen.secret_in_body());
}

#[tokio::test]
async fn custom_token_exchange_with_extra() {
    let issuer = issuer().await;
    let token = client(&issuer)
        .exchange(
            &TokenExchangeRequest::new(LEGACY_TOKEN, LEGACY_TYPE)
                .audience(DOWNSTREAM)
                .scope("read:x")
                .extra("device_id", "d-42")
                .extra("roles", ["a", "b"]),
        )
        .await
        .unwrap();
    assert!(!token.access_token().expose_secret().is_empty());
    assert!(token.expires_in() > 0);
    assert_eq!(token.expires_at(), NOW + token.expires_in());
    assert_eq!(token.issued_token_type(), Some(grant::ACCESS_TOKEN_TYPE));

    let seen = only_request(&issuer);
    assert_eq!(
        sorted_names(&seen),
        [
            "audience",
            "device_id",
            "grant_type",
            "roles",
            "roles",
            "scope",
            "subject_token",
            "subject_token_type"
        ]
    );
    assert_eq!(seen.field("grant_type"), Some(grant::TOKEN_EXCHANGE));
    assert_eq!(seen.field_values("roles").collect::<Vec<_>>(), ["a", "b"]);
    // Basic only: neither the id nor the secret is in the body
    assert_eq!(seen.auth_method(), ClientAuthMethod::Basic);
    assert_eq!(seen.field("client_id"), None);
    assert!(!seen.secret_in_body());
}

#[tokio::test]
async fn on_behalf_of() {
    let issuer = issuer().await;
    let user = issuer.token().sub("auth0|user-7").sign().unwrap();
    let token = client(&issuer)
        .on_behalf_of(&OnBehalfOfRequest::new(user.as_str(), DOWNSTREAM).scope("read:x"))
        .await
        .unwrap();
    // the issued token is for the same user, acting through this client
    let claims = jose_core::Jwt::parse(token.access_token().expose_secret())
        .unwrap()
        .into_unverified_claims();
    assert_eq!(claims["sub"], "auth0|user-7");
    assert_eq!(claims["aud"], DOWNSTREAM);

    let seen = only_request(&issuer);
    assert_eq!(
        sorted_names(&seen),
        [
            "audience",
            "grant_type",
            "requested_token_type",
            "scope",
            "subject_token",
            "subject_token_type"
        ]
    );
    assert_eq!(
        seen.field("subject_token_type"),
        Some(grant::ACCESS_TOKEN_TYPE)
    );
    assert_eq!(
        seen.field("requested_token_type"),
        Some(grant::ACCESS_TOKEN_TYPE)
    );
    assert!(!seen.secret_in_body());
}
