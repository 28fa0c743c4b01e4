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

/// Whether a Wycheproof RSA-PSS group uses exactly PS256's parameters
/// (RFC 7518 section 3.5): SHA-256, MGF1 with SHA-256, a 32-byte salt.
fn is_ps256(group: &wycheproof::rsa_pss_verify::TestGroup) -> bool {
    use wycheproof::HashFunction::Sha2_256;
    group.hash == Sha2_256
        && matches!(group.mgf, wycheproof::Mgf::Mgf1)
        && group.mgf_hash == Some(Sha2_256)
        && group.salt_size == 32
}

/// RSA-PSS with SHA-256 through `VerifyingKey::verify(Algorithm::Ps256, ..)`.
///
/// Only groups with PS256's parameters apply (SHA-256, MGF1-SHA-256, salt
/// 32: what ring's `RSA_PSS_2048_8192_SHA256` verifies, and all JWS allows).
/// The 2048-bit SHA-256 sets with salt 0 and with MGF1-SHA-1 are not PS256:
/// their groups are skipped as conformance vectors (their verdicts are for
/// other parameters), but each of their valid signatures must be refused,
/// since a PS256 verifier must not accept another salt length or mask
/// function.
#[test]
fn rsa_pss_sha256_mgf1_32() {
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    let applicable_sets = [
        TestName::RsaPss2048Sha256Mgf1SaltLen32,
        TestName::RsaPss2048Sha256Mgf1SaltLen32WithParams,
        TestName::RsaPss3072Sha256Mgf1SaltLen32,
        TestName::RsaPss3072Sha256Mgf1SaltLen32WithParams,
        TestName::RsaPss4096Sha256Mgf1SaltLen32,
    ];
    let other_parameter_sets = [
        TestName::RsaPss2048Sha256Mgf1SaltLen0,
        TestName::RsaPss2048Sha256Mgf1SaltLen0WithParams,
        TestName::RsaPss2048Sha256Mgf1Sha1_20,
    ];
    let run = |name: TestName, tally: &mut Tally, others: &mut usize| {
        let set = TestSet::load(name).unwrap();
        let mut counted = 0;
        for group in &set.test_groups {
            let key = VerifyingKey::from_rsa_components(&group.key.n, &group.key.e);
            for test in &group.tests {
                let accepted = key
                    .as_ref()
                    .is_ok_and(|k| k.verify(Algorithm::Ps256, &test.msg, &test.sig).is_ok());
                if is_ps256(group) {
                    tally.record(test.result, accepted, test.tc_id);
                } else if test.result == TestResult::Valid {
                    // Valid with the group's parameters, so not a PS256
                    // signature. (An "invalid" vector there may well be
                    // one: a salt of 32 where the group says 0.)
                    assert!(
                        !accepted,
                        "{name:?} tcId {}: a signature with other PSS parameters was accepted as PS256",
                        test.tc_id
                    );
                    *others += 1;
                }
            }
            counted += group.tests.len();
        }
        assert_eq!(counted, set.number_of_tests, "{name:?}");
        set.test_groups.iter().filter(|g| is_ps256(g)).count()
    };

    let mut tally = Tally::default();
    let mut refused_other = 0;
    for name in applicable_sets {
        let set_groups = TestSet::load(name).unwrap().test_groups.len();
        let applicable = run(name, &mut tally, &mut refused_other);
        // None of the PS256 sets' groups is skipped.
        assert_eq!(
            applicable, set_groups,
            "{name:?}: a PS256 group was skipped"
        );
    }
    assert_eq!(refused_other, 0, "the PS256 sets hold only PS256 groups");
    let mut skipped = Tally::default();
    for name in other_parameter_sets {
        let applicable = run(name, &mut skipped, &mut refused_other);
        assert_eq!(applicable, 0, "{name:?} has PS256 groups");
    }
    println!("wycheproof rsa_pss sha256/mgf1-sha256/salt 32 (2048, 3072, 4096 bits): {tally:?}");
    println!(
        "wycheproof rsa_pss 2048 salt 0 and mgf1-sha1 (skipped, not PS256): all {refused_other} valid signatures refused"
    );
    assert!(tally.valid > 0 && tally.invalid > 0 && refused_other > 0);
}

/// The 2048-bit PS256 set alone, the one the issue names, with its tally.
#[test]
fn rsa_pss_2048_sha256_mgf1_32() {
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    let set = TestSet::load(TestName::RsaPss2048Sha256Mgf1SaltLen32).unwrap();
    let mut tally = Tally::default();
    for group in &set.test_groups {
        assert!(is_ps256(group), "every group of this set is PS256");
        let key = VerifyingKey::from_rsa_components(&group.key.n, &group.key.e);
        for test in &group.tests {
            let accepted = key
                .as_ref()
                .is_ok_and(|k| k.verify(Algorithm::Ps256, &test.msg, &test.sig).is_ok());
            tally.record(test.result, accepted, test.tc_id);
        }
    }
    println!("wycheproof rsa_pss_2048_sha256_mgf1_32: {tally:?}");
    assert_eq!(
        tally.valid + tally.invalid + tally.acceptable_accepted + tally.acceptable_rejected,
        set.number_of_tests
    );
    assert!(tally.valid > 0 && tally.invalid > 0);
    // A valid PSS signature never verifies as RS256: the algorithms are
    // not interchangeable. (Some "invalid" vectors are PKCS#1 v1.5
    // signatures, the WrongPrimitive ones, which RS256 rightly accepts.)
    for group in &set.test_groups {
        let Ok(key) = VerifyingKey::from_rsa_components(&group.key.n, &group.key.e) else {
            continue;
        };
        for test in group.tests.iter().filter(|t| t.result == TestResult::Valid) {
            assert!(key.verify(Algorithm::Rs256, &test.msg, &test.sig).is_err());
        }
    }
}
