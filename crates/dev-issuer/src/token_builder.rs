//! Minting access tokens, good ones and deliberately broken ones.

use std::time::Duration;

use jose_core::base64url;
use ring::hmac;
use serde_json::{Map, Value, json};

use crate::compact;
use crate::error::Error;
use crate::signing_key::{SigningKey, random_id};
use crate::state::{DEFAULT_SUBJECT, State};

/// How far in the past [`TokenBuilder::expired`] puts `exp`.
const EXPIRED_SINCE: i64 = 60;

/// How far in the future [`TokenBuilder::not_yet_valid`] puts `nbf`.
const VALID_IN: i64 = 300;

/// Builds one access token, from [`DevIssuer::token`].
///
/// Without options the token is what Auth0 would issue for the default
/// user and audience: header `alg` (the issuer's), `typ: JWT`, `kid` of the
/// current key; claims `iss`, `sub` ([`DEFAULT_SUBJECT`]), `aud` (the
/// issuer's audience), `iat` (now, by the issuer's clock) and `exp` (`iat`
/// plus the token lifetime). Each option changes one thing, so that a test
/// reads as its intent:
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
/// # let issuer = dev_issuer::DevIssuer::start().await?;
/// let token = issuer
///     .token()
///     .sub("auth0|user-1")
///     .audiences(["https://api.example.com", "https://tenant/userinfo"])
///     .scope("read:messages write:messages")
///     .permissions(["read:messages"])
///     .actor("agent-7")
///     .claim("org_id", "org_1")
///     .sign()?;
/// let tampered = issuer.token().sub("auth0|user-1").tampered().sign()?;
/// # assert_ne!(token, tampered);
/// # Ok::<(), dev_issuer::Error>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// The breaking options are mutually exclusive; the last one set wins.
///
/// [`DevIssuer::token`]: crate::DevIssuer::token
#[derive(Debug)]
pub struct TokenBuilder<'a> {
    state: &'a State,
    sub: String,
    aud: Option<Value>,
    iss: Option<String>,
    iat: Option<i64>,
    exp: Option<i64>,
    nbf: Option<i64>,
    lifetime: Option<Duration>,
    actors: Vec<String>,
    claims: Map<String, Value>,
    removed: Vec<String>,
    typ: Option<String>,
    kid: Kid,
    header: Map<String, Value>,
    breakage: Option<Breakage>,
    signing: Signing,
}

/// How a well-formed token is signed.
#[derive(Debug, Clone, Default)]
enum Signing {
    /// With the current key, in its algorithm (RS256 or ES256).
    #[default]
    Current,
    /// With the current RSA key, in PS256.
    Ps256,
    /// HS256 with a secret the test chose.
    Hs256(HmacSecret),
}

/// An HMAC secret, kept out of `Debug`.
#[derive(Clone)]
struct HmacSecret(Vec<u8>);

impl std::fmt::Debug for HmacSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HmacSecret(..)")
    }
}

#[derive(Debug, Clone)]
enum Kid {
    Current,
    Custom(String),
    Omitted,
}

#[derive(Debug, Clone, Copy)]
enum Breakage {
    UnknownKey,
    WrongKey,
    AlgNone,
    Hs256,
    Tampered,
}

impl<'a> TokenBuilder<'a> {
    pub(crate) fn new(state: &'a State) -> Self {
        Self {
            state,
            sub: DEFAULT_SUBJECT.to_owned(),
            aud: None,
            iss: None,
            iat: None,
            exp: None,
            nbf: None,
            lifetime: None,
            actors: Vec::new(),
            claims: Map::new(),
            removed: Vec::new(),
            typ: Some("JWT".to_owned()),
            kid: Kid::Current,
            header: Map::new(),
            breakage: None,
            signing: Signing::Current,
        }
    }

    // ===== claims =====

    /// `sub`.
    ///
    /// Default: [`DEFAULT_SUBJECT`].
    pub fn sub(&mut self, sub: impl Into<String>) -> &mut Self {
        self.sub = sub.into();
        self
    }

    /// `aud` as one string.
    ///
    /// Default: the issuer's audience.
    pub fn audience(&mut self, audience: impl Into<String>) -> &mut Self {
        self.aud = Some(Value::String(audience.into()));
        self
    }

    /// `aud` as an array of strings.
    ///
    /// Default: the issuer's audience, as a string.
    pub fn audiences<I, S>(&mut self, audiences: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let list = audiences.into_iter().map(|a| Value::String(a.into()));
        self.aud = Some(Value::Array(list.collect()));
        self
    }

    /// `iss`, for a token from some other issuer.
    ///
    /// Default: this issuer's URL.
    pub fn issuer(&mut self, issuer: impl Into<String>) -> &mut Self {
        self.iss = Some(issuer.into());
        self
    }

    /// `scope`, space-separated.
    ///
    /// Default: absent.
    pub fn scope(&mut self, scope: impl Into<String>) -> &mut Self {
        self.claims
            .insert("scope".into(), Value::String(scope.into()));
        self
    }

    /// `permissions`, as Auth0 RBAC adds them.
    ///
    /// Default: absent.
    pub fn permissions<I, S>(&mut self, permissions: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let list: Vec<Value> = permissions.into_iter().map(|p| p.into().into()).collect();
        self.claims.insert("permissions".into(), Value::Array(list));
        self
    }

    /// `cnf.jkt`: binds the token to the DPoP key with this RFC 7638
    /// thumbprint.
    ///
    /// Default: absent (a Bearer token).
    pub fn cnf_jkt(&mut self, thumbprint: impl Into<String>) -> &mut Self {
        let thumbprint: String = thumbprint.into();
        self.claims
            .insert("cnf".into(), json!({ "jkt": thumbprint }));
        self
    }

    /// `cnf.x5t#S256`: binds the token to the client certificate with this
    /// RFC 8705 thumbprint (base64url, unpadded, of the SHA-256 of its DER),
    /// as `auth0_api::ClientCertificate::thumbprint` computes it. Added
    /// beside a `cnf.jkt` set before, if any.
    ///
    /// Default: absent (not certificate-bound).
    pub fn cnf_x5t_s256(&mut self, thumbprint: impl Into<String>) -> &mut Self {
        let thumbprint: String = thumbprint.into();
        match self.claims.get_mut("cnf").and_then(Value::as_object_mut) {
            Some(cnf) => {
                cnf.insert("x5t#S256".into(), thumbprint.into());
            }
            None => {
                self.claims
                    .insert("cnf".into(), json!({ "x5t#S256": thumbprint }));
            }
        }
        self
    }

    /// Adds an actor to the `act` chain. The first call names the current
    /// actor (the outermost `act.sub`), each later call a prior actor
    /// nested one level deeper.
    ///
    /// Default: no `act`.
    pub fn actor(&mut self, sub: impl Into<String>) -> &mut Self {
        self.actors.push(sub.into());
        self
    }

    /// Any claim, set after (and so overriding) everything above, e.g. a
    /// string `exp` or a malformed `act`.
    ///
    /// Default: none.
    pub fn claim(&mut self, name: impl Into<String>, value: impl Into<Value>) -> &mut Self {
        self.claims.insert(name.into(), value.into());
        self
    }

    /// Leaves claim `name` out, whatever set it (`"exp"`, `"iat"`, `"sub"`,
    /// ...).
    ///
    /// Default: nothing left out.
    pub fn without_claim(&mut self, name: impl Into<String>) -> &mut Self {
        self.removed.push(name.into());
        self
    }

    // ===== time =====

    /// `iat`, in seconds since the epoch.
    ///
    /// Default: now, by the issuer's clock.
    pub fn iat(&mut self, iat: i64) -> &mut Self {
        self.iat = Some(iat);
        self
    }

    /// `exp`, in seconds since the epoch.
    ///
    /// Default: `iat` plus the lifetime.
    pub fn exp(&mut self, exp: i64) -> &mut Self {
        self.exp = Some(exp);
        self
    }

    /// `nbf`, in seconds since the epoch.
    ///
    /// Default: absent.
    pub fn nbf(&mut self, nbf: i64) -> &mut Self {
        self.nbf = Some(nbf);
        self
    }

    /// Sets `exp` to `iat` plus `lifetime`.
    ///
    /// Default: the issuer's token lifetime.
    pub fn expires_in(&mut self, lifetime: Duration) -> &mut Self {
        self.lifetime = Some(lifetime);
        self
    }

    /// An expired token: `exp` a minute ago, `iat` an hour before that.
    pub fn expired(&mut self) -> &mut Self {
        let now = self.state.now();
        self.exp = Some(now - EXPIRED_SINCE);
        self.iat = Some(now - EXPIRED_SINCE - 3600);
        self
    }

    /// A token not valid yet: `nbf` five minutes from now.
    pub fn not_yet_valid(&mut self) -> &mut Self {
        self.nbf = Some(self.state.now() + VALID_IN);
        self
    }

    // ===== header =====

    /// The header `typ` (`"at+jwt"`, `"dpop+jwt"`, ...).
    ///
    /// Default: `"JWT"`, as Auth0 sends.
    pub fn typ(&mut self, typ: impl Into<String>) -> &mut Self {
        self.typ = Some(typ.into());
        self
    }

    /// No `typ` in the header.
    ///
    /// Default: `typ` is `"JWT"`.
    pub fn without_typ(&mut self) -> &mut Self {
        self.typ = None;
        self
    }

    /// The header `kid`, still signed with the current key: a token whose
    /// key a client can only find by refetching, or not at all.
    ///
    /// Default: the current key's `kid`.
    pub fn kid(&mut self, kid: impl Into<String>) -> &mut Self {
        self.kid = Kid::Custom(kid.into());
        self
    }

    /// No `kid` in the header.
    ///
    /// Default: the current key's `kid`.
    pub fn without_kid(&mut self) -> &mut Self {
        self.kid = Kid::Omitted;
        self
    }

    /// Any header member, set last: `crit`, `jku`, `jwk`, a lying `alg`...
    ///
    /// Default: none.
    pub fn header(&mut self, name: impl Into<String>, value: impl Into<Value>) -> &mut Self {
        self.header.insert(name.into(), value.into());
        self
    }

    // ===== algorithm =====

    /// Signed `PS256` (RSASSA-PSS, SHA-256) with the current key, which
    /// must be an RSA key, under its `kid`: what an Auth0 API set to PS256
    /// receives. The key is the same one published for RS256; a verifier
    /// accepts the token only if its allowlist names PS256.
    pub fn ps256(&mut self) -> &mut Self {
        self.signing = Signing::Ps256;
        self
    }

    /// Signed `HS256` with `secret` (an API's signing secret, as Auth0 has
    /// for APIs set to HS256), without a `kid` unless one is set with
    /// [`TokenBuilder::kid`]. Signed with the public key's bytes or PEM
    /// text, this is also the key-confusion attack.
    pub fn hs256_with_secret(&mut self, secret: impl AsRef<[u8]>) -> &mut Self {
        self.signing = Signing::Hs256(HmacSecret(secret.as_ref().to_vec()));
        self
    }

    // ===== breakage =====

    /// Signed with a key the issuer never publishes, under a `kid` no JWKS
    /// has.
    pub fn signed_with_unknown_key(&mut self) -> &mut Self {
        self.breakage = Some(Breakage::UnknownKey);
        self
    }

    /// Signed with a key the issuer never publishes, under the current
    /// key's `kid`: the signature does not verify.
    pub fn signed_with_wrong_key(&mut self) -> &mut Self {
        self.breakage = Some(Breakage::WrongKey);
        self
    }

    /// `alg: none` and an empty signature.
    pub fn alg_none(&mut self) -> &mut Self {
        self.breakage = Some(Breakage::AlgNone);
        self
    }

    /// `alg: HS256`, "signed" with HMAC keyed by the current key's public
    /// key bytes ([`SigningKey::public_key_bytes`]): the key-confusion
    /// attack on a verifier that lets the token choose the algorithm.
    pub fn hs256_with_public_key(&mut self) -> &mut Self {
        self.breakage = Some(Breakage::Hs256);
        self
    }

    /// Validly signed, then the payload altered (`"tampered": true` added)
    /// with the original signature kept.
    pub fn tampered(&mut self) -> &mut Self {
        self.breakage = Some(Breakage::Tampered);
        self
    }

    // ===== output =====

    /// The claims the token will carry.
    pub fn claims(&self) -> Map<String, Value> {
        let now = self.state.now();
        let iat = self.iat.unwrap_or(now);
        let lifetime = self.lifetime.unwrap_or(self.state.token_lifetime());
        let lifetime = i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX);
        let mut claims = Map::new();
        let iss = self.iss.as_deref().unwrap_or(self.state.issuer_url());
        claims.insert("iss".into(), iss.into());
        claims.insert("sub".into(), self.sub.as_str().into());
        let default_aud = || Value::String(self.state.audience().to_owned());
        claims.insert("aud".into(), self.aud.clone().unwrap_or_else(default_aud));
        claims.insert("iat".into(), iat.into());
        let exp = self.exp.unwrap_or_else(|| iat.saturating_add(lifetime));
        claims.insert("exp".into(), exp.into());
        if let Some(nbf) = self.nbf {
            claims.insert("nbf".into(), nbf.into());
        }
        if let Some(act) = act_chain(&self.actors) {
            claims.insert("act".into(), act);
        }
        claims.extend(self.claims.clone());
        for name in &self.removed {
            claims.remove(name);
        }
        claims
    }

    /// Signs the token.
    ///
    /// # Errors
    ///
    /// [`Error::Key`] when the system random generator fails.
    pub fn sign(&self) -> Result<String, Error> {
        let claims = self.claims();
        let current = self.state.current_key();
        let token = match self.breakage {
            None => match &self.signing {
                Signing::Current => {
                    compact::sign(&current, &self.header_for(&current, None), &claims)?
                }
                Signing::Ps256 => {
                    let mut header = self.header_for(&current, None);
                    header.insert("alg".into(), "PS256".into());
                    self.header_overrides(&mut header);
                    let input = format!(
                        "{}.{}",
                        compact::segment(&header),
                        compact::segment(&claims)
                    );
                    let signature = current.sign_ps256(input.as_bytes())?;
                    format!("{input}.{}", base64url::encode(&signature))
                }
                Signing::Hs256(secret) => {
                    let mut header = self.header_for(&current, None);
                    if matches!(self.kid, Kid::Current) {
                        header.remove("kid");
                    }
                    header.insert("alg".into(), "HS256".into());
                    self.header_overrides(&mut header);
                    let input = format!(
                        "{}.{}",
                        compact::segment(&header),
                        compact::segment(&claims)
                    );
                    let tag = hmac::sign(
                        &hmac::Key::new(hmac::HMAC_SHA256, &secret.0),
                        input.as_bytes(),
                    );
                    format!("{input}.{}", base64url::encode(tag.as_ref()))
                }
            },
            Some(Breakage::UnknownKey) => {
                let kid = format!("unknown-{}", random_id(9)?);
                let key = self.state.outsider();
                compact::sign(key, &self.header_for(key, Some(kid)), &claims)?
            }
            Some(Breakage::WrongKey) => {
                let kid = current.kid().to_owned();
                let key = self.state.outsider();
                compact::sign(key, &self.header_for(key, Some(kid)), &claims)?
            }
            Some(Breakage::AlgNone) => {
                let mut header = self.header_for(&current, None);
                header.insert("alg".into(), "none".into());
                format!(
                    "{}.{}.",
                    compact::segment(&header),
                    compact::segment(&claims)
                )
            }
            Some(Breakage::Hs256) => {
                hs256_confusion(&current, self.header_for(&current, None), &claims)
            }
            Some(Breakage::Tampered) => {
                let token = compact::sign(&current, &self.header_for(&current, None), &claims)?;
                let mut altered = claims;
                altered.insert("tampered".into(), true.into());
                replace_payload(&token, &altered)
            }
        };
        Ok(token)
    }

    /// The caller's header members win over the algorithm's `alg`.
    fn header_overrides(&self, header: &mut Map<String, Value>) {
        header.extend(self.header.clone());
    }

    /// The header for a token signed by `key`: `alg`, `typ`, the chosen
    /// `kid` (or `forced_kid`), then the caller's members.
    fn header_for(&self, key: &SigningKey, forced_kid: Option<String>) -> Map<String, Value> {
        let mut header = compact::header(key, self.typ.as_deref());
        let explicit = match &self.kid {
            Kid::Current => None,
            Kid::Custom(kid) => Some(kid.clone()),
            Kid::Omitted => {
                header.remove("kid");
                None
            }
        };
        // An explicit kid wins over the breakage's choice.
        if let Some(kid) = explicit.or(forced_kid) {
            header.insert("kid".into(), kid.into());
        }
        header.extend(self.header.clone());
        header
    }
}

/// `{"sub": a, "act": {"sub": b, ...}}` from `[a, b, ...]`.
fn act_chain(actors: &[String]) -> Option<Value> {
    actors.iter().rev().fold(None, |inner, sub| {
        let mut act = Map::new();
        act.insert("sub".into(), sub.as_str().into());
        if let Some(inner) = inner {
            act.insert("act".into(), inner);
        }
        Some(Value::Object(act))
    })
}

fn hs256_confusion(
    key: &SigningKey,
    mut header: Map<String, Value>,
    claims: &Map<String, Value>,
) -> String {
    header.insert("alg".into(), "HS256".into());
    let signing_input = format!("{}.{}", compact::segment(&header), compact::segment(claims));
    let tag = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, &key.public_key_bytes()),
        signing_input.as_bytes(),
    );
    format!("{signing_input}.{}", base64url::encode(tag.as_ref()))
}

/// `token` with its payload segment replaced, signature untouched.
fn replace_payload(token: &str, claims: &Map<String, Value>) -> String {
    let mut parts = token.split('.');
    let header = parts.next().unwrap_or_default();
    let signature = parts.nth(1).unwrap_or_default();
    format!("{header}.{}.{signature}", compact::segment(claims))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn act_chains_nest_from_current_to_oldest() {
        assert_eq!(act_chain(&[]), None);
        let chain = act_chain(&["a".into(), "b".into(), "c".into()]).unwrap();
        assert_eq!(
            chain,
            json!({ "sub": "a", "act": { "sub": "b", "act": { "sub": "c" } } })
        );
    }

    #[test]
    fn replacing_the_payload_keeps_header_and_signature() {
        let mut claims = Map::new();
        claims.insert("x".into(), 1.into());
        let out = replace_payload("aaa.bbb.ccc", &claims);
        let parts: Vec<&str> = out.split('.').collect();
        assert_eq!(parts[0], "aaa");
        assert_eq!(parts[2], "ccc");
        assert_eq!(base64url::decode(parts[1]).unwrap(), br#"{"x":1}"#);
    }
}
