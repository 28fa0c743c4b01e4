//! Key rotation, seen through the JWKS a client fetches.

use dev_issuer::{DevIssuer, RotateMode};
use jose_core::{Error, KeyError};

use crate::support::{block_on, fetch_keys, header_of, verify, verify_with};

#[test]
fn keep_old_publishes_both_keys_so_old_tokens_still_verify() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        let old_kid = issuer.current_kid();
        let old_token = issuer.token().sign().unwrap();
        let keys_before = fetch_keys(&issuer).await;

        let new_kid = issuer.rotate_keys(RotateMode::KeepOld).unwrap();
        assert_ne!(new_kid, old_kid);
        assert_eq!(issuer.current_kid(), new_kid);
        let new_token = issuer.token().sign().unwrap();
        assert_eq!(header_of(&new_token)["kid"], new_kid);

        let keys = fetch_keys(&issuer).await;
        assert!(keys.contains_kid(&old_kid) && keys.contains_kid(&new_kid));
        verify_with(&issuer, &keys, &old_token, issuer.audience()).unwrap();
        verify_with(&issuer, &keys, &new_token, issuer.audience()).unwrap();

        // A client still holding the old JWKS meets an unknown kid: the
        // signal to refetch.
        assert!(matches!(
            verify_with(&issuer, &keys_before, &new_token, issuer.audience()),
            Err(Error::Key(KeyError::UnknownKid { .. }))
        ));
    });
}

#[test]
fn drop_old_revokes_the_old_key_at_once() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        let old_token = issuer.token().sign().unwrap();
        issuer.rotate_keys(RotateMode::KeepOld).unwrap();
        let middle_token = issuer.token().sign().unwrap();
        let new_kid = issuer.rotate_keys(RotateMode::DropOld).unwrap();

        let jwks = issuer.jwks();
        let kids: Vec<&str> = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap())
            .collect();
        assert_eq!(kids, [new_kid.as_str()]);
        for token in [&old_token, &middle_token] {
            assert!(matches!(
                verify(&issuer, token).await,
                Err(Error::Key(KeyError::UnknownKid { .. }))
            ));
        }
        verify(&issuer, &issuer.token().sign().unwrap())
            .await
            .unwrap();
    });
}

#[test]
fn tokens_from_the_token_endpoint_follow_the_rotation() {
    block_on(async {
        let issuer = DevIssuer::start().await.unwrap();
        let new_kid = issuer.rotate_keys(RotateMode::DropOld).unwrap();
        let reply = crate::support::client_credentials().send(&issuer).await;
        let token = reply.body["access_token"].as_str().unwrap().to_owned();
        assert_eq!(header_of(&token)["kid"], new_kid);
        verify(&issuer, &token).await.unwrap();
    });
}
