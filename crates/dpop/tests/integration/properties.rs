//! Property tests: no header value, method or URL makes the verifier panic,
//! and nothing unsigned or mis-signed is ever accepted.

use dpop::Request;
use jose_core::base64url;
use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::support::{Env, URL};

/// Arbitrary JSON, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,24}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(".{0,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Values for the members a verifier looks at: sometimes right, often not.
fn member(name: &'static str, right: Value) -> impl Strategy<Value = Option<(String, Value)>> {
    prop_oneof![
        2 => Just(Some((name.to_owned(), right))),
        1 => Just(None),
        1 => json_value().prop_map(move |v| Some((name.to_owned(), v))),
    ]
}

fn object(members: Vec<Option<(String, Value)>>) -> Map<String, Value> {
    members.into_iter().flatten().collect()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_header_values_never_panic(
        values in prop::collection::vec(any::<String>(), 0..3),
        method in any::<String>(),
        url in any::<String>(),
    ) {
        let env = Env::new();
        let proofs: Vec<&str> = values.iter().map(String::as_str).collect();
        let result = env.verify_request(&Request::new(&proofs, &method, &url));
        prop_assert!(result.is_err());
    }

    #[test]
    fn jws_shaped_garbage_never_panics(
        value in "[A-Za-z0-9_\\-.,= ]{0,300}",
    ) {
        let env = Env::new();
        prop_assert!(env.verify(&value).is_err());
    }

    #[test]
    fn well_encoded_unsigned_segments_never_pass(
        header in prop::collection::vec(any::<u8>(), 0..200),
        payload in prop::collection::vec(any::<u8>(), 0..200),
        signature in prop::collection::vec(any::<u8>(), 0..80),
    ) {
        let env = Env::new();
        let proof = format!(
            "{}.{}.{}",
            base64url::encode(&header),
            base64url::encode(&payload),
            base64url::encode(&signature),
        );
        prop_assert!(env.verify(&proof).is_err());
    }

    #[test]
    fn signed_proofs_with_arbitrary_members_never_panic(
        typ in member("typ", "dpop+jwt".into()),
        alg in member("alg", "ES256".into()),
        jti in member("jti", "id".into()),
        htm in member("htm", "GET".into()),
        htu in member("htu", URL.into()),
        iat in member("iat", crate::support::NOW.into()),
        extra in member("nonce", "n".into()),
        jwk_is_right in any::<bool>(),
        jwk in json_value(),
    ) {
        let env = Env::new();
        let mut header = object(vec![typ, alg]);
        let jwk = if jwk_is_right { env.key.public_jwk().to_value() } else { jwk };
        header.insert("jwk".into(), jwk);
        let claims = object(vec![jti, htm, htu, iat, extra]);
        let proof = env.sign(&header, &claims);
        match env.verify(&proof) {
            // accepted only if every checked member is exactly right
            Ok(verified) => {
                prop_assert_eq!(header.get("typ"), Some(&Value::from("dpop+jwt")));
                prop_assert_eq!(verified.htm(), "GET");
                prop_assert_eq!(verified.jkt(), env.key.thumbprint());
            }
            Err(err) => prop_assert!(err.is_proof_error(), "{:?}", err),
        }
    }
}
