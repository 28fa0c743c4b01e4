//! Issue 17: warm-up loads discovery and keys at start-up, so the first
//! request fetches nothing; a failing issuer gives an operator-readable
//! error.

use auth0_api::{ApiClient, WarmUpStage};
use dev_issuer::{Endpoint, Fault};
use http::StatusCode;

use crate::support::Env;

fn fetches(env: &Env) -> (usize, usize) {
    (
        env.issuer.request_count(Endpoint::Discovery),
        env.issuer.request_count(Endpoint::Jwks),
    )
}

#[tokio::test]
async fn after_warm_up_the_first_request_fetches_nothing() {
    let env = Env::start().await;
    let api = env.client();
    api.warm_up().await.unwrap();
    assert_eq!(fetches(&env), (1, 1));
    api.verify_access_token(&env.token()).await.unwrap();
    assert_eq!(fetches(&env), (1, 1), "the first request fetched");
}

#[tokio::test]
async fn warm_up_names_the_issuer_and_its_failing_discovery() {
    let env = Env::start().await;
    env.issuer.set_fault(
        Endpoint::Discovery,
        Fault::status(StatusCode::SERVICE_UNAVAILABLE),
    );
    let err = env.client().warm_up().await.unwrap_err();
    assert_eq!(err.stage(), WarmUpStage::Discovery);
    assert_eq!(err.issuer(), env.issuer.issuer_url());
    let message = err.to_string();
    assert!(
        message.contains(env.issuer.issuer_url()) && message.contains("discovery document"),
        "{message}"
    );
    assert!(message.contains("503"), "{message}");
}

#[tokio::test]
async fn warm_up_names_a_failing_key_set() {
    let env = Env::start().await;
    env.issuer.set_fault(Endpoint::Jwks, Fault::garbage_body());
    let err = env.client().warm_up().await.unwrap_err();
    assert_eq!(err.stage(), WarmUpStage::KeySet);
    let message = err.to_string();
    assert!(
        message.contains(env.issuer.issuer_url()) && message.contains("JWKS"),
        "{message}"
    );
}

#[tokio::test]
async fn warm_up_loads_every_listed_domain() {
    let env = Env::start().await;
    let other = Env::start().await;
    let api = ApiClient::new(
        env.options()
            .domains([env.issuer.issuer_url(), other.issuer.issuer_url()]),
    )
    .unwrap();
    api.warm_up().await.unwrap();
    assert_eq!(fetches(&env), (1, 1));
    assert_eq!(fetches(&other), (1, 1));
}

#[tokio::test]
async fn warm_up_names_a_key_set_without_a_key_for_the_allowed_algorithms() {
    // The issuer publishes its key for RS256; the API accepts only PS256.
    let env = Env::start().await;
    let api = ApiClient::new(env.options().algorithms([auth0_api::Algorithm::Ps256])).unwrap();
    let err = api.warm_up().await.unwrap_err();
    assert_eq!(err.stage(), WarmUpStage::NoUsableKey);
    assert!(
        err.to_string().contains("no key for an allowed algorithm"),
        "{err}"
    );
}

#[derive(Debug)]
struct Anyone;

#[async_trait::async_trait]
impl auth0_api::DomainsResolver for Anyone {
    async fn allowed_domains(
        &self,
        context: &auth0_api::ResolverContext<'_>,
    ) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(vec![context.unverified_iss().to_owned()])
    }
}

#[tokio::test]
async fn with_a_resolver_warm_up_loads_only_the_home_domain() {
    let env = Env::start().await;
    let resolved_only = ApiClient::new(
        auth0_api::ApiClientOptions::for_audience(env.issuer.audience())
            .domains_resolver(std::sync::Arc::new(Anyone)),
    )
    .unwrap();
    resolved_only.warm_up().await.unwrap();
    assert_eq!(fetches(&env), (0, 0), "nothing is known to load");
    let with_home =
        ApiClient::new(env.options().domains_resolver(std::sync::Arc::new(Anyone))).unwrap();
    with_home.warm_up().await.unwrap();
    assert_eq!(fetches(&env), (1, 1));
}
