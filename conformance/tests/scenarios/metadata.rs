//! `GET /metadata/endpoints` (SPEC §2, arm-wire-protocol.md §3.2).

use conformance::*;
use rstest::rstest;

#[rstest]
#[case::az_cloud_register("2022-09-01")]
#[case::newer("2023-11-01")]
fn object_form_for_new_api_versions(#[case] v: &str) {
    let t = require_emulator!();
    let base = format!("{}/", t.emu().https);
    // No token needed.
    let r = t.anonymous().get(&format!("/metadata/endpoints?api-version={v}")).expect(200);
    assert_eq!(r.header("content-type"), Some("application/json; charset=utf-8"));
    let m = r.json();
    assert!(m.is_object(), "{m}");
    // Not a cloud the clients have built in, or they would use their own endpoints.
    assert_eq!(m["name"], "ArmEmu");
    assert_eq!(m["resourceManager"], base.as_str());
    assert_eq!(m["authentication"]["loginEndpoint"], base.as_str());
    let audiences = m["authentication"]["audiences"].as_array().expect("audiences");
    assert!(!audiences.is_empty());
    assert!(audiences.iter().all(|a| a.as_str().is_some_and(|s| s.starts_with("https://"))), "{audiences:?}");
    assert_eq!(m["authentication"]["tenant"], "common");
    let suffixes = m["suffixes"].as_object().expect("suffixes object (az indexes it)");
    for k in ["storage", "keyVaultDns", "acrLoginServer"] {
        assert!(suffixes.get(k).is_some_and(|v| v.is_string()), "suffixes.{k}");
    }
    // The legacy key names must not be used instead of gallery/portal.
    assert!(m.get("portal").is_some() && m.get("gallery").is_some());
    assert!(m.get("portalEndpoint").is_none() && m.get("galleryEndpoint").is_none());
}

#[test]
fn array_form_for_2019_05_01() {
    let t = require_emulator!();
    let r = t.anonymous().get("/metadata/endpoints?api-version=2019-05-01").expect(200).json();
    let clouds = r.as_array().expect("an array of clouds");
    assert_eq!(clouds.len(), 1);
    assert_eq!(clouds[0]["name"], "ArmEmu");
    assert_eq!(clouds[0]["resourceManager"], format!("{}/", t.emu().https));
    assert_eq!(clouds[0]["authentication"]["loginEndpoint"], format!("{}/", t.emu().https));
}

#[test]
fn cloud_name_is_configurable() {
    let t = require_emulator!(|c| c.cloud_name = "MyEmu".into());
    let r = t.anonymous().get("/metadata/endpoints?api-version=2022-09-01").expect(200).json();
    assert_eq!(r["name"], "MyEmu");
    let r = t.anonymous().get("/metadata/endpoints?api-version=2019-05-01").expect(200).json();
    assert_eq!(r[0]["name"], "MyEmu");
}

#[test]
fn served_over_https_too() {
    let t = require_emulator!();
    let r = t.https().anonymous().get("/metadata/endpoints?api-version=2022-09-01").expect(200).json();
    assert_eq!(r["resourceManager"], format!("{}/", t.emu().https));
}
