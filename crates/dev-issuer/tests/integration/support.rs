//! One runtime and one configured issuer shared by the tests of this
//! binary, a small HTTP client with bounded waits, and token verification
//! with jose-core.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use base64ct::{Base64, Encoding};
use dev_issuer::{ConnectionToken, DevIssuer, ExchangeProfile, Grant, RegisteredClient, urn};
use http::StatusCode;
use jose_core::{Algorithm, Jwt, KeySet, ManualClock, Validation};
use serde_json::{Map, Value};

// The fixtures every crate's tests share; `NOW` is the shared issuer's
// fixed clock.
pub use dev_issuer::testing::{NOW, Reply, block_on, get, http, send};

/// A client allowed only the exchange grants.
pub const API_CLIENT: (&str, &str) = ("calendar-api", "calendar-secret");
/// A client allowed only client credentials, with two scopes.
pub const CC_CLIENT: (&str, &str) = ("reporting-job", "reporting-secret");
/// A custom exchange profile's token type and its one accepted token.
pub const LEGACY_TYPE: &str = "urn:acme:legacy-session";
pub const LEGACY_TOKEN: &str = "legacy-session-1";
pub const LEGACY_SUB: &str = "auth0|legacy-user";
pub const DOWNSTREAM: &str = "https://downstream.example";

/// The issuer every test that does not change it shares.
pub fn shared() -> &'static DevIssuer {
    static ISSUER: OnceLock<DevIssuer> = OnceLock::new();
    ISSUER.get_or_init(|| {
        block_on(async {
            DevIssuer::builder()
                .clock(Arc::new(ManualClock::at_unix_seconds(NOW)))
                .client(
                    RegisteredClient::new(API_CLIENT.0, API_CLIENT.1)
                        .grants([Grant::TokenExchange, Grant::FederatedConnection]),
                )
                .client(
                    RegisteredClient::new(CC_CLIENT.0, CC_CLIENT.1)
                        .grants([Grant::ClientCredentials])
                        .scopes(["read:reports", "write:reports"]),
                )
                .exchange_profile(ExchangeProfile::on_behalf_of())
                .exchange_profile(
                    ExchangeProfile::custom(LEGACY_TYPE)
                        .subject(LEGACY_TOKEN, LEGACY_SUB)
                        .audiences([dev_issuer::DEFAULT_AUDIENCE, DOWNSTREAM])
                        .claim("https://acme.example/tier", "gold"),
                )
                .connection_token(
                    ConnectionToken::new("google-oauth2", "ya29.shared")
                        .scope("https://www.googleapis.com/auth/calendar.readonly")
                        .expires_in(Duration::from_secs(600)),
                )
                .connection_token(
                    ConnectionToken::new("github", "gho_for_user_1").for_subject("auth0|user-1"),
                )
                .start()
                .await
                .unwrap()
        })
    })
}

/// A token request: form fields, optional Basic credentials and headers.
#[derive(Debug, Default)]
pub struct TokenRequest<'a> {
    pub basic: Option<(&'a str, &'a str)>,
    pub fields: Vec<(&'a str, &'a str)>,
    pub headers: Vec<(&'static str, String)>,
}

impl<'a> TokenRequest<'a> {
    pub fn basic(client: (&'a str, &'a str)) -> Self {
        Self {
            basic: Some(client),
            ..Self::default()
        }
    }

    pub fn field(mut self, name: &'a str, value: &'a str) -> Self {
        self.fields.push((name, value));
        self
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub async fn send(&self, issuer: &DevIssuer) -> Reply {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in &self.fields {
            form.append_pair(name, value);
        }
        let mut request = http()
            .post(issuer.token_endpoint())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.finish());
        if let Some((id, secret)) = self.basic {
            let encoded = Base64::encode_string(format!("{id}:{secret}").as_bytes());
            request = request.header("authorization", format!("Basic {encoded}"));
        }
        for (name, value) in &self.headers {
            request = request.header(*name, value);
        }
        send(request).await
    }
}

pub fn default_client() -> (&'static str, &'static str) {
    (
        dev_issuer::DEFAULT_CLIENT_ID,
        dev_issuer::DEFAULT_CLIENT_SECRET,
    )
}

/// A client credentials request by the default client.
pub fn client_credentials() -> TokenRequest<'static> {
    TokenRequest::basic(default_client()).field("grant_type", "client_credentials")
}

/// A token exchange by [`API_CLIENT`].
pub fn exchange<'a>(subject_token: &'a str, subject_token_type: &'a str) -> TokenRequest<'a> {
    TokenRequest::basic(API_CLIENT)
        .field("grant_type", urn::GRANT_TOKEN_EXCHANGE)
        .field("subject_token", subject_token)
        .field("subject_token_type", subject_token_type)
}

/// The JWKS as the issuer serves it over HTTP.
pub async fn fetch_keys(issuer: &DevIssuer) -> KeySet {
    let reply = get(issuer.jwks_uri()).await;
    assert_eq!(reply.status, StatusCode::OK);
    KeySet::from_slice(reply.body.to_string().as_bytes()).unwrap()
}

/// Verifies `token` as an API for `audience` would, with keys fetched
/// over HTTP and the issuer's clock, returning the claims.
pub async fn verify_for(
    issuer: &DevIssuer,
    token: &str,
    audience: &str,
) -> Result<Map<String, Value>, jose_core::Error> {
    let keys = fetch_keys(issuer).await;
    verify_with(issuer, &keys, token, audience)
}

pub fn verify_with(
    issuer: &DevIssuer,
    keys: &KeySet,
    token: &str,
    audience: &str,
) -> Result<Map<String, Value>, jose_core::Error> {
    let jwt = Jwt::parse(token)?;
    let alg = jwt
        .header()
        .algorithm(&[Algorithm::Rs256, Algorithm::Es256])?;
    let key = keys.select(jwt.header().kid(), alg)?;
    let verified = jwt.verify(key, &[alg])?;
    let mut validation = Validation::new(issuer.issuer_url(), audience);
    validation.clock(issuer.clock());
    validation.validate(&verified)?;
    Ok(verified.into_claims())
}

/// [`verify_for`] with the issuer's default audience.
pub async fn verify(
    issuer: &DevIssuer,
    token: &str,
) -> Result<Map<String, Value>, jose_core::Error> {
    verify_for(issuer, token, issuer.audience()).await
}

/// The header of a token, unverified.
pub fn header_of(token: &str) -> Map<String, Value> {
    Jwt::parse(token).unwrap().header().members().clone()
}

/// The requests the shared issuer recorded with this subject token or
/// client: the shared issuer serves tests in parallel, so each test finds
/// its own requests by a value only it sends.
pub fn recorded_with(
    issuer: &DevIssuer,
    name: &str,
    value: &str,
) -> Vec<dev_issuer::RecordedTokenRequest> {
    issuer
        .token_requests()
        .into_iter()
        .filter(|r| r.field(name) == Some(value))
        .collect()
}
