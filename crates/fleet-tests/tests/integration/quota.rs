//! One key flooding the fleet with valid proofs is refused on its own.

use reqwest::StatusCode;

use crate::support::{Config, Fleet};

#[tokio::test]
async fn a_key_past_its_share_is_refused_alone_while_another_keeps_being_served() {
    const SHARE: usize = 20;
    let fleet = Fleet::start_with(Config {
        max_proofs_per_key: Some(SHARE),
        ..Config::default()
    })
    .await;
    let (abuser_key, abuser_token) = fleet.dpop_user("auth0|mallory");
    let (user_key, user_token) = fleet.dpop_user("auth0|alice");

    // Each round the abuser sends five proofs and the user one: the user
    // stays within its share, the abuser goes five times past it.
    let mut refused = 0;
    for round in 0..SHARE {
        for i in 0..5 {
            let sent = round * 5 + i;
            let proof = fleet.proof(&abuser_key, &abuser_token);
            let reply = fleet.dpop(sent % 3, &abuser_token, &proof).await;
            if sent < SHARE {
                assert_eq!(reply.status, StatusCode::OK, "proof {sent}: {reply:?}");
                continue;
            }
            assert_eq!(
                reply.status,
                StatusCode::TOO_MANY_REQUESTS,
                "proof {sent}: {reply:?}"
            );
            assert_eq!(reply.error(), "rate_limited");
            let retry_after: u64 = reply.header("retry-after").unwrap().parse().unwrap();
            assert!((1..=361).contains(&retry_after), "{retry_after}");
            assert!(reply.header("www-authenticate").is_none());
            refused += 1;
        }
        let proof = fleet.proof(&user_key, &user_token);
        let reply = fleet.dpop(round % 3, &user_token, &proof).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "user in round {round}: {reply:?}"
        );
    }
    assert_eq!(refused, SHARE * 4);
}
