//! `GET /metadata/endpoints`: the cloud description that points clients at the emulator.
//! `api-version=2022-09-01` (and later) answers one object, as `az cloud register` expects;
//! `2019-05-01` (and earlier) answers an array, as `ARM_CLOUD_METADATA_URL` consumers
//! (azure-ai-ml, azureml-core, the az CLI at start-up) iterate it. No authentication.
//!
//! The cloud is named `ArmEmu` (configurable): a name the clients have built in (`AzureCloud`)
//! would make azure-ai-ml use its own table (management.azure.com) and the az CLI replace the
//! login endpoint with the public one, whatever this document says.

use serde_json::{json, Value};

use crate::protocol::router::{Access, Route};
use crate::protocol::{ArmRequest, ArmResponse, ArmResult, Method};
use crate::providers::{Ctx, Handler};

pub fn routes() -> Vec<Route<Handler>> {
    vec![Route::new(Method::Get, "/metadata/endpoints", "Metadata_Endpoints", Access::Open, endpoints as Handler)]
}

/// The cloud object; `base` is the emulator's HTTPS base URL with a trailing `/`.
pub fn cloud(name: &str, base: &str) -> Value {
    json!({
        "name": name,
        "portal": base,
        "gallery": base,
        "graph": base,
        "graphAudience": base,
        "media": base,
        "batch": base,
        "resourceManager": base,
        "sqlManagement": base,
        "vmImageAliasDoc": format!("{base}_emulator/vm-image-aliases.json"),
        "activeDirectoryDataLake": base,
        "microsoftGraphResourceId": base,
        "appInsightsResourceId": base,
        "appInsightsTelemetryChannelResourceId": format!("{base}v2/track"),
        "attestationResourceId": base,
        "synapseAnalyticsResourceId": base,
        "logAnalyticsResourceId": base,
        "ossrDbmsResourceId": base,
        "authentication": {
            "loginEndpoint": base,
            "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "suffixes": {
            "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
            "acrLoginServer": "azurecr.io",
            "sqlServerHostname": "database.windows.net",
            "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            "keyVaultDns": "vault.azure.net",
            "storage": "core.windows.net",
            "azureFrontDoorEndpointSuffix": "azurefd.net",
            "storageSyncEndpointSuffix": "afs.azure.net",
            "mhsmDns": "managedhsm.azure.net",
            "mysqlServerEndpoint": "mysql.database.azure.com",
            "postgresqlServerEndpoint": "postgres.database.azure.com",
            "mariadbServerEndpoint": "mariadb.database.azure.com",
            "synapseAnalytics": "dev.azuresynapse.net",
            "attestationEndpoint": "attest.azure.net",
        },
    })
}

fn endpoints(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let base = format!("{}/", ctx.https_base(&req.base_url()));
    let c = cloud(&ctx.config().cloud_name, &base);
    let array = req.api_version().is_some_and(|v| v.as_bytes().first() == Some(&b'2') && v < "2020");
    Ok(ArmResponse::ok(if array { json!([c]) } else { c }))
}
