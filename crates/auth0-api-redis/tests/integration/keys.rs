//! What reaches Redis: namespaced keys, hashes instead of attacker text.

use std::time::Duration;

use dpop::ReplayCache as _;
use oidc_discovery::{DocumentStore as _, StoredDocument};

use crate::support::{Env, expires_at, within};

#[tokio::test]
async fn redis_holds_no_attacker_text_only_namespaced_hashes() {
    let env = Env::start().await;
    let cache = env.replay_cache(100);
    env.open_generation(&cache).await;
    let jkt = "ATTACKER-JKT-\r\nFLUSHALL-*-{slot}";
    let jti = "ATTACKER-JTI-\u{0}-ZZZ";
    let url = "https://attacker.example/ATTACKER-URL";
    within(cache.check_and_store(jkt, jti, expires_at(env.now())))
        .await
        .unwrap();
    let document = StoredDocument::new(b"{}".to_vec(), Duration::from_secs(env.now() + 60));
    within(env.redis.document_store().put(url, document))
        .await
        .unwrap();
    within(env.redis.nonce_secrets()).await.unwrap();

    let keys = env.all_keys().await;
    assert_eq!(keys.len(), 4, "{keys:?}");
    for key in &keys {
        assert!(key.starts_with("test:"), "{key}");
        assert!(
            !key.contains("ATTACKER") && !key.contains("attacker"),
            "{key}"
        );
        let (_, last) = key.rsplit_once(':').unwrap();
        let hashed = last.len() == 64 && last.bytes().all(|b| b.is_ascii_hexdigit());
        assert!(hashed || ["generation", "current"].contains(&last), "{key}");
    }

    // Nor in the values: the proof is a 32-byte hash in its set.
    let mut raw = env.raw().await;
    let set = keys.iter().find(|k| k.contains(":dpop:k:")).unwrap();
    let members: Vec<Vec<u8>> = redis::cmd("ZRANGE")
        .arg(set)
        .arg(0)
        .arg(-1)
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].len(), 32);
    assert!(!members[0].windows(8).any(|w| w == b"ATTACKER"));
}
