//! The `client_credentials` grant (RFC 6749 section 4.4), as Auth0 answers
//! it: `sub` is `{client_id}@clients`, `gty` is `client-credentials`.

use super::params::Params;
use super::response::{Issued, OAuthError, echo};
use super::{Binding, issue};
use crate::client::RegisteredClient;
use crate::state::State;

pub(crate) fn grant(
    state: &State,
    client: &RegisteredClient,
    params: &Params,
    binding: &Binding,
) -> Result<Issued, OAuthError> {
    let audience = params.single("audience")?.unwrap_or(state.audience());
    let scope = granted_scope(client, params.single("scope")?)?;

    let sub = format!("{}@clients", client.id());
    let mut claims = state.base_claims(&sub, audience.into());
    claims.insert("azp".into(), client.id().into());
    claims.insert("gty".into(), "client-credentials".into());
    if let Some(scope) = &scope {
        claims.insert("scope".into(), scope.as_str().into());
    }
    issue(state, claims, scope, binding, None)
}

/// The requested scopes when the client may have them all; the client's
/// scopes when none are requested.
fn granted_scope(
    client: &RegisteredClient,
    requested: Option<&str>,
) -> Result<Option<String>, OAuthError> {
    let Some(allowed) = client.allowed_scopes() else {
        return Ok(requested.map(str::to_owned));
    };
    let Some(requested) = requested else {
        return Ok((!allowed.is_empty()).then(|| allowed.join(" ")));
    };
    if let Some(denied) = requested
        .split(' ')
        .filter(|s| !s.is_empty())
        .find(|s| !allowed.iter().any(|a| a == s))
    {
        return Err(OAuthError::invalid_scope(format!(
            "scope \"{}\" is not granted to client {}",
            echo(denied),
            echo(client.id())
        )));
    }
    Ok(Some(requested.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_checked_against_the_clients_grant() {
        let open = RegisteredClient::new("a", "s");
        assert_eq!(granted_scope(&open, None).unwrap(), None);
        assert_eq!(
            granted_scope(&open, Some("x y")).unwrap().as_deref(),
            Some("x y")
        );

        let limited = RegisteredClient::new("b", "s").scopes(["read:x", "write:x"]);
        assert_eq!(
            granted_scope(&limited, None).unwrap().as_deref(),
            Some("read:x write:x")
        );
        assert_eq!(
            granted_scope(&limited, Some("read:x")).unwrap().as_deref(),
            Some("read:x")
        );
        let err = granted_scope(&limited, Some("read:x admin")).unwrap_err();
        assert_eq!(err.code(), "invalid_scope");
    }
}
