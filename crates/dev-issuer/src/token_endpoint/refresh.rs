//! The `refresh_token` grant (RFC 6749 section 6) with rotation: each
//! refresh token is good once and comes back with its successor; using a
//! rotated one again revokes its successors (RFC 9700 section 4.14.2). The
//! scope may only shrink and the `resource` must stay the same.

use super::Binding;
use super::authorization_code::{store_refresh_token, user_token};
use super::params::Params;
use super::response::{Issued, OAuthError, echo};
use crate::client::RegisteredClient;
use crate::resource_indicator;
use crate::state::{RefreshGrant, RefreshRefused, State};

pub(crate) fn grant(
    state: &State,
    client: &RegisteredClient,
    params: &Params,
    binding: &Binding,
) -> Result<Issued, OAuthError> {
    let token = params.required("refresh_token")?;
    let scope = params.single("scope")?;
    let resource = params.single("resource")?;
    if let Some(resource) = resource {
        resource_indicator::check(resource).map_err(OAuthError::invalid_target)?;
    }
    let accept = |grant: &RefreshGrant| check(grant, scope, resource, binding);
    let grant = state
        .grants()
        .redeem_refresh_token(token, client.id(), state.now(), accept)
        .map_err(|refused| {
            OAuthError::invalid_grant(match refused {
                RefreshRefused::Unknown => "the refresh token is not valid",
                RefreshRefused::Reused => {
                    "the refresh token was already used; the tokens issued after it are revoked"
                }
                RefreshRefused::Expired => "the refresh token has expired",
                RefreshRefused::OtherClient => "the refresh token was issued to another client",
            })
        })??;

    let scope = scope
        .map(str::to_owned)
        .or_else(|| grant.authorization.scope.clone());
    let mut issued = user_token(state, &grant.authorization, scope, binding)?;
    // The successor keeps the whole authorized scope (RFC 6749 section 6).
    issued.refresh_token = Some(store_refresh_token(state, grant)?);
    Ok(issued)
}

/// The request's own checks against the grant; a refusal leaves the
/// refresh token valid.
fn check(
    grant: &RefreshGrant,
    scope: Option<&str>,
    resource: Option<&str>,
    binding: &Binding,
) -> Result<(), OAuthError> {
    if let Some(requested) = scope {
        let authorized = grant.authorization.scope.as_deref().unwrap_or_default();
        if let Some(wider) = requested
            .split(' ')
            .filter(|s| !s.is_empty())
            .find(|s| !authorized.split(' ').any(|a| a == *s))
        {
            return Err(OAuthError::invalid_scope(format!(
                "scope \"{}\" was not authorized: a refresh can only narrow the scope",
                echo(wider)
            )));
        }
    }
    if resource.is_some_and(|r| grant.authorization.resource.as_deref() != Some(r)) {
        return Err(OAuthError::invalid_target(
            "resource differs from the one authorized",
        ));
    }
    if grant.jkt.is_some() && binding.jkt() != grant.jkt.as_deref() {
        return Err(OAuthError::invalid_grant(
            "the refresh token is bound to a DPoP key: send a proof made with that key",
        ));
    }
    Ok(())
}
