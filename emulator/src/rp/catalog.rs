//! What the emulated cloud offers: regions, resource providers, their resource types with
//! locations and api-versions, and which namespaces start registered.
//!
//! `GET /providers/{ns}` renders this; `az resource` picks its api-version from it; location
//! checks (`NoRegisteredProviderFound`) and registration checks
//! (`MissingSubscriptionRegistration`) read it.

/// A region: short name, display name, geography group.
pub struct Region {
    pub name: &'static str,
    pub display_name: &'static str,
    pub geography: &'static str,
    pub latitude: &'static str,
    pub longitude: &'static str,
    pub paired: &'static str,
}

macro_rules! regions {
    ($(($n:expr, $d:expr, $g:expr, $lat:expr, $lon:expr, $p:expr)),* $(,)?) => {
        &[$(Region { name: $n, display_name: $d, geography: $g, latitude: $lat, longitude: $lon, paired: $p }),*]
    };
}

pub const REGIONS: &[Region] = regions![
    ("eastus", "East US", "US", "37.3719", "-79.8164", "westus"),
    ("eastus2", "East US 2", "US", "36.6681", "-78.3889", "centralus"),
    ("westus", "West US", "US", "37.783", "-122.417", "eastus"),
    ("westus2", "West US 2", "US", "47.233", "-119.852", "westcentralus"),
    ("westus3", "West US 3", "US", "33.448376", "-112.074036", "eastus"),
    ("centralus", "Central US", "US", "41.5908", "-93.6208", "eastus2"),
    ("northcentralus", "North Central US", "US", "41.8819", "-87.6278", "southcentralus"),
    ("southcentralus", "South Central US", "US", "29.4167", "-98.5", "northcentralus"),
    ("westcentralus", "West Central US", "US", "40.89", "-110.234", "westus2"),
    ("canadacentral", "Canada Central", "Canada", "43.653", "-79.383", "canadaeast"),
    ("brazilsouth", "Brazil South", "South America", "-23.55", "-46.633", "southcentralus"),
    ("northeurope", "North Europe", "Europe", "53.3478", "-6.2597", "westeurope"),
    ("westeurope", "West Europe", "Europe", "52.3667", "4.9", "northeurope"),
    ("uksouth", "UK South", "UK", "50.941", "-0.799", "ukwest"),
    ("ukwest", "UK West", "UK", "53.427", "-3.084", "uksouth"),
    ("francecentral", "France Central", "France", "46.3772", "2.3730", "francesouth"),
    ("germanywestcentral", "Germany West Central", "Germany", "50.110924", "8.682127", "germanynorth"),
    ("switzerlandnorth", "Switzerland North", "Switzerland", "47.451542", "8.564572", "switzerlandwest"),
    ("norwayeast", "Norway East", "Norway", "59.913868", "10.752245", "norwaywest"),
    ("swedencentral", "Sweden Central", "Sweden", "60.67488", "17.14127", "swedensouth"),
    ("japaneast", "Japan East", "Asia Pacific", "35.68", "139.77", "japanwest"),
    ("japanwest", "Japan West", "Asia Pacific", "34.6939", "135.5022", "japaneast"),
    ("koreacentral", "Korea Central", "Asia Pacific", "37.5665", "126.9780", "koreasouth"),
    ("australiaeast", "Australia East", "Australia", "-33.86", "151.2094", "australiasoutheast"),
    ("southeastasia", "Southeast Asia", "Asia Pacific", "1.283", "103.833", "eastasia"),
    ("eastasia", "East Asia", "Asia Pacific", "22.267", "114.188", "southeastasia"),
    ("centralindia", "Central India", "India", "18.5822", "73.9197", "southindia"),
    ("southafricanorth", "South Africa North", "Africa", "-25.731340", "28.218370", "southafricawest"),
    ("uaenorth", "UAE North", "Middle East", "25.266666", "55.316666", "uaecentral"),
    ("newzealandnorth", "New Zealand North", "New Zealand", "-36.84853", "174.76349", ""),
    ("chilecentral", "Chile Central", "South America", "-33.448", "-70.669", ""),
];

/// Resolves a short name or a display name ("West Europe", "westeurope", "WESTEUROPE") to
/// the region; ARM ignores case and whitespace in locations.
pub fn region(loc: &str) -> Option<&'static Region> {
    let norm: String = loc.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect();
    REGIONS.iter().find(|r| r.name == norm)
}

pub fn region_names() -> Vec<&'static str> {
    REGIONS.iter().map(|r| r.name).collect()
}

/// api-versions listed for `Microsoft.Resources` and quoted in `InvalidApiVersionParameter`.
pub const RESOURCES_API_VERSIONS: &[&str] = &[
    "2025-04-01",
    "2024-11-01",
    "2024-07-01",
    "2024-03-01",
    "2023-07-01",
    "2022-12-01",
    "2022-09-01",
    "2021-04-01",
    "2021-01-01",
    "2020-06-01",
    "2019-10-01",
    "2019-05-01",
    "2018-05-01",
    "2016-02-01",
];

const ML_API_VERSIONS: &[&str] = &[
    "2025-12-01",
    "2025-09-01",
    "2025-06-01",
    "2025-01-01-preview",
    "2024-10-01-preview",
    "2024-10-01",
    "2024-07-01-preview",
    "2024-04-01",
    "2023-10-01",
    "2023-08-01-preview",
    "2023-04-01-preview",
    "2023-04-01",
    "2022-10-01",
    "2022-05-01",
    "2021-07-01",
    "2021-04-01",
    "2020-08-01",
];
const STORAGE_API_VERSIONS: &[&str] = &[
    "2025-01-01",
    "2024-01-01",
    "2023-05-01",
    "2023-04-01",
    "2023-01-01",
    "2022-09-01",
    "2021-09-01",
    "2021-04-01",
    "2019-06-01",
];
const KEYVAULT_API_VERSIONS: &[&str] =
    &["2024-11-01", "2023-07-01", "2023-02-01", "2022-07-01", "2021-10-01", "2019-09-01"];
const INSIGHTS_API_VERSIONS: &[&str] = &["2020-02-02", "2020-02-02-preview", "2018-05-01-preview", "2015-05-01"];
const ACR_API_VERSIONS: &[&str] = &["2025-04-01", "2023-07-01", "2023-01-01-preview", "2021-09-01", "2019-05-01"];
const OPINSIGHTS_API_VERSIONS: &[&str] = &["2025-02-01", "2023-09-01", "2022-10-01", "2021-06-01", "2020-08-01"];
const COSMOS_API_VERSIONS: &[&str] = &["2025-04-15", "2024-11-15", "2024-08-15", "2023-11-15", "2021-10-15"];
const AUTH_API_VERSIONS: &[&str] = &[
    "2022-04-01",
    "2022-05-01-preview",
    "2020-10-01-preview",
    "2020-04-01-preview",
    "2018-01-01-preview",
    "2015-07-01",
];
const GENERIC_API_VERSIONS: &[&str] = &["2024-05-01", "2023-11-01", "2023-05-01", "2022-07-01", "2021-05-01"];

pub struct ResourceTypeInfo {
    pub name: &'static str,
    /// `None`: every region.
    pub locations: Option<&'static [&'static str]>,
    pub api_versions: &'static [&'static str],
    pub capabilities: &'static str,
}

pub struct ProviderInfo {
    pub namespace: &'static str,
    /// `RegistrationFree` providers are always registered (Microsoft.Resources, Authorization).
    pub registration_free: bool,
    /// Registered in new subscriptions unless the configuration says otherwise.
    pub default_registered: bool,
    pub resource_types: &'static [ResourceTypeInfo],
}

impl ProviderInfo {
    pub fn resource_type(&self, name: &str) -> Option<&ResourceTypeInfo> {
        self.resource_types.iter().find(|t| t.name.eq_ignore_ascii_case(name))
    }
}

impl ResourceTypeInfo {
    pub fn regions(&self) -> Vec<&'static Region> {
        match self.locations {
            None => REGIONS.iter().collect(),
            Some(names) => names.iter().filter_map(|n| region(n)).collect(),
        }
    }

    pub fn offered_in(&self, loc: &str) -> bool {
        match region(loc) {
            Some(r) => self.regions().iter().any(|x| x.name == r.name),
            None => false,
        }
    }
}

const ALL: Option<&[&str]> = None;
const TRACKED: &str = "CrossResourceGroupResourceMove, CrossSubscriptionResourceMove, SupportsTags, SupportsLocation";

macro_rules! types {
    ($(($n:expr, $l:expr, $v:expr, $c:expr)),* $(,)?) => {
        &[$(ResourceTypeInfo { name: $n, locations: $l, api_versions: $v, capabilities: $c }),*]
    };
}

/// Where Azure ML workspaces are offered: every region except the two newest
/// (`newzealandnorth`, `chilecentral`), so `NoRegisteredProviderFound` can be met with a real
/// region name.
const ML_REGIONS: Option<&[&str]> = Some(&[
    "eastus",
    "eastus2",
    "westus",
    "westus2",
    "westus3",
    "centralus",
    "northcentralus",
    "southcentralus",
    "westcentralus",
    "canadacentral",
    "brazilsouth",
    "northeurope",
    "westeurope",
    "uksouth",
    "ukwest",
    "francecentral",
    "germanywestcentral",
    "switzerlandnorth",
    "norwayeast",
    "swedencentral",
    "japaneast",
    "japanwest",
    "koreacentral",
    "australiaeast",
    "southeastasia",
    "eastasia",
    "centralindia",
    "southafricanorth",
    "uaenorth",
]);

pub const PROVIDERS: &[ProviderInfo] = &[
    ProviderInfo {
        namespace: "Microsoft.Resources",
        registration_free: true,
        default_registered: true,
        resource_types: types![
            ("resourceGroups", ALL, RESOURCES_API_VERSIONS, "SupportsLocation"),
            ("subscriptions", ALL, RESOURCES_API_VERSIONS, "None"),
            ("deployments", ALL, RESOURCES_API_VERSIONS, "SupportsTags"),
            ("deployments/operations", ALL, RESOURCES_API_VERSIONS, "None"),
            ("operationresults", ALL, RESOURCES_API_VERSIONS, "None"),
            ("tenants", ALL, RESOURCES_API_VERSIONS, "None"),
            ("providers", ALL, RESOURCES_API_VERSIONS, "None"),
            ("locations", ALL, RESOURCES_API_VERSIONS, "None"),
        ],
    },
    ProviderInfo {
        namespace: "Microsoft.Authorization",
        registration_free: true,
        default_registered: true,
        resource_types: types![
            ("roleAssignments", ALL, AUTH_API_VERSIONS, "SupportsExtension"),
            ("roleDefinitions", ALL, AUTH_API_VERSIONS, "SupportsExtension"),
        ],
    },
    ProviderInfo {
        namespace: "Microsoft.MachineLearningServices",
        registration_free: false,
        default_registered: true,
        resource_types: types![
            ("workspaces", ML_REGIONS, ML_API_VERSIONS, "SupportsTags, SupportsLocation"),
            ("workspaces/computes", ML_REGIONS, ML_API_VERSIONS, "SupportsTags, SupportsLocation"),
            ("workspaces/environments", ML_REGIONS, ML_API_VERSIONS, "None"),
            ("workspaces/environments/versions", ML_REGIONS, ML_API_VERSIONS, "None"),
            ("locations/workspaceOperationsStatus", ML_REGIONS, ML_API_VERSIONS, "None"),
            ("locations/mfeOperationResults", ML_REGIONS, ML_API_VERSIONS, "None"),
            ("locations/mfeOperationsStatus", ML_REGIONS, ML_API_VERSIONS, "None"),
            ("locations/usages", ML_REGIONS, ML_API_VERSIONS, "None"),
            ("locations/vmsizes", ML_REGIONS, ML_API_VERSIONS, "None"),
            ("operations", ALL, ML_API_VERSIONS, "None"),
        ],
    },
    ProviderInfo {
        namespace: "Microsoft.Storage",
        registration_free: false,
        default_registered: true,
        resource_types: types![("storageAccounts", ALL, STORAGE_API_VERSIONS, TRACKED)],
    },
    ProviderInfo {
        namespace: "Microsoft.KeyVault",
        registration_free: false,
        default_registered: true,
        resource_types: types![("vaults", ALL, KEYVAULT_API_VERSIONS, TRACKED)],
    },
    ProviderInfo {
        namespace: "Microsoft.Insights",
        registration_free: false,
        default_registered: true,
        resource_types: types![("components", ALL, INSIGHTS_API_VERSIONS, TRACKED)],
    },
    ProviderInfo {
        namespace: "Microsoft.ContainerRegistry",
        registration_free: false,
        default_registered: true,
        resource_types: types![("registries", ALL, ACR_API_VERSIONS, TRACKED)],
    },
    ProviderInfo {
        namespace: "Microsoft.OperationalInsights",
        registration_free: false,
        default_registered: true,
        resource_types: types![("workspaces", ALL, OPINSIGHTS_API_VERSIONS, TRACKED)],
    },
    ProviderInfo {
        namespace: "Microsoft.DocumentDB",
        registration_free: false,
        default_registered: false,
        resource_types: types![("databaseAccounts", ALL, COSMOS_API_VERSIONS, TRACKED)],
    },
    ProviderInfo {
        namespace: "Microsoft.Search",
        registration_free: false,
        default_registered: false,
        resource_types: types![("searchServices", ALL, GENERIC_API_VERSIONS, TRACKED)],
    },
    ProviderInfo {
        namespace: "Microsoft.Network",
        registration_free: false,
        default_registered: false,
        resource_types: types![
            ("virtualNetworks", ALL, GENERIC_API_VERSIONS, TRACKED),
            ("privateEndpoints", ALL, GENERIC_API_VERSIONS, TRACKED),
            ("privateDnsZones", ALL, GENERIC_API_VERSIONS, TRACKED),
        ],
    },
    ProviderInfo {
        namespace: "Microsoft.Notebooks",
        registration_free: false,
        default_registered: false,
        resource_types: types![("NotebookProxies", ALL, GENERIC_API_VERSIONS, "None")],
    },
    ProviderInfo {
        namespace: "Microsoft.ContainerService",
        registration_free: false,
        default_registered: false,
        resource_types: types![("managedClusters", ALL, GENERIC_API_VERSIONS, TRACKED)],
    },
];

pub fn provider(ns: &str) -> Option<&'static ProviderInfo> {
    PROVIDERS.iter().find(|p| p.namespace.eq_ignore_ascii_case(ns))
}
