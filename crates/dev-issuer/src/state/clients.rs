//! Clients that registered themselves (RFC 7591), bounded in number.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::client::RegisteredClient;

/// How many clients may register themselves. Anyone who reaches the issuer
/// can register, so the registry must not grow without bound.
pub(crate) const MAX_DYNAMIC_CLIENTS: usize = 1_000;

/// The registry is full: no more dynamic registrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RegistryFull;

/// Dynamically registered clients, by id.
#[derive(Debug, Default)]
pub(crate) struct DynamicClients {
    clients: Mutex<HashMap<String, RegisteredClient>>,
}

impl DynamicClients {
    /// Adds `client`, unless [`MAX_DYNAMIC_CLIENTS`] are registered.
    pub(crate) fn register(&self, client: RegisteredClient) -> Result<(), RegistryFull> {
        let mut clients = self.lock();
        if clients.len() >= MAX_DYNAMIC_CLIENTS {
            return Err(RegistryFull);
        }
        clients.insert(client.id().to_owned(), client);
        Ok(())
    }

    /// A copy of the client registered as `id`; a copy, so that no lock is
    /// held while a request is answered.
    pub(crate) fn get(&self, id: &str) -> Option<RegisteredClient> {
        self.lock().get(id).cloned()
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, RegisteredClient>> {
        // Inserting or reading cannot leave the map inconsistent.
        self.clients.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrations_are_bounded() {
        let registry = DynamicClients::default();
        for i in 0..MAX_DYNAMIC_CLIENTS {
            registry
                .register(RegisteredClient::public(format!("c{i}")))
                .unwrap();
        }
        assert_eq!(
            registry.register(RegisteredClient::public("one-more")),
            Err(RegistryFull)
        );
        assert_eq!(registry.len(), MAX_DYNAMIC_CLIENTS);
        assert!(registry.get("c7").is_some());
        assert!(registry.get("one-more").is_none());
    }
}
