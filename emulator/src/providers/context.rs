//! [`Ctx`]: what a handler may use — the store, the read-only clock, the id generator, the
//! configuration, the runtime settings (read-only here), the token issuer and the emulator's
//! own URLs. Handlers receive `&Ctx` and never reach for globals, the system clock or a random
//! source; they cannot move the clock or change settings (only the test-control API can).

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use parking_lot::RwLock;

use crate::config::Config;
use crate::identity::Identity;
use crate::model::{Clock, IdGen, LroMode, RegistrationDelay};
use crate::store::Store;

/// Settings the test-control API can change while the emulator runs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub lro: BTreeMap<String, LroMode>,
    pub registration_delay: RegistrationDelay,
    /// The default page size of collections (`$top` overrides it per request).
    pub page_size: usize,
}

impl Settings {
    pub fn from_config(config: &Config) -> Settings {
        Settings { lro: config.lro.clone(), registration_delay: config.registration_delay, page_size: 1000 }
    }

    /// The LRO mode for an operation kind such as `resourceGroups/delete`: the exact kind,
    /// then its resource-type prefix (`resourceGroups/*`), then `*`, then `sync`.
    pub fn lro_mode(&self, kind: &str) -> LroMode {
        let find = |k: &str| self.lro.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, m)| *m);
        find(kind)
            .or_else(|| kind.split_once('/').and_then(|(t, _)| find(&format!("{t}/*"))))
            .or_else(|| find("*"))
            .unwrap_or(LroMode::Sync)
    }
}

/// Where this instance listens, once it does.
#[derive(Debug, Clone, Default)]
pub struct Endpoints {
    pub http: String,
    pub https: String,
    pub ca: String,
    pub bundle: String,
}

pub struct Ctx {
    store: Store,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGen>,
    config: Arc<Config>,
    settings: Arc<RwLock<Settings>>,
    identity: Arc<Identity>,
    endpoints: OnceLock<Endpoints>,
}

impl Ctx {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGen>,
        config: Arc<Config>,
        settings: Arc<RwLock<Settings>>,
        identity: Identity,
    ) -> Ctx {
        Ctx { store, clock, ids, config, settings, identity: Arc::new(identity), endpoints: OnceLock::new() }
    }

    /// The same context over `store`, with every long-running operation synchronous: what a
    /// template deployment runs its resources with (each to completion, in order), against the
    /// live store or a private copy of it.
    pub fn synchronous_over(&self, store: Store) -> Ctx {
        let mut settings = self.settings();
        settings.lro.clear();
        let endpoints = OnceLock::new();
        if let Some(e) = self.endpoints.get() {
            let _ = endpoints.set(e.clone());
        }
        Ctx {
            store,
            clock: self.clock.clone(),
            ids: self.ids.clone(),
            config: self.config.clone(),
            settings: Arc::new(RwLock::new(settings)),
            identity: self.identity.clone(),
            endpoints,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn ids(&self) -> &dyn IdGen {
        &*self.ids
    }

    /// The id generator itself, for values that outlive the handler (a template's `newGuid()`).
    pub fn ids_handle(&self) -> Arc<dyn IdGen> {
        self.ids.clone()
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// A copy of the current settings.
    pub fn settings(&self) -> Settings {
        self.settings.read().clone()
    }

    pub fn page_size(&self) -> usize {
        self.settings.read().page_size
    }

    pub fn lro_mode(&self, kind: &str) -> LroMode {
        self.settings.read().lro_mode(kind)
    }

    pub fn registration_delay(&self) -> RegistrationDelay {
        self.settings.read().registration_delay
    }

    /// Records where the server listens (once, when it has bound its ports).
    pub fn set_endpoints(&self, e: Endpoints) {
        let _ = self.endpoints.set(e);
    }

    /// Where the server listens (empty before it has bound its ports).
    pub fn endpoints(&self) -> Endpoints {
        self.endpoints.get().cloned().unwrap_or_default()
    }

    /// The emulator's HTTPS base URL, or `fallback` (the URL the client called) before binding.
    pub fn https_base(&self, fallback: &str) -> String {
        match self.endpoints.get() {
            Some(e) if !e.https.is_empty() => e.https.clone(),
            _ => fallback.to_string(),
        }
    }
}
