//! Published test vectors: RFC 7515 A.2/A.3, RFC 7520 4.1, RFC 7638 3.1 and
//! the RFC 9449 thumbprint and `ath`. Values copied from the RFCs.

use jose_core::{Algorithm, Jwk, Jws, Jwt, KeySet, VerifyingKey, base64url};
use serde_json::json;

const RFC7515_A2_N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
const RFC7515_A2_JWS: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

const RFC7515_A3_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
const RFC7515_A3_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
const RFC7515_A3_JWS: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

const RFC7520_N: &str = "n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw";
const RFC7520_JWS: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg";

const RFC7638_N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

const RFC9449_X: &str = "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs";
const RFC9449_Y: &str = "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA";

fn key(jwk: serde_json::Value) -> VerifyingKey {
    VerifyingKey::from_jwk(&Jwk::from_value(&jwk).unwrap()).unwrap()
}

#[test]
fn rfc7515_a2_rs256_verifies() {
    let key = key(json!({"kty": "RSA", "n": RFC7515_A2_N, "e": "AQAB"}));
    let jwt = Jwt::parse(RFC7515_A2_JWS).unwrap();
    let verified = jwt.verify(&key, &[Algorithm::Rs256]).unwrap();
    assert_eq!(verified.algorithm(), Algorithm::Rs256);
    assert_eq!(verified.claims()["iss"], "joe");
    assert_eq!(verified.claims()["exp"], 1_300_819_380);
    // one changed signature character fails
    let at = RFC7515_A2_JWS.rfind('.').unwrap() + 10;
    let mut tampered = RFC7515_A2_JWS.to_owned();
    let replacement = if &tampered[at..=at] == "A" { "B" } else { "A" };
    tampered.replace_range(at..=at, replacement);
    let tampered = Jwt::parse(&tampered).unwrap();
    assert!(tampered.verify(&key, &[Algorithm::Rs256]).is_err());
}

#[test]
fn rfc7515_a3_es256_verifies() {
    let key = key(json!({"kty": "EC", "crv": "P-256", "x": RFC7515_A3_X, "y": RFC7515_A3_Y}));
    let jwt = Jwt::parse(RFC7515_A3_JWS).unwrap();
    // the same key never verifies an RS256 claim, whatever the allowlist
    assert!(jwt.clone().verify(&key, &[Algorithm::Rs256]).is_err());
    assert_eq!(
        jwt.verify(&key, &[Algorithm::Es256]).unwrap().algorithm(),
        Algorithm::Es256
    );
}

#[test]
fn rfc7520_4_1_verifies_through_a_key_set() {
    let jwks = json!({"keys": [{
        "kty": "RSA", "kid": "bilbo.baggins@hobbiton.example", "use": "sig",
        "n": RFC7520_N, "e": "AQAB",
    }]});
    let keys = KeySet::from_slice(jwks.to_string().as_bytes()).unwrap();
    let jws = Jws::parse(RFC7520_JWS).unwrap();
    let key = keys.select(jws.header().kid(), Algorithm::Rs256).unwrap();
    jws.verify(key, &[Algorithm::Rs256]).unwrap();
    assert!(
        jws.payload()
            .starts_with("It\u{2019}s a dangerous business".as_bytes())
    );
    // the payload is prose, so it is not a JWT
    assert!(Jwt::parse(RFC7520_JWS).is_err());
}

#[test]
fn rfc7638_3_1_thumbprint() {
    let key = key(json!({
        "kty": "RSA", "n": RFC7638_N, "e": "AQAB", "alg": "RS256", "kid": "2011-04-29",
    }));
    assert_eq!(
        key.thumbprint(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
}

#[test]
fn rfc9449_jkt_and_ath() {
    let key = key(json!({"kty": "EC", "x": RFC9449_X, "y": RFC9449_Y, "crv": "P-256"}));
    assert_eq!(
        key.thumbprint(),
        "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
    );
    let digest = ring::digest::digest(
        &ring::digest::SHA256,
        b"Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU",
    );
    assert_eq!(
        base64url::encode(digest.as_ref()),
        "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
    );
}
