//! DPoP nonce secrets shared through Redis, and their rotation.
//!
//! `dpop`'s nonces are stateless: an HMAC of the time step under a secret.
//! Replicas that share the secret accept each other's nonces, so the
//! secret is the only state to share. It lives in three keys:
//! `{ns}:nonce:current` (issues and accepts), `{ns}:nonce:previous`
//! (accepted after a rotation) and `{ns}:nonce:next` (staged: accepted
//! before it issues).

mod secrets;

pub use secrets::NonceSecrets;

use redis::{FromRedisValue, Script};
use ring::rand::{SecureRandom as _, SystemRandom};
use zeroize::Zeroizing;

use crate::client::Redis;
use crate::error::Error;
use secrets::SECRET_LEN;

/// Creates the current secret if there is none (`ARGV[1]`, fresh random
/// bytes), then reads all three slots: one atomic round trip, so that
/// replicas starting together all end up with the same secret.
const LOAD_OR_CREATE: &str = r"
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('MGET', KEYS[1], KEYS[2], KEYS[3])
";

/// previous <- current; current <- next if staged, else ARGV[1] (fresh
/// random bytes); next <- none. Atomic.
const ROTATE: &str = r"
local current = redis.call('GET', KEYS[1])
local next = redis.call('GET', KEYS[3]) or ARGV[1]
if current then
  redis.call('SET', KEYS[2], current)
end
redis.call('SET', KEYS[1], next)
redis.call('DEL', KEYS[3])
return 1
";

/// The nonce secrets, kept in Redis for the whole fleet.
impl Redis {
    /// The fleet's DPoP nonce secrets: loads them, creating the current
    /// one (32 random bytes) if Redis has none. Configure each replica's
    /// [`dpop::NonceSource`] with them
    /// ([`NonceSecrets::configure`]), and every replica accepts the nonces
    /// of the others.
    ///
    /// # Rotation
    ///
    /// A rotation never refuses a nonce that is still within its time
    /// window, because the previous secret stays accepted:
    ///
    /// 1. (optional) [`stage_nonce_secret`](Self::stage_nonce_secret), then
    ///    have every replica reload (call this method and rebuild its
    ///    `NonceSource`): they all accept the next secret before anyone
    ///    issues with it;
    /// 2. [`rotate_nonce_secret`](Self::rotate_nonce_secret), then have
    ///    every replica reload: they issue with the new secret and still
    ///    accept the previous one;
    /// 3. rotate again only after every replica has reloaded and two nonce
    ///    steps have passed, so no live nonce depends on the secret that
    ///    the next rotation drops.
    ///
    /// Without step 1, a replica that has not reloaded yet refuses the
    /// nonces that reloaded ones issue; the client then gets
    /// `use_dpop_nonce` with a nonce it accepts, and retries once.
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] or [`Error::Redis`] when Redis cannot be reached,
    /// [`Error::Corrupt`] when a slot holds something else than 32 bytes,
    /// [`Error::Random`] when the random number generator fails.
    pub async fn nonce_secrets(&self) -> Result<NonceSecrets, Error> {
        let values: Vec<Option<Vec<u8>>> = self.run_secrets_script(LOAD_OR_CREATE).await?;
        let mut values = values.into_iter().map(|v| v.map(Zeroizing::new));
        let (current, previous, next) = (values.next(), values.next(), values.next());
        NonceSecrets::from_values(current.flatten(), previous.flatten(), next.flatten())
    }

    /// Stages the next nonce secret (32 random bytes), unless one is
    /// staged already: replicas that reload accept it, and the next
    /// [`rotate_nonce_secret`](Self::rotate_nonce_secret) makes it
    /// current. See [`nonce_secrets`](Self::nonce_secrets) for the whole
    /// procedure.
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] or [`Error::Redis`] when Redis cannot be reached,
    /// [`Error::Random`] when the random number generator fails.
    pub async fn stage_nonce_secret(&self) -> Result<(), Error> {
        let fresh = random_secret()?;
        let name = self.keys().nonce("next");
        let mut connection = self.connection();
        self.run(async move {
            redis::cmd("SET")
                .arg(name)
                .arg(&fresh[..])
                .arg("NX")
                .query_async::<Option<String>>(&mut connection)
                .await
        })
        .await
        .map(drop)
    }

    /// Rotates the nonce secret, atomically: the current secret becomes
    /// the previous one (still accepted), and the staged next one (or, if
    /// none is staged, 32 new random bytes) becomes current. See
    /// [`nonce_secrets`](Self::nonce_secrets) for the whole procedure.
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] or [`Error::Redis`] when Redis cannot be reached,
    /// [`Error::Random`] when the random number generator fails.
    pub async fn rotate_nonce_secret(&self) -> Result<(), Error> {
        self.run_secrets_script::<i64>(ROTATE).await.map(drop)
    }

    /// Runs `source` on the three secret slots (current, previous, next),
    /// with 32 fresh random bytes for it to use if it needs them.
    async fn run_secrets_script<T: FromRedisValue>(&self, source: &str) -> Result<T, Error> {
        let fresh = random_secret()?;
        let keys = self.keys();
        let script = Script::new(source);
        let mut invocation = script.prepare_invoke();
        invocation
            .key(keys.nonce("current"))
            .key(keys.nonce("previous"))
            .key(keys.nonce("next"))
            .arg(&fresh[..]);
        let mut connection = self.connection();
        self.run(invocation.invoke_async(&mut connection)).await
    }
}

fn random_secret() -> Result<Zeroizing<[u8; SECRET_LEN]>, Error> {
    let mut secret = Zeroizing::new([0u8; SECRET_LEN]);
    SystemRandom::new()
        .fill(&mut secret[..])
        .map_err(|_| Error::Random)?;
    Ok(secret)
}
