//! One variant per user action.

#[derive(Debug, Clone)]
pub enum Transition {
    /// `PUT` a resource group (201 new, 200 existing, 409 while it is being deleted); the body
    /// has no tags, so a PUT clears them.
    CreateGroup { name: String },
    /// `PATCH` a resource group's tags: `Some(v)` sets `{"env": v}`, `None` clears them (`{}`).
    UpdateGroup { name: String, env: Option<String> },
    /// `DELETE` a resource group: everything inside goes, soft-deleted workspaces included
    /// (LRO kind `resourceGroups/delete`).
    DeleteGroup { name: String },
    /// `POST …/providers/Microsoft.MachineLearningServices/register`.
    RegisterMl,
    /// `POST …/providers/Microsoft.MachineLearningServices/unregister`.
    UnregisterMl,
    /// `PUT` a workspace (LRO kind `workspaces/create` when it is new, `workspaces/update`
    /// otherwise); `recover` adds `allowRecoverSoftDeletedWorkspace: "True"`; `reuse` passes
    /// the `storageAccount`, `keyVault` and `applicationInsights` of the group's live workspace
    /// with the smallest lower-cased name other than `name` (if there is one), so that no
    /// dependents are created.
    CreateWorkspace { group: String, name: String, recover: bool, reuse: bool, description: String },
    /// `PATCH` a workspace's description (LRO kind `workspaces/update`).
    UpdateWorkspace { group: String, name: String, description: String },
    /// `DELETE` a workspace, with `forceToPurge=true` when `purge` (LRO kind `workspaces/delete`).
    DeleteWorkspace { group: String, name: String, purge: bool },
    /// Moves the emulator clock (soft-delete retention is 14 days; `seconds:T` operations end
    /// when it passes their deadline, and finished operations are forgotten an hour later).
    AdvanceClock { seconds: i64 },
    /// One poll, through the client's poller, of the `op`-th operation that was left running
    /// (numbered from 0 in the order they started; see [`crate::reference::Model::handles`]).
    Poll { op: usize },
    /// `PUT …/workspaces/{workspace}/environments/{env}/versions/{version}` with
    /// `{"image": "repo/img:{image}", "isArchived": archived}`: 201 new (creating the container
    /// with the first version), 200 for the same image (the archive flag may change), 409 for
    /// another image; 400 for a curated or reserved (`AzureML…`) name; 404 while the
    /// workspace is soft-deleted or missing.
    PutEnv { group: String, workspace: String, env: String, version: String, image: u8, archived: bool },
    /// `GET` one environment version.
    GetEnv { group: String, workspace: String, env: String, version: String },
    /// azure-ai-ml's `get(label="latest")`: `GET …/versions?$orderBy=createdtime desc&$top=1`
    /// (active versions only): the first item's name, if any.
    LatestEnv { group: String, workspace: String, env: String },
    /// azure-ai-ml's `archive`/`restore` of a version: `GET` it, then `PUT` the body back with
    /// `isArchived` set.
    ArchiveEnv { group: String, workspace: String, env: String, version: String, archived: bool },
}
