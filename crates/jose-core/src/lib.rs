/*!
Strict JOSE for verifying access tokens and DPoP proofs.

`jose-core` parses compact JWS (RFC 7515) as strictly as the specifications
allow, converts JWKs (RFC 7517) and PEM public keys into ready-to-verify keys
once, verifies **RS256**, **PS256** and **ES256** signatures with [ring]
(and **HS256**, only with a configured secret: [`Jwt::verify_hmac`]), computes RFC 7638 thumbprints
and validates JWT claims (RFC 7519). It does no I/O and has no async runtime:
fetching and caching keys is `oidc-discovery`'s job, DPoP is `dpop`'s.

What "strict" means here:

- the token length is capped before anything is decoded ([`Limits`]);
- exactly three segments; a five-segment JWE is named as such;
- base64url without padding, whitespace or non-canonical trailing bits;
- header and payload are JSON objects, with duplicate member names refused at
  every depth and nesting bounded;
- `crit`, `b64` and nested `cty: JWT` are refused; `jwk`, `jku`, `x5u` and
  `x5c` are never used to find a key;
- only algorithms on the caller's allowlist, which can only name RS256,
  PS256, ES256 and HS256, and the key's type (never the token) decides what
  it verifies: a public key never verifies HS256, only a configured secret
  does;
- RSA moduli of 2048 to 8192 bits, P-256 points checked to be on the curve;
- numeric claims of the wrong JSON type are errors, never "absent".

Unverified and verified claims have different types. A [`Jwt`]'s claims
are [`Jwt::unverified_claims`], for choosing how to verify it (its `iss`
names the issuer whose keys to fetch); [`Jwt::verify`] consumes it and
returns a [`VerifiedJwt`], and [`Validation::validate`] accepts nothing
else, so a claim set whose signature was never checked cannot be validated
by mistake.

# Example

The whole pipeline for an access token. Keys are converted once, when the
JWKS is fetched; each request then costs a parse, a key lookup, one
signature check and the claim rules.

```
use jose_core::{Algorithm, Jwt, KeySet, Validation};
use serde_json::{Map, Value};

fn verify(
    keys: &KeySet,
    validation: &Validation,
    token: &str,
) -> Result<Map<String, Value>, jose_core::Error> {
    let jwt = Jwt::parse(token)?;
    // The allowlist is checked before any key is looked up.
    let alg = jwt.header().algorithm(&[Algorithm::Rs256])?;
    let key = keys.select(jwt.header().kid(), alg)?;
    // Only a verified token can be validated.
    let verified = jwt.verify(key, &[alg])?;
    validation.validate(&verified)?;
    Ok(verified.into_claims())
}

let keys = KeySet::from_slice(br#"{"keys":[]}"#)?;
let validation = Validation::new("https://tenant.example/", "https://api.example");
// A token whose algorithm is "none" never reaches a key.
let err = verify(&keys, &validation, "eyJhbGciOiJub25lIn0.e30.").unwrap_err();
assert!(matches!(err, jose_core::Error::Header(_)));
# Ok::<(), jose_core::Error>(())
```

[ring]: https://docs.rs/ring
*/

mod alg;
pub use alg::Algorithm;

pub mod base64url;

mod clock;
pub use clock::{Clock, ManualClock, SystemClock};

mod error;
pub use error::{ClaimsError, Error, FormatError, HeaderError, KeyError, Part, SignatureError};

mod excerpt;
pub use excerpt::{EXCERPT_LEN, excerpt};

mod json;

mod jwk;
pub use jwk::{Jwk, JwkSet, KeySet, RejectedKey, VerifyingKey};

mod jws;
pub use jws::{HMAC_MIN_SECRET_LEN, Header, Jws, Limits};

mod jwt;
pub use jwt::{Jwt, VerifiedJwt};

mod validation;
pub use validation::Validation;

#[cfg(test)]
mod testutil;
