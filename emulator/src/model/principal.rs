//! Who made a request, as far as its token says.

/// The caller of an ARM request (the raw token stays in the request's `Authorization` header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub object_id: String,
    pub app_id: Option<String>,
    pub tenant_id: Option<String>,
}

impl Principal {
    /// The name `systemData` records: the application id of an app, else the object id.
    pub fn display(&self) -> &str {
        self.app_id.as_deref().unwrap_or(&self.object_id)
    }

    /// `Application` for a service principal, `User` otherwise (`systemData.*ByType`).
    pub fn kind(&self) -> &'static str {
        if self.app_id.is_some() {
            "Application"
        } else {
            "User"
        }
    }
}
