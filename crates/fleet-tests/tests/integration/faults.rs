//! Redis killed under load, and restarted empty.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use dev_issuer::Endpoint;
use reqwest::StatusCode;
use tokio::task::JoinSet;

use crate::support::{Fleet, within};

#[tokio::test]
async fn redis_killed_under_load_fails_dpop_closed_keeps_bearer_and_recovers_empty() {
    let fleet = Arc::new(Fleet::start().await);
    let (key, token) = fleet.dpop_user("auth0|alice");
    let bearer = fleet.issuer.token().sub("auth0|bob").sign().unwrap();

    // Accepted before the outage; must never pass again.
    let before = fleet.proof(&key, &token);
    assert_eq!(fleet.dpop(0, &token, &before).await.status, StatusCode::OK);

    // Load on every replica while Redis goes away.
    let stop = Arc::new(AtomicBool::new(false));
    let mut load = JoinSet::new();
    for replica in 0..3 {
        let (fleet, bearer, stop) = (fleet.clone(), bearer.clone(), stop.clone());
        load.spawn(async move {
            let mut served = 0;
            while !stop.load(Ordering::Relaxed) {
                let reply = fleet.bearer(replica, &bearer).await;
                assert_eq!(
                    reply.status,
                    StatusCode::OK,
                    "Bearer during the outage: {reply:?}"
                );
                served += 1;
            }
            served
        });
    }
    fleet.stop_redis();
    for replica in 0..3 {
        let proof = fleet.proof(&key, &token);
        let reply = fleet.dpop(replica, &token, &proof).await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{reply:?}");
        assert_eq!(reply.error(), "temporarily_unavailable");
        assert!(reply.header("retry-after").is_some(), "{reply:?}");
    }
    stop.store(true, Ordering::Relaxed);
    while let Some(served) = within(load.join_next()).await {
        assert!(served.unwrap() > 0);
    }
    let mut fleet = Arc::into_inner(fleet).unwrap();

    // A replica started during the outage: it cannot read the shared
    // documents, so it fetches them itself, and serves Bearer.
    let fetched = fleet.issuer.request_count(Endpoint::Discovery);
    fleet.add_replica().await;
    let reply = fleet.bearer(3, &bearer).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(fleet.issuer.request_count(Endpoint::Discovery), fetched + 1);
    let reply = fleet.dpop(3, &token, &fleet.proof(&key, &token)).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{reply:?}");

    // Back, empty, on the same port: no replica was restarted.
    fleet.restart_redis();
    for replica in 0..4 {
        let reply = fleet.dpop_once_reconnected(replica, &token, &before).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reply:?}");
        assert_eq!(reply.error(), "invalid_dpop_proof");
    }
    // New proofs pass once the reset is older than the iat leeway.
    fleet.open_replay_window().await;
    let after = fleet.proof(&key, &token);
    assert_eq!(fleet.dpop(1, &token, &after).await.status, StatusCode::OK);
    assert_eq!(
        fleet.dpop(2, &token, &after).await.status,
        StatusCode::UNAUTHORIZED
    );
}
