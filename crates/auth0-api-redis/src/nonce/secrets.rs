//! The fleet's nonce secrets, as read from Redis.

use std::fmt;

use dpop::NonceSourceBuilder;
use zeroize::Zeroizing;

use crate::error::Error;

/// The length of every nonce secret: the output size of SHA-256, the
/// shortest secret `dpop` accepts.
pub(crate) const SECRET_LEN: usize = 32;

/// One secret, wiped from memory when dropped.
pub(crate) type Secret = Zeroizing<[u8; SECRET_LEN]>;

/// The DPoP nonce secrets a service's replicas share through Redis: the
/// current one, which issues nonces, and those still (or already)
/// accepted: the previous one after a rotation, and a staged next one.
///
/// From [`Redis::nonce_secrets`](crate::Redis::nonce_secrets); hand them
/// to a [`dpop::NonceSource`] with [`configure`](Self::configure). The
/// secrets never leave this value except into that builder: `Debug` shows
/// only how many there are, there is no `Clone`, and memory is wiped on
/// drop.
pub struct NonceSecrets {
    current: Secret,
    previous: Option<Secret>,
    next: Option<Secret>,
}

impl NonceSecrets {
    /// Checks the values read from Redis: each must be 32 bytes.
    pub(crate) fn from_values(
        current: Option<Zeroizing<Vec<u8>>>,
        previous: Option<Zeroizing<Vec<u8>>>,
        next: Option<Zeroizing<Vec<u8>>>,
    ) -> Result<Self, Error> {
        let current = current.ok_or(Error::Corrupt {
            what: "nonce secret",
        })?;
        Ok(Self {
            current: secret(&current)?,
            previous: previous.as_deref().map(|s| secret(s)).transpose()?,
            next: next.as_deref().map(|s| secret(s)).transpose()?,
        })
    }

    /// Sets the builder's secret to the current one and has it also
    /// accept the previous and the staged next secret, when there are.
    /// Returns the builder for more options (step, clock) and `build`.
    ///
    /// ```no_run
    /// # async fn run(redis: auth0_api_redis::Redis) -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use dpop::NonceSource;
    ///
    /// let secrets = redis.nonce_secrets().await?;
    /// let nonces = secrets
    ///     .configure(&mut NonceSource::builder())
    ///     .step(Duration::from_secs(300))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn configure<'b>(&self, builder: &'b mut NonceSourceBuilder) -> &'b mut NonceSourceBuilder {
        builder.secret(&self.current[..]);
        for accepted in self.previous.iter().chain(&self.next) {
            builder.accept_secret(&accepted[..]);
        }
        builder
    }

    /// Whether a previous secret is still accepted (after a rotation).
    pub fn has_previous(&self) -> bool {
        self.previous.is_some()
    }

    /// Whether a next secret is staged (accepted, issuing after the next
    /// rotation).
    pub fn has_staged(&self) -> bool {
        self.next.is_some()
    }
}

fn secret(value: &[u8]) -> Result<Secret, Error> {
    let bytes = <[u8; SECRET_LEN]>::try_from(value).map_err(|_| Error::Corrupt {
        what: "nonce secret",
    })?;
    Ok(Zeroizing::new(bytes))
}

impl fmt::Debug for NonceSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NonceSecrets")
            .field("current", &"<redacted>")
            .field("has_previous", &self.has_previous())
            .field("has_staged", &self.has_staged())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(byte: u8, len: usize) -> Option<Zeroizing<Vec<u8>>> {
        Some(Zeroizing::new(vec![byte; len]))
    }

    #[test]
    fn secrets_must_be_32_bytes_and_never_print() {
        let secrets = NonceSecrets::from_values(value(0xAB, 32), value(0xCD, 32), None).unwrap();
        assert!(secrets.has_previous());
        assert!(!secrets.has_staged());
        let debug = format!("{secrets:?}");
        assert!(!debug.to_lowercase().contains("ab, "), "{debug}");
        assert!(!debug.contains("171"), "{debug}"); // 0xAB in decimal
        assert!(debug.contains("<redacted>"), "{debug}");

        for (current, previous) in [
            (None, None),
            (value(1, 31), None),
            (value(1, 33), None),
            (value(1, 32), value(1, 0)),
        ] {
            assert!(matches!(
                NonceSecrets::from_values(current, previous, None),
                Err(Error::Corrupt { .. })
            ));
        }
    }
}
