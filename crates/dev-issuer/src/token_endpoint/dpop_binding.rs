//! DPoP at the token endpoint (RFC 9449 section 5): a request carrying a
//! valid proof gets a token bound to the proof's key.

use dpop::Request;
use http::HeaderMap;

use super::response::OAuthError;
use crate::state::State;

/// The key an issued token is bound to, if any.
#[derive(Debug, Default)]
pub(crate) struct Binding {
    jkt: Option<String>,
}

impl Binding {
    /// The RFC 7638 thumbprint of the proof key: the token's `cnf.jkt`.
    pub(crate) fn jkt(&self) -> Option<&str> {
        self.jkt.as_deref()
    }
}

/// Verifies the request's `DPoP` proof, if it sent one, for `POST` to the
/// token endpoint URL: every check of RFC 9449 section 4.3, with the
/// issuer's clock, a replay cache and, when required, a server nonce.
pub(crate) async fn bind(state: &State, headers: &HeaderMap) -> Result<Binding, OAuthError> {
    let proofs = headers
        .get_all("dpop")
        .iter()
        .map(|value| value.to_str())
        .collect::<Result<Vec<&str>, _>>()
        .map_err(|_| OAuthError::invalid_dpop_proof("the DPoP header is not visible ASCII"))?;
    if proofs.is_empty() {
        return Ok(Binding::default());
    }
    let request = Request::new(&proofs, "POST", state.token_endpoint_url());
    let verified = state
        .dpop_verifier()
        .verify(&request)
        .await
        .map_err(|error| match error.fresh_nonce() {
            Some(nonce) => OAuthError::use_dpop_nonce(nonce, error.to_string()),
            None if error.is_proof_error() => OAuthError::invalid_dpop_proof(error.to_string()),
            // The replay cache or the environment failed, not the client.
            None => OAuthError::server_error(error.to_string()),
        })?;
    Ok(Binding {
        jkt: Some(verified.jkt().to_owned()),
    })
}
