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
}
