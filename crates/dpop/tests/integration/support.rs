//! Shared helpers: a fixed clock, a key, a verifier, and proofs that differ
//! from a valid one in exactly the way a test says.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};

use dpop::{Error, ProofKey, Request, VerifiedProof, Verifier, VerifierBuilder};
use jose_core::{ManualClock, base64url};
use serde_json::{Map, Value, json};

/// The verifier's "now" in most tests.
pub(crate) const NOW: i64 = 1_700_000_000;
/// The request URL in most tests.
pub(crate) const URL: &str = "https://api.example.com/resource";

/// Runs a future that is ready on its first poll (no cache, or the
/// in-memory one). The crate needs no executor, so the tests bring none.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the future waited; these tests use no executor"),
    }
}

/// A key, a manual clock at [`NOW`] and a verifier on that clock.
pub(crate) struct Env {
    pub(crate) key: ProofKey,
    pub(crate) clock: Arc<ManualClock>,
    pub(crate) verifier: Verifier,
}

impl Env {
    /// The default verifier.
    pub(crate) fn new() -> Self {
        Self::with(|_| {})
    }

    /// A verifier with the defaults changed by `configure` (the clock is set
    /// afterwards, so `configure` may not replace it).
    pub(crate) fn with(configure: impl FnOnce(&mut VerifierBuilder)) -> Self {
        let clock = Arc::new(ManualClock::at_unix_seconds(NOW as u64));
        let mut builder = Verifier::builder();
        configure(&mut builder);
        builder.clock(clock.clone());
        Self {
            key: ProofKey::generate().unwrap(),
            clock,
            verifier: builder.build(),
        }
    }

    /// The clock's time in Unix seconds.
    pub(crate) fn now(&self) -> i64 {
        jose_core::Clock::unix_seconds(&*self.clock)
    }

    /// The header `ProofBuilder` would write.
    pub(crate) fn header(&self) -> Map<String, Value> {
        self.key.dangerous().standard_header()
    }

    /// Valid claims for `GET` [`URL`] at [`NOW`], with a fresh `jti`.
    pub(crate) fn claims(&self) -> Map<String, Value> {
        let json = json!({
            "jti": fresh_jti(),
            "htm": "GET",
            "htu": URL,
            "iat": NOW,
        });
        json.as_object().unwrap().clone()
    }

    /// A proof signed by this env's key.
    pub(crate) fn sign(&self, header: &Map<String, Value>, claims: &Map<String, Value>) -> String {
        sign_with(&self.key, header, claims)
    }

    /// A valid proof, changed by the two closures before signing.
    pub(crate) fn proof(
        &self,
        edit_header: impl FnOnce(&mut Map<String, Value>),
        edit_claims: impl FnOnce(&mut Map<String, Value>),
    ) -> String {
        let mut header = self.header();
        let mut claims = self.claims();
        edit_header(&mut header);
        edit_claims(&mut claims);
        self.sign(&header, &claims)
    }

    /// A valid proof with only the claims changed.
    pub(crate) fn proof_with_claims(&self, edit: impl FnOnce(&mut Map<String, Value>)) -> String {
        self.proof(|_| {}, edit)
    }

    /// A valid proof with only the header changed.
    pub(crate) fn proof_with_header(&self, edit: impl FnOnce(&mut Map<String, Value>)) -> String {
        self.proof(edit, |_| {})
    }

    /// Verifies `proof` as the only `DPoP` header of `GET` [`URL`].
    pub(crate) fn verify(&self, proof: &str) -> Result<VerifiedProof, Error> {
        let proofs = [proof];
        self.verify_request(&Request::new(&proofs, "GET", URL))
    }

    /// Verifies an arbitrary request.
    pub(crate) fn verify_request(&self, request: &Request<'_>) -> Result<VerifiedProof, Error> {
        block_on(self.verifier.verify(request))
    }
}

/// Signs `header` and `claims` with `key`.
pub(crate) fn sign_with(
    key: &ProofKey,
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
) -> String {
    key.dangerous()
        .sign_json(
            &Value::Object(header.clone()),
            &Value::Object(claims.clone()),
        )
        .unwrap()
}

/// A `jti` never used before in this test run.
pub(crate) fn fresh_jti() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("jti-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The proof with its signature replaced by `edit(signature bytes)`.
pub(crate) fn with_signature(proof: &str, edit: impl FnOnce(Vec<u8>) -> Vec<u8>) -> String {
    let (input, signature) = proof.rsplit_once('.').unwrap();
    let signature = edit(base64url::decode(signature).unwrap());
    format!("{input}.{}", base64url::encode(&signature))
}

/// The order of the P-256 group, big-endian.
const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// `(r, s)` turned into `(r, n - s)`: the other valid signature of the same
/// message. Exactly one of the two has a "high" `s`.
pub(crate) fn negate_s(signature: Vec<u8>) -> Vec<u8> {
    let mut out = signature[..32].to_vec();
    let s = &signature[32..];
    let mut diff = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(P256_N[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        diff[i] = d as u8;
    }
    out.extend_from_slice(&diff);
    out
}

/// Whether `s` (the second half of a raw signature) is above n / 2.
pub(crate) fn is_high_s(signature: &[u8]) -> bool {
    // n / 2 rounded down, big-endian
    const HALF_N: [u8; 32] = [
        0x7f, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xde, 0x73, 0x7d, 0x56, 0xd3, 0x8b, 0xcf, 0x42, 0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31,
        0x92, 0xa8,
    ];
    signature[32..] > HALF_N[..]
}

/// A raw `r || s` signature in ASN.1 DER, as other ECDSA APIs produce it.
pub(crate) fn to_der(signature: Vec<u8>) -> Vec<u8> {
    fn integer(bytes: &[u8]) -> Vec<u8> {
        let first = bytes
            .iter()
            .position(|b| *b != 0)
            .unwrap_or(bytes.len() - 1);
        let mut value = bytes[first..].to_vec();
        if value[0] & 0x80 != 0 {
            value.insert(0, 0);
        }
        let mut out = vec![0x02, value.len() as u8];
        out.extend(value);
        out
    }
    let mut body = integer(&signature[..32]);
    body.extend(integer(&signature[32..]));
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}
