//! The request pipeline: one ordered list of named stages every request goes through, from
//! the bytes the server read to the response it writes.
//!
//! `intake → route → authenticate → faults → api-version → subscription → media-type → handler → render`
//!
//! Each stage looks at the [`Exchange`] (the request and what earlier stages found) and either
//! lets it through or answers with an error; the render stage then adds ARM's common headers.
//! Later stages (fault injection, the journal, authorization) are added to [`STAGES`] without
//! touching any handler. [`App`] owns what the pipeline needs: the handlers' [`Ctx`], the route
//! table, and the controls only the test-control API ([`admin`]) may use (the clock, settings,
//! the start state).

pub mod admin;
mod console;
pub mod faults;
pub mod journal;
mod render;
mod stages;
pub mod subscriptions;

use std::sync::Arc;

use bytes::Bytes;
use parking_lot::RwLock;

use crate::catalog;
use crate::config::{ClockMode, Config};
use crate::identity::Identity;
use crate::model::idgen::{RandomIds, SeededIds};
use crate::model::time::VirtualClock;
use crate::model::{Clock, IdGen, LroMode};
use crate::protocol::router::{Access, Route, Router};
use crate::protocol::{ArmError, ArmRequest, ArmResponse, ArmResult, Method};
use crate::providers::common::default_registration;
use crate::providers::{self, Ctx, Settings};
use crate::store::document::{self, ImportError};
use crate::store::durable::{Durable, Meta};
use crate::store::{Change, State, Store};

pub use render::RawResponse;
pub use stages::{Exchange, Stage, STAGES};

/// A test-control handler: it may use the controls of [`App`].
pub type ControlHandler = fn(&App, &ArmRequest) -> ArmResult<ArmResponse>;

/// What a route calls.
#[derive(Clone, Copy)]
pub enum Handler {
    Provider(providers::Handler),
    Control(ControlHandler),
}

/// The emulator as the server sees it: the pipeline and what it needs.
pub struct App {
    /// What handlers see.
    pub ctx: Arc<Ctx>,
    /// The clock itself (handlers only get `Clock`, which cannot move it).
    clock: Arc<VirtualClock>,
    settings: Arc<RwLock<Settings>>,
    router: Router<Handler>,
    /// The fault rules ([`faults`]).
    faults: faults::Faults,
    /// The state at start, which `POST /_emulator/reset` returns to. The store starts with
    /// this same allocation (copy-on-write), so a loaded state is not held twice until written.
    initial: Arc<State>,
    /// Every request answered ([`journal`]).
    journal: Arc<journal::Journal>,
    /// The state directory's log (`--state-dir`), if any.
    durable: Option<Durable>,
    /// Serialises setting and clock changes with their records in the log.
    recording: parking_lot::Mutex<()>,
}

/// Every route, in matching order: the test-control API, then the providers' (open endpoints,
/// ARM routes, the generic catch-all last).
pub fn all_routes() -> Vec<Route<Handler>> {
    let mut r = admin::routes();
    r.extend(subscriptions::routes());
    r.extend(faults::routes());
    r.extend(console::routes());
    r.extend(providers::routes().into_iter().map(|r| r.map(Handler::Provider)));
    r
}

/// The state the emulator starts with: the `--load` document (if any) with the configured
/// tenants and subscriptions added where it lacks them, and an explicit registration record
/// per provider in every subscription, so exports show the whole picture.
pub fn initial_state(config: &Config) -> Result<State, String> {
    let imported = match &config.load {
        Some(path) => {
            let file = std::fs::File::open(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
            document::read(file, &config.tenants, &config.subscriptions)
                .map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => document::read(&br#"{"version":1}"#[..], &config.tenants, &config.subscriptions)
            .map_err(|e| format!("the configured subscriptions: {e}"))?,
    };
    let mut state = imported.state;
    let subs: Vec<String> = state.subscriptions().map(|(_, s)| s.subscription_id.clone()).collect();
    let mut defaults = Vec::new();
    for sub in &subs {
        for p in catalog::PROVIDERS.iter().filter(|p| !p.registration_free) {
            if state.registration(sub, p.namespace).is_none() {
                defaults.push(Change::PutRegistration { registration: default_registration(config, sub, p) });
            }
        }
    }
    let at = match config.clock {
        ClockMode::Manual(t) => t,
        ClockMode::System => chrono::Utc::now(),
    };
    defaults.extend(owner_assignments(config, &state, &subs, at));
    state.apply_batch(&defaults, at).map_err(|e| format!("the default provider registrations: {e}"))?;
    Ok(state)
}

/// Strict mode: each subscription's owners (the first configured service principal and the
/// first configured user of its tenant) hold Owner at the subscription, unless the state
/// already has those assignments.
pub(crate) fn owner_assignments(
    config: &Config,
    state: &State,
    subs: &[String],
    at: chrono::DateTime<chrono::Utc>,
) -> Vec<Change> {
    subs.iter()
        .flat_map(|sub| {
            let tenant = state.subscription(sub).map(|s| s.tenant_id.clone()).unwrap_or_default();
            owner_assignment(config, sub, &tenant, None, at)
        })
        .filter(
            |c| !matches!(c, Change::PutResource { resource } if state.resource(&resource.id.to_lowercase()).is_some()),
        )
        .collect()
}

/// Strict mode: the Owner assignments at subscription `sub`: for `owner` (an object id), or
/// when none is named for the first configured service principal and the first configured
/// user of `tenant` (the default user signs in with `az login` and sees its subscription).
/// Loose mode: none.
pub(crate) fn owner_assignment(
    config: &Config,
    sub: &str,
    tenant: &str,
    owner: Option<&str>,
    at: chrono::DateTime<chrono::Utc>,
) -> Vec<Change> {
    if config.auth != crate::config::AuthMode::Strict {
        return Vec::new();
    }
    let owners: Vec<(String, &str)> = match owner {
        Some(o) => vec![(o.to_lowercase(), "ServicePrincipal")],
        None => {
            let sp = config.service_principals.iter().find(|p| p.tenant_id.eq_ignore_ascii_case(tenant));
            let user = config.users.iter().find(|u| u.tenant_id.eq_ignore_ascii_case(tenant));
            sp.map(|p| (p.object_id.to_lowercase(), "ServicePrincipal"))
                .into_iter()
                .chain(user.map(|u| (u.object_id.to_lowercase(), "User")))
                .collect()
        }
    };
    owners
        .into_iter()
        .map(|(principal, kind)| {
            let r = providers::authorization::role_assignments::owner_assignment(sub, &principal, kind, at);
            Change::PutResource { resource: Arc::new(r) }
        })
        .collect()
}

/// The clock as the state directory records it.
fn clock_meta(clock: &VirtualClock) -> serde_json::Value {
    match clock.offset() {
        Some(offset) => serde_json::json!({"frozen": false, "offsetMillis": offset.num_milliseconds()}),
        None => serde_json::json!({"frozen": true, "now": clock.now()}),
    }
}

/// Puts back the clock and settings a state directory recorded.
fn restore(meta: &Meta, clock: &VirtualClock, settings: &RwLock<Settings>) -> Result<(), String> {
    if let Some(c) = meta.get("clock") {
        let bad = || format!("the recorded clock {c} is not readable");
        if c.get("frozen").and_then(serde_json::Value::as_bool).ok_or_else(bad)? {
            let now = c.get("now").and_then(|v| serde_json::from_value(v.clone()).ok()).ok_or_else(bad)?;
            clock.freeze_at(now);
        } else {
            let n = c.get("offsetMillis").and_then(serde_json::Value::as_i64).ok_or_else(bad)?;
            clock.run_at_offset(chrono::Duration::milliseconds(n));
        }
    }
    if let Some(s) = meta.get("settings") {
        let body = s.as_object().ok_or_else(|| format!("the recorded settings {s} are not an object"))?;
        let patch = admin::settings_patch(body).map_err(|e| format!("the recorded settings: {e}"))?;
        patch(&mut settings.write());
    }
    Ok(())
}

impl App {
    /// Builds the emulator: clock, ids, the initial state, the store, the handlers' context
    /// and the route table.
    pub fn new(config: Config, identity: Identity) -> Result<App, String> {
        let clock = Arc::new(match config.clock {
            ClockMode::System => VirtualClock::running(),
            ClockMode::Manual(t) => VirtualClock::frozen(t),
        });
        let ids: Arc<dyn IdGen> = match config.id_seed {
            Some(seed) => Arc::new(SeededIds::new(seed)),
            None => Arc::new(RandomIds),
        };
        let initial = Arc::new(initial_state(&config)?);
        let read_only: Arc<dyn Clock> = clock.clone();
        let settings = Arc::new(RwLock::new(Settings::from_config(&config)));
        let (store, durable) = match &config.state_dir {
            None => (Store::new(initial.clone(), read_only.clone()), None),
            Some(dir) => {
                if config.load.is_some() && Durable::exists(dir) {
                    return Err(format!(
                        "--load and --state-dir: {} already holds a state (start without --load to use it, \
                         or give a new directory to load into)",
                        dir.display()
                    ));
                }
                let meta = Meta::from([
                    ("clock".to_string(), clock_meta(&clock)),
                    ("settings".to_string(), admin::settings_json(&settings.read())),
                ]);
                let (durable, recovered) =
                    Durable::open(dir, || Ok((*initial).clone()), meta, clock.now(), config.state_log_limit)?;
                restore(&recovered.meta, &clock, &settings).map_err(|e| {
                    durable.close();
                    format!("{}: {e}", dir.display())
                })?;
                let store = Store::new(recovered.state, read_only.clone());
                if recovered.cut_bytes > 0 {
                    eprintln!(
                        "armemu: {}: cut off {} bytes of a write a crash interrupted (never acknowledged)",
                        dir.display(),
                        recovered.cut_bytes
                    );
                }
                (store, Some(durable))
            }
        };
        // No journal at all with `--journal-size 0`: no observer, nothing recorded.
        if config.journal_size > 0 {
            store.observe(journal::observer());
        }
        if let Some(d) = &durable {
            d.attach(&store);
        }
        let journal = Arc::new(journal::Journal::new(config.journal_size));
        let faults = faults::Faults::new(config.id_seed.unwrap_or(0));
        if let Some(path) = &config.faults {
            let text = std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
            faults.load(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        let ctx = Arc::new(Ctx::new(store, read_only, ids, Arc::new(config), settings.clone(), identity));
        Ok(App {
            ctx,
            clock,
            settings,
            router: Router::new(all_routes()),
            faults,
            initial,
            journal,
            durable,
            recording: parking_lot::Mutex::new(()),
        })
    }

    pub fn router(&self) -> &Router<Handler> {
        &self.router
    }

    /// Pairs of routes where the table's order hides one of them (a test keeps this empty).
    pub fn route_conflicts() -> Vec<(&'static str, &'static str)> {
        Router::new(all_routes()).conflicts()
    }

    pub fn config(&self) -> &Config {
        self.ctx.config()
    }

    /// The clock, with the controls handlers do not have.
    pub fn clock(&self) -> &VirtualClock {
        &self.clock
    }

    pub fn initial(&self) -> &Arc<State> {
        &self.initial
    }

    /// The fault rules (`/_emulator/faults`).
    pub fn faults(&self) -> &faults::Faults {
        &self.faults
    }

    /// The request journal.
    pub fn journal(&self) -> &journal::Journal {
        &self.journal
    }

    /// Changes the runtime settings (the test-control API; in-process benches and tests);
    /// recorded in the state directory, if any.
    pub fn update_settings(&self, f: impl FnOnce(&mut Settings)) {
        // Changes and their records in one order; never held while taking the store's lock.
        let _recording = self.recording.lock();
        let mut s = self.settings.write();
        f(&mut s);
        let value = self.durable.as_ref().map(|_| admin::settings_json(&s));
        drop(s);
        if let (Some(d), Some(v)) = (&self.durable, value) {
            d.put_meta("settings", v);
        }
    }

    /// Moves the clock (advance, set); recorded in the state directory, if any.
    pub fn move_clock<T>(&self, f: impl FnOnce(&VirtualClock) -> T) -> T {
        let _recording = self.recording.lock();
        let out = f(&self.clock);
        if let Some(d) = &self.durable {
            d.put_meta("clock", clock_meta(&self.clock));
        }
        out
    }

    /// The state directory's log (`--state-dir`).
    pub fn durable(&self) -> Option<&Durable> {
        self.durable.as_ref()
    }

    /// Flushes the state directory's log and stops its writer (a graceful shutdown).
    pub fn close(&self) {
        if let Some(d) = &self.durable {
            d.close();
        }
    }

    /// Sets the LRO mode of one operation kind (`None` removes the override).
    pub fn set_lro(&self, kind: &str, mode: Option<LroMode>) {
        self.update_settings(|s| match mode {
            Some(m) => {
                s.lro.insert(kind.to_string(), m);
            }
            None => {
                s.lro.remove(kind);
            }
        });
    }

    /// The body limit of a request: state imports may be much larger than ARM requests.
    pub fn body_limit(&self, method: &str, path: &str) -> usize {
        let import = (method == "PUT" || method == "POST")
            && path.trim_end_matches('/').eq_ignore_ascii_case("/_emulator/state");
        if import {
            self.config().max_import_bytes
        } else {
            self.config().max_body_bytes
        }
    }

    /// Runs one request through the pipeline, with headers given as pairs (in-process callers;
    /// pairs that are not valid HTTP headers are left out, as a server would refuse them).
    pub fn handle(
        &self,
        method: &str,
        path: &str,
        query: Option<&str>,
        headers: Vec<(String, String)>,
        body: Result<Bytes, ArmError>,
        secure: bool,
    ) -> RawResponse {
        let mut map = hyper::HeaderMap::with_capacity(headers.len());
        for (k, v) in headers {
            if let (Ok(name), Ok(value)) =
                (hyper::header::HeaderName::from_bytes(k.as_bytes()), hyper::header::HeaderValue::from_str(&v))
            {
                map.append(name, value);
            }
        }
        let mut raw = self.handle_request(method, path, query, map, body, secure);
        if let Some(d) = &self.durable {
            if let Err(e) = d.wait_blocking(d.appended()) {
                raw.replace_with_error(ArmError::internal(e));
            }
        }
        raw
    }

    /// Runs one request through the pipeline. `body` is `Err` when reading it already failed
    /// (too large). Never panics: a handler panic becomes a 500.
    pub fn handle_request(
        &self,
        method: &str,
        path: &str,
        query: Option<&str>,
        headers: hyper::HeaderMap,
        body: Result<Bytes, ArmError>,
        secure: bool,
    ) -> RawResponse {
        let recording = self.journal.begin(self, path, body.as_ref().map_or(0, |b| b.len()));
        let mut ex = Exchange::new(Method::parse(method), path, query, headers, body, secure);
        let result = STAGES.iter().try_for_each(|stage| stage.run(self, &mut ex));
        let mut error_code: Option<String> = None;
        let resp = match result {
            Ok(()) => ex.response.take().unwrap_or_else(|| ArmResponse::empty(204)),
            Err(e) => {
                // The code as answered (an injected fault's own code text included).
                error_code = Some(e.code_str().to_string());
                match ex.access() {
                    Access::DataPlane => e.in_data_plane_envelope(self.data_plane_trace()).into_response(),
                    Access::Graph => e.in_graph_envelope(self.graph_trace(&ex.request)).into_response(),
                    _ => e.into_response(),
                }
            }
        };
        let raw = render::finish(self, resp, &ex);
        if let Some(rec) = recording {
            self.journal.finish(rec, &ex.request, ex.operation, &raw, error_code.as_deref());
        }
        raw
    }

    /// The ids and time of an Azure ML data-plane error envelope (from the injected id
    /// generator and clock).
    fn data_plane_trace(&self) -> crate::protocol::DataPlaneTrace {
        let ids = self.ctx.ids();
        crate::protocol::DataPlaneTrace {
            operation: ids.hex(32),
            request: ids.hex(16),
            location: "local".into(),
            time: crate::model::time::arm_time(self.ctx.now()),
            component: "environment-management",
        }
    }

    /// The ids and date of a Microsoft Graph error envelope (the client's `client-request-id`
    /// echoed, as Graph does).
    fn graph_trace(&self, req: &crate::protocol::ArmRequest) -> crate::protocol::GraphTrace {
        let ids = self.ctx.ids();
        crate::protocol::GraphTrace {
            date: self.ctx.now().format("%Y-%m-%dT%H:%M:%S").to_string(),
            request_id: ids.guid(),
            client_request_id: req.header("client-request-id").map(String::from).unwrap_or_else(|| ids.guid()),
        }
    }

    /// Reads a state document sent to the test-control API, checked like writes.
    pub fn read_document(&self, body: &[u8]) -> ArmResult<document::Imported> {
        document::read_slice(body).map_err(|e| match e {
            ImportError::Syntax(m) => ArmError::invalid_request_content(m),
            ImportError::Invalid(m) => ArmError::emulator_request(m),
        })
    }
}
