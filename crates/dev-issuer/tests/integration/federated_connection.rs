//! Auth0's federated connection (Token Vault) grant.

use dev_issuer::urn::{
    GRANT_FEDERATED_CONNECTION, TOKEN_TYPE_ACCESS_TOKEN,
    TOKEN_TYPE_FEDERATED_CONNECTION_ACCESS_TOKEN, TOKEN_TYPE_REFRESH_TOKEN,
};
use http::StatusCode;

use crate::support::{API_CLIENT, TokenRequest, block_on, recorded_with, shared};

/// The request `auth0-api-python` sends: every field, `client_id` in the
/// body as well as in the Basic credentials.
fn federated<'a>(subject_token: &'a str, connection: &'a str) -> TokenRequest<'a> {
    TokenRequest::basic(API_CLIENT)
        .field("connection", connection)
        .field(
            "requested_token_type",
            TOKEN_TYPE_FEDERATED_CONNECTION_ACCESS_TOKEN,
        )
        .field("grant_type", GRANT_FEDERATED_CONNECTION)
        .field("client_id", API_CLIENT.0)
        .field("subject_token", subject_token)
        .field("subject_token_type", TOKEN_TYPE_ACCESS_TOKEN)
}

#[test]
fn returns_the_upstream_token_for_the_connection() {
    let issuer = shared();
    block_on(async {
        let subject = issuer.token().sub("auth0|user-9").sign().unwrap();
        let reply = federated(&subject, "google-oauth2")
            .field("login_hint", "user9@example.com")
            .send(issuer)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        let body = reply.body;
        assert_eq!(body["access_token"], "ya29.shared");
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 600);
        assert_eq!(
            body["scope"],
            "https://www.googleapis.com/auth/calendar.readonly"
        );
        assert_eq!(
            body["issued_token_type"],
            TOKEN_TYPE_FEDERATED_CONNECTION_ACCESS_TOKEN
        );

        let recorded = recorded_with(issuer, "subject_token", &subject);
        assert_eq!(recorded.len(), 1);
        assert_eq!(recorded[0].client_id(), Some(API_CLIENT.0));
        assert_eq!(recorded[0].field("login_hint"), Some("user9@example.com"));
        assert!(!recorded[0].secret_in_body());
    });
}

#[test]
fn a_users_own_connection_token_is_served_only_to_that_user() {
    let issuer = shared();
    block_on(async {
        let owner = issuer.token().sub("auth0|user-1").sign().unwrap();
        let reply = federated(&owner, "github").send(issuer).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body["access_token"], "gho_for_user_1");
        assert_eq!(reply.body["expires_in"], 3600);
        assert!(reply.body.get("scope").is_none());

        let stranger = issuer.token().sub("auth0|user-2").sign().unwrap();
        let reply = federated(&stranger, "github").send(issuer).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            reply.error(),
            "federated_connection_refresh_token_not_found"
        );
        assert!(reply.headers.get("www-authenticate").is_none());

        let nothing = federated(&owner, "slack").send(issuer).await;
        assert_eq!(nothing.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            nothing.error(),
            "federated_connection_refresh_token_not_found"
        );
    });
}

#[test]
fn errors_name_the_bad_field() {
    let issuer = shared();
    block_on(async {
        let subject = issuer.token().sign().unwrap();
        let expired = issuer.token().expired().sign().unwrap();
        let base = || {
            TokenRequest::basic(API_CLIENT)
                .field("grant_type", GRANT_FEDERATED_CONNECTION)
                .field("subject_token", &subject)
        };
        let cases = [
            (
                base()
                    .field("subject_token_type", TOKEN_TYPE_ACCESS_TOKEN)
                    .field(
                        "requested_token_type",
                        TOKEN_TYPE_FEDERATED_CONNECTION_ACCESS_TOKEN,
                    ),
                "invalid_request",
                "no connection",
            ),
            (
                base()
                    .field("subject_token_type", TOKEN_TYPE_REFRESH_TOKEN)
                    .field(
                        "requested_token_type",
                        TOKEN_TYPE_FEDERATED_CONNECTION_ACCESS_TOKEN,
                    )
                    .field("connection", "google-oauth2"),
                "invalid_request",
                "a refresh token as subject",
            ),
            (
                base()
                    .field("subject_token_type", TOKEN_TYPE_ACCESS_TOKEN)
                    .field("connection", "google-oauth2"),
                "invalid_request",
                "no requested_token_type",
            ),
            (
                base()
                    .field("subject_token_type", TOKEN_TYPE_ACCESS_TOKEN)
                    .field("requested_token_type", TOKEN_TYPE_ACCESS_TOKEN)
                    .field("connection", "google-oauth2"),
                "invalid_request",
                "the wrong requested_token_type",
            ),
            (
                federated(&expired, "google-oauth2"),
                "invalid_grant",
                "an expired subject token",
            ),
            (
                federated("garbage", "google-oauth2"),
                "invalid_grant",
                "a subject token that is not a JWT",
            ),
        ];
        for (request, code, why) in cases {
            let reply = request.send(issuer).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{why}");
            assert_eq!(reply.error(), code, "{why}");
        }
    });
}
