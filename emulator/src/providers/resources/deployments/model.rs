//! What a deployment is, as typed values: the request to run one ([`Spec`], read from a PUT
//! body by `wire`), where it runs ([`Target`]), what running it produced ([`Outcome`]), and the
//! constants of the type.

use serde_json::{Map, Value};

use crate::protocol::body::Tags;

pub const NS: &str = "Microsoft.Resources";
pub const TYPE: &str = "Microsoft.Resources/deployments";

/// LRO kinds (`--lro`).
pub const KIND_CREATE: &str = "deployments/create";
pub const KIND_DELETE: &str = "deployments/delete";

/// How many deployments a group (or a subscription) keeps: the oldest go first, as in ARM.
pub const MAX_PER_SCOPE: usize = 800;

/// The api-version the emulator uses for its own calls on the deployment's behalf.
pub const OWN_API_VERSION: &str = "2025-04-01";

/// Where a deployment runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub subscription: String,
    /// `None` at subscription scope.
    pub group: Option<String>,
}

impl Target {
    /// The id of deployment `name` here (the `providers/Microsoft.Resources` form).
    pub fn deployment_id(&self, name: &str) -> String {
        format!("{}/providers/{TYPE}/{name}", self.scope_id())
    }

    /// `/subscriptions/{s}[/resourceGroups/{g}]`.
    pub fn scope_id(&self) -> String {
        match &self.group {
            Some(g) => format!("/subscriptions/{}/resourceGroups/{g}", self.subscription),
            None => format!("/subscriptions/{}", self.subscription),
        }
    }

    /// The same place as the template language names it.
    pub fn scope(&self) -> armtemplate::Scope {
        match &self.group {
            Some(g) => armtemplate::Scope::ResourceGroup { subscription: self.subscription.clone(), group: g.clone() },
            None => armtemplate::Scope::Subscription { subscription: self.subscription.clone() },
        }
    }

    /// The store's key prefix of this scope's deployments.
    pub fn key_prefix(&self) -> String {
        format!("{}/providers/{}/", self.scope_id(), TYPE).to_lowercase()
    }
}

impl From<&armtemplate::Scope> for Target {
    fn from(s: &armtemplate::Scope) -> Target {
        match s {
            armtemplate::Scope::ResourceGroup { subscription, group } => {
                Target { subscription: subscription.clone(), group: Some(group.clone()) }
            }
            armtemplate::Scope::Subscription { subscription } => {
                Target { subscription: subscription.clone(), group: None }
            }
        }
    }
}

/// `properties.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Incremental,
    Complete,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Incremental => "Incremental",
            Mode::Complete => "Complete",
        }
    }
}

/// A deployment as its PUT (or `validate`, `whatIf`) body asks for it.
#[derive(Debug, Clone)]
pub struct Spec {
    pub mode: Mode,
    pub template: Value,
    /// `{"name": {"value": …}}`.
    pub parameters: Value,
    /// Required at subscription scope.
    pub location: Option<String>,
    pub tags: Option<Tags>,
}

/// One entry of a deployment's operations list.
#[derive(Debug, Clone)]
pub struct StepRecord {
    pub operation_id: String,
    /// `Create`, `Delete`, `Read`…
    pub provisioning_operation: &'static str,
    pub succeeded: bool,
    /// `OK`, `Created`, `BadRequest`…
    pub status_code: String,
    pub target_id: String,
    pub target_type: String,
    pub target_name: String,
    pub api_version: String,
    /// The resource's error, when it failed.
    pub error: Option<Value>,
}

/// What running a deployment produced.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub steps: Vec<StepRecord>,
    pub outputs: Map<String, Value>,
    /// `[{"id": …}]` of what the deployment created or updated.
    pub output_resources: Vec<Value>,
    /// The type and location of each resource deployed (the record's `providers`).
    pub deployed_types: Vec<(String, Option<String>)>,
    /// `DeploymentFailed` (with details) or the template error that stopped it.
    pub error: Option<crate::protocol::ArmError>,
}
