//! RFC 8693 token exchange, answered by the profile registered for the
//! request's `subject_token_type`.

use serde_json::{Map, Value};

use super::params::Params;
use super::response::{Issued, OAuthError, echo};
use super::{Binding, issue};
use crate::client::RegisteredClient;
use crate::exchange_profile::ProfileKind;
use crate::state::State;
use crate::urn;

pub(crate) fn grant(
    state: &State,
    client: &RegisteredClient,
    params: &Params,
    binding: &Binding,
) -> Result<Issued, OAuthError> {
    let subject_token = params.required("subject_token")?;
    let subject_token_type = params.required("subject_token_type")?;
    if params.single("actor_token")?.is_some() || params.single("actor_token_type")?.is_some() {
        return Err(OAuthError::invalid_request(
            "actor_token is not supported by this issuer",
        ));
    }
    match params.single("requested_token_type")? {
        None | Some(urn::TOKEN_TYPE_ACCESS_TOKEN | urn::TOKEN_TYPE_JWT) => {}
        Some(other) => {
            return Err(OAuthError::invalid_request(format!(
                "requested_token_type \"{}\" is not supported",
                echo(other)
            )));
        }
    }
    let profile = state.profile(subject_token_type).ok_or_else(|| {
        OAuthError::invalid_request(format!(
            "no token exchange profile for subject_token_type \"{}\"",
            echo(subject_token_type)
        ))
    })?;

    let mut audiences = params.all("audience");
    if audiences.is_empty() {
        audiences.push(state.audience());
    }
    if let Some(refused) = audiences.iter().find(|a| !profile.allows_audience(a)) {
        return Err(OAuthError::invalid_target(format!(
            "audience \"{}\" is not allowed by the exchange profile",
            echo(refused)
        )));
    }

    let (sub, act) = match profile.kind() {
        ProfileKind::OnBehalfOf => on_behalf_of(state, client, subject_token)?,
        ProfileKind::Custom { .. } => {
            let sub = profile
                .kind()
                .custom_subject(subject_token)
                .ok_or_else(|| OAuthError::invalid_grant("the subject token was not accepted"))?;
            (sub.to_owned(), None)
        }
    };

    let aud = match audiences.as_slice() {
        [one] => Value::from(*one),
        many => Value::from(many.to_vec()),
    };
    let scope = params.single("scope")?.map(str::to_owned);
    let mut claims = state.base_claims(&sub, aud);
    claims.insert("azp".into(), client.id().into());
    if let Some(scope) = &scope {
        claims.insert("scope".into(), scope.as_str().into());
    }
    if let Some(act) = act {
        claims.insert("act".into(), act);
    }
    claims.extend(profile.claims().clone());
    issue(
        state,
        claims,
        scope,
        binding,
        Some(urn::TOKEN_TYPE_ACCESS_TOKEN),
    )
}

/// The subject token's `sub`, and an `act` naming the exchanging client with
/// the subject token's own `act` (if any) as the prior actor.
fn on_behalf_of(
    state: &State,
    client: &RegisteredClient,
    subject_token: &str,
) -> Result<(String, Option<Value>), OAuthError> {
    let mut claims = state
        .verify_own_token(subject_token)
        .map_err(|e| OAuthError::invalid_grant(format!("the subject token is not valid: {e}")))?;
    let Some(Value::String(sub)) = claims.remove("sub") else {
        return Err(OAuthError::invalid_grant(
            "the subject token has no string sub",
        ));
    };
    let mut act = Map::new();
    act.insert("sub".into(), client.id().into());
    if let Some(prior) = claims.remove("act") {
        act.insert("act".into(), prior);
    }
    Ok((sub, Some(Value::Object(act))))
}
