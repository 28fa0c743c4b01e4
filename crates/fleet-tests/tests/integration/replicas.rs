//! What one replica accepted, the others know.

use std::collections::HashMap;
use std::sync::Arc;

use dev_issuer::Endpoint;
use reqwest::StatusCode;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::support::{Config, Fleet, within};

#[tokio::test]
async fn a_proof_accepted_by_one_replica_is_refused_by_the_others() {
    let fleet = Fleet::start().await;
    let (key, token) = fleet.dpop_user("auth0|alice");
    let proof = fleet.proof(&key, &token);

    let first = fleet.dpop(0, &token, &proof).await;
    assert_eq!(first.status, StatusCode::OK, "{first:?}");
    assert_eq!(first.body["sub"], "auth0|alice");
    for replica in [1, 2] {
        let again = fleet.dpop(replica, &token, &proof).await;
        assert_eq!(again.status, StatusCode::UNAUTHORIZED, "{again:?}");
        assert_eq!(again.error(), "invalid_dpop_proof");
        assert!(
            again.description().contains("already been used"),
            "{again:?}"
        );
    }
}

#[tokio::test]
async fn a_thousand_proofs_sent_twice_across_the_fleet_are_each_accepted_once() {
    const PROOFS: usize = 1_000;
    let fleet = Arc::new(Fleet::start().await);
    let (key, token) = fleet.dpop_user("auth0|alice");
    let token = Arc::new(token);
    let proofs: Vec<Arc<String>> = (0..PROOFS)
        .map(|_| Arc::new(fleet.proof(&key, &token)))
        .collect();

    // Every proof twice, the copies on different replicas, all in flight
    // together (64 at a time, as a load balancer's connection pool would).
    let gate = Arc::new(Semaphore::new(64));
    let mut sends = JoinSet::new();
    for copy in 0..2 {
        for (i, proof) in proofs.iter().enumerate() {
            let (fleet, token, proof, gate) =
                (fleet.clone(), token.clone(), proof.clone(), gate.clone());
            sends.spawn(async move {
                let _permit = gate.acquire().await.unwrap();
                let replica = (i + copy) % 3;
                (i, fleet.dpop(replica, &token, &proof).await)
            });
        }
    }
    let mut accepted: HashMap<usize, usize> = HashMap::new();
    let mut refused = 0;
    while let Some(joined) = within(sends.join_next()).await {
        let (i, reply) = joined.unwrap();
        match reply.status {
            StatusCode::OK => *accepted.entry(i).or_default() += 1,
            StatusCode::UNAUTHORIZED if reply.error() == "invalid_dpop_proof" => refused += 1,
            _ => panic!("proof {i}: {reply:?}"),
        }
    }
    assert_eq!(accepted.len(), PROOFS, "every proof was accepted once");
    assert!(accepted.values().all(|&n| n == 1), "and only once");
    assert_eq!(refused, PROOFS, "every copy was refused as a replay");
}

#[tokio::test]
async fn a_nonce_issued_by_one_replica_is_accepted_by_another() {
    let fleet = Fleet::start_with(Config {
        nonces: true,
        ..Config::default()
    })
    .await;
    let (key, token) = fleet.dpop_user("auth0|alice");

    let without = fleet.dpop(0, &token, &fleet.proof(&key, &token)).await;
    assert_eq!(without.status, StatusCode::UNAUTHORIZED);
    assert_eq!(without.error(), "use_dpop_nonce");
    let nonce = without.header("dpop-nonce").unwrap().to_owned();

    for replica in [1, 2] {
        let proof = fleet.proof_with_nonce(&key, &token, &nonce);
        let reply = fleet.dpop(replica, &token, &proof).await;
        assert_eq!(reply.status, StatusCode::OK, "replica {replica}: {reply:?}");
    }
}

#[tokio::test]
async fn the_fleet_fetches_discovery_and_jwks_once() {
    let fleet = Fleet::start().await;
    // Starting the fleet sent one DPoP request to replica 0, which fetched
    // and stored the documents in Redis.
    let token = fleet.issuer.token().sub("auth0|alice").sign().unwrap();
    for replica in [0, 1, 2, 2, 1, 0] {
        let reply = fleet.bearer(replica, &token).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    }
    assert_eq!(fleet.issuer.request_count(Endpoint::Discovery), 1);
    assert_eq!(fleet.issuer.request_count(Endpoint::Jwks), 1);
}
