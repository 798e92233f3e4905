//! The ARM template language, as a pure library: no I/O, no clock, no randomness.
//!
//! # Layout
//!
//! - [`expr`]: the lexer and parser of the expression language, to an AST.
//! - `eval`: the evaluator (an expression against parameters, variables, copy loops and the host).
//! - `functions`: the table of template functions and their implementations.
//! - `format`: .NET composite and date-time formatting, ISO 8601 durations.
//! - `ids`: resource ids: building (`resourceId()` and friends) and parsing.
//! - `plan`: parameters, variables, resources, copy loops, dependencies, nested deployments, outputs.
//! - [`hash`]: `uniqueString`, `guid` and `templateHash`.
//!
//! The caller (the emulator's `Microsoft.Resources/deployments` provider) calls [`plan`], then
//! [`Plan::resolve`] for each step in order as it deploys them, then [`Plan::outputs`].
//! Everything that depends on time or randomness comes from the [`Context`]; everything that reads
//! deployed resources goes through the [`Host`].
//!
//! Architecture invariant: nothing in this crate panics on any input; every failure is a [`TemplateError`].

mod eval;
pub mod expr;
mod format;
mod functions;
pub mod hash;
mod ids;
mod plan;

pub use plan::{plan, Plan, Step};
pub use serde_json::{Map, Value};

/// Where a deployment runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    ResourceGroup { subscription: String, group: String },
    Subscription { subscription: String },
}

impl Scope {
    /// The subscription id of the scope.
    pub fn subscription(&self) -> &str {
        match self {
            Scope::ResourceGroup { subscription, .. } | Scope::Subscription { subscription } => subscription,
        }
    }

    /// The scope's own resource id.
    pub fn id(&self) -> String {
        match self {
            Scope::ResourceGroup { subscription, group } => {
                format!("/subscriptions/{subscription}/resourceGroups/{group}")
            }
            Scope::Subscription { subscription } => format!("/subscriptions/{subscription}"),
        }
    }
}

/// What the deployment-level functions see.
#[derive(Clone)]
pub struct Context {
    pub scope: Scope,
    pub tenant_id: String,
    /// What `subscription()` returns: `{id, subscriptionId, tenantId, displayName}`.
    pub subscription: Value,
    /// What `resourceGroup()` returns (None at subscription scope: calling it is an error as in ARM).
    pub resource_group: Option<Value>,
    pub deployment_name: String,
    /// Subscription-scope deployments carry one.
    pub deployment_location: Option<String>,
    /// What `environment()` returns.
    pub environment: Value,
    /// `utcNow()`.
    pub now: chrono::DateTime<chrono::Utc>,
    /// `newGuid()`.
    pub new_guid: std::sync::Arc<dyn Fn() -> String + Send + Sync>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("scope", &self.scope)
            .field("tenant_id", &self.tenant_id)
            .field("deployment_name", &self.deployment_name)
            .field("deployment_location", &self.deployment_location)
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

/// The emulator, seen from the template.
pub trait Host {
    /// The GET body (`{id,name,type,location,properties,...}`) of an existing resource, or an error
    /// (code + message, e.g. ResourceNotFound) that the engine propagates unchanged.
    fn get(&self, id: &str, api_version: Option<&str>) -> Result<Value, HostError>;
    /// A POST action on a resource (`listKeys`, ...): its answer, or an error.
    fn invoke(&self, id: &str, action: &str, api_version: &str, body: Option<&Value>) -> Result<Value, HostError>;
    /// `providers(namespace[, type])`.
    fn provider(&self, namespace: &str, resource_type: Option<&str>) -> Result<Value, HostError>;
}

/// An error from the [`Host`], propagated unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError {
    pub code: String,
    pub message: String,
}

/// Every failure of this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct TemplateError {
    /// "InvalidTemplate", "InvalidContentLink", or a [`HostError`]'s code.
    pub code: String,
    pub message: String,
    /// Where in the template, e.g. `resources[2].properties.name`, `parameters.x` or `outputs.y`.
    pub target: Option<String>,
}

impl TemplateError {
    pub(crate) fn invalid(message: impl Into<String>, target: Option<String>) -> Self {
        TemplateError { code: "InvalidTemplate".into(), message: message.into(), target }
    }

    /// A plan-time (validation) error.
    pub(crate) fn validation(detail: impl std::fmt::Display, target: Option<String>) -> Self {
        Self::invalid(format!("Deployment template validation failed: '{detail}'"), target)
    }
}

/// A [`Host`] that knows no resources: every call fails with `ResourceNotFound`.
/// Handy for templates that read nothing, and in tests.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoHost;

impl Host for NoHost {
    fn get(&self, id: &str, _: Option<&str>) -> Result<Value, HostError> {
        Err(HostError { code: "ResourceNotFound".into(), message: format!("The Resource '{id}' was not found.") })
    }
    fn invoke(&self, id: &str, _: &str, _: &str, _: Option<&Value>) -> Result<Value, HostError> {
        self.get(id, None)
    }
    fn provider(&self, namespace: &str, _: Option<&str>) -> Result<Value, HostError> {
        Err(HostError {
            code: "NoRegisteredProviderFound".into(),
            message: format!("No registered resource provider found for namespace '{namespace}'."),
        })
    }
}

/// Evaluates one JSON string (an expression or a literal) against an empty template, for tests
/// and tools: parameters and variables are those given, copy loops and resources are absent.
pub fn evaluate(
    text: &str,
    parameters: &Map<String, Value>,
    variables: &Map<String, Value>,
    ctx: &Context,
    host: &dyn Host,
) -> Result<Value, TemplateError> {
    plan::evaluate_standalone(text, parameters, variables, ctx, host)
}
