//! [`Ctx`]: everything a handler may use — the store, the clock, the id generator, the
//! configuration, runtime settings and the token issuer. Handlers receive `&Ctx` and never
//! reach for globals, the system clock or a random source.

use std::collections::BTreeMap;
use std::sync::Arc;

use parking_lot::RwLock;

use crate::arm::lro::LroMode;
use crate::config::{Config, RegistrationDelay};
use crate::identity::jwt::Identity;
use crate::store::clock::Clock;
use crate::store::ids::IdGen;
use crate::store::{State, Store};

/// Settings the test-control API can change while the emulator runs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub lro: BTreeMap<String, LroMode>,
    pub registration_delay: RegistrationDelay,
    /// The default page size of collections (`$top` overrides it per request).
    pub page_size: usize,
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
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGen>,
    pub config: Config,
    pub settings: RwLock<Settings>,
    pub identity: Identity,
    pub endpoints: RwLock<Endpoints>,
    /// The state at start, which `POST /_emulator/reset` returns to. The store starts with
    /// this same allocation (copy-on-write), so a loaded state is not held twice until written.
    pub initial: Arc<State>,
    pub router: crate::router::Router,
}

impl Ctx {
    pub fn page_size(&self) -> usize {
        self.settings.read().page_size
    }

    /// The LRO mode for an operation kind such as `resourceGroups/delete`: the exact kind,
    /// then its resource-type prefix (`resourceGroups/*`), then `*`, then `sync`.
    pub fn lro_mode(&self, kind: &str) -> LroMode {
        let s = self.settings.read();
        let find = |k: &str| s.lro.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, m)| *m);
        find(kind)
            .or_else(|| kind.split_once('/').and_then(|(t, _)| find(&format!("{t}/*"))))
            .or_else(|| find("*"))
            .unwrap_or(LroMode::Sync)
    }
}
