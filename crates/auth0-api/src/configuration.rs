//! Checking `ApiClientOptions` once, at construction.

use std::sync::Arc;

use jose_core::{Algorithm, KeySet, VerifyingKey};
use token_exchange::Secret;

use crate::domain::{self, DomainProblem};
use crate::options::{ApiClientOptions, Domains};
use crate::resolver::DomainsResolver;
use crate::resource_metadata;

/// The options cannot make a working client. The operator's mistake,
/// reported by [`ApiClient::new`](crate::ApiClient::new) before any request.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigurationError {
    /// `audience` is empty.
    #[error("audience is required")]
    MissingAudience,
    /// Neither `domain` nor `domains` is set.
    #[error("either domain or domains is required")]
    MissingDomain,
    /// `domains` is an empty list.
    #[error("domains list cannot be empty")]
    EmptyDomains,
    /// A domain is not usable.
    #[error("domain {domain:?} {reason}")]
    InvalidDomain {
        /// The domain as configured.
        domain: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// `client_id` is set without `domain`, so token exchanges would have
    /// no tenant to go to.
    #[error("client_id requires domain")]
    ClientIdWithoutDomain,
    /// `cache_max_entries` is below 2 (one discovery document and one key
    /// set must fit).
    #[error("cache_max_entries must be at least 2, got {value}")]
    CacheTooSmall {
        /// The configured value.
        value: usize,
    },
    /// `dpop_required` is set while `dpop_enabled` is off.
    #[error("dpop_required cannot be set with dpop_enabled off")]
    DpopRequiredButDisabled,
    /// A [`PublicUrl`](crate::PublicUrl) base is unusable.
    #[error("public URL {url:?} {reason}")]
    InvalidPublicUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The resource of
    /// [`ApiClientOptions::resource_metadata`](crate::ApiClientOptions::resource_metadata)
    /// is not an absolute `https` URL (`http` for loopback hosts) without
    /// credentials, query or fragment.
    #[error("resource {resource:?} {reason}")]
    InvalidResource {
        /// The resource as configured.
        resource: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// [`ApiClientOptions::algorithms`](crate::ApiClientOptions::algorithms)
    /// is empty.
    #[error("the algorithms allowlist cannot be empty")]
    NoAlgorithms,
    /// `HS256` is allowed without
    /// [`ApiClientOptions::hs256_secret`](crate::ApiClientOptions::hs256_secret):
    /// there is nothing to verify it with (and a published key never is).
    #[error("HS256 is allowed but no hs256_secret is configured")]
    Hs256WithoutSecret,
    /// An `hs256_secret` is configured but the algorithms allowlist does
    /// not name `HS256`, so it would never be used.
    #[error("hs256_secret is configured but HS256 is not in the algorithms allowlist")]
    Hs256SecretUnused,
    /// The `hs256_secret` is shorter than 32 bytes (RFC 7518 section 3.2).
    /// The secret itself is never shown.
    #[error("hs256_secret is {len} bytes, at least 32 are required")]
    Hs256SecretTooShort {
        /// Its length in bytes.
        len: usize,
    },
    /// Static keys were given with a domains resolver: static keys are for
    /// the issuers of `domain` or the `domains` list.
    #[error("static keys require domain or a domains list, not a domains resolver")]
    StaticKeysWithResolver,
    /// A static key (JWKS or PEM) is unusable, or none is.
    #[error("static keys: {reason}")]
    InvalidStaticKeys {
        /// What is wrong, naming the key.
        reason: String,
    },
    /// The HTTP client, or the discovery cache around it, could not be
    /// built; the cause is the [`source`](std::error::Error::source).
    #[error("could not build the HTTP client")]
    HttpClient(#[source] Arc<oidc_discovery::Error>),
}

/// Which issuers are accepted.
#[derive(Debug, Clone)]
pub(crate) enum Issuers {
    /// Exactly these issuer URLs (`https://host/`).
    Fixed(Vec<String>),
    /// Decided per request.
    Resolver(Arc<dyn DomainsResolver>),
}

/// The options, checked and normalised.
#[derive(Debug)]
pub(crate) struct Checked {
    /// The issuer of `domain`, where token exchanges go.
    pub(crate) home_issuer: Option<String>,
    pub(crate) issuers: Issuers,
    /// The access-token algorithm allowlist.
    pub(crate) algorithms: Vec<Algorithm>,
    /// The HS256 secret, when HS256 is allowed.
    pub(crate) hs256_secret: Option<Secret>,
    /// Keys to verify with instead of discovered ones.
    pub(crate) static_keys: Option<Arc<KeySet>>,
}

pub(crate) fn check(options: &ApiClientOptions) -> Result<Checked, ConfigurationError> {
    if options.audience.trim().is_empty() {
        return Err(ConfigurationError::MissingAudience);
    }
    if options.domain.is_none() && options.domains.is_none() {
        return Err(ConfigurationError::MissingDomain);
    }
    if options.client_id.is_some() && options.domain.is_none() {
        return Err(ConfigurationError::ClientIdWithoutDomain);
    }
    if options.cache_max_entries < 2 {
        return Err(ConfigurationError::CacheTooSmall {
            value: options.cache_max_entries,
        });
    }
    if options.dpop_required && !options.dpop_enabled {
        return Err(ConfigurationError::DpopRequiredButDisabled);
    }
    if let Some(metadata) = &options.resource_metadata
        && let Some(reason) = resource_metadata::resource_problem(metadata.resource())
    {
        return Err(ConfigurationError::InvalidResource {
            resource: metadata.resource().to_owned(),
            reason,
        });
    }
    let home_issuer = options.domain.as_deref().map(issuer).transpose()?;
    let issuers = match &options.domains {
        None => Issuers::Fixed(home_issuer.iter().cloned().collect()),
        Some(Domains::List(list)) if list.is_empty() => {
            return Err(ConfigurationError::EmptyDomains);
        }
        Some(Domains::List(list)) => {
            Issuers::Fixed(list.iter().map(|d| issuer(d)).collect::<Result<_, _>>()?)
        }
        Some(Domains::Resolver(resolver)) => Issuers::Resolver(Arc::clone(resolver)),
    };
    let (algorithms, hs256_secret) = algorithms(options)?;
    let static_keys = static_keys(options)?;
    if static_keys.is_some() && matches!(issuers, Issuers::Resolver(_)) {
        return Err(ConfigurationError::StaticKeysWithResolver);
    }
    Ok(Checked {
        home_issuer,
        issuers,
        algorithms,
        hs256_secret,
        static_keys,
    })
}

/// The allowlist, and the secret when HS256 is on it.
fn algorithms(
    options: &ApiClientOptions,
) -> Result<(Vec<Algorithm>, Option<Secret>), ConfigurationError> {
    let secret = options.hs256_secret.clone();
    let algorithms = match (&options.algorithms, &secret) {
        (Some(list), _) => list.clone(),
        // The secret makes HS256 the API's algorithm.
        (None, Some(_)) => vec![Algorithm::Hs256],
        (None, None) => crate::access_token::ACCESS_TOKEN_ALGORITHMS.to_vec(),
    };
    if algorithms.is_empty() {
        return Err(ConfigurationError::NoAlgorithms);
    }
    let hs256 = algorithms.contains(&Algorithm::Hs256);
    match secret {
        None if hs256 => Err(ConfigurationError::Hs256WithoutSecret),
        None => Ok((algorithms, None)),
        Some(_) if !hs256 => Err(ConfigurationError::Hs256SecretUnused),
        Some(secret) => {
            let len = secret.expose_secret().len();
            if len < jose_core::HMAC_MIN_SECRET_LEN {
                return Err(ConfigurationError::Hs256SecretTooShort { len });
            }
            Ok((algorithms, Some(secret)))
        }
    }
}

/// Every static key, converted and checked: any rejected entry, repeated
/// `kid` or an empty result is the operator's mistake, named.
fn static_keys(options: &ApiClientOptions) -> Result<Option<Arc<KeySet>>, ConfigurationError> {
    if !options.has_static_keys() {
        return Ok(None);
    }
    let invalid = |reason: String| ConfigurationError::InvalidStaticKeys { reason };
    let mut keys: Vec<VerifyingKey> = Vec::new();
    if let Some(set) = &options.static_set {
        if let Some(rejected) = set.rejected().first() {
            return Err(invalid(format!(
                "key {:?} is unusable: {}",
                rejected.kid().unwrap_or("(no kid)"),
                rejected.error()
            )));
        }
        keys.extend(set.keys().iter().cloned());
    }
    for jwks in &options.static_jwks {
        let set = KeySet::from_slice(jwks.as_bytes())
            .map_err(|e| invalid(format!("JWKS is unusable: {e}")))?;
        if let Some(rejected) = set.rejected().first() {
            return Err(invalid(format!(
                "JWKS key {:?} is unusable: {}",
                rejected.kid().unwrap_or("(no kid)"),
                rejected.error()
            )));
        }
        keys.extend(set.keys().iter().cloned());
    }
    for (kid, pem) in &options.static_pem {
        let mut key = VerifyingKey::from_pem(pem)
            .map_err(|e| invalid(format!("PEM key {kid:?} is unusable: {e}")))?;
        key.set_kid(kid.clone());
        keys.push(key);
    }
    if keys.is_empty() {
        return Err(invalid("no keys".to_owned()));
    }
    for (i, key) in keys.iter().enumerate() {
        let Some(kid) = key.kid() else {
            return Err(invalid(
                "a key has no kid, so no token could name it".to_owned(),
            ));
        };
        if keys[..i].iter().any(|k| k.kid() == Some(kid)) {
            return Err(invalid(format!("kid {kid:?} is used by two keys")));
        }
    }
    Ok(Some(Arc::new(KeySet::from_keys(keys))))
}

fn issuer(domain: &str) -> Result<String, ConfigurationError> {
    domain::issuer_for(domain).map_err(|problem: DomainProblem| ConfigurationError::InvalidDomain {
        domain: domain.to_owned(),
        reason: problem.reason(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_err(options: ApiClientOptions) -> ConfigurationError {
        check(&options).unwrap_err()
    }

    #[test]
    fn valid_single_and_multi_domain() {
        let c = check(&ApiClientOptions::new("t.auth0.com", "https://api")).unwrap();
        assert_eq!(c.home_issuer.as_deref(), Some("https://t.auth0.com/"));
        assert!(matches!(c.issuers, Issuers::Fixed(ref v) if v == &["https://t.auth0.com/"]));
        let c = check(
            &ApiClientOptions::for_audience("https://api")
                .domains(["a.example", "https://b.example/"]),
        )
        .unwrap();
        assert!(c.home_issuer.is_none());
        assert!(matches!(c.issuers, Issuers::Fixed(ref v) if v.len() == 2));
    }

    #[test]
    fn every_misconfiguration_is_named() {
        assert!(matches!(
            check_err(ApiClientOptions::new("t.auth0.com", " ")),
            ConfigurationError::MissingAudience
        ));
        assert!(matches!(
            check_err(ApiClientOptions::for_audience("a")),
            ConfigurationError::MissingDomain
        ));
        assert!(matches!(
            check_err(ApiClientOptions::for_audience("a").domains(Vec::<String>::new())),
            ConfigurationError::EmptyDomains
        ));
        assert!(matches!(
            check_err(ApiClientOptions::for_audience("a").domains(["ok.example", ""])),
            ConfigurationError::InvalidDomain { .. }
        ));
        assert!(matches!(
            check_err(
                ApiClientOptions::for_audience("a")
                    .domains(["x.example"])
                    .client_id("c")
            ),
            ConfigurationError::ClientIdWithoutDomain
        ));
        assert!(matches!(
            check_err(ApiClientOptions::new("t.auth0.com", "a").cache_max_entries(1)),
            ConfigurationError::CacheTooSmall { value: 1 }
        ));
        assert!(matches!(
            check_err(
                ApiClientOptions::new("t.auth0.com", "a")
                    .dpop_enabled(false)
                    .dpop_required(true)
            ),
            ConfigurationError::DpopRequiredButDisabled
        ));
        for domain in [
            "http://t.auth0.com",
            "https://t.auth0.com/path",
            "https://t.auth0.com?q",
            "https://t.auth0.com#f",
            "https://u:p@t.auth0.com",
        ] {
            assert!(
                matches!(
                    check_err(ApiClientOptions::new(domain, "a")),
                    ConfigurationError::InvalidDomain { .. }
                ),
                "{domain}"
            );
        }
    }
}
