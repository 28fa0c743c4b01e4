//! `GET /authorize`: the authorization code flow (RFC 6749 section 4.1)
//! with PKCE S256 required (RFC 7636), the RFC 8707 `resource`, and the
//! RFC 9207 `iss` on every redirect.
//!
//! It approves at once, as the default user or the one `login_hint` names,
//! and redirects (302) to the client with the code, so a headless client
//! can follow the redirect; with the login page switched on, a request
//! naming no user gets a page that links to each configured user instead.
//!
//! A request whose `client_id` or `redirect_uri` is not valid is answered
//! with an error page and never redirected (section 4.1.2.1); every other
//! error is redirected to the client.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::State as Shared;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, HeaderValue, LOCATION};
use http::{StatusCode, Uri};
use url::Url;

use super::authorize_page::{Choice, error_page, login_page};
use crate::client::{Grant, RegisteredClient};
use crate::pkce;
use crate::resource_indicator;
use crate::signing_key::random_id;
use crate::state::{Authorization, PendingCode, State};
use crate::token_endpoint::{OAuthError, Params, echo};

/// The longest query read: enough for any real authorization request.
const QUERY_MAX: usize = 16 * 1024;

/// The longest `scope` or `acr_values` kept with a code.
const VALUE_MAX: usize = 2048;

/// `GET /authorize`.
pub(super) async fn authorize(Shared(state): Shared<Arc<State>>, uri: Uri) -> Response {
    let query = uri.query().unwrap_or_default();
    if query.len() > QUERY_MAX {
        return error_page(
            StatusCode::URI_TOO_LONG,
            "invalid_request",
            &format!("the authorization request is longer than {QUERY_MAX} bytes"),
        );
    }
    let params = Params::decode(query.as_bytes());
    let target = match Target::find(&state, &params) {
        Ok(target) => target,
        Err(error) => {
            return error_page(StatusCode::BAD_REQUEST, error.code(), error.description());
        }
    };
    // Echoed as received, even when the request is refused for repeating it.
    let client_state = params.all("state").first().copied();
    let outcome = approve(&state, &params, &target);
    let mut reply = Vec::with_capacity(4);
    match outcome {
        Ok(Approval::Code(code)) => reply.push(("code", code)),
        Ok(Approval::Page(page)) => return page,
        Err(error) => {
            reply.push(("error", error.code().to_owned()));
            reply.push(("error_description", error.description().to_owned()));
        }
    }
    if let Some(client_state) = client_state {
        reply.push(("state", client_state.to_owned()));
    }
    reply.push(("iss", state.issuer_url().to_owned()));
    redirect(&target.redirect_uri, &reply)
}

/// Where the answer goes: the client and one of its registered redirect
/// URIs.
#[derive(Debug)]
struct Target {
    client: RegisteredClient,
    redirect_uri: String,
    /// Whether the request named it (then the token request must too).
    sent: bool,
}

impl Target {
    fn find(state: &State, params: &Params) -> Result<Self, OAuthError> {
        let client_id = params
            .single("client_id")?
            .ok_or_else(|| OAuthError::invalid_request("client_id is required"))?;
        let client = state.client(client_id).ok_or_else(|| {
            OAuthError::invalid_client(format!(
                "client_id \"{}\" is not registered",
                echo(client_id)
            ))
        })?;
        let (redirect_uri, sent) = match params.single("redirect_uri")? {
            Some(uri) if client.redirect_uris().iter().any(|r| r == uri) => (uri.to_owned(), true),
            Some(uri) => {
                return Err(OAuthError::invalid_request(format!(
                    "redirect_uri \"{}\" is not registered for client {}",
                    echo(uri),
                    echo(client.id())
                )));
            }
            // RFC 6749 section 3.1.2.3: may be left out when only one is
            // registered.
            None => match client.redirect_uris() {
                [only] => (only.clone(), false),
                [] => {
                    return Err(OAuthError::invalid_request(format!(
                        "client {} has no redirect URI registered",
                        echo(client.id())
                    )));
                }
                _ => {
                    return Err(OAuthError::invalid_request(
                        "redirect_uri is required: the client registered several",
                    ));
                }
            },
        };
        if Url::parse(&redirect_uri).is_err() {
            return Err(OAuthError::invalid_request(
                "the client's registered redirect URI is not an absolute URI",
            ));
        }
        Ok(Self {
            client,
            redirect_uri,
            sent,
        })
    }
}

/// What an acceptable request gets.
#[derive(Debug)]
enum Approval {
    /// A code to redirect with.
    Code(String),
    /// The login page, for a person to pick the user.
    Page(Response),
}

fn approve(state: &State, params: &Params, target: &Target) -> Result<Approval, OAuthError> {
    // RFC 6749 section 3.1: no parameter may appear twice. `resource` may
    // (RFC 8707), but this issuer mints tokens for one audience.
    let resources = params.all("resource");
    if resources.len() > 1 {
        return Err(OAuthError::invalid_target(
            "at most one resource is supported per request",
        ));
    }
    let mut seen = HashSet::new();
    if let Some((name, _)) = params
        .pairs()
        .iter()
        .find(|(n, _)| !seen.insert(n.as_str()))
    {
        return Err(OAuthError::invalid_request(format!(
            "parameter {} is repeated",
            echo(name)
        )));
    }

    match params.single("response_type")? {
        Some("code") => {}
        Some(other) => return Err(OAuthError::unsupported_response_type(other)),
        None => return Err(OAuthError::invalid_request("response_type is required")),
    }
    if !target.client.may_use(Grant::AuthorizationCode) {
        return Err(OAuthError::unauthorized_client(format!(
            "client {} may not use the authorization code grant",
            echo(target.client.id())
        )));
    }
    if params
        .single("response_mode")?
        .is_some_and(|m| m != "query")
    {
        return Err(OAuthError::invalid_request(
            "response_mode must be query, the only one supported",
        ));
    }
    let challenge = params
        .single("code_challenge")?
        .ok_or_else(|| OAuthError::invalid_request("code_challenge is required (PKCE S256)"))?;
    match params.single("code_challenge_method")? {
        Some("S256") => {}
        Some(other) => {
            return Err(OAuthError::invalid_request(format!(
                "code_challenge_method \"{}\" is not supported: use S256",
                echo(other)
            )));
        }
        // RFC 7636 section 4.3: absent means plain, which is refused.
        None => {
            return Err(OAuthError::invalid_request(
                "code_challenge_method is required and must be S256",
            ));
        }
    }
    if !pkce::is_s256_challenge(challenge) {
        return Err(OAuthError::invalid_request(
            "code_challenge must be 43 base64url characters, an S256 hash",
        ));
    }
    let scope = bounded(params.single("scope")?, "scope")?;
    let resource = params.single("resource")?;
    if let Some(resource) = resource {
        resource_indicator::check(resource).map_err(OAuthError::invalid_target)?;
    }
    let acr_values = bounded(params.single("acr_values")?, "acr_values")?;
    let max_age = params
        .single("max_age")?
        .map(|v| {
            v.parse::<u64>().map_err(|_| {
                OAuthError::invalid_request("max_age must be a non-negative integer (seconds)")
            })
        })
        .transpose()?;
    let prompt = params.single("prompt")?.unwrap_or_default();
    let prompts = || prompt.split(' ');

    let user = match params.single("login_hint")? {
        Some(sub) => state.user(sub).ok_or_else(|| {
            OAuthError::invalid_request(format!(
                "login_hint \"{}\" names no configured user",
                echo(sub)
            ))
        })?,
        None if state.login_page() && !prompts().any(|p| p == "none") => {
            return Ok(Approval::Page(user_picker(state, params, target, scope)));
        }
        None => state.default_user(),
    };

    let now = state.now();
    let sign_in = user.sign_in(now, acr_values, max_age, prompts().any(|p| p == "login"));
    let code = random_id(32).map_err(|_| OAuthError::server_error("no random code"))?;
    let pending = PendingCode {
        authorization: Authorization {
            client_id: target.client.id().to_owned(),
            sub: user.sub().to_owned(),
            scope: scope.map(str::to_owned),
            resource: resource.map(str::to_owned),
            acr: sign_in.acr,
            auth_time: sign_in.auth_time,
        },
        redirect_uri: target.redirect_uri.clone(),
        redirect_uri_sent: target.sent,
        code_challenge: challenge.to_owned(),
    };
    state
        .grants()
        .issue_code(code.clone(), pending, now)
        .map_err(|_| {
            OAuthError::temporarily_unavailable("too many authorization codes are pending")
        })?;
    Ok(Approval::Code(code))
}

fn bounded<'a>(value: Option<&'a str>, name: &str) -> Result<Option<&'a str>, OAuthError> {
    match value {
        Some(v) if v.len() > VALUE_MAX => Err(OAuthError::invalid_request(format!(
            "{name} is longer than {VALUE_MAX} bytes"
        ))),
        _ => Ok(value),
    }
}

/// The login page: one link per user, each the same request plus its
/// `login_hint`.
fn user_picker(state: &State, params: &Params, target: &Target, scope: Option<&str>) -> Response {
    let choices: Vec<Choice<'_>> = state
        .users()
        .map(|user| {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            for (name, value) in params.pairs().iter().filter(|(n, _)| n != "login_hint") {
                query.append_pair(name, value);
            }
            query.append_pair("login_hint", user.sub());
            Choice {
                sub: user.sub(),
                href: format!("{}?{}", state.authorization_endpoint_url(), query.finish()),
            }
        })
        .collect();
    login_page(target.client.id(), scope, &choices)
}

/// 302 to `redirect_uri` with `pairs` added to its query.
fn redirect(redirect_uri: &str, pairs: &[(&str, String)]) -> Response {
    let Ok(mut url) = Url::parse(redirect_uri) else {
        // Checked by Target::find; kept as a page rather than a panic.
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the redirect URI is not an absolute URI",
        );
    };
    url.query_pairs_mut()
        .extend_pairs(pairs.iter().map(|(k, v)| (k, v.as_str())));
    let Ok(location) = HeaderValue::from_str(url.as_str()) else {
        return error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "the redirect URI cannot be sent as a header",
        );
    };
    let mut response = StatusCode::FOUND.into_response();
    response.headers_mut().insert(LOCATION, location);
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
