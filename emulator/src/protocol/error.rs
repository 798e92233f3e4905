//! The one error type, the table of error codes with their statuses, and the one place an
//! error becomes a response ([`ArmError::into_response`]).
//!
//! Every failure a handler can produce is an [`ArmError`] built by a named constructor below,
//! so codes and message texts (copied from ARM, see `shared/reference/arm-wire-protocol.md`)
//! live here and nowhere else. Two envelopes exist: ARM's `{"error":{code,message,…}}` and the
//! OAuth form the Entra token endpoints answer with (`{"error":"…","error_description":…}`).

use serde_json::{json, Map, Value};

use super::response::ArmResponse;
use crate::store::{ErrorBody, Rejection};

/// Declares [`ErrorCode`] and its table at once: each code's name is its text, next to the
/// status ARM answers it with.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $code:ident = $status:literal),* $(,)?) => {
        /// Every error code the emulator answers with.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(non_camel_case_types)]
        pub enum ErrorCode {
            $($(#[$doc])* $code),*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$code),*];

            /// The code as ARM spells it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$code => stringify!($code)),*
                }
            }

            /// The code named `text` (exactly as ARM spells it).
            pub fn parse(text: &str) -> Option<ErrorCode> {
                ErrorCode::ALL.iter().copied().find(|c| c.as_str() == text)
            }

            /// The status ARM answers the code with (a few constructors answer another one).
            pub fn status(self) -> u16 {
                match self {
                    $(ErrorCode::$code => $status),*
                }
            }
        }
    };
}

error_codes! {
    // The protocol.
    AuthenticationFailed = 401,
    InvalidAuthenticationToken = 401,
    ExpiredAuthenticationToken = 401,
    InvalidAuthenticationTokenAudience = 401,
    InvalidAuthenticationTokenTenant = 401,
    AuthorizationFailed = 403,
    MissingApiVersionParameter = 400,
    InvalidApiVersionParameter = 400,
    InvalidRequestContent = 400,
    InvalidRequestUri = 400,
    RequestEntityTooLarge = 413,
    UnsupportedMediaType = 415,
    MethodNotAllowed = 405,
    NotFound = 404,
    PreconditionFailed = 412,
    Conflict = 409,
    TooManyRequests = 429,
    InternalServerError = 500,
    InternalOperationError = 500,
    InvalidQueryParameterValue = 400,
    InvalidTopValue = 400,
    InvalidContinuationToken = 400,
    InvalidFilterInQueryString = 400,
    // Microsoft.Resources.
    InvalidSubscriptionId = 400,
    SubscriptionNotFound = 404,
    ReadOnlyDisabledSubscription = 409,
    TenantNotFound = 404,
    InvalidResourceNamespace = 400,
    InvalidResourceType = 400,
    InvalidResourceName = 400,
    ResourceGroupNotFound = 404,
    ResourceGroupBeingDeleted = 409,
    InvalidResourceGroupLocation = 409,
    InvalidResourceGroupName = 400,
    LocationNotAvailableForResourceGroup = 400,
    LocationRequired = 400,
    ResourceNotFound = 404,
    MissingSubscriptionRegistration = 409,
    NoRegisteredProviderFound = 400,
    OperationNotFound = 404,
    InvalidTagCount = 400,
    InvalidTagNameCharacters = 400,
    InvalidTagValueLength = 400,
    InvalidTargetResourceGroup = 400,
    InvalidMoveRequest = 400,
    ResourceMoveNotSupported = 400,
    // Microsoft.Resources/deployments.
    InvalidTemplate = 400,
    InvalidTemplateDeployment = 400,
    InvalidDeploymentName = 400,
    DeploymentNotFound = 404,
    DeploymentFailed = 400,
    DeploymentActive = 409,
    DeploymentCannotBeCancelled = 409,
    DeploymentOperationNotFound = 404,
    InvalidDeploymentParameterKey = 400,
    // Microsoft.MachineLearningServices.
    ValidationError = 400,
    BadRequest = 400,
    /// The ML asset service's (environments): 400 for a bad request, 409 for a changed version.
    UserError = 400,
    // Microsoft.Network.
    InvalidResourceReference = 400,
    PrivateEndpointBadRequest = 400,
    // Microsoft.ManagedIdentity (answered by ARM for the resource that refers to an identity).
    FailedIdentityOperation = 400,
    // Microsoft.Authorization.
    InvalidRoleAssignmentId = 400,
    InvalidRoleDefinitionId = 400,
    RoleDefinitionDoesNotExist = 404,
    RoleAssignmentExists = 409,
    RoleAssignmentUpdateNotPermitted = 400,
    RoleAssignmentNotFound = 404,
    InvalidPrincipalId = 400,
    /// A custom role's `assignableScopes` do not cover the scope it is assigned (or written) at.
    InvalidRoleAssignmentScope = 400,
    RoleDefinitionWithSameNameExists = 409,
    /// A custom role still assigned somewhere cannot be deleted.
    RoleDefinitionHasAssignments = 409,
    /// A custom role definition body without `roleName`, permissions or assignable scopes.
    InvalidRoleDefinition = 400,
    /// A built-in role definition cannot be changed or deleted.
    RoleDefinitionNotUpdatable = 400,
    /// An Azure ML data-plane service (or one of its operations) the emulator does not model.
    ServiceNotEmulated = 400,
    // Microsoft Graph (its own spellings).
    /// A Graph object that does not exist.
    Request_ResourceNotFound = 404,
    /// A Graph request that is malformed or names what does not exist.
    Request_BadRequest = 400,
    /// A Graph `$filter` the emulator does not evaluate.
    Request_UnsupportedQuery = 400,
    /// A second Graph object with the same unique key (a second service principal of an app).
    Request_MultipleObjectsWithSameKeyValue = 409,
    // The emulator's own (the test-control API, request hygiene).
    InvalidEmulatorRequest = 400,
    ResourceTypeNotEmulated = 400,
    ForbiddenOrigin = 403,
    InvalidHostName = 400,
}

/// An error: the code, its message, and the rarely used parts.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmError {
    pub code: ErrorCode,
    pub status: u16,
    pub message: String,
    /// Boxed so `Result<_, ArmError>` stays small on the hot path.
    extra: Option<Box<Extra>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Extra {
    target: Option<String>,
    details: Vec<ArmError>,
    /// Extra response headers (for example `WWW-Authenticate` on 401, `Retry-After` on 429).
    headers: Vec<(String, String)>,
    /// The OAuth envelope's body, for the Entra token endpoints.
    oauth: Option<Value>,
    /// A code outside [`ErrorCode`], rendered instead of `code` (an injected fault's).
    code_text: Option<String>,
    /// Render Azure ML's data-plane envelope (the environment service's) with these ids.
    data_plane: Option<DataPlaneTrace>,
    /// Render Microsoft Graph's envelope with these ids.
    graph: Option<GraphTrace>,
}

/// The variable parts of Microsoft Graph's error envelope
/// (`{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`).
#[derive(Debug, Clone, PartialEq)]
pub struct GraphTrace {
    /// `innerError.date`: `YYYY-MM-DDThh:mm:ss` (no zone, as Graph writes it).
    pub date: String,
    pub request_id: String,
    /// The client's `client-request-id` header, else a new id.
    pub client_request_id: String,
}

/// The variable parts of Azure ML's data-plane error envelope
/// (`{"error":{…},"correlation":{…},"environment","location","time","componentName"}`, the
/// `ErrorResponse`/`RootError` azureml-core's `_restclient` models read).
#[derive(Debug, Clone, PartialEq)]
pub struct DataPlaneTrace {
    /// `correlation.operation`: 32 hex digits.
    pub operation: String,
    /// `correlation.request`: 16 hex digits.
    pub request: String,
    /// `environment` and `location` (the service's region).
    pub location: String,
    /// `time`, RFC 3339.
    pub time: String,
    pub component: &'static str,
}

pub type ArmResult<T> = Result<T, ArmError>;

impl ArmError {
    fn of(code: ErrorCode, message: impl Into<String>) -> Self {
        ArmError { code, status: code.status(), message: message.into(), extra: None }
    }

    fn extra(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Default::default)
    }

    /// The same code with another status (ARM answers some codes with two statuses).
    fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    pub fn with_target(mut self, target: impl Into<String>) -> Self {
        self.extra().target = Some(target.into());
        self
    }

    fn with_detail(mut self, detail: ArmError) -> Self {
        self.extra().details.push(detail);
        self
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.extra().headers.push((name.to_string(), value.into()));
        self
    }

    /// The code as rendered: an injected fault's own text, else the [`ErrorCode`]'s.
    pub fn code_str(&self) -> &str {
        self.extra.as_ref().and_then(|e| e.code_text.as_deref()).unwrap_or(self.code.as_str())
    }

    pub fn target(&self) -> Option<&str> {
        self.extra.as_ref().and_then(|e| e.target.as_deref())
    }

    /// The JSON object inside `"error"` (also what an operation's status body carries).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("code".into(), Value::String(self.code_str().to_string()));
        m.insert("message".into(), Value::String(self.message.clone()));
        if let Some(t) = self.target() {
            m.insert("target".into(), Value::String(t.to_string()));
        }
        if let Some(e) = self.extra.as_ref().filter(|e| !e.details.is_empty()) {
            m.insert("details".into(), Value::Array(e.details.iter().map(|d| d.to_json()).collect()));
        }
        Value::Object(m)
    }

    /// The code, message and details, as a long-running operation keeps them.
    pub fn to_body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code_str().to_string(),
            message: self.message.clone(),
            details: self.details().iter().map(ArmError::to_body).collect(),
        }
    }

    /// The errors this one lists under `details`.
    pub fn details(&self) -> &[ArmError] {
        self.extra.as_ref().map_or(&[], |e| &e.details)
    }

    /// The same error listing `details` (a deployment's failed resources).
    pub fn with_details(mut self, details: Vec<ArmError>) -> Self {
        self.extra().details.extend(details);
        self
    }

    /// The same error, to be rendered in Azure ML's data-plane envelope (the pipeline marks
    /// every error of an [`Access::DataPlane`](super::router::Access::DataPlane) route so).
    pub fn in_data_plane_envelope(mut self, trace: DataPlaneTrace) -> Self {
        if self.extra.as_ref().is_none_or(|e| e.oauth.is_none()) {
            self.extra().data_plane = Some(trace);
        }
        self
    }

    /// The same error, to be rendered in Microsoft Graph's envelope (the pipeline marks every
    /// error of an [`Access::Graph`](super::router::Access::Graph) route so).
    pub fn in_graph_envelope(mut self, trace: GraphTrace) -> Self {
        if self.extra.as_ref().is_none_or(|e| e.oauth.is_none()) {
            self.extra().graph = Some(trace);
        }
        self
    }

    /// The `RootError` of the data-plane envelope: every key present, as the service sends it.
    fn to_root_error(&self) -> Value {
        json!({
            "code": self.code_str(),
            "severity": null,
            "message": self.message,
            "messageFormat": null,
            "messageParameters": null,
            "referenceCode": null,
            "detailsUri": null,
            "target": self.target(),
            "details": self.details().iter().map(ArmError::to_root_error).collect::<Vec<_>>(),
            "innerError": null,
            "debugInfo": null,
            "additionalInfo": null,
        })
    }

    /// Renders the error's envelope. This is the only place an error becomes a response.
    pub fn into_response(self) -> ArmResponse {
        let oauth = self.extra.as_ref().and_then(|e| e.oauth.clone());
        let data_plane = self.extra.as_ref().and_then(|e| e.data_plane.clone());
        let graph = self.extra.as_ref().and_then(|e| e.graph.clone());
        let arm = oauth.is_none() && data_plane.is_none() && graph.is_none();
        let body = match (oauth, data_plane, graph) {
            (Some(b), _, _) => b,
            (None, _, Some(t)) => json!({"error": {
                "code": self.code_str(),
                "message": self.message,
                "innerError": {"date": t.date, "request-id": t.request_id, "client-request-id": t.client_request_id},
            }}),
            (None, Some(t), None) => json!({
                "error": self.to_root_error(),
                "correlation": {"operation": t.operation, "request": t.request},
                "environment": t.location,
                "location": t.location,
                "time": t.time,
                "componentName": t.component,
            }),
            (None, None, None) => json!({ "error": self.to_json() }),
        };
        let mut resp = ArmResponse::json(self.status, body);
        if let Some(e) = self.extra {
            resp.headers.extend(e.headers);
        }
        if arm {
            resp.headers.push(("x-ms-failure-cause".into(), "gateway".into()));
        }
        resp
    }

    // ---- the protocol ----

    pub fn missing_api_version() -> Self {
        Self::of(
            ErrorCode::MissingApiVersionParameter,
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    }

    pub fn invalid_api_version(given: &str, supported: &[&str]) -> Self {
        Self::of(
            ErrorCode::InvalidApiVersionParameter,
            format!("The api-version '{given}' is invalid. The supported versions are '{}'.", supported.join(",")),
        )
    }

    pub fn authentication_missing() -> Self {
        Self::of(ErrorCode::AuthenticationFailed, "Authentication failed. The 'Authorization' header is missing.")
            .with_header(
                "WWW-Authenticate",
                "Bearer authorization_uri=\"https://login.windows.net/\", error=\"invalid_token\", error_description=\"The authentication failed because of missing 'Authorization' header.\"",
            )
    }

    pub fn invalid_authentication_token() -> Self {
        Self::of(ErrorCode::InvalidAuthenticationToken, "The access token is invalid.").with_header(
            "WWW-Authenticate",
            "Bearer authorization_uri=\"https://login.windows.net/\", error=\"invalid_token\", error_description=\"The access token is invalid.\"",
        )
    }

    /// A strict-mode challenge: ARM's `WWW-Authenticate` with the sign-in authority of the
    /// subscription's tenant and the message as the description.
    fn challenged(self, authorization_uri: &str, error: &str, extra: &str) -> Self {
        // A header value is visible ASCII: the message may quote a client-chosen audience.
        let description: String = self
            .message
            .chars()
            .map(|c| match c {
                '"' => '\'',
                c if c == ' ' || c.is_ascii_graphic() => c,
                _ => '?',
            })
            .collect();
        let value =
            format!("Bearer authorization_uri=\"{authorization_uri}\", error=\"{error}\", error_description=\"{description}\"{extra}");
        self.with_header("WWW-Authenticate", value)
    }

    pub fn authentication_missing_at(authorization_uri: &str) -> Self {
        Self::of(ErrorCode::AuthenticationFailed, "Authentication failed. The 'Authorization' header is missing.")
            .challenged_with(authorization_uri, "The authentication failed because of missing 'Authorization' header.")
    }

    fn challenged_with(self, authorization_uri: &str, description: &str) -> Self {
        let value = format!(
            "Bearer authorization_uri=\"{authorization_uri}\", error=\"invalid_token\", error_description=\"{description}\""
        );
        self.with_header("WWW-Authenticate", value)
    }

    pub fn invalid_authentication_token_at(authorization_uri: &str) -> Self {
        Self::of(ErrorCode::InvalidAuthenticationToken, "The access token is invalid.").challenged(
            authorization_uri,
            "invalid_token",
            "",
        )
    }

    /// `claims` is the base64 claims challenge that makes a client fetch a new token.
    pub fn expired_authentication_token(expiry: &str, now: &str, authorization_uri: &str, claims: &str) -> Self {
        Self::of(
            ErrorCode::ExpiredAuthenticationToken,
            format!("The access token expiry UTC time '{expiry}' is earlier than current UTC time '{now}'."),
        )
        .challenged(authorization_uri, "insufficient_claims", &format!(", claims=\"{claims}\""))
    }

    pub fn invalid_authentication_token_audience(aud: &str, allowed: &[String], authorization_uri: &str) -> Self {
        let list = allowed.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(",");
        Self::of(
            ErrorCode::InvalidAuthenticationTokenAudience,
            format!("The access token has been obtained for wrong audience or resource '{aud}'. It should exactly match with one of the allowed audiences {list}."),
        )
        .challenged(authorization_uri, "invalid_token", "")
    }

    /// `login` is the sign-in base URL (ARM names `https://sts.windows.net/` and
    /// `https://login.windows.net/`; the emulator is both).
    pub fn invalid_authentication_token_tenant(token_tenant: &str, tenant: &str, login: &str) -> Self {
        Self::of(
            ErrorCode::InvalidAuthenticationTokenTenant,
            format!("The access token is from the wrong issuer '{login}/{token_tenant}/'. It must match the tenant '{login}/{tenant}/' associated with this subscription. Please use the authority (URL) '{login}/{tenant}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later."),
        )
        .challenged(&format!("{login}/{tenant}"), "invalid_token", "")
    }

    pub fn authorization_failed(client: &str, object_id: &str, action: &str, scope: &str) -> Self {
        Self::of(
            ErrorCode::AuthorizationFailed,
            format!("The client '{client}' with object id '{object_id}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials."),
        )
    }

    pub fn invalid_role_assignment_scope(role: &str, scope: &str) -> Self {
        Self::of(
            ErrorCode::InvalidRoleAssignmentScope,
            format!("The role definition '{role}' is not assignable at scope '{scope}': it is outside the role's assignable scopes."),
        )
    }

    pub fn role_definition_with_same_name_exists() -> Self {
        Self::of(
            ErrorCode::RoleDefinitionWithSameNameExists,
            "A custom role with the same name already exists in this directory. Use a different name.",
        )
    }

    pub fn role_definition_has_assignments() -> Self {
        Self::of(
            ErrorCode::RoleDefinitionHasAssignments,
            "There are existing role assignments referencing role (code: RoleDefinitionHasAssignments).",
        )
    }

    pub fn invalid_role_definition(what: &str) -> Self {
        Self::of(ErrorCode::InvalidRoleDefinition, format!("The role definition is invalid: {what}"))
    }

    pub fn role_definition_not_updatable(guid: &str) -> Self {
        Self::of(
            ErrorCode::RoleDefinitionNotUpdatable,
            format!("The role definition '{guid}' is a built-in role and cannot be changed or deleted."),
        )
    }

    pub fn invalid_request_content(detail: impl std::fmt::Display) -> Self {
        Self::of(
            ErrorCode::InvalidRequestContent,
            format!("The request content was invalid and could not be deserialized: '{detail}'."),
        )
    }

    /// A request body that could not be read off the connection.
    pub fn unreadable_body(detail: impl std::fmt::Display) -> Self {
        Self::of(ErrorCode::InvalidRequestContent, format!("The request body could not be read: {detail}"))
    }

    /// A request with no target resources named in a move.
    pub fn missing_move_resources() -> Self {
        Self::of(ErrorCode::InvalidRequestContent, "The request must list the 'resources' to move.")
    }

    pub fn invalid_request_uri(segment: &str) -> Self {
        Self::of(
            ErrorCode::InvalidRequestUri,
            format!("The request path segment '{segment}' is not valid UTF-8 after percent-decoding."),
        )
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::of(
            ErrorCode::RequestEntityTooLarge,
            format!("The request content size exceeds the maximum allowed size of {limit} bytes."),
        )
    }

    /// `given` is the request's `Content-Type`, or `None` when a body came without one.
    pub fn unsupported_media_type(given: Option<&str>) -> Self {
        Self::of(
            ErrorCode::UnsupportedMediaType,
            format!(
                "The content media type '{}' is not supported. Only 'application/json' is supported.",
                given.unwrap_or("<null>")
            ),
        )
    }

    pub fn method_not_allowed(method: &str) -> Self {
        Self::of(
            ErrorCode::MethodNotAllowed,
            format!("The requested resource does not support http method '{method}'."),
        )
    }

    pub fn no_route(path: &str) -> Self {
        Self::of(ErrorCode::NotFound, format!("The requested path '{path}' is not supported by the emulator."))
    }

    pub fn precondition_failed() -> Self {
        Self::of(ErrorCode::PreconditionFailed, "The condition specified using HTTP conditional header(s) is not met.")
    }

    pub fn too_many_requests(retry_after: u64) -> Self {
        Self::of(
            ErrorCode::TooManyRequests,
            "The request is being throttled. Please retry after the time given in the Retry-After header.",
        )
        .with_header("Retry-After", retry_after.to_string())
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::of(ErrorCode::InternalServerError, message)
    }

    /// The error a `:fail` LRO mode ends an operation with.
    pub fn configured_operation_failure(kind: &str, mode: &str) -> Self {
        Self::of(
            ErrorCode::InternalOperationError,
            format!("The operation '{kind}' failed as configured by the emulator's LRO mode '{mode}'."),
        )
    }

    pub fn invalid_query_parameter(name: &str, value: &str, expected: &str) -> Self {
        Self::of(
            ErrorCode::InvalidQueryParameterValue,
            format!("The value '{value}' of the query parameter '{name}' is invalid. {expected}"),
        )
    }

    pub fn invalid_top(value: &str) -> Self {
        Self::of(
            ErrorCode::InvalidTopValue,
            format!("The value '{value}' of the query parameter '$top' is invalid. It must be a positive integer."),
        )
    }

    pub fn invalid_continuation_token(token: &str) -> Self {
        Self::of(ErrorCode::InvalidContinuationToken, format!("The continuation token '{token}' is invalid."))
    }

    pub fn invalid_filter(filter: &str) -> Self {
        Self::of(
            ErrorCode::InvalidFilterInQueryString,
            format!("Invalid $filter '{filter}' specified in the query string."),
        )
    }

    pub fn tag_value_filter_needs_name() -> Self {
        Self::of(ErrorCode::InvalidFilterInQueryString, "The 'tagValue' filter requires a 'tagName' filter.")
    }

    // ---- request hygiene ----

    pub fn forbidden_origin(origin: &str) -> Self {
        Self::of(
            ErrorCode::ForbiddenOrigin,
            format!("Requests from the origin '{origin}' are refused: the emulator answers only pages served from the local machine."),
        )
    }

    pub fn invalid_host_name(host: &str) -> Self {
        Self::of(
            ErrorCode::InvalidHostName,
            format!("The host name '{host}' is not one the emulator answers to (loopback names and addresses, and --allowed-host)."),
        )
    }

    /// A test-control write that does not say it is JSON (a cross-site form could send it).
    pub fn control_needs_json(given: Option<&str>) -> Self {
        Self::of(
            ErrorCode::UnsupportedMediaType,
            format!(
                "The content media type '{}' is not supported. Test-control writes must be sent as 'application/json' or carry the header 'X-ArmEmu-Control'.",
                given.unwrap_or("<null>")
            ),
        )
    }

    pub fn emulator_request(message: impl Into<String>) -> Self {
        Self::of(ErrorCode::InvalidEmulatorRequest, message)
    }

    /// A test-control item (a fault rule, a journal entry) that does not exist.
    pub fn emulator_not_found(message: impl Into<String>) -> Self {
        Self::of(ErrorCode::NotFound, message)
    }

    // ---- Microsoft.Resources ----

    pub fn invalid_resource_namespace(ns: &str) -> Self {
        Self::of(ErrorCode::InvalidResourceNamespace, format!("The resource namespace '{ns}' is invalid."))
    }

    /// `GET /providers/{ns}` and its actions answer an unknown namespace with 404.
    pub fn provider_not_found(ns: &str) -> Self {
        Self::invalid_resource_namespace(ns).with_status(404)
    }

    pub fn invalid_resource_type(ns: &str, ty: &str, api_version: &str) -> Self {
        Self::of(
            ErrorCode::InvalidResourceType,
            format!(
                "The resource type '{ty}' could not be found in the namespace '{ns}' for api version '{api_version}'."
            ),
        )
    }

    // ---- Microsoft.Resources/deployments ----

    /// A template (or its parameters) that cannot be deployed; `message` is the engine's,
    /// already in ARM's words ("Deployment template validation failed: …").
    pub fn invalid_template(message: impl Into<String>) -> Self {
        Self::of(ErrorCode::InvalidTemplate, message)
    }

    pub fn invalid_template_deployment(message: impl Into<String>) -> Self {
        Self::of(ErrorCode::InvalidTemplateDeployment, message)
    }

    pub fn invalid_deployment_name(name: &str) -> Self {
        Self::of(
            ErrorCode::InvalidDeploymentName,
            format!("The deployment name '{name}' is invalid. It can contain only alphanumeric characters, periods, underscores, hyphens and parentheses, may not end in a period, and can be at most 64 characters long."),
        )
    }

    pub fn deployment_not_found(name: &str) -> Self {
        Self::of(ErrorCode::DeploymentNotFound, format!("Deployment '{name}' could not be found."))
    }

    pub fn deployment_operation_not_found(name: &str, id: &str) -> Self {
        Self::of(
            ErrorCode::DeploymentOperationNotFound,
            format!("Deployment operation '{id}' of deployment '{name}' could not be found."),
        )
    }

    /// A deployment in which at least one resource failed; `details` name each.
    pub fn deployment_failed(details: Vec<ArmError>) -> Self {
        Self::of(
            ErrorCode::DeploymentFailed,
            "At least one resource deployment operation failed. Please list deployment operations for details. Please see https://aka.ms/arm-deployment-operations for usage details.",
        )
        .with_details(details)
    }

    pub fn deployment_active(name: &str) -> Self {
        Self::of(
            ErrorCode::DeploymentActive,
            format!("The deployment '{name}' cannot be deleted because it is still active. Cancel it or wait for it to finish."),
        )
    }

    pub fn deployment_cannot_be_cancelled(name: &str, state: &str) -> Self {
        Self::of(
            ErrorCode::DeploymentCannotBeCancelled,
            format!("The deployment '{name}' cannot be cancelled: it is in state '{state}'. Only deployments that are 'Accepted' or 'Running' can be cancelled."),
        )
    }

    /// `templateLink`/`parametersLink`: the emulator is offline.
    pub fn template_link_offline(what: &str) -> Self {
        Self::of(
            ErrorCode::InvalidTemplateDeployment,
            format!("The deployment's '{what}' cannot be fetched: the emulator has no network access. Send the template inline ('template'/'parameters') instead. See DIFFERENCES.md."),
        )
    }

    /// An error reported by something the emulator called on the caller's behalf (a template
    /// resource's provider), kept with its own code when it is one of ours.
    pub fn relayed(code: &str, message: impl Into<String>) -> Self {
        Self::of(ErrorCode::parse(code).unwrap_or(ErrorCode::BadRequest), message)
    }

    /// An error a fault rule injects (`/_emulator/faults`): any status, and any code text (kept
    /// as given; `code` is the matching [`ErrorCode`] when there is one, else `BadRequest`
    /// or `InternalServerError` by status).
    pub fn injected(status: u16, code: &str, message: impl Into<String>) -> Self {
        let known = ErrorCode::parse(code).unwrap_or(if status >= 500 {
            ErrorCode::InternalServerError
        } else {
            ErrorCode::BadRequest
        });
        let mut e = Self::of(known, message).with_status(status);
        if known.as_str() != code {
            e.extra().code_text = Some(code.to_string());
        }
        e
    }

    /// A type the catalog lists but the emulator does not model: refused, never stored.
    pub fn not_emulated(full_type: &str) -> Self {
        Self::of(
            ErrorCode::ResourceTypeNotEmulated,
            format!("The emulator does not model resources of type '{full_type}'; the request was not carried out. See DIFFERENCES.md."),
        )
    }

    /// A name a type's own rule refuses (`rule` says what the type allows).
    pub fn invalid_resource_name_rule(name: &str, rule: &str) -> Self {
        Self::of(ErrorCode::InvalidResourceName, format!("The resource name '{name}' is invalid. {rule}"))
    }

    pub fn invalid_resource_name(name: &str) -> Self {
        Self::of(
            ErrorCode::InvalidResourceName,
            format!("The resource name '{name}' is invalid. A resource name must not contain '<', '>', '*', '%', '&', ':', '\\', '?', '/', '+', '#' or control characters, and must not end with '.' or a space."),
        )
    }

    pub fn subscription_not_found(sub: &str) -> Self {
        Self::of(ErrorCode::SubscriptionNotFound, format!("The subscription '{sub}' could not be found."))
    }

    pub fn invalid_subscription_id(sub: &str) -> Self {
        Self::of(
            ErrorCode::InvalidSubscriptionId,
            format!("The provided subscription identifier '{sub}' is malformed or invalid."),
        )
    }

    pub fn read_only_subscription(sub: &str) -> Self {
        Self::of(
            ErrorCode::ReadOnlyDisabledSubscription,
            format!("The subscription '{sub}' is disabled and therefore marked as read only. You cannot perform any write actions on this subscription until it is re-enabled."),
        )
    }

    pub fn tenant_not_found(tenant: &str) -> Self {
        Self::of(ErrorCode::TenantNotFound, format!("The tenant '{tenant}' could not be found."))
    }

    pub fn resource_group_not_found(rg: &str) -> Self {
        Self::of(ErrorCode::ResourceGroupNotFound, format!("Resource group '{rg}' could not be found."))
    }

    pub fn resource_group_being_deleted(rg: &str) -> Self {
        Self::of(
            ErrorCode::ResourceGroupBeingDeleted,
            format!("The resource group '{rg}' is in deprovisioning state and cannot perform this operation."),
        )
    }

    pub fn invalid_resource_group_location(requested: &str, existing: &str) -> Self {
        Self::of(
            ErrorCode::InvalidResourceGroupLocation,
            format!("Invalid resource group location '{requested}'. The Resource group already exists in location '{existing}'."),
        )
    }

    pub fn location_not_available_for_resource_group(loc: &str, available: &[&str]) -> Self {
        Self::of(
            ErrorCode::LocationNotAvailableForResourceGroup,
            format!(
                "The provided location '{loc}' is not available for resource group. List of available regions is '{}'.",
                available.join(",")
            ),
        )
    }

    /// Network's answer when a resource names one that does not exist (or is in another
    /// region): the referencing and referenced ids, and a `NotFound` detail.
    pub fn invalid_resource_reference(referenced: &str, by: &str) -> Self {
        Self::of(
            ErrorCode::InvalidResourceReference,
            format!("Resource {referenced} referenced by resource {by} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region."),
        )
        .with_detail(Self::of(ErrorCode::NotFound, format!("Resource {referenced} not found.")))
    }

    /// A private endpoint asking a private link resource for a group id it does not offer.
    pub fn private_endpoint_group_id(group: &str, target_type: &str, offered: &[&str]) -> Self {
        Self::of(
            ErrorCode::PrivateEndpointBadRequest,
            format!(
                "Private endpoint group id '{group}' is not supported by resource type '{target_type}'. Supported group ids: {}.",
                offered.join(", ")
            ),
        )
    }

    pub fn location_required() -> Self {
        Self::of(ErrorCode::LocationRequired, "The location property is required for this definition.")
    }

    pub fn invalid_resource_group_name(name: &str) -> Self {
        Self::of(
            ErrorCode::InvalidResourceGroupName,
            format!("The resource group name '{name}' is invalid. It must be 1 to 90 characters of letters, digits, '_', '-', '.', '(' or ')', and must not end with '.'."),
        )
        .with_target("resourceGroupName")
    }

    pub fn resource_not_found(full_type: &str, name: &str, rg: &str) -> Self {
        Self::of(
            ErrorCode::ResourceNotFound,
            format!("The Resource '{full_type}/{name}' under resource group '{rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"),
        )
    }

    pub fn missing_subscription_registration(ns: &str) -> Self {
        let msg = format!(
            "The subscription is not registered to use namespace '{ns}'. See https://aka.ms/rps-not-found for how to register subscriptions."
        );
        Self::of(ErrorCode::MissingSubscriptionRegistration, msg.clone())
            .with_detail(Self::of(ErrorCode::MissingSubscriptionRegistration, msg).with_target(ns))
    }

    pub fn no_registered_provider_found(
        location: &str,
        api_version: &str,
        resource_type: &str,
        api_versions: &[&str],
        locations: &[&str],
    ) -> Self {
        Self::of(
            ErrorCode::NoRegisteredProviderFound,
            format!(
                "No registered resource provider found for location '{location}' and API version '{api_version}' for type '{resource_type}'. The supported api-versions are '{}'. The supported locations are '{}'.",
                api_versions.join(", "),
                locations.join(", ")
            ),
        )
    }

    pub fn operation_not_found(id: &str) -> Self {
        Self::of(ErrorCode::OperationNotFound, format!("The operation '{id}' could not be found."))
    }

    pub fn invalid_tag_count() -> Self {
        Self::of(ErrorCode::InvalidTagCount, "The number of tags exceeds the limit of 50.")
    }

    pub fn invalid_tag_name(name: &str) -> Self {
        Self::of(
            ErrorCode::InvalidTagNameCharacters,
            format!("The tag names '{name}' have reserved characters '<,>,%,&,\\,?,/' or control characters."),
        )
    }

    pub fn invalid_tag_value_length(value: &str) -> Self {
        Self::of(
            ErrorCode::InvalidTagValueLength,
            format!("The tag value '{value}' exceeds the maximum length of 256 characters."),
        )
    }

    pub fn invalid_target_resource_group(message: impl Into<String>) -> Self {
        Self::of(ErrorCode::InvalidTargetResourceGroup, message)
    }

    pub fn invalid_move_request(id: &str, rg: &str) -> Self {
        Self::of(
            ErrorCode::InvalidMoveRequest,
            format!("The resource '{id}' is not a top-level resource in resource group '{rg}'."),
        )
    }

    pub fn move_not_supported(what: &str, name: &str, cross_subscription: bool) -> Self {
        let to = if cross_subscription { "subscription" } else { "resource group" };
        Self::of(
            ErrorCode::ResourceMoveNotSupported,
            format!("Moving the {what} '{name}' to another {to} is not supported."),
        )
    }

    /// A move would put a resource where one of the same type and name exists.
    pub fn move_target_exists(full_type: &str, name: &str, rg: &str) -> Self {
        Self::of(
            ErrorCode::Conflict,
            format!("The resource '{full_type}/{name}' cannot be moved: a resource of that type and name exists in the target resource group '{rg}'."),
        )
    }

    // ---- Microsoft.MachineLearningServices ----

    /// A workspace rule the service enforces (dependents, immutable properties, values).
    /// A resource names a user-assigned identity that does not exist: ARM's identity layer
    /// refuses the write (the service's own response is quoted inside the message).
    pub fn identity_not_found(resource_id: &str, identity_id: &str) -> Self {
        Self::of(
            ErrorCode::FailedIdentityOperation,
            format!("Identity operation for resource '{resource_id}' failed with error 'Failed to perform resource identity operation. Status: 'NotFound'. Response: '{{\"error\":{{\"code\":\"NotFound\",\"message\":\"Resource '{identity_id}' was not found.\"}}}}'.'"),
        )
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::of(ErrorCode::ValidationError, message)
    }

    pub fn workspace_being_deleted(name: &str) -> Self {
        Self::of(ErrorCode::Conflict, format!("The workspace '{name}' is being deleted and cannot be updated."))
    }

    pub fn soft_deleted_workspace_exists() -> Self {
        Self::of(
            ErrorCode::BadRequest,
            "Soft-deleted workspace exists. Please purge or recover it. https://aka.ms/wsoftdelete",
        )
    }

    /// An ML asset rule (environment names, versions, definitions): `400 UserError`.
    pub fn asset_user_error(message: impl Into<String>) -> Self {
        Self::of(ErrorCode::UserError, message)
    }

    /// A PUT that would change a registered environment version (azure-ai-ml maps the 409 to
    /// `ResourceExistsError` and retries with the container's `nextVersion`).
    pub fn environment_version_exists(name: &str, version: &str) -> Self {
        Self::of(
            ErrorCode::UserError,
            format!("Environment {name} with version {version} is already registered and cannot be changed."),
        )
        .with_status(409)
    }

    // ---- the Azure ML data plane (the environment service) ----

    /// A data-plane `404` (`NotFound`): a missing workspace, environment or version.
    pub fn data_plane_not_found(message: impl Into<String>) -> Self {
        Self::of(ErrorCode::NotFound, message)
    }

    /// A data-plane request the emulator does not model: `what` names the SDK feature.
    pub fn service_not_emulated(method: &str, path: &str, what: &str) -> Self {
        Self::of(
            ErrorCode::ServiceNotEmulated,
            format!(
                "The emulator does not emulate {what}: {method} {path} is not served. The emulator models the Azure ML environment service (environments, their versions and image builds) only."
            ),
        )
    }

    // ---- Microsoft Graph ----

    /// `404 Request_ResourceNotFound`, as Graph words it.
    pub fn graph_not_found(id: &str) -> Self {
        Self::of(
            ErrorCode::Request_ResourceNotFound,
            format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
        )
    }

    /// `400 Request_BadRequest`.
    pub fn graph_bad_request(message: impl Into<String>) -> Self {
        Self::of(ErrorCode::Request_BadRequest, message)
    }

    /// `400 Request_UnsupportedQuery`: a `$filter` the emulator does not evaluate.
    pub fn graph_unsupported_query(filter: &str) -> Self {
        Self::of(
            ErrorCode::Request_UnsupportedQuery,
            format!("Unsupported or invalid query filter clause specified: '{filter}'. The emulator evaluates \"p eq 'v'\", \"startswith(p,'v')\" and \"c/any(x:x eq 'v')\" joined by 'and'."),
        )
    }

    /// `409 Request_MultipleObjectsWithSameKeyValue`.
    pub fn graph_duplicate(message: impl Into<String>) -> Self {
        Self::of(ErrorCode::Request_MultipleObjectsWithSameKeyValue, message)
    }

    // ---- Microsoft.Authorization ----

    pub fn invalid_role_assignment_id(name: &str) -> Self {
        Self::of(
            ErrorCode::InvalidRoleAssignmentId,
            format!("The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID."),
        )
    }

    pub fn invalid_role_definition_id() -> Self {
        Self::of(ErrorCode::InvalidRoleDefinitionId, "The role definition ID '' is not valid.")
    }

    /// `status` is 404 for a GET of the definition, 400 when an assignment names it.
    pub fn role_definition_does_not_exist(guid: &str, status: u16) -> Self {
        Self::of(
            ErrorCode::RoleDefinitionDoesNotExist,
            format!("The specified role definition with ID '{guid}' does not exist."),
        )
        .with_status(status)
    }

    pub fn role_assignment_exists(existing: &str) -> Self {
        Self::of(
            ErrorCode::RoleAssignmentExists,
            format!("The role assignment already exists. The ID of the existing role assignment is {existing}."),
        )
    }

    pub fn role_assignment_update_not_permitted() -> Self {
        Self::of(
            ErrorCode::RoleAssignmentUpdateNotPermitted,
            "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
        )
    }

    pub fn role_assignment_not_found(name: &str) -> Self {
        Self::of(ErrorCode::RoleAssignmentNotFound, format!("The role assignment '{name}' is not found."))
    }

    pub fn invalid_principal_id(given: &str) -> Self {
        Self::of(
            ErrorCode::InvalidPrincipalId,
            format!("A valid principal ID must be provided for role assignment; '{given}' is not one."),
        )
    }

    // ---- Entra ID (the OAuth envelope) ----

    /// An AAD-style OAuth error (`{"error","error_description","error_codes",…}`): the token
    /// endpoints do not use ARM's envelope. `trace` gives the trace and correlation ids and
    /// the timestamp the body quotes.
    pub fn oauth(status: u16, error: &str, code: u32, description: &str, trace: OAuthTrace) -> Self {
        let mut e = Self::of(ErrorCode::BadRequest, description).with_status(status);
        e.extra().oauth = Some(json!({
            "error": error,
            "error_description": format!(
                "AADSTS{code}: {description}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
                trace.trace_id, trace.correlation_id, trace.timestamp
            ),
            "error_codes": [code],
            "timestamp": trace.timestamp,
            "trace_id": trace.trace_id,
            "correlation_id": trace.correlation_id,
        }));
        e
    }

    /// The managed-identity endpoints' short OAuth form (`{"error","error_description"}`).
    pub fn managed_identity(description: &str) -> Self {
        let mut e = Self::of(ErrorCode::BadRequest, description);
        e.extra().oauth = Some(json!({"error": "invalid_request", "error_description": description}));
        e
    }
}

/// The variable parts of an OAuth error body.
pub struct OAuthTrace {
    pub trace_id: String,
    pub correlation_id: String,
    /// `YYYY-MM-DD hh:mm:ssZ`.
    pub timestamp: String,
}

/// A store rejection in ARM's terms. Handlers check their rules while planning, so these are
/// answered when a concurrent change got there first; `InvalidRecord` is a bug (500).
impl From<Rejection> for ArmError {
    fn from(r: Rejection) -> ArmError {
        match r {
            Rejection::SubscriptionNotFound { subscription } => ArmError::subscription_not_found(&subscription),
            Rejection::TenantNotFound { tenant } => ArmError::tenant_not_found(&tenant),
            Rejection::GroupNotFound { group } => ArmError::resource_group_not_found(&group),
            Rejection::GroupBeingDeleted { group } => ArmError::resource_group_being_deleted(&group),
            Rejection::ResourceNotFound { full_type, name, group } => {
                ArmError::resource_not_found(&full_type, &name, &group)
            }
            Rejection::ResourceExists { full_type, name, group } => {
                ArmError::move_target_exists(&full_type, &name, &group)
            }
            Rejection::OperationNotFound { id } => ArmError::operation_not_found(&id),
            Rejection::OperationExists { id } => ArmError::internal(format!("operation '{id}' exists already")),
            r @ Rejection::InvalidRecord { .. } => {
                ArmError::internal(format!("the emulator refused its own change: {r}"))
            }
        }
    }
}

impl From<&ErrorBody> for ArmError {
    /// An error an operation kept, answered again. A code that is not one of ours (a fault
    /// rule's) keeps its text and answers 400: clients retry a 500 poll instead of failing.
    fn from(b: &ErrorBody) -> ArmError {
        let known = ErrorCode::parse(&b.code);
        let mut e = ArmError::of(known.unwrap_or(ErrorCode::BadRequest), b.message.clone());
        if known.is_none() {
            e.extra().code_text = Some(b.code.clone());
        }
        for d in &b.details {
            e = e.with_detail(ArmError::from(d));
        }
        e
    }
}

impl std::fmt::Display for ArmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code_str(), self.message)
    }
}

impl std::error::Error for ArmError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_with_a_pascal_case_name_and_an_error_status() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            let (name, status) = (c.as_str(), c.status());
            assert!(seen.insert(name), "{name} twice");
            assert!(name.chars().next().is_some_and(|c| c.is_ascii_uppercase()), "{name}");
            assert!((400..600).contains(&status), "{name}: {status}");
            assert_eq!(
                ArmError::from(&ErrorBody { code: name.into(), message: "m".into(), details: Vec::new() }).code,
                *c
            );
        }
    }

    /// A client-chosen audience quoted in the message cannot make the challenge an invalid
    /// header value (it would be dropped silently).
    #[test]
    fn a_challenge_stays_a_valid_header_value() {
        let e = ArmError::invalid_authentication_token_audience("api://\"caf\u{e9}\"\n", &["a".into()], "https://h/t");
        let r = e.into_response();
        let v = r.header("WWW-Authenticate").unwrap_or_default();
        assert!(v.bytes().all(|b| b == b' ' || b.is_ascii_graphic()), "{v}");
        assert!(v.contains("error_description=\"The access token has been obtained for wrong audience or resource 'api://'caf?'?'."), "{v}");
        assert!(hyper::header::HeaderValue::from_str(v).is_ok());
    }

    #[test]
    fn renders_the_arm_envelope_with_details_and_headers() {
        let r = ArmError::missing_subscription_registration("Microsoft.X").into_response();
        assert_eq!(r.status, 409);
        let v: Value = serde_json::from_slice(r.body.as_ref().unwrap()).unwrap();
        assert_eq!(v["error"]["code"], "MissingSubscriptionRegistration");
        assert_eq!(v["error"]["details"][0]["target"], "Microsoft.X");
        assert_eq!(r.header("x-ms-failure-cause"), Some("gateway"));
        let nf = ArmError::provider_not_found("X");
        assert_eq!((nf.status, nf.code), (404, ErrorCode::InvalidResourceNamespace));
    }
}
