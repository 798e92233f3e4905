//! Long-running operations, ARM's asynchronous pattern (RPC `async-api-reference.md`).
//!
//! A [`Poller`] starts from the first answer of a `begin_*` call and decides how to follow it:
//!
//! - `Azure-AsyncOperation`: poll that URL (always `200`) until `status` is terminal; on
//!   success a PUT/PATCH GETs the resource, a DELETE/POST reads the `Location` URL if there is
//!   one.
//! - `Location` only: poll it; `202` means running, any other 2xx is the final answer.
//! - neither, but a PUT/PATCH body with a non-terminal `provisioningState`: GET the resource
//!   until the state is terminal.
//! - otherwise the first answer is final.
//!
//! Every wait is the `Retry-After` of the last answer (`0` becomes the minimum interval,
//! absent becomes the default interval) and goes through the client's [`crate::sleep::Sleeper`].
//! `.await` on a poller waits for the end; [`Poller::poll`] takes one step.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::time::Duration;

use hyper::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::client::ArmClient;
use crate::error::{Error, ErrorDetail, Result};
use crate::http::HttpResponse;
use crate::retry;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LroStatus {
    InProgress,
    Succeeded,
    Failed,
    Canceled,
}

impl LroStatus {
    pub fn parse(s: &str) -> LroStatus {
        match s.to_ascii_lowercase().as_str() {
            "succeeded" => LroStatus::Succeeded,
            "failed" => LroStatus::Failed,
            "canceled" | "cancelled" => LroStatus::Canceled,
            _ => LroStatus::InProgress,
        }
    }

    pub fn is_terminal(self) -> bool {
        self != LroStatus::InProgress
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Follow {
    AsyncOperation(String),
    Location(String),
    Resource,
    Done,
}

pub struct Poller<T> {
    client: ArmClient,
    method: Method,
    resource_url: String,
    follow: Follow,
    location: Option<String>,
    status: LroStatus,
    retry_after: Option<Duration>,
    result: Option<Value>,
    initial_status: u16,
    polls: u32,
    /// The body of the last answer (the first one, then each poll), as sent: az prints a
    /// failed deployment's final status body verbatim.
    last_body: bytes::Bytes,
    _t: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Poller<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Poller")
            .field("method", &self.method)
            .field("resource_url", &self.resource_url)
            .field("follow", &self.follow)
            .field("status", &self.status)
            .field("retry_after", &self.retry_after)
            .field("polls", &self.polls)
            .finish()
    }
}

fn header(resp: &HttpResponse, name: &str) -> Option<String> {
    resp.header(name).map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

fn body_json(resp: &HttpResponse) -> Option<Value> {
    if resp.body.is_empty() {
        return None;
    }
    serde_json::from_slice(&resp.body).ok()
}

fn provisioning_state(v: &Value) -> LroStatus {
    v.pointer("/properties/provisioningState")
        .and_then(Value::as_str)
        .map(LroStatus::parse)
        .unwrap_or(LroStatus::Succeeded)
}

/// Turns the operation's `error` (or a failed resource) into an [`Error::Arm`].
fn failure(status: u16, body: Option<&Value>, outcome: LroStatus, request_id: Option<String>) -> Error {
    let detail: Option<ErrorDetail> = body
        .and_then(|b| b.get("error").or_else(|| b.pointer("/properties/error")))
        .and_then(|e| serde_json::from_value(e.clone()).ok());
    let d = detail.unwrap_or_else(|| ErrorDetail {
        code: if outcome == LroStatus::Canceled { "OperationCanceled".into() } else { "OperationFailed".into() },
        message: format!("The long-running operation ended {outcome:?}."),
        ..Default::default()
    });
    Error::Arm { status, code: d.code, message: d.message, target: d.target, details: d.details, request_id }
}

impl<T: DeserializeOwned> Poller<T> {
    /// Starts from the first (successful) answer of `method` on `resource_url`.
    pub fn from_initial(
        client: ArmClient,
        method: Method,
        resource_url: String,
        resp: HttpResponse,
    ) -> Result<Poller<T>> {
        let aao = header(&resp, "azure-asyncoperation");
        let loc = header(&resp, "location");
        let body = body_json(&resp);
        let mutating = method == Method::PUT || method == Method::PATCH;
        let mut status = LroStatus::InProgress;
        let mut result = None;
        let follow = if let Some(u) = aao.clone() {
            Follow::AsyncOperation(u)
        } else if let (Some(u), 202) = (loc.clone(), resp.status) {
            Follow::Location(u)
        } else if mutating
            && (resp.status == 202 || body.as_ref().is_some_and(|b| !provisioning_state(b).is_terminal()))
        {
            Follow::Resource
        } else {
            if let Some(b) = &body {
                let st = if mutating { provisioning_state(b) } else { LroStatus::Succeeded };
                if matches!(st, LroStatus::Failed | LroStatus::Canceled) {
                    return Err(failure(resp.status, Some(b), st, resp.request_id()));
                }
            }
            status = LroStatus::Succeeded;
            result = body.clone();
            Follow::Done
        };
        Ok(Poller {
            client,
            method,
            resource_url,
            follow,
            location: loc,
            status,
            retry_after: retry::retry_after(&resp),
            result,
            initial_status: resp.status,
            polls: 0,
            last_body: resp.body.clone(),
            _t: PhantomData,
        })
    }

    pub fn status(&self) -> LroStatus {
        self.status
    }

    pub fn is_done(&self) -> bool {
        self.status.is_terminal()
    }

    /// The status code of the answer that started the operation.
    pub fn initial_status(&self) -> u16 {
        self.initial_status
    }

    /// The URL being polled, if any.
    pub fn operation_url(&self) -> Option<&str> {
        match &self.follow {
            Follow::AsyncOperation(u) | Follow::Location(u) => Some(u),
            Follow::Resource => Some(&self.resource_url),
            Follow::Done => None,
        }
    }

    /// The `Retry-After` of the last answer, as sent.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// Requests made after the first answer.
    pub fn polls(&self) -> u32 {
        self.polls
    }

    /// How long to wait before the next poll.
    pub fn next_wait(&self) -> Duration {
        let p = self.client.poll_options();
        match self.retry_after {
            Some(d) if d.is_zero() => p.min_interval,
            Some(d) => d,
            None => p.default_interval,
        }
    }

    async fn get(&mut self, url: &str) -> Result<HttpResponse> {
        self.polls += 1;
        let resp = self.client.send(Method::GET, url, None).await?;
        self.retry_after = retry::retry_after(&resp);
        self.last_body = resp.body.clone();
        Ok(resp)
    }

    /// The final answer once the operation status says `Succeeded`.
    async fn finish(&mut self) -> Result<()> {
        self.status = LroStatus::Succeeded;
        self.follow = Follow::Done;
        if self.method == Method::PUT || self.method == Method::PATCH {
            let url = self.resource_url.clone();
            let resp = self.get(&url).await?;
            self.result = body_json(&resp);
        } else if let Some(loc) = self.location.clone() {
            let resp = self.get(&loc).await?;
            if resp.status != 202 {
                self.result = body_json(&resp);
            }
        }
        Ok(())
    }

    /// One poll. Returns the status after it; a failed operation is an `Err`.
    pub async fn poll(&mut self) -> Result<LroStatus> {
        match self.follow.clone() {
            Follow::Done => {}
            Follow::AsyncOperation(url) => {
                let resp = self.get(&url).await?;
                let body = body_json(&resp).ok_or_else(|| Error::Unexpected {
                    status: resp.status,
                    body: String::from_utf8_lossy(&resp.body).into_owned(),
                    reason: "the operation status has no JSON body".into(),
                    request_id: resp.request_id(),
                })?;
                let st = body.get("status").and_then(Value::as_str).map(LroStatus::parse).ok_or_else(|| {
                    Error::Unexpected {
                        status: resp.status,
                        body: body.to_string(),
                        reason: "the operation status has no 'status'".into(),
                        request_id: resp.request_id(),
                    }
                })?;
                match st {
                    LroStatus::InProgress => {}
                    LroStatus::Succeeded => self.finish().await?,
                    other => {
                        self.status = other;
                        self.follow = Follow::Done;
                        return Err(failure(resp.status, Some(&body), other, resp.request_id()));
                    }
                }
            }
            Follow::Location(url) => {
                let resp = self.get(&url).await?;
                if resp.status == 202 {
                    if let Some(next) = header(&resp, "location") {
                        self.follow = Follow::Location(next);
                    }
                } else {
                    self.status = LroStatus::Succeeded;
                    self.follow = Follow::Done;
                    self.result = body_json(&resp);
                    if self.result.is_none() && (self.method == Method::PUT || self.method == Method::PATCH) {
                        let u = self.resource_url.clone();
                        let r = self.get(&u).await?;
                        self.result = body_json(&r);
                    }
                }
            }
            Follow::Resource => {
                let url = self.resource_url.clone();
                let resp = self.get(&url).await?;
                let body = body_json(&resp);
                let st = body.as_ref().map(provisioning_state).unwrap_or(LroStatus::Succeeded);
                match st {
                    LroStatus::InProgress => {}
                    LroStatus::Succeeded => {
                        self.status = st;
                        self.follow = Follow::Done;
                        self.result = body;
                    }
                    other => {
                        self.status = other;
                        self.follow = Follow::Done;
                        return Err(failure(resp.status, body.as_ref(), other, resp.request_id()));
                    }
                }
            }
        }
        Ok(self.status)
    }

    /// The final body, once done.
    pub fn result(&self) -> Result<Option<T>> {
        match &self.result {
            None => Ok(None),
            Some(v) => serde_json::from_value(v.clone()).map(Some).map_err(|e| Error::Unexpected {
                status: 200,
                body: v.to_string(),
                reason: format!("the final result does not have the documented shape: {e}"),
                request_id: None,
            }),
        }
    }

    /// The final body as JSON, once done.
    pub fn result_json(&self) -> Option<&Value> {
        self.result.as_ref()
    }

    /// The body of the last answer: the first one, or the last poll's (for a failed
    /// operation, the status that said so).
    pub fn last_body(&self) -> &[u8] {
        &self.last_body
    }

    /// Polls (sleeping through the client's sleeper) until the operation ends.
    pub async fn wait(mut self) -> Result<Option<T>> {
        self.wait_in_place().await
    }

    /// [`Poller::wait`] that keeps the poller, so [`Poller::last_body`] stays readable after
    /// a failure.
    pub async fn wait_in_place(&mut self) -> Result<Option<T>> {
        let sleeper = self.client.sleeper();
        while !self.is_done() {
            sleeper.sleep(self.next_wait()).await;
            self.poll().await?;
        }
        self.result()
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for Poller<T> {
    type Output = Result<Option<T>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.wait())
    }
}
