//! "Deleting the Azure Container Registry" (000/002) / 004 "Container Registry": the workspace
//! creates its registry only when one is first needed; until a registry is given or attached,
//! `listKeys` has no registry credentials.

use crate::*;

#[test]
fn no_registry_until_one_is_attached() {
    let w = World::new();
    let (rg, ws, created) = workspace(&w, "rg-acr", "ws-acr");
    assert!(created.get("containerRegistry").is_none(), "create made no registry: {created}");
    let shown = w.run(&format!("ml workspace show -w {ws} -g {rg}")).ok().json();
    assert!(shown.get("containerRegistry").is_none(), "{shown}");
    assert!(
        !w.types_in(&rg).iter().any(|t| t == "microsoft.containerregistry/registries"),
        "no registry in the group yet"
    );
    let keys = w.run(&format!("ml workspace list-keys -w {ws} -g {rg}")).ok().json();
    assert!(
        keys.get("containerRegistryCredentials").is_none_or(|c| c.is_null()),
        "no registry credentials yet: {keys}"
    );

    // Attach one (with the admin user, as required).
    let acr = w.name("lazyacr");
    w.run(&format!("acr create -n {acr} -g {rg} --sku Basic --admin-enabled true")).ok();
    let id = w.id(&rg, "Microsoft.ContainerRegistry/registries", &acr);
    let v = w.run(&format!("ml workspace update -w {ws} -g {rg} --container-registry {id}")).ok().json();
    expect_shape("update --container-registry", &show_shape(true), &ws_vars(&w, &rg, &ws), &v);
    assert_eq!(v["containerRegistry"], id.to_lowercase());
    let keys = w.run(&format!("ml workspace list-keys -w {ws} -g {rg}")).ok().json();
    let c = &keys["containerRegistryCredentials"];
    assert_eq!(c["username"], acr.as_str(), "{keys}");
    let pw = c["passwords"].as_array().unwrap_or_else(|| panic!("passwords: {keys}"));
    assert_eq!(pw.len(), 2, "{keys}");
    assert!(pw.iter().all(|p| p["value"].is_string()), "{keys}");
    let shown = w.run(&format!("ml workspace show -w {ws} -g {rg}")).ok().json();
    expect_shape("show with a registry", &show_shape(true), &ws_vars(&w, &rg, &ws), &shown);
}

#[test]
fn a_registry_without_the_admin_user_cannot_be_attached() {
    let w = World::new();
    let (rg, ws, _) = workspace(&w, "rg-acr2", "ws-acr2");
    let acr = w.name("noadmacr");
    w.run(&format!("acr create -n {acr} -g {rg} --sku Basic")).ok();
    let id = w.id(&rg, "Microsoft.ContainerRegistry/registries", &acr);
    w.run(&format!("ml workspace update -w {ws} -g {rg} --container-registry {id}")).arm_error();
    let shown = w.run(&format!("ml workspace show -w {ws} -g {rg}")).ok().json();
    assert!(shown.get("containerRegistry").is_none(), "{shown}");
}
