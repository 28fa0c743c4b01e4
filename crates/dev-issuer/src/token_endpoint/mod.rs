//! `POST /oauth/token`: client authentication, the grants, DPoP binding and
//! the record of every request. The parameter decoding and the RFC 6749
//! errors also serve `/authorize`.
//!
//! The order of checks: the body must be a form, then the client must
//! authenticate, then `grant_type` must be known and allowed for the
//! client, then a `DPoP` proof (if sent) must verify, then the grant runs.
//! The first failure answers.

mod authorization_code;
mod client_auth;
mod client_credentials;
mod dpop_binding;
mod federated_connection;
mod params;
mod refresh;
mod response;
mod token_exchange;

use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};
use serde_json::{Map, Value, json};

use crate::client::Grant;
use crate::recorded_request::{ClientAuthMethod, RecordedTokenRequest};
use crate::state::State;
pub(crate) use dpop_binding::Binding;
pub(crate) use params::Params;
use response::Issued;
pub(crate) use response::{OAuthError, echo};

/// Answers one token request and records it.
pub(crate) async fn handle(state: &State, headers: &HeaderMap, body: &[u8]) -> Response {
    let params = Params::decode(body);
    let mut record = RecordedTokenRequest {
        fields: params.pairs().to_vec(),
        auth_method: ClientAuthMethod::None,
        claimed_client_id: None,
        client_id: None,
        dpop_proof: headers.contains_key("dpop"),
        status: StatusCode::OK,
        error: None,
    };
    let response = match answer(state, headers, &params, &mut record).await {
        Ok(issued) => issued.into_response(),
        Err(error) => {
            record.status = error.status();
            record.error = Some(error.code().to_owned());
            error.into_response()
        }
    };
    state.record(record);
    response
}

async fn answer(
    state: &State,
    headers: &HeaderMap,
    params: &Params,
    record: &mut RecordedTokenRequest,
) -> Result<Issued, OAuthError> {
    Params::check_form(headers)?;
    let client = &client_auth::authenticate(state, headers, params, record)?;
    record.client_id = Some(client.id().to_owned());
    let grant_type = params.required("grant_type")?;
    let grant = Grant::from_grant_type(grant_type)
        .ok_or_else(|| OAuthError::unsupported_grant_type(grant_type))?;
    if !client.may_use(grant) {
        return Err(OAuthError::unauthorized_client(format!(
            "client {} may not use grant_type {}",
            echo(client.id()),
            grant.grant_type()
        )));
    }
    let binding = dpop_binding::bind(state, headers).await?;
    match grant {
        Grant::ClientCredentials => client_credentials::grant(state, client, params, &binding),
        Grant::TokenExchange => token_exchange::grant(state, client, params, &binding),
        Grant::FederatedConnection => federated_connection::grant(state, params),
        Grant::AuthorizationCode => authorization_code::grant(state, client, params, &binding),
        Grant::RefreshToken => refresh::grant(state, client, params, &binding),
    }
}

/// Signs `claims` (bound to the proof key when the request carried a DPoP
/// proof) into a token response.
fn issue(
    state: &State,
    mut claims: Map<String, Value>,
    scope: Option<String>,
    binding: &Binding,
    issued_token_type: Option<&'static str>,
) -> Result<Issued, OAuthError> {
    if let Some(jkt) = binding.jkt() {
        claims.insert("cnf".into(), json!({ "jkt": jkt }));
    }
    let access_token = state
        .sign(&claims)
        .map_err(|_| OAuthError::server_error("the issuer could not sign the token"))?;
    Ok(Issued {
        access_token,
        token_type: if binding.jkt().is_some() {
            "DPoP"
        } else {
            "Bearer"
        },
        expires_in: state.token_lifetime().as_secs(),
        scope,
        issued_token_type,
        refresh_token: None,
        dpop_nonce: fresh_nonce(state),
    })
}

/// A nonce for the client's next proof, when the issuer requires them
/// (RFC 9449 section 8.2: any response may carry one).
fn fresh_nonce(state: &State) -> Option<String> {
    state.fresh_dpop_nonce()
}
