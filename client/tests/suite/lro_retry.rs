//! Retries and the LRO poller against scripted servers: exact headers, exact waits.

use armctl::error::Error;
use armctl::lro::{LroStatus, Poller};
use armctl::retry::RetryOptions;
use armctl::sleep::RecordingSleeper;
use hyper::Method;
use serde_json::Value;

use crate::helpers::*;

const RG_BODY: &str = r#"{"id":"/subscriptions/s/resourceGroups/rg","name":"rg","location":"eastus","properties":{"provisioningState":"Succeeded"}}"#;

#[tokio::test]
async fn retries_a_429_after_its_retry_after() {
    let srv = scripted(vec![
        reply(429, &[("Retry-After", "3")], r#"{"error":{"code":"TooManyRequests","message":"slow down"}}"#),
        reply(503, &[("Retry-After", "2")], ""),
        reply(200, &[("Content-Type", "application/json")], RG_BODY),
    ])
    .await;
    let sleeper = RecordingSleeper::new();
    let g = srv.client(&sleeper).resource_groups().get("rg").await.unwrap();
    assert_eq!(g.name.as_deref(), Some("rg"));
    assert_eq!(sleeper.recorded(), secs(&[3, 2]));
    assert_eq!(srv.seen().len(), 3);
}

#[tokio::test]
async fn backoff_without_retry_after_is_jittered_and_capped() {
    let srv =
        scripted(vec![reply(500, &[], ""), reply(502, &[], ""), reply(504, &[], ""), reply(200, &[], RG_BODY)]).await;
    let sleeper = RecordingSleeper::new();
    let c = armctl::ArmClient::builder(&srv.base)
        .credential(std::sync::Arc::new(armctl::credential::StaticTokenCredential::new("t")))
        .sleeper(std::sync::Arc::new(sleeper.clone()))
        .retry(RetryOptions {
            max_retries: 5,
            base_delay: std::time::Duration::from_secs(2),
            max_delay: std::time::Duration::from_secs(5),
        })
        .subscription(SUB)
        .build()
        .unwrap();
    c.resource_groups().get("rg").await.unwrap();
    let waits = sleeper.recorded();
    assert_eq!(waits.len(), 3);
    let steps = secs(&[2, 4, 5]);
    for (w, s) in waits.iter().zip(&steps) {
        assert!(*w >= *s / 2 && *w <= *s, "{w:?} not within [{:?}, {s:?}]", *s / 2);
    }
}

#[tokio::test]
async fn gives_up_after_max_retries_with_the_arm_error() {
    let throttled =
        || reply(429, &[("Retry-After", "1")], r#"{"error":{"code":"TooManyRequests","message":"slow down"}}"#);
    let srv = scripted((0..5).map(|_| throttled()).collect()).await;
    let sleeper = RecordingSleeper::new();
    let e = srv.client(&sleeper).resource_groups().get("rg").await.unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(429), Some("TooManyRequests")));
    assert_eq!(sleeper.recorded().len(), 4, "the default is four retries");
    assert_eq!(srv.seen().len(), 5);
}

#[tokio::test]
async fn client_errors_are_not_retried_and_unknown_bodies_are_unexpected() {
    let srv = scripted(vec![
        reply(400, &[], r#"{"error":{"code":"InvalidRequestContent","message":"bad"}}"#),
        reply(418, &[], "<html>teapot</html>"),
    ])
    .await;
    let sleeper = RecordingSleeper::new();
    let c = srv.client(&sleeper);
    assert_eq!(c.resource_groups().get("a").await.unwrap_err().code(), Some("InvalidRequestContent"));
    assert!(matches!(c.resource_groups().get("b").await.unwrap_err(), Error::Unexpected { status: 418, .. }));
    assert!(sleeper.recorded().is_empty());
}

#[tokio::test]
async fn connection_errors_are_retried_then_reported_as_transport() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let sleeper = RecordingSleeper::new();
    let c = armctl::ArmClient::builder(format!("http://127.0.0.1:{port}"))
        .credential(std::sync::Arc::new(armctl::credential::StaticTokenCredential::new("t")))
        .sleeper(std::sync::Arc::new(sleeper.clone()))
        .retry(RetryOptions { max_retries: 2, ..Default::default() })
        .subscription(SUB)
        .build()
        .unwrap();
    let e = c.resource_groups().get("rg").await.unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert_eq!(sleeper.recorded().len(), 2);
}

async fn begin_put(s: &Scripted, sleeper: &RecordingSleeper) -> Poller<Value> {
    let url = format!("{}/thing?api-version=1", s.base);
    s.client(sleeper).begin(Method::PUT, &url, Some(&serde_json::json!({}))).await.unwrap()
}

#[tokio::test]
async fn azure_async_operation_then_final_get() {
    let s = scripted_with(|base| {
        vec![
            reply(
                201,
                &[("Azure-AsyncOperation", &format!("{base}/op/1")), ("Retry-After", "7")],
                r#"{"properties":{"provisioningState":"Creating"}}"#,
            ),
            reply(200, &[("Retry-After", "4")], r#"{"status":"InProgress"}"#),
            reply(200, &[], r#"{"status":"Succeeded"}"#),
            reply(200, &[], r#"{"id":"/x","properties":{"provisioningState":"Succeeded","k":"v"}}"#),
        ]
    })
    .await;
    let sleeper = RecordingSleeper::new();
    let poller = begin_put(&s, &sleeper).await;
    assert_eq!(poller.status(), LroStatus::InProgress);
    let v = poller.await.unwrap().unwrap();
    assert_eq!(v["properties"]["k"], "v");
    assert_eq!(sleeper.recorded(), secs(&[7, 4]));
    assert_eq!(s.seen(), ["PUT /thing?api-version=1", "GET /op/1", "GET /op/1", "GET /thing?api-version=1"]);
}

#[tokio::test]
async fn location_polling_until_not_202() {
    let s = scripted_with(|base| {
        vec![
            reply(202, &[("Location", &format!("{base}/res/1")), ("Retry-After", "2")], ""),
            reply(202, &[("Location", &format!("{base}/res/2")), ("Retry-After", "0")], ""),
            reply(200, &[], r#"{"done":true}"#),
        ]
    })
    .await;
    let sleeper = RecordingSleeper::new();
    let url = format!("{}/thing?api-version=1", s.base);
    let poller: Poller<Value> = s.client(&sleeper).begin(Method::DELETE, &url, None).await.unwrap();
    let v = poller.await.unwrap().unwrap();
    assert_eq!(v["done"], true);
    // Retry-After: 0 waits the minimum interval (1 s by default) rather than spinning.
    assert_eq!(sleeper.recorded(), secs(&[2, 1]));
    assert_eq!(s.seen(), ["DELETE /thing?api-version=1", "GET /res/1", "GET /res/2"]);
}

#[tokio::test]
async fn provisioning_state_polling_without_headers() {
    let s = scripted(vec![
        reply(200, &[], r#"{"properties":{"provisioningState":"Updating"}}"#),
        reply(200, &[], r#"{"properties":{"provisioningState":"Updating"}}"#),
        reply(200, &[], r#"{"properties":{"provisioningState":"Succeeded"}}"#),
    ])
    .await;
    let sleeper = RecordingSleeper::new();
    let v = begin_put(&s, &sleeper).await.await.unwrap().unwrap();
    assert_eq!(v["properties"]["provisioningState"], "Succeeded");
    assert_eq!(sleeper.recorded(), secs(&[5, 5]), "no Retry-After: the default interval");
}

#[tokio::test]
async fn a_failed_operation_status_is_an_error() {
    let s = scripted_with(|base| {
        vec![
            reply(202, &[("Azure-AsyncOperation", &format!("{base}/op/9")), ("Retry-After", "1")], ""),
            reply(200, &[], r#"{"status":"Failed","error":{"code":"QuotaExceeded","message":"no room"}}"#),
        ]
    })
    .await;
    let sleeper = RecordingSleeper::new();
    let e = begin_put(&s, &sleeper).await.await.unwrap_err();
    assert_eq!(e.code(), Some("QuotaExceeded"));
    assert_eq!(e.to_string(), "(QuotaExceeded) no room");
}

#[tokio::test]
async fn a_synchronous_answer_needs_no_poll() {
    let s = scripted(vec![reply(200, &[], r#"{"properties":{"provisioningState":"Succeeded"},"id":"/y"}"#)]).await;
    let sleeper = RecordingSleeper::new();
    let p = begin_put(&s, &sleeper).await;
    assert!(p.is_done());
    assert_eq!(p.await.unwrap().unwrap()["id"], "/y");
    assert!(sleeper.recorded().is_empty());
}
