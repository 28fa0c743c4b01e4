//! Check 9: `htu` against the request URL, after WHATWG normalisation plus
//! percent-encoding normalisation, ignoring query and fragment.

use dpop::{Error, Request};
use serde_json::json;

use crate::support::Env;

/// Verifies a proof whose `htu` is `htu` for a `GET` of `request_url`.
fn check(htu: &str, request_url: &str) -> Result<dpop::VerifiedProof, Error> {
    let env = Env::new();
    let proof = env.proof_with_claims(|c| {
        c.insert("htu".into(), htu.into());
    });
    let proofs = [proof.as_str()];
    env.verify_request(&Request::new(&proofs, "GET", request_url))
}

fn assert_passes(htu: &str, request_url: &str) {
    if let Err(err) = check(htu, request_url) {
        panic!("{htu} vs {request_url}: {err:?}");
    }
}

fn assert_mismatch(htu: &str, request_url: &str) {
    match check(htu, request_url) {
        Err(Error::UrlMismatch { .. }) => {}
        other => panic!("{htu} vs {request_url}: {other:?}"),
    }
}

const R: &str = "https://api.example.com/resource";

#[test]
fn a_different_path_fails() {
    assert_mismatch("https://api.example.com/other", R);
    assert_mismatch("https://api.example.com/Resource", R);
}

#[test]
fn an_upper_case_host_passes() {
    assert_passes("https://API.EXAMPLE.COM/resource", R);
    assert_passes(R, "https://Api.Example.Com/resource");
    assert_passes("HTTPS://api.example.com/resource", R);
}

#[test]
fn a_trailing_slash_fails() {
    assert_mismatch("https://api.example.com/resource/", R);
    assert_mismatch(R, "https://api.example.com/resource/");
}

#[test]
fn a_different_query_passes() {
    assert_passes(
        "https://api.example.com/resource?a=1",
        "https://api.example.com/resource?b=2",
    );
    assert_passes(R, "https://api.example.com/resource?b=2");
}

#[test]
fn an_explicit_default_port_passes() {
    assert_passes("https://api.example.com:443/resource", R);
    assert_passes(
        "http://api.example.com:80/resource",
        "http://api.example.com/resource",
    );
}

#[test]
fn another_port_or_scheme_fails() {
    assert_mismatch("https://api.example.com:8443/resource", R);
    assert_mismatch("http://api.example.com/resource", R);
    assert_mismatch(
        "https://api.example.com:443/resource",
        "https://api.example.com:8443/resource",
    );
}

#[test]
fn a_fragment_passes() {
    assert_passes("https://api.example.com/resource#section", R);
    assert_passes(R, "https://api.example.com/resource#x");
}

#[test]
fn ipv6_hosts_compare_in_canonical_form() {
    assert_passes("https://[0:0:0:0:0:0:0:1]:8443/r", "https://[::1]:8443/r");
    assert_passes("https://[2001:DB8::1]/r", "https://[2001:db8:0::1]/r");
    assert_mismatch("https://[::2]:8443/r", "https://[::1]:8443/r");
}

#[test]
fn percent_encoded_paths_compare_after_normalisation() {
    // escapes of unreserved characters and their characters are the same
    assert_passes(
        "https://api.example.com/%7Euser",
        "https://api.example.com/~user",
    );
    // hex digits in any case; non-ASCII as its UTF-8 escapes
    assert_passes(
        "https://api.example.com/caf%c3%a9",
        "https://api.example.com/caf%C3%A9",
    );
    assert_passes(
        "https://api.example.com/café",
        "https://api.example.com/caf%C3%A9",
    );
    // an escaped reserved character keeps its meaning
    assert_mismatch(
        "https://api.example.com/a%2Fb",
        "https://api.example.com/a/b",
    );
}

#[test]
fn dot_segments_are_resolved() {
    assert_passes("https://api.example.com/x/../resource", R);
    assert_passes("https://api.example.com/./resource", R);
}

#[test]
fn idn_hosts_compare_as_punycode() {
    assert_passes(
        "https://bücher.example/r",
        "https://xn--bcher-kva.example/r",
    );
}

#[test]
fn htu_that_is_not_an_absolute_http_url_is_rejected() {
    for htu in [
        "/resource",
        "api.example.com/resource",
        "ftp://api.example.com/resource",
        "https://user:pw@api.example.com/resource",
        "",
    ] {
        match check(htu, R) {
            Err(Error::InvalidHtu) => {}
            other => panic!("{htu:?}: {other:?}"),
        }
    }
}

#[test]
fn htu_missing_or_not_a_string_is_rejected() {
    let env = Env::new();
    let missing = env.proof_with_claims(|c| {
        c.remove("htu");
    });
    let err = env.verify(&missing).unwrap_err();
    assert!(
        matches!(err, Error::MissingClaim { claim: "htu" }),
        "{err:?}"
    );
    let number = env.proof_with_claims(|c| {
        c.insert("htu".into(), json!(443));
    });
    let err = env.verify(&number).unwrap_err();
    assert!(
        matches!(err, Error::InvalidClaim { claim: "htu", .. }),
        "{err:?}"
    );
}

#[test]
fn mismatch_error_names_both_urls_without_query() {
    let err = check(
        "https://api.example.com/other?secret=1",
        "https://api.example.com/resource?secret=2",
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("https://api.example.com/other"), "{text}");
    assert!(text.contains("https://api.example.com/resource"), "{text}");
    assert!(!text.contains("secret"), "{text}");
}
