//! Checking `ApiClientOptions` once, at construction.

use std::sync::Arc;

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
    Ok(Checked {
        home_issuer,
        issuers,
    })
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
