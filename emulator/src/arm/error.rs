//! The one ARM error type and the one place it becomes an HTTP response.
//!
//! Every failure a handler can produce is an [`ArmError`] built by a named constructor, so
//! codes and message texts (copied from ARM, see `shared/reference/arm-wire-protocol.md`) live
//! here and nowhere else. [`ArmError::into_response`] renders the `{"error":{...}}` envelope.

use serde_json::{json, Map, Value};

use super::response::ArmResponse;

/// An ARM error: HTTP status plus the body fields of the error envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmError {
    pub status: u16,
    pub code: String,
    pub message: String,
    /// The rarely used parts, boxed so `Result<_, ArmError>` stays small on the hot path.
    extra: Option<Box<Extra>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Extra {
    target: Option<String>,
    details: Vec<ArmError>,
    /// Extra response headers (for example `WWW-Authenticate` on 401, `Retry-After` on 429).
    headers: Vec<(String, String)>,
}

pub type ArmResult<T> = Result<T, ArmError>;

impl ArmError {
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        ArmError { status, code: code.into(), message: message.into(), extra: None }
    }

    fn extra(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Default::default)
    }

    pub fn with_target(mut self, target: impl Into<String>) -> Self {
        self.extra().target = Some(target.into());
        self
    }

    pub fn with_detail(mut self, detail: ArmError) -> Self {
        self.extra().details.push(detail);
        self
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.extra().headers.push((name.to_string(), value.into()));
        self
    }

    pub fn target(&self) -> Option<&str> {
        self.extra.as_ref().and_then(|e| e.target.as_deref())
    }

    /// The JSON object inside `"error"`.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("code".into(), Value::String(self.code.clone()));
        m.insert("message".into(), Value::String(self.message.clone()));
        if let Some(t) = self.target() {
            m.insert("target".into(), Value::String(t.to_string()));
        }
        if let Some(e) = self.extra.as_ref().filter(|e| !e.details.is_empty()) {
            m.insert("details".into(), Value::Array(e.details.iter().map(|d| d.to_json()).collect()));
        }
        Value::Object(m)
    }

    /// Renders the error envelope. This is the only place an error becomes a response.
    pub fn into_response(self) -> ArmResponse {
        let body = json!({ "error": self.to_json() });
        let mut resp = ArmResponse::json(self.status, body);
        if let Some(e) = self.extra {
            resp.headers.extend(e.headers);
        }
        resp.headers.push(("x-ms-failure-cause".into(), "gateway".into()));
        resp
    }

    // ---- protocol errors ----

    pub fn missing_api_version() -> Self {
        Self::new(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    }

    pub fn invalid_api_version(given: &str, supported: &[&str]) -> Self {
        Self::new(
            400,
            "InvalidApiVersionParameter",
            format!("The api-version '{given}' is invalid. The supported versions are '{}'.", supported.join(",")),
        )
    }

    pub fn authentication_missing() -> Self {
        Self::new(
            401,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
        )
        .with_header(
            "WWW-Authenticate",
            "Bearer authorization_uri=\"https://login.windows.net/\", error=\"invalid_token\", error_description=\"The authentication failed because of missing 'Authorization' header.\"",
        )
    }

    pub fn invalid_authentication_token() -> Self {
        Self::new(401, "InvalidAuthenticationToken", "The access token is invalid.").with_header(
            "WWW-Authenticate",
            "Bearer authorization_uri=\"https://login.windows.net/\", error=\"invalid_token\", error_description=\"The access token is invalid.\"",
        )
    }

    pub fn invalid_request_content(detail: impl std::fmt::Display) -> Self {
        Self::new(
            400,
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: '{detail}'."),
        )
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            413,
            "RequestEntityTooLarge",
            format!("The request content size exceeds the maximum allowed size of {limit} bytes."),
        )
    }

    pub fn unsupported_media_type(given: &str) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!("The content media type '{given}' is not supported. Only 'application/json' is supported."),
        )
    }

    pub fn method_not_allowed(method: &str) -> Self {
        Self::new(405, "MethodNotAllowed", format!("The requested resource does not support http method '{method}'."))
    }

    pub fn no_route(path: &str) -> Self {
        Self::new(404, "NotFound", format!("The requested path '{path}' is not supported by the emulator."))
    }

    pub fn invalid_resource_namespace(ns: &str) -> Self {
        Self::new(400, "InvalidResourceNamespace", format!("The resource namespace '{ns}' is invalid."))
    }

    pub fn invalid_resource_type(ns: &str, ty: &str, api_version: &str) -> Self {
        Self::new(
            400,
            "InvalidResourceType",
            format!(
                "The resource type '{ty}' could not be found in the namespace '{ns}' for api version '{api_version}'."
            ),
        )
    }

    pub fn precondition_failed() -> Self {
        Self::new(412, "PreconditionFailed", "The condition specified using HTTP conditional header(s) is not met.")
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, "Conflict", message)
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    // ---- Microsoft.Resources ----

    pub fn subscription_not_found(sub: &str) -> Self {
        Self::new(404, "SubscriptionNotFound", format!("The subscription '{sub}' could not be found."))
    }

    pub fn invalid_subscription_id(sub: &str) -> Self {
        Self::new(
            400,
            "InvalidSubscriptionId",
            format!("The provided subscription identifier '{sub}' is malformed or invalid."),
        )
    }

    pub fn tenant_not_found(tenant: &str) -> Self {
        Self::new(404, "TenantNotFound", format!("The tenant '{tenant}' could not be found."))
    }

    pub fn resource_group_not_found(rg: &str) -> Self {
        Self::new(404, "ResourceGroupNotFound", format!("Resource group '{rg}' could not be found."))
    }

    pub fn resource_group_being_deleted(rg: &str) -> Self {
        Self::new(
            409,
            "ResourceGroupBeingDeleted",
            format!("The resource group '{rg}' is in deprovisioning state and cannot perform this operation."),
        )
    }

    pub fn invalid_resource_group_location(requested: &str, existing: &str) -> Self {
        Self::new(
            409,
            "InvalidResourceGroupLocation",
            format!("Invalid resource group location '{requested}'. The Resource group already exists in location '{existing}'."),
        )
    }

    pub fn location_not_available_for_resource_group(loc: &str, available: &[&str]) -> Self {
        Self::new(
            400,
            "LocationNotAvailableForResourceGroup",
            format!(
                "The provided location '{loc}' is not available for resource group. List of available regions is '{}'.",
                available.join(",")
            ),
        )
    }

    pub fn location_required() -> Self {
        Self::new(400, "LocationRequired", "The location property is required for this definition.")
    }

    pub fn invalid_resource_group_name(name: &str) -> Self {
        Self::new(
            400,
            "InvalidResourceGroupName",
            format!("The resource group name '{name}' is invalid. It must be 1 to 90 characters of letters, digits, '_', '-', '.', '(' or ')', and must not end with '.'."),
        )
        .with_target("resourceGroupName")
    }

    pub fn resource_not_found(full_type: &str, name: &str, rg: &str) -> Self {
        Self::new(
            404,
            "ResourceNotFound",
            format!("The Resource '{full_type}/{name}' under resource group '{rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"),
        )
    }

    pub fn provider_not_found(ns: &str) -> Self {
        Self::invalid_resource_namespace(ns)
    }

    pub fn missing_subscription_registration(ns: &str) -> Self {
        let msg = format!(
            "The subscription is not registered to use namespace '{ns}'. See https://aka.ms/rps-not-found for how to register subscriptions."
        );
        Self::new(409, "MissingSubscriptionRegistration", msg.clone())
            .with_detail(ArmError::new(409, "MissingSubscriptionRegistration", msg).with_target(ns))
    }

    pub fn no_registered_provider_found(
        location: &str,
        api_version: &str,
        resource_type: &str,
        api_versions: &[&str],
        locations: &[&str],
    ) -> Self {
        Self::new(
            400,
            "NoRegisteredProviderFound",
            format!(
                "No registered resource provider found for location '{location}' and API version '{api_version}' for type '{resource_type}'. The supported api-versions are '{}'. The supported locations are '{}'.",
                api_versions.join(", "),
                locations.join(", ")
            ),
        )
    }

    pub fn operation_not_found(id: &str) -> Self {
        Self::new(404, "OperationNotFound", format!("The operation '{id}' could not be found."))
    }

    pub fn too_many_requests(retry_after: u64) -> Self {
        Self::new(
            429,
            "TooManyRequests",
            "The request is being throttled. Please retry after the time given in the Retry-After header.",
        )
        .with_header("Retry-After", retry_after.to_string())
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalServerError", message)
    }
}

impl std::fmt::Display for ArmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for ArmError {}
