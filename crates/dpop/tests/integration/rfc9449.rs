//! The examples of RFC 9449 verify at their `iat`, and the example `jkt`
//! and `ath` values are reproduced. Values copied from the RFC (sections
//! 4.1, 5, 5.2 and 7.1).

use std::sync::Arc;
use std::time::Duration;

use dpop::{Error, InMemoryReplayCache, Request, Verifier, access_token_hash};
use jose_core::{Jwk, ManualClock, VerifyingKey};
use serde_json::json;

use crate::support::block_on;

const X: &str = "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs";
const Y: &str = "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA";
const JKT: &str = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
const ACCESS_TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
const ATH: &str = "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo";

/// Section 4.1 / 5: the token request proof, iat 1562262616.
const TOKEN_REQUEST: &str = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg";
const TOKEN_REQUEST_IAT: u64 = 1_562_262_616;

/// Section 5.2: the refresh proof, iat 1562265296 (same `jti` as above).
const REFRESH: &str = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjY1Mjk2fQ.pAqut2IRDm_De6PR93SYmGBPXpwrAk90e8cP2hjiaG5QsGSuKDYW7_X620BxqhvYC8ynrrvZLTk41mSRroapUA";
const REFRESH_IAT: u64 = 1_562_265_296;

/// Section 7.1: the resource request proof with `ath`, iat 1562262618.
const RESOURCE: &str = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIjoiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxlLm9yZy9wcm90ZWN0ZWRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNFc05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9.2oW9RP35yRqzhrtNP86L-Ey71EOptxRimPPToA1plemAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA";
const RESOURCE_IAT: u64 = 1_562_262_618;

fn verifier_at(clock: &Arc<ManualClock>) -> Verifier {
    Verifier::builder().clock(clock.clone()).build()
}

#[test]
fn example_jkt_and_ath_are_reproduced() {
    let jwk = Jwk::from_value(&json!({"kty": "EC", "crv": "P-256", "x": X, "y": Y})).unwrap();
    assert_eq!(VerifyingKey::from_jwk(&jwk).unwrap().thumbprint(), JKT);
    assert_eq!(access_token_hash(ACCESS_TOKEN), ATH);
}

#[test]
fn token_request_proof_verifies_at_its_iat() {
    let clock = Arc::new(ManualClock::at_unix_seconds(TOKEN_REQUEST_IAT));
    let proofs = [TOKEN_REQUEST];
    let request =
        Request::new(&proofs, "POST", "https://server.example.com/token").expected_jkt(JKT);
    let proof = block_on(verifier_at(&clock).verify(&request)).unwrap();
    assert_eq!(proof.jkt(), JKT);
    assert_eq!(proof.jti(), "-BwC3ESc6acc2lTc");
    assert_eq!(proof.htm(), "POST");
    assert_eq!(proof.htu(), "https://server.example.com/token");
    assert_eq!(proof.iat(), 1_562_262_616);
    assert_eq!(proof.nonce(), None);
}

#[test]
fn refresh_proof_verifies_at_its_iat() {
    let clock = Arc::new(ManualClock::at_unix_seconds(REFRESH_IAT));
    let proofs = [REFRESH];
    let request = Request::new(&proofs, "POST", "https://server.example.com/token");
    let proof = block_on(verifier_at(&clock).verify(&request)).unwrap();
    assert_eq!(proof.jkt(), JKT);
    assert_eq!(proof.iat(), 1_562_265_296);
}

#[test]
fn resource_proof_verifies_with_the_example_access_token() {
    let clock = Arc::new(ManualClock::at_unix_seconds(RESOURCE_IAT));
    let proofs = [RESOURCE];
    let request = Request::new(
        &proofs,
        "GET",
        "https://resource.example.org/protectedresource",
    )
    .access_token(ACCESS_TOKEN)
    .expected_jkt(JKT);
    let proof = block_on(verifier_at(&clock).verify(&request)).unwrap();
    assert_eq!(proof.claims()["ath"], ATH);
    assert_eq!(proof.jkt(), JKT);
}

#[test]
fn resource_proof_fails_with_another_access_token() {
    let clock = Arc::new(ManualClock::at_unix_seconds(RESOURCE_IAT));
    let proofs = [RESOURCE];
    let request = Request::new(
        &proofs,
        "GET",
        "https://resource.example.org/protectedresource",
    )
    .access_token("another-token");
    let err = block_on(verifier_at(&clock).verify(&request)).unwrap_err();
    assert!(matches!(err, Error::AthMismatch), "{err:?}");
}

#[test]
fn example_proofs_fail_long_after_their_iat() {
    // the examples are from 2019: with the system clock they are far too old
    let proofs = [TOKEN_REQUEST];
    let request = Request::new(&proofs, "POST", "https://server.example.com/token");
    let err = block_on(Verifier::new().verify(&request)).unwrap_err();
    assert!(matches!(err, Error::IatTooOld { .. }), "{err:?}");
}

#[test]
fn token_and_refresh_proofs_share_a_jti_and_both_pass_a_replay_cache() {
    // RFC 9449 reuses the jti "-BwC3ESc6acc2lTc" 2680 s later: by then the
    // first entry has expired, so the cache must have forgotten it.
    let clock = Arc::new(ManualClock::at_unix_seconds(TOKEN_REQUEST_IAT));
    let cache = Arc::new(InMemoryReplayCache::builder().clock(clock.clone()).build());
    let verifier = Verifier::builder()
        .clock(clock.clone())
        .replay_cache(cache.clone())
        .build();
    let verify = |proof: &str| {
        let proofs = [proof];
        let request = Request::new(&proofs, "POST", "https://server.example.com/token");
        block_on(verifier.verify(&request))
    };
    verify(TOKEN_REQUEST).unwrap();
    assert!(matches!(verify(TOKEN_REQUEST), Err(Error::Replayed)));
    clock.advance(Duration::from_secs(REFRESH_IAT - TOKEN_REQUEST_IAT));
    verify(REFRESH).unwrap();
    assert_eq!(cache.len(), 1, "the token request entry expired");
}
