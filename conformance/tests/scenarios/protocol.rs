//! The cross-cutting ARM wire protocol (SPEC §2, arm-wire-protocol.md §0, §2.5, §8.1).

use conformance::*;
use rstest::rstest;
use serde_json::json;

const MISSING_API_VERSION: &str = "The api-version query parameter (?api-version=) is required for all requests.";

#[test]
fn missing_api_version_is_400() {
    let t = Target::new();
    let r = t.get(&t.rg("rg1"));
    check_error(&r, 400, "MissingApiVersionParameter", MISSING_API_VERSION);
}

#[test]
fn empty_api_version_counts_as_missing() {
    let t = Target::new();
    let r = t.get(&format!("{}?api-version=", t.rg("rg1")));
    check_error(&r, 400, "MissingApiVersionParameter", MISSING_API_VERSION);
}

#[rstest]
#[case::word("latest")]
#[case::bad_month("2021-13-01")]
#[case::bad_day("2021-04-32")]
#[case::unknown_suffix("2021-04-01-foo")]
#[case::short("2021-04")]
#[case::trailing_dash("2021-04-01-")]
fn malformed_api_version_is_400(#[case] v: &str) {
    let t = Target::new();
    let r = t.get(&format!("{}/resourcegroups?api-version={v}", t.sub()));
    check_error_prefix(
        &r,
        400,
        "InvalidApiVersionParameter",
        &format!("The api-version '{v}' is invalid. The supported versions are '"),
    );
    if !t.is_external() {
        // The message lists the versions the emulator advertises for Microsoft.Resources.
        let list = armemu::catalog::RESOURCES_API_VERSIONS.join(",");
        check_error(
            &r,
            400,
            "InvalidApiVersionParameter",
            &format!("The api-version '{v}' is invalid. The supported versions are '{list}'."),
        );
    }
}

#[rstest]
#[case::az_cli("2021-04-01")]
#[case::newest("2025-04-01")]
#[case::auto_registration("2016-02-01")]
#[case::preview("2024-07-01-preview")]
#[case::private_preview("2020-01-01-privatepreview")]
#[case::beta("2023-01-01-beta")]
#[case::future("2099-12-31")]
fn any_well_formed_api_version_is_accepted(#[case] v: &str) {
    let t = Target::new();
    let r = t.get(&format!("{}/resourcegroups?api-version={v}", t.sub())).expect(200);
    assert!(r.json()["value"].is_array());
}

#[test]
fn no_authorization_is_401_authentication_failed() {
    let t = Target::new();
    let r = t.anonymous().get(&av(&t.rg("rg1")));
    check_error(&r, 401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
    assert!(r.header("www-authenticate").is_some_and(|h| h.starts_with("Bearer ")), "{:?}", r.headers);
}

#[rstest]
#[case::basic("Basic x")]
#[case::bearer_without_token("Bearer ")]
#[case::no_scheme("sometoken")]
#[case::digest("Digest username=\"x\"")]
fn bad_authorization_is_401_invalid_token(#[case] header: &str) {
    let t = Target::new();
    let r = t.request("GET", &av(&t.rg("rg1")), &[("Authorization", header)], None);
    check_error(&r, 401, "InvalidAuthenticationToken", "The access token is invalid.");
}

#[test]
fn auth_is_checked_before_the_api_version() {
    let t = Target::new();
    let r = t.anonymous().get(&t.rg("rg1"));
    check_error(&r, 401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
}

#[test]
fn error_envelope_has_exactly_code_and_message() {
    let t = Target::new();
    let rg = t.unique("nowhere");
    let r = t.get(&av(&t.rg(&rg))).expect(404);
    assert_eq!(
        r.json(),
        json!({"error": {"code": "ResourceGroupNotFound", "message": format!("Resource group '{rg}' could not be found.")}})
    );
    assert_eq!(r.header("content-type"), Some("application/json; charset=utf-8"));
}

#[test]
fn standard_headers_on_a_read() {
    let t = Target::new();
    let r = t.get(&av(&format!("{}/resourcegroups", t.sub()))).expect(200);
    let id = r.header("x-ms-request-id").expect("x-ms-request-id");
    assert!(is_guid(id), "x-ms-request-id is a GUID: {id}");
    let corr = r.header("x-ms-correlation-request-id").expect("x-ms-correlation-request-id");
    assert!(is_guid(corr), "a generated correlation id is a GUID: {corr}");
    assert!(
        r.header("x-ms-ratelimit-remaining-subscription-reads").is_some_and(|v| v.parse::<u32>().is_ok()),
        "{:?}",
        r.headers
    );
    assert_eq!(r.header("content-type"), Some("application/json; charset=utf-8"));
    // A new request id per request.
    let r2 = t.get(&av(&format!("{}/resourcegroups", t.sub()))).expect(200);
    assert_ne!(r2.header("x-ms-request-id"), Some(id));
}

#[test]
fn correlation_id_is_echoed() {
    let t = Target::new();
    let corr = "7d3b6a52-2f0e-4c4a-9d0e-1a2b3c4d5e6f";
    let r = t
        .request("GET", &av(&format!("{}/resourcegroups", t.sub())), &[("x-ms-correlation-request-id", corr)], None)
        .expect(200);
    assert_eq!(r.header("x-ms-correlation-request-id"), Some(corr));
    assert_ne!(r.header("x-ms-request-id"), Some(corr));
}

#[test]
fn standard_headers_on_writes_and_deletes() {
    let t = Target::new();
    let rg = t.unique("hdr");
    let r = t.put(&av(&t.rg(&rg)), &json!({"location": "westeurope"})).expect(201);
    assert!(
        r.header("x-ms-ratelimit-remaining-subscription-writes").is_some_and(|v| v.parse::<u32>().is_ok()),
        "{:?}",
        r.headers
    );
    assert!(is_guid(r.header("x-ms-request-id").unwrap_or_default()));
    assert_eq!(r.header("content-type"), Some("application/json; charset=utf-8"));
    let r = t.delete(&av(&t.rg(&rg)));
    assert!(r.status == 200 || r.status == 202, "{r:?}");
    assert!(r.header("x-ms-ratelimit-remaining-subscription-deletes").is_some(), "{:?}", r.headers);
    assert!(is_guid(r.header("x-ms-request-id").unwrap_or_default()));
}

#[test]
fn error_responses_carry_the_standard_headers() {
    let t = Target::new();
    let r = t.get(&av(&t.rg("missing-rg"))).expect(404);
    assert!(is_guid(r.header("x-ms-request-id").unwrap_or_default()), "{:?}", r.headers);
    assert!(r.header("x-ms-correlation-request-id").is_some());
    assert!(r.header("x-ms-ratelimit-remaining-subscription-reads").is_some());
}

#[rstest]
#[case::upper_segments_lower_name("SUBSCRIPTIONS", "RESOURCEGROUPS", str::to_lowercase)]
#[case::lower_segments_upper_name("subscriptions", "resourcegroups", str::to_uppercase)]
#[case::camel_segments("Subscriptions", "resourceGroups", str::to_lowercase)]
#[case::as_created("subscriptions", "resourcegroups", str::to_string)]
fn routing_is_case_insensitive_and_names_keep_their_case(
    #[case] subs: &str,
    #[case] groups: &str,
    #[case] name: fn(&str) -> String,
) {
    let t = Target::new();
    let rg = t.unique("MyRG");
    t.create_group(&rg, "westeurope");
    let path = format!("/{subs}/{}/{groups}/{}", t.subscription, name(&rg));
    let r = t.get(&av(&path)).expect(200).json();
    assert_eq!(r["name"], rg.as_str(), "the name keeps the casing of the create");
    assert_eq!(r["id"], t.rg_id(&rg));
}

#[rstest]
#[case::double_slashes("/subscriptions/{s}//resourcegroups//MyRG")]
#[case::leading_double_slash("//subscriptions/{s}/resourcegroups/MyRG")]
#[case::trailing_slash("/subscriptions/{s}/resourcegroups/MyRG/")]
fn double_and_trailing_slashes_are_tolerated(#[case] pattern: &str) {
    let t = Target::new();
    let rg = t.unique("MyRG");
    t.create_group(&rg, "westeurope");
    let path = pattern.replace("{s}", &t.subscription).replace("MyRG", &rg);
    let r = t.get(&av(&path)).expect(200).json();
    assert_eq!(r["name"], rg.as_str());
}

#[test]
fn malformed_json_is_400_invalid_request_content() {
    let t = Target::new();
    let r =
        t.request("PUT", &av(&t.rg("rg1")), &[("Content-Type", "application/json")], Some(b"{\"location\": ".to_vec()));
    check_error_prefix(
        &r,
        400,
        "InvalidRequestContent",
        "The request content was invalid and could not be deserialized: '",
    );
    t.get(&av(&t.rg("rg1"))).expect(404);
}

#[rstest]
#[case::array("[{\"location\":\"westeurope\"}]", "an array")]
#[case::string("\"westeurope\"", "a string")]
#[case::number("42", "a number")]
fn a_body_that_is_not_an_object_is_400(#[case] body: &str, #[case] kind: &str) {
    let t = Target::new();
    let r =
        t.request("PUT", &av(&t.rg("rg1")), &[("Content-Type", "application/json")], Some(body.as_bytes().to_vec()));
    check_error(
        &r,
        400,
        "InvalidRequestContent",
        &format!(
            "The request content was invalid and could not be deserialized: 'Expected a JSON object but found {kind}'."
        ),
    );
}

#[test]
fn a_body_over_the_limit_is_413() {
    let t = require_emulator!(|c| c.max_body_bytes = 1024);
    let big =
        json!({"location": "westeurope", "tags": {"pad": "x".repeat(200)}, "properties": {"pad": "y".repeat(2000)}});
    let r = t.put(&av(&t.rg("big")), &big);
    check_error(
        &r,
        413,
        "RequestEntityTooLarge",
        "The request content size exceeds the maximum allowed size of 1024 bytes.",
    );
    // Nothing was written.
    t.get(&av(&t.rg("big"))).expect(404);
    // A body under the limit still works.
    t.put(&av(&t.rg("small")), &json!({"location": "westeurope"})).expect(201);
}

#[test]
fn unknown_path_is_404() {
    let t = require_emulator!();
    let p = format!("{}/nothingHere", t.sub());
    let r = t.get(&av(&p));
    check_error(&r, 404, "NotFound", &format!("The requested path '{p}' is not supported by the emulator."));
}

#[test]
fn unknown_top_level_path_is_404() {
    let t = require_emulator!();
    let r = t.get(&av("/no/such/thing"));
    check_error(&r, 404, "NotFound", "The requested path '/no/such/thing' is not supported by the emulator.");
}

#[rstest]
#[case::post_on_group("POST")]
#[case::options_on_group("OPTIONS")]
fn wrong_method_is_405(#[case] method: &str) {
    let t = Target::new();
    let r = t.request(method, &av(&t.rg("rg1")), &[], None);
    check_error(
        &r,
        405,
        "MethodNotAllowed",
        &format!("The requested resource does not support http method '{method}'."),
    );
}

#[test]
fn wrong_method_on_a_collection_is_405() {
    let t = Target::new();
    let r = t.delete(&av(&format!("{}/resourcegroups", t.sub())));
    check_error(&r, 405, "MethodNotAllowed", "The requested resource does not support http method 'DELETE'.");
}

#[rstest]
#[case::word("not-a-guid")]
#[case::short_hex("1234")]
fn invalid_subscription_id_is_400(#[case] sub: &str) {
    let t = Target::new();
    let r = t.get(&av(&format!("/subscriptions/{sub}/resourcegroups")));
    check_error(
        &r,
        400,
        "InvalidSubscriptionId",
        &format!("The provided subscription identifier '{sub}' is malformed or invalid."),
    );
}

#[test]
fn unknown_subscription_is_404() {
    let t = Target::new();
    let sub = "00000000-0000-0000-0000-0000000000aa";
    let r = t.get(&av(&format!("/subscriptions/{sub}/resourcegroups/rg1")));
    check_error(&r, 404, "SubscriptionNotFound", &format!("The subscription '{sub}' could not be found."));
    let r = t.put(&av(&format!("/subscriptions/{sub}/resourcegroups/rg1")), &json!({"location": "westeurope"}));
    check_error(&r, 404, "SubscriptionNotFound", &format!("The subscription '{sub}' could not be found."));
}

#[test]
fn api_version_is_checked_before_the_subscription() {
    let t = Target::new();
    let r = t.get("/subscriptions/00000000-0000-0000-0000-0000000000aa/resourcegroups");
    check_error(&r, 400, "MissingApiVersionParameter", MISSING_API_VERSION);
}

#[test]
fn https_listener_serves_arm_with_the_same_headers() {
    let t = require_emulator!();
    let https = t.https();
    let r = https.get(&av(&format!("{}/resourcegroups", t.sub()))).expect(200);
    assert_eq!(r.json(), json!({"value": []}));
    assert!(is_guid(r.header("x-ms-request-id").unwrap_or_default()));
    assert_eq!(r.header("strict-transport-security"), Some("max-age=31536000; includeSubDomains"));
}
