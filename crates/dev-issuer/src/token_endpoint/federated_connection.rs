//! Auth0's federated connection (Token Vault) grant: an Auth0 access token
//! in, the upstream provider's access token for a connection out. The
//! upstream token cannot be bound to a DPoP key, so it is always `Bearer`
//! (a proof sent with the request is still verified).

use serde_json::Value;

use super::fresh_nonce;
use super::params::Params;
use super::response::{Issued, OAuthError, echo};
use crate::connection_token::ConnectionToken;
use crate::state::State;
use crate::urn;

pub(crate) fn grant(state: &State, params: &Params) -> Result<Issued, OAuthError> {
    let subject_token = params.required("subject_token")?;
    let subject_token_type = params.required("subject_token_type")?;
    if subject_token_type != urn::TOKEN_TYPE_ACCESS_TOKEN {
        return Err(OAuthError::invalid_request(format!(
            "subject_token_type \"{}\" is not supported: send an access token",
            echo(subject_token_type)
        )));
    }
    let requested = params.required("requested_token_type")?;
    if requested != urn::TOKEN_TYPE_FEDERATED_CONNECTION_ACCESS_TOKEN {
        return Err(OAuthError::invalid_request(format!(
            "requested_token_type must be {}",
            urn::TOKEN_TYPE_FEDERATED_CONNECTION_ACCESS_TOKEN
        )));
    }
    let connection = params.required("connection")?;
    // login_hint is accepted (and recorded) but picks nothing here.
    params.single("login_hint")?;

    let claims = state
        .verify_own_token(subject_token)
        .map_err(|e| OAuthError::invalid_grant(format!("the subject token is not valid: {e}")))?;
    let Some(Value::String(sub)) = claims.get("sub") else {
        return Err(OAuthError::invalid_grant(
            "the subject token has no string sub",
        ));
    };
    let token = ConnectionToken::find(state.connection_tokens(), connection, sub)
        .ok_or_else(OAuthError::federated_token_not_found)?;
    Ok(Issued {
        access_token: token.expose_access_token().to_owned(),
        token_type: "Bearer",
        expires_in: token.expires_in_secs(),
        scope: token.scope_value().map(str::to_owned),
        issued_token_type: Some(urn::TOKEN_TYPE_FEDERATED_CONNECTION_ACCESS_TOKEN),
        refresh_token: None,
        dpop_nonce: fresh_nonce(state),
    })
}
