//! The `authorization_code` grant (RFC 6749 section 4.1.3) with PKCE
//! S256 (RFC 7636) and the RFC 8707 `resource`, and the user tokens it and
//! the refresh grant issue.
//!
//! The access token's `aud` is the authorized `resource`, as Auth0 answers
//! under its "Resource Parameter Compatibility Profile"; without one it is
//! the issuer's default audience.

use serde_json::Value;

use super::params::Params;
use super::response::{Issued, OAuthError};
use super::{Binding, issue};
use crate::client::{Grant, RegisteredClient};
use crate::pkce::{self, PkceMismatch};
use crate::resource_indicator;
use crate::signing_key::random_id;
use crate::state::{Authorization, CodeRefused, RefreshGrant, State};

pub(crate) fn grant(
    state: &State,
    client: &RegisteredClient,
    params: &Params,
    binding: &Binding,
) -> Result<Issued, OAuthError> {
    let code = params.required("code")?;
    let verifier = params.required("code_verifier")?;
    let redirect_uri = params.single("redirect_uri")?;
    let resource = params.single("resource")?;

    // From here the code is spent, whatever the outcome: one attempt per
    // code, so that a verifier cannot be guessed at.
    let pending = state
        .grants()
        .redeem_code(code, state.now())
        .map_err(|refused| {
            OAuthError::invalid_grant(match refused {
                CodeRefused::Unknown => "the authorization code is not valid",
                CodeRefused::Expired => "the authorization code has expired",
                CodeRefused::Reused => {
                    "the authorization code was already used; the tokens issued for it are revoked"
                }
            })
        })?;
    let authorization = &pending.authorization;
    if authorization.client_id != client.id() {
        return Err(OAuthError::invalid_grant(
            "the authorization code was issued to another client",
        ));
    }
    match redirect_uri {
        Some(uri) if uri != pending.redirect_uri => {
            return Err(OAuthError::invalid_grant(
                "redirect_uri differs from the authorization request's",
            ));
        }
        None if pending.redirect_uri_sent => {
            return Err(OAuthError::invalid_grant(
                "redirect_uri is required: the authorization request named one",
            ));
        }
        _ => {}
    }
    pkce::verify(verifier, &pending.code_challenge).map_err(|mismatch| {
        OAuthError::invalid_grant(match mismatch {
            PkceMismatch::Malformed => "code_verifier must be 43 to 128 unreserved characters",
            PkceMismatch::Wrong => "code_verifier does not match the code_challenge",
        })
    })?;
    if let Some(resource) = resource {
        resource_indicator::check(resource).map_err(OAuthError::invalid_target)?;
        if authorization.resource.as_deref() != Some(resource) {
            return Err(OAuthError::invalid_target(
                "resource differs from the one authorized",
            ));
        }
    }

    let mut issued = user_token(state, authorization, authorization.scope.clone(), binding)?;
    if client.may_use(Grant::RefreshToken) {
        let grant = RefreshGrant {
            authorization: authorization.clone(),
            // RFC 9449 section 5: a public client's refresh token is bound
            // to its DPoP key; a confidential client's is bound to it.
            jkt: client
                .is_public()
                .then(|| binding.jkt().map(str::to_owned))
                .flatten(),
            family: code.to_owned(),
        };
        issued.refresh_token = Some(store_refresh_token(state, grant)?);
    }
    Ok(issued)
}

/// An access token for what the user authorized, with `scope` (the
/// authorized one, or less on refresh).
pub(super) fn user_token(
    state: &State,
    authorization: &Authorization,
    scope: Option<String>,
    binding: &Binding,
) -> Result<Issued, OAuthError> {
    let aud = authorization
        .resource
        .as_deref()
        .unwrap_or(state.audience());
    let mut claims = state.base_claims(&authorization.sub, aud.into());
    claims.insert("azp".into(), authorization.client_id.as_str().into());
    claims.insert("client_id".into(), authorization.client_id.as_str().into());
    if let Some(scope) = &scope {
        claims.insert("scope".into(), scope.as_str().into());
    }
    if let Some(acr) = &authorization.acr {
        claims.insert("acr".into(), acr.as_str().into());
    }
    claims.insert("auth_time".into(), Value::from(authorization.auth_time));
    issue(state, claims, scope, binding, None)
}

/// Keeps `grant` under a new refresh token and returns the token.
pub(super) fn store_refresh_token(
    state: &State,
    grant: RefreshGrant,
) -> Result<String, OAuthError> {
    let token = random_id(32)
        .map_err(|_| OAuthError::server_error("the issuer could not make a refresh token"))?;
    state
        .grants()
        .issue_refresh_token(token.clone(), grant, state.now())
        .map_err(|_| {
            OAuthError::temporarily_unavailable("too many refresh tokens are live for this client")
        })?;
    Ok(token)
}
