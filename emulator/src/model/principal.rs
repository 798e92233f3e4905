//! Who made a request, as far as its token says.

/// The caller of an ARM request (the raw token stays in the request's `Authorization` header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub object_id: String,
    /// The principal's own application id: set for a service principal, `None` for a user
    /// (whose token's `appid` names the client application it signed in with, not the user).
    pub app_id: Option<String>,
    pub tenant_id: Option<String>,
    /// A user's sign-in name (the token's `upn`, else `unique_name`).
    pub upn: Option<String>,
}

impl Principal {
    /// The name `systemData` and ARM's `AuthorizationFailed` message give the caller: a
    /// user's UPN, an app's application id, else the object id.
    pub fn display(&self) -> &str {
        self.upn.as_deref().or(self.app_id.as_deref()).unwrap_or(&self.object_id)
    }

    /// `Application` for a service principal, `User` otherwise (`systemData.*ByType`).
    pub fn kind(&self) -> &'static str {
        if self.app_id.is_some() && self.upn.is_none() {
            "Application"
        } else {
            "User"
        }
    }
}
