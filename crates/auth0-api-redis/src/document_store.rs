//! Discovery documents and key sets shared through Redis.

use std::time::Duration;

use async_trait::async_trait;
use oidc_discovery::{DocumentStore, StoreError, StoredDocument};

use crate::client::Redis;
use crate::error::Error;

/// The largest body stored or read: 1 MiB, the default response cap of
/// `oidc_discovery::HttpFetcher`.
const MAX_BODY_LEN: usize = 1024 * 1024;
/// The format of stored values; a value of another version is refused.
const VERSION: u8 = 1;
/// Version byte, then the expiry in milliseconds since the epoch (u64,
/// big-endian), then the body.
const HEADER_LEN: usize = 1 + 8;
const MAX_ENCODED_LEN: usize = HEADER_LEN + MAX_BODY_LEN;

/// An [`oidc_discovery::DocumentStore`] in Redis: the replicas of a service
/// share the discovery documents and key sets one of them fetched.
///
/// Plug it into `DiscoveryBuilder::store` (or the umbrella crate's
/// options). Its contract, and how the cache uses it:
///
/// - One `GET`-like read or one `SET` per call, bounded by the handle's
///   timeout. A failure is an error, which the cache logs before fetching
///   from the network: a Redis outage never fails a token verification.
/// - The value holds the body and its expiry together (versioned format);
///   Redis drops it when it expires (`SET .. PX`, relative to the handle's
///   clock), and a value read after its expiry is ignored.
/// - At most 1 MiB of body is stored, and at most that much is read back
///   (`GETRANGE`): a value found larger is refused, never loaded whole.
/// - Stored bodies are parsed and checked again by the cache when read, so
///   Redis is never trusted more than the network.
///
/// Key names hold the namespace and the SHA-256 of the URL, not the URL.
#[derive(Debug, Clone)]
pub struct RedisDocumentStore {
    redis: Redis,
}

impl RedisDocumentStore {
    pub(crate) fn new(redis: Redis) -> Self {
        Self { redis }
    }

    async fn read(&self, key: &str) -> Result<Option<StoredDocument>, Error> {
        let name = self.redis.keys().document(key);
        let mut connection = self.redis.connection();
        let raw: Vec<u8> = self
            .redis
            .run(async move {
                redis::cmd("GETRANGE")
                    .arg(name)
                    .arg(0)
                    .arg(MAX_ENCODED_LEN)
                    .query_async(&mut connection)
                    .await
            })
            .await?;
        if raw.is_empty() {
            return Ok(None);
        }
        let document = decode(raw)?;
        if document.expires_at() <= self.redis.clock().since_epoch() {
            return Ok(None);
        }
        Ok(Some(document))
    }

    async fn write(&self, key: &str, document: StoredDocument) -> Result<(), Error> {
        let now = self.redis.clock().since_epoch();
        let ttl = document.expires_at().saturating_sub(now);
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        if ttl_ms == 0 {
            // Already stale: nobody would use it.
            return Ok(());
        }
        let value = encode(&document)?;
        let name = self.redis.keys().document(key);
        let mut connection = self.redis.connection();
        self.redis
            .run(async move {
                redis::cmd("SET")
                    .arg(name)
                    .arg(value)
                    .arg("PX")
                    .arg(ttl_ms)
                    .query_async::<()>(&mut connection)
                    .await
            })
            .await
    }
}

#[async_trait]
impl DocumentStore for RedisDocumentStore {
    async fn get(&self, key: &str) -> Result<Option<StoredDocument>, StoreError> {
        self.read(key).await.map_err(StoreError::new)
    }

    async fn put(&self, key: &str, document: StoredDocument) -> Result<(), StoreError> {
        self.write(key, document).await.map_err(StoreError::new)
    }
}

fn encode(document: &StoredDocument) -> Result<Vec<u8>, Error> {
    let body = document.body();
    if body.len() > MAX_BODY_LEN {
        return Err(Error::TooLarge {
            len: body.len(),
            limit: MAX_BODY_LEN,
        });
    }
    let expires_ms = u64::try_from(document.expires_at().as_millis()).unwrap_or(u64::MAX);
    let mut value = Vec::with_capacity(HEADER_LEN + body.len());
    value.push(VERSION);
    value.extend_from_slice(&expires_ms.to_be_bytes());
    value.extend_from_slice(body);
    Ok(value)
}

fn decode(mut value: Vec<u8>) -> Result<StoredDocument, Error> {
    if value.len() > MAX_ENCODED_LEN {
        return Err(Error::TooLarge {
            len: value.len() - HEADER_LEN,
            limit: MAX_BODY_LEN,
        });
    }
    let corrupt = Error::Corrupt { what: "document" };
    let Some((&version, rest)) = value.split_first() else {
        return Err(corrupt);
    };
    let Some(expires) = rest.first_chunk::<8>() else {
        return Err(corrupt);
    };
    if version != VERSION {
        return Err(corrupt);
    }
    let expires_at = Duration::from_millis(u64::from_be_bytes(*expires));
    let body = value.split_off(HEADER_LEN);
    Ok(StoredDocument::new(body, expires_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_garbage_is_refused() {
        let document = StoredDocument::new(
            b"{\"keys\":[]}".to_vec(),
            Duration::from_millis(1_700_000_000_123),
        );
        let value = encode(&document).unwrap();
        assert_eq!(value[0], VERSION);
        assert_eq!(decode(value.clone()).unwrap(), document);

        let mut other_version = value;
        other_version[0] = 2;
        for garbage in [vec![], vec![VERSION], vec![VERSION; 8], other_version] {
            assert!(matches!(decode(garbage), Err(Error::Corrupt { .. })));
        }
        let empty_body = StoredDocument::new(Vec::new(), Duration::from_secs(1));
        assert_eq!(decode(encode(&empty_body).unwrap()).unwrap(), empty_body);
    }

    #[test]
    fn sizes_are_capped_both_ways() {
        let big = StoredDocument::new(vec![b'x'; MAX_BODY_LEN + 1], Duration::from_secs(1));
        assert!(matches!(
            encode(&big),
            Err(Error::TooLarge {
                limit: MAX_BODY_LEN,
                ..
            })
        ));
        let largest = StoredDocument::new(vec![b'x'; MAX_BODY_LEN], Duration::from_secs(1));
        let value = encode(&largest).unwrap();
        assert_eq!(value.len(), MAX_ENCODED_LEN);
        assert!(decode(value.clone()).is_ok());
        let mut over = value;
        over.push(b'x');
        assert!(matches!(decode(over), Err(Error::TooLarge { .. })));
    }
}
