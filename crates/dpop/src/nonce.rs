//! Server-issued nonces (RFC 9449 sections 8 and 9), stateless and rotating.
//!
//! A nonce is `base64url(step || HMAC-SHA256(secret, context || step))`,
//! where `step` is the current time divided by the step length, as a
//! big-endian `u64`. Checking one costs a decode and one HMAC, and needs no
//! storage: every server instance holding the same secret accepts the nonces
//! of the others. A nonce is accepted during the step it was issued in and
//! the next one, so it lives between one and two steps.
//!
//! A source issues with one secret and may accept nonces of others
//! ([`NonceSourceBuilder::accept_secret`]), which is how a fleet rotates its
//! secret without refusing a nonce it handed out: see
//! [`NonceSourceBuilder::accept_secret`] for the procedure.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use jose_core::{Clock, SystemClock, base64url};
use ring::hmac;
use ring::rand::SystemRandom;

use crate::error::Error;

/// Separates these MACs from any other use of the same secret.
const CONTEXT: &[u8] = b"dpop-nonce-v1";
const STEP_LEN: usize = 8;
const TAG_LEN: usize = 32;
/// The encoded length of `step || tag`: 40 bytes in base64url.
const NONCE_LEN: usize = 54;
/// Shortest secret accepted: the output size of SHA-256.
const MIN_SECRET_LEN: usize = 32;

/// Issues and checks stateless server nonces.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use jose_core::ManualClock;
///
/// let clock = Arc::new(ManualClock::at_unix_seconds(1_700_000_000));
/// let nonces = dpop::NonceSource::builder()
///     .secret(&[7; 32])
///     .step(Duration::from_secs(300))
///     .clock(clock.clone())
///     .build()?;
/// let nonce = nonces.issue();
/// assert!(nonces.check(&nonce).is_ok());
/// clock.advance(Duration::from_secs(600));
/// assert!(nonces.check(&nonce).is_err());
/// # Ok::<(), dpop::Error>(())
/// ```
pub struct NonceSource {
    /// Issues nonces, and accepts them.
    key: hmac::Key,
    /// Only accept nonces: secrets being rotated in or out.
    accepted: Vec<hmac::Key>,
    step: u64,
    clock: Arc<dyn Clock>,
}

impl NonceSource {
    /// A source with a random secret, 300 s steps and the system clock.
    ///
    /// The secret lives only in this process; servers behind a load
    /// balancer should share one with [`NonceSourceBuilder::secret`].
    ///
    /// # Errors
    ///
    /// [`Error::Crypto`] if the system random number generator fails.
    pub fn new() -> Result<Self, Error> {
        NonceSourceBuilder::new().build()
    }

    /// A builder for a source with a shared secret, another step length or a
    /// test clock.
    pub fn builder() -> NonceSourceBuilder {
        NonceSourceBuilder::new()
    }

    /// A nonce for the current step, to send in a `DPoP-Nonce` header.
    pub fn issue(&self) -> String {
        self.issue_for_step(self.current_step())
    }

    /// The step length.
    pub fn step(&self) -> Duration {
        Duration::from_secs(self.step)
    }

    /// Checks a nonce from a proof: issued with this source's secret or one
    /// of its [accepted secrets](NonceSourceBuilder::accept_secret), in the
    /// current or the previous step.
    ///
    /// # Errors
    ///
    /// [`NonceError::Malformed`] when it cannot be one of our nonces,
    /// [`NonceError::Invalid`] when its MAC verifies under none of the
    /// secrets,
    /// [`NonceError::Expired`] when it is two or more steps old,
    /// [`NonceError::NotYetValid`] when its step is ahead of the clock.
    pub fn check(&self, nonce: &str) -> Result<(), NonceError> {
        if nonce.len() != NONCE_LEN {
            return Err(NonceError::Malformed);
        }
        let bytes = base64url::decode(nonce).map_err(|_| NonceError::Malformed)?;
        let (step_bytes, tag) = bytes
            .split_first_chunk::<STEP_LEN>()
            .ok_or(NonceError::Malformed)?;
        let input = mac_input(step_bytes);
        let known = std::iter::once(&self.key)
            .chain(&self.accepted)
            .any(|key| hmac::verify(key, &input, tag).is_ok());
        if !known {
            return Err(NonceError::Invalid);
        }
        let step = u64::from_be_bytes(*step_bytes);
        let current = self.current_step();
        if step > current {
            Err(NonceError::NotYetValid)
        } else if current - step > 1 {
            Err(NonceError::Expired)
        } else {
            Ok(())
        }
    }

    fn current_step(&self) -> u64 {
        u64::try_from(self.clock.unix_seconds()).unwrap_or(0) / self.step
    }

    fn issue_for_step(&self, step: u64) -> String {
        let step_bytes = step.to_be_bytes();
        let tag = hmac::sign(&self.key, &mac_input(&step_bytes));
        let mut bytes = [0u8; STEP_LEN + TAG_LEN];
        bytes[..STEP_LEN].copy_from_slice(&step_bytes);
        bytes[STEP_LEN..].copy_from_slice(tag.as_ref());
        base64url::encode(&bytes)
    }
}

fn mac_input(step: &[u8; STEP_LEN]) -> [u8; CONTEXT.len() + STEP_LEN] {
    let mut input = [0u8; CONTEXT.len() + STEP_LEN];
    input[..CONTEXT.len()].copy_from_slice(CONTEXT);
    input[CONTEXT.len()..].copy_from_slice(step);
    input
}

impl fmt::Debug for NonceSource {
    // The HMAC key is a secret: only the public settings are shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NonceSource")
            .field("accepted_secrets", &self.accepted.len())
            .field("step", &self.step())
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

/// Options for a [`NonceSource`].
pub struct NonceSourceBuilder {
    secret: Option<Vec<u8>>,
    accepted: Vec<Vec<u8>>,
    step: Duration,
    clock: Arc<dyn Clock>,
}

impl NonceSourceBuilder {
    /// The defaults: a random secret, 300 s steps, the system clock.
    pub fn new() -> Self {
        Self {
            secret: None,
            accepted: Vec::new(),
            step: Duration::from_secs(300),
            clock: Arc::new(SystemClock::default()),
        }
    }

    /// The HMAC secret, at least 32 bytes. Share it between the instances
    /// of one service so that each accepts the others' nonces; keep it as
    /// secret as a signing key.
    ///
    /// Default: 32 random bytes, generated by [`NonceSourceBuilder::build`].
    pub fn secret(&mut self, secret: &[u8]) -> &mut Self {
        self.secret = Some(secret.to_vec());
        self
    }

    /// Also accepts nonces issued with `secret` (at least 32 bytes), without
    /// issuing any. Call it once per secret; keep the list to the one or two
    /// a rotation needs, since an unknown nonce is checked against each.
    ///
    /// # Rotating a fleet's secret
    ///
    /// Replicas are restarted one at a time, so for a while some run the
    /// old configuration and some the new. Rotate in two phases, so that
    /// every nonce a replica issues is accepted by every other:
    ///
    /// 1. Every replica accepts the new secret, still issuing with the old:
    ///    `.secret(old).accept_secret(new)`. Wait until all run this.
    /// 2. Every replica issues with the new secret, still accepting the old:
    ///    `.secret(new).accept_secret(old)`. Nonces issued with the old
    ///    secret stay valid for up to two steps.
    /// 3. Two [steps](Self::step) after the last replica entered phase 2
    ///    (600 s with the defaults), drop `accept_secret(old)`.
    ///
    /// Skipping phase 1 makes a client bounce between the replicas that
    /// already issue with the new secret and those that do not yet accept
    /// it: each answers `use_dpop_nonce` to the other's nonce.
    ///
    /// ```
    /// # let (old, new) = ([1u8; 32], [2u8; 32]);
    /// // phase 2: issue with the new secret, accept the old one
    /// let nonces = dpop::NonceSource::builder()
    ///     .secret(&new)
    ///     .accept_secret(&old)
    ///     .build()?;
    /// # let _ = nonces;
    /// # Ok::<(), dpop::Error>(())
    /// ```
    ///
    /// Default: none (only the issuing secret is accepted).
    pub fn accept_secret(&mut self, secret: &[u8]) -> &mut Self {
        self.accepted.push(secret.to_vec());
        self
    }

    /// How often nonces rotate, in whole seconds. A nonce stays valid for
    /// between one and two steps, so clients fetch a new one at most once
    /// per step.
    ///
    /// Default: 300 s.
    pub fn step(&mut self, step: Duration) -> &mut Self {
        self.step = step;
        self
    }

    /// The clock that decides the current step.
    ///
    /// Default: [`SystemClock`].
    pub fn clock(&mut self, clock: Arc<dyn Clock>) -> &mut Self {
        self.clock = clock;
        self
    }

    /// Builds the source.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a secret or an accepted secret shorter than 32
    /// bytes, or a step shorter than one second; [`Error::Crypto`] when no
    /// secret was given and the random number generator fails.
    pub fn build(&self) -> Result<NonceSource, Error> {
        let step = self.step.as_secs();
        if step == 0 {
            return Err(Error::Config {
                reason: "nonce step must be at least one second",
            });
        }
        let key = match &self.secret {
            Some(secret) if secret.len() < MIN_SECRET_LEN => {
                return Err(Error::Config {
                    reason: "nonce secret must be at least 32 bytes",
                });
            }
            Some(secret) => hmac::Key::new(hmac::HMAC_SHA256, secret),
            None => hmac::Key::generate(hmac::HMAC_SHA256, &SystemRandom::new())
                .map_err(|_| Error::Crypto)?,
        };
        if self
            .accepted
            .iter()
            .any(|secret| secret.len() < MIN_SECRET_LEN)
        {
            return Err(Error::Config {
                reason: "accepted nonce secret must be at least 32 bytes",
            });
        }
        let accepted = self
            .accepted
            .iter()
            .map(|secret| hmac::Key::new(hmac::HMAC_SHA256, secret))
            .collect();
        Ok(NonceSource {
            key,
            accepted,
            step,
            clock: Arc::clone(&self.clock),
        })
    }
}

impl Default for NonceSourceBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for NonceSourceBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NonceSourceBuilder")
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("accepted_secrets", &self.accepted.len())
            .field("step", &self.step)
            .field("clock", &self.clock)
            .finish()
    }
}

/// Why a proof's nonce was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NonceError {
    /// The proof has no `nonce` claim.
    #[error("no nonce")]
    Missing,
    /// The value cannot be a nonce of ours (wrong length or encoding).
    #[error("malformed nonce")]
    Malformed,
    /// The MAC does not verify: issued with none of the accepted secrets.
    #[error("unknown nonce")]
    Invalid,
    /// Issued two or more steps ago.
    #[error("expired nonce")]
    Expired,
    /// Issued for a step the clock has not reached (another instance's clock
    /// runs ahead, or the step length differs).
    #[error("nonce from the future")]
    NotYetValid,
}

#[cfg(test)]
mod tests {
    use super::*;
    use jose_core::ManualClock;

    fn source(clock: &Arc<ManualClock>, secret: u8) -> NonceSource {
        NonceSource::builder()
            .secret(&[secret; 32])
            .clock(clock.clone())
            .build()
            .unwrap()
    }

    #[test]
    fn accepts_current_and_previous_step_only() {
        let clock = Arc::new(ManualClock::at_unix_seconds(3_000)); // step 10 starts
        let nonces = source(&clock, 1);
        let nonce = nonces.issue();
        assert_eq!(nonce.len(), NONCE_LEN);
        assert_eq!(nonces.check(&nonce), Ok(()));
        clock.advance(Duration::from_secs(599)); // still step 11
        assert_eq!(nonces.check(&nonce), Ok(()));
        clock.advance(Duration::from_secs(1)); // step 12
        assert_eq!(nonces.check(&nonce), Err(NonceError::Expired));
    }

    #[test]
    fn refuses_other_secrets_tampering_and_garbage() {
        let clock = Arc::new(ManualClock::at_unix_seconds(3_000));
        let ours = source(&clock, 1);
        let theirs = source(&clock, 2);
        assert_eq!(ours.check(&theirs.issue()), Err(NonceError::Invalid));
        let mut tampered = ours.issue().into_bytes();
        tampered[20] = if tampered[20] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert_eq!(ours.check(&tampered), Err(NonceError::Invalid));
        for garbage in ["", "x", "not-a-nonce", &"A".repeat(NONCE_LEN + 1)] {
            assert_eq!(
                ours.check(garbage),
                Err(NonceError::Malformed),
                "{garbage:?}"
            );
        }
        assert_eq!(
            ours.check(&"+".repeat(NONCE_LEN)),
            Err(NonceError::Malformed)
        );
    }

    #[test]
    fn a_nonce_from_a_clock_ahead_is_not_yet_valid() {
        let clock = Arc::new(ManualClock::at_unix_seconds(3_000));
        let nonces = source(&clock, 1);
        let future = nonces.issue_for_step(nonces.current_step() + 1);
        assert_eq!(nonces.check(&future), Err(NonceError::NotYetValid));
    }

    #[test]
    fn configuration_is_checked_and_the_secret_redacted() {
        assert!(matches!(
            NonceSource::builder().secret(&[1; 31]).build(),
            Err(Error::Config { .. })
        ));
        assert!(matches!(
            NonceSource::builder()
                .step(Duration::from_millis(999))
                .build(),
            Err(Error::Config { .. })
        ));
        let mut builder = NonceSource::builder();
        builder.secret(b"0123456789abcdef0123456789abcdef-very-secret");
        assert!(!format!("{builder:?}").contains("very-secret"));
        let source = builder.build().unwrap();
        assert!(!format!("{source:?}").contains("very-secret"));
        // random secrets differ
        let a = NonceSource::new().unwrap();
        let b = NonceSource::new().unwrap();
        assert_eq!(a.check(&b.issue()), Err(NonceError::Invalid));
    }

    #[test]
    fn accepted_secrets_follow_the_same_length_rule() {
        let mut builder = NonceSource::builder();
        builder.secret(&[1; 32]).accept_secret(&[2; 32]);
        assert!(builder.build().is_ok());
        builder.accept_secret(&[3; 31]);
        assert!(matches!(
            builder.build(),
            Err(Error::Config {
                reason: "accepted nonce secret must be at least 32 bytes"
            })
        ));
    }

    #[test]
    fn accepted_secrets_verify_but_never_issue() {
        let clock = Arc::new(ManualClock::at_unix_seconds(3_000));
        let old = source(&clock, 1);
        let rotated = NonceSource::builder()
            .secret(&[2; 32])
            .accept_secret(&[1; 32])
            .clock(clock.clone())
            .build()
            .unwrap();
        assert_eq!(rotated.check(&old.issue()), Ok(()));
        // what it issues is the new secret's: the old source refuses it
        assert_eq!(old.check(&rotated.issue()), Err(NonceError::Invalid));
        assert_eq!(source(&clock, 2).check(&rotated.issue()), Ok(()));
        // expiry applies to accepted secrets' nonces as to any other
        let before = old.issue();
        clock.advance(Duration::from_secs(600));
        assert_eq!(rotated.check(&before), Err(NonceError::Expired));
    }

    #[test]
    fn debug_shows_no_accepted_secret() {
        let mut builder = NonceSource::builder();
        builder
            .secret(b"0123456789abcdef0123456789abcdef-issuing")
            .accept_secret(b"0123456789abcdef0123456789abcdef-accepted");
        let text = format!("{builder:?} {:?}", builder.build().unwrap());
        assert!(
            !text.contains("-issuing") && !text.contains("-accepted"),
            "{text}"
        );
        assert!(!text.contains("0123456789abcdef"), "{text}");
        assert!(text.contains("accepted_secrets: 1"), "{text}");
    }
}
