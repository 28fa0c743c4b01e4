//! Wycheproof RSA PKCS#1 2048/SHA-256 and ECDSA P-256/SHA-256 (P1363)
//! vectors, through the same `VerifyingKey` the JWS path uses.
//!
//! "acceptable" vectors may go either way; we record which way each went and
//! require only that the counts add up. ring rejects every acceptable
//! vector in these two sets (e.g. non-minimal encodings), which is the
//! strict choice.

use jose_core::{Algorithm, VerifyingKey};
use wycheproof::TestResult;

#[derive(Default, Debug)]
struct Tally {
    valid: usize,
    invalid: usize,
    acceptable_accepted: usize,
    acceptable_rejected: usize,
}

impl Tally {
    fn record(&mut self, expected: TestResult, accepted: bool, id: usize) {
        match expected {
            TestResult::Valid => {
                assert!(accepted, "tcId {id}: valid vector rejected");
                self.valid += 1;
            }
            TestResult::Invalid => {
                assert!(!accepted, "tcId {id}: invalid vector accepted");
                self.invalid += 1;
            }
            TestResult::Acceptable if accepted => self.acceptable_accepted += 1,
            TestResult::Acceptable => self.acceptable_rejected += 1,
        }
    }
}

#[test]
fn rsa_pkcs1_2048_sha256() {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    let set = TestSet::load(TestName::Rsa2048Sha256).unwrap();
    let mut tally = Tally::default();
    for group in &set.test_groups {
        let key = VerifyingKey::from_rsa_components(&group.key.n, &group.key.e);
        for test in &group.tests {
            let accepted = key
                .as_ref()
                .is_ok_and(|k| k.verify(Algorithm::Rs256, &test.msg, &test.sig).is_ok());
            tally.record(test.result, accepted, test.tc_id);
        }
    }
    println!("wycheproof rsa_signature_2048_sha256: {tally:?}");
    assert_eq!(
        tally.valid + tally.invalid + tally.acceptable_accepted + tally.acceptable_rejected,
        set.number_of_tests
    );
    assert!(tally.valid > 0 && tally.invalid > 0);
}

#[test]
fn ecdsa_p256_sha256_p1363() {
    use wycheproof::ecdsa::{TestName, TestSet};
    let set = TestSet::load(TestName::EcdsaSecp256r1Sha256P1363).unwrap();
    let mut tally = Tally::default();
    for group in &set.test_groups {
        let key = VerifyingKey::from_p256_point(&group.key.key);
        for test in &group.tests {
            let accepted = key
                .as_ref()
                .is_ok_and(|k| k.verify(Algorithm::Es256, &test.msg, &test.sig).is_ok());
            tally.record(test.result, accepted, test.tc_id);
        }
    }
    println!("wycheproof ecdsa_secp256r1_sha256_p1363: {tally:?}");
    assert_eq!(
        tally.valid + tally.invalid + tally.acceptable_accepted + tally.acceptable_rejected,
        set.number_of_tests
    );
    assert!(tally.valid > 0 && tally.invalid > 0);
}
