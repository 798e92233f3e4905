//! What the emulated cloud offers: regions, resource providers, their resource types with
//! locations, api-versions and capabilities, and which namespaces start registered.
//!
//! `GET /providers/{ns}` renders this; `az resource` picks its api-version from it; location
//! checks (`NoRegisteredProviderFound`), registration checks (`MissingSubscriptionRegistration`),
//! route api-version lists, move rules and the generic listings read it. Pure data above
//! `model`; nothing here knows HTTP or the state.

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

/// api-versions listed for `Microsoft.MachineLearningServices`.
pub const ML_API_VERSIONS: &[&str] = &[
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
pub const STORAGE_API_VERSIONS: &[&str] = &[
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
/// api-versions listed for `Microsoft.ManagedIdentity` (the routes of user-assigned identities quote them).
pub const MSI_API_VERSIONS: &[&str] =
    &["2024-11-30", "2023-07-31-preview", "2023-01-31", "2022-01-31-preview", "2018-11-30"];
const COSMOS_API_VERSIONS: &[&str] = &["2025-04-15", "2024-11-15", "2024-08-15", "2023-11-15", "2021-10-15"];
/// api-versions listed for `Microsoft.Authorization`.
pub const AUTH_API_VERSIONS: &[&str] = &[
    "2022-04-01",
    "2022-05-01-preview",
    "2020-10-01-preview",
    "2020-04-01-preview",
    "2018-01-01-preview",
    "2015-07-01",
];
const GENERIC_API_VERSIONS: &[&str] = &["2024-05-01", "2023-11-01", "2023-05-01", "2022-07-01", "2021-05-01"];

/// What a resource type supports, as `GET /providers/{ns}` lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities(u8);

impl Capabilities {
    pub const NONE: Capabilities = Capabilities(0);
    pub const CROSS_RESOURCE_GROUP_MOVE: Capabilities = Capabilities(1);
    pub const CROSS_SUBSCRIPTION_MOVE: Capabilities = Capabilities(2);
    pub const SUPPORTS_TAGS: Capabilities = Capabilities(4);
    pub const SUPPORTS_LOCATION: Capabilities = Capabilities(8);
    /// An extension resource (role assignments): lives on another resource's scope and is
    /// not listed by the generic `…/resources` listings.
    pub const SUPPORTS_EXTENSION: Capabilities = Capabilities(16);
    /// Not one of ARM's capabilities (never rendered): the type's resources live in a group
    /// but are kept apart from its resources (deployments are not listed by `…/resources`,
    /// nor deleted by a `Complete`-mode deployment).
    pub const NOT_GROUP_LISTED: Capabilities = Capabilities(32);

    const NAMES: [(Capabilities, &'static str); 5] = [
        (Capabilities::CROSS_RESOURCE_GROUP_MOVE, "CrossResourceGroupResourceMove"),
        (Capabilities::CROSS_SUBSCRIPTION_MOVE, "CrossSubscriptionResourceMove"),
        (Capabilities::SUPPORTS_TAGS, "SupportsTags"),
        (Capabilities::SUPPORTS_LOCATION, "SupportsLocation"),
        (Capabilities::SUPPORTS_EXTENSION, "SupportsExtension"),
    ];

    pub const fn with(self, other: Capabilities) -> Capabilities {
        Capabilities(self.0 | other.0)
    }

    pub fn has(self, other: Capabilities) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    /// ARM's text: `"CrossResourceGroupResourceMove, …, SupportsLocation"` or `"None"`.
    pub fn render(self) -> String {
        let names: Vec<&str> = Self::NAMES.iter().filter(|(c, _)| self.has(*c)).map(|(_, n)| *n).collect();
        if names.is_empty() {
            "None".into()
        } else {
            names.join(", ")
        }
    }
}

/// Whether resources of a type can be moved to another group or subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MovePolicy {
    Movable,
    /// Refused; the text names the kind of resource in the refusal
    /// ("Moving the {what} '{name}' to another … is not supported.").
    NotSupported {
        what: &'static str,
    },
}

/// Whether the emulator models a type, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emulation {
    /// Stored as given by the generic by-id routes (a plain tracked resource, shaped by
    /// `providers::dependents` when it has read-only properties).
    Generic,
    /// Handled by a module of its own (routes before the catch-all).
    Typed,
    /// Listed by the provider but not modelled: every request for it is refused clearly,
    /// never stored and answered with a success.
    NotEmulated,
}

pub struct ResourceTypeInfo {
    pub name: &'static str,
    pub emulation: Emulation,
    /// `None`: every region.
    pub locations: Option<&'static [&'static str]>,
    pub api_versions: &'static [&'static str],
    pub capabilities: Capabilities,
    pub moves: MovePolicy,
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
    pub fn resource_type(&self, name: &str) -> Option<&'static ResourceTypeInfo> {
        self.resource_types.iter().find(|t| t.name.eq_ignore_ascii_case(name))
    }

    /// The api-versions of the provider's first type (what its routes quote).
    pub fn api_versions(&self) -> &'static [&'static str] {
        self.resource_types.first().map(|t| t.api_versions).unwrap_or(RESOURCES_API_VERSIONS)
    }
}

impl ResourceTypeInfo {
    pub fn regions(&self) -> Vec<&'static Region> {
        match self.locations {
            None => REGIONS.iter().collect(),
            Some(names) => names.iter().filter_map(|n| region(n)).collect(),
        }
    }

    /// A global type (private DNS zones) lives in location `global`, and only there.
    pub fn is_global(&self) -> bool {
        self.locations.is_some_and(|l| l.contains(&GLOBAL))
    }

    /// The location names as ARM lists them for the type (`global` for a global type).
    pub fn location_display_names(&self) -> Vec<&'static str> {
        if self.is_global() {
            return vec![GLOBAL];
        }
        self.regions().iter().map(|r| r.display_name).collect()
    }

    pub fn offered_in(&self, loc: &str) -> bool {
        if self.is_global() {
            return loc.eq_ignore_ascii_case(GLOBAL);
        }
        match region(loc) {
            Some(r) => self.regions().iter().any(|x| x.name == r.name),
            None => false,
        }
    }

    pub fn is_extension(&self) -> bool {
        self.capabilities.has(Capabilities::SUPPORTS_EXTENSION)
    }

    /// True when the type's top-level resources count among their group's resources.
    pub fn is_group_listed(&self) -> bool {
        !self.is_extension() && !self.capabilities.has(Capabilities::NOT_GROUP_LISTED)
    }
}

const ALL: Option<&[&str]> = None;
const GLOBAL: &str = "global";
const GLOBAL_ONLY: Option<&[&str]> = Some(&[GLOBAL]);
/// Microsoft.Network's versions, including those the az CLI's network commands send.
const NETWORK_API_VERSIONS: &[&str] = &[
    "2024-07-01",
    "2024-05-01",
    "2024-03-01",
    "2023-11-01",
    "2023-09-01",
    "2023-05-01",
    "2022-07-01",
    "2022-01-01",
    "2021-05-01",
];
/// Private DNS (its own api-version line: 2024-06-01, 2020-06-01, 2018-09-01).
const PRIVATE_DNS_API_VERSIONS: &[&str] = &["2024-06-01", "2020-06-01", "2020-01-01", "2018-09-01"];
const NONE: Capabilities = Capabilities::NONE;
const TAGS: Capabilities = Capabilities::SUPPORTS_TAGS;
const LOCATION: Capabilities = Capabilities::SUPPORTS_LOCATION;
const TAGS_LOCATION: Capabilities = TAGS.with(LOCATION);
const EXTENSION: Capabilities = Capabilities::SUPPORTS_EXTENSION;
const TRACKED: Capabilities =
    Capabilities::CROSS_RESOURCE_GROUP_MOVE.with(Capabilities::CROSS_SUBSCRIPTION_MOVE).with(TAGS).with(LOCATION);
const WORKSPACE_MOVES: MovePolicy = MovePolicy::NotSupported { what: "Azure Machine Learning workspace" };

macro_rules! types {
    ($(($n:expr, $l:expr, $v:expr, $c:expr $(, $e:expr $(, $m:expr)?)?)),* $(,)?) => {
        &[$(ResourceTypeInfo {
            name: $n,
            emulation: types!(@emulation $($e)?),
            locations: $l,
            api_versions: $v,
            capabilities: $c,
            moves: types!(@moves $($($m)?)?),
        }),*]
    };
    (@emulation) => { Emulation::Generic };
    (@emulation $e:expr) => { $e };
    (@moves) => { MovePolicy::Movable };
    (@moves $m:expr) => { $m };
}

const TYPED: Emulation = Emulation::Typed;
const NOT_EMULATED: Emulation = Emulation::NotEmulated;

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
            ("resourceGroups", ALL, RESOURCES_API_VERSIONS, LOCATION, TYPED),
            ("subscriptions", ALL, RESOURCES_API_VERSIONS, NONE, TYPED),
            ("deployments", ALL, RESOURCES_API_VERSIONS, TAGS.with(Capabilities::NOT_GROUP_LISTED), TYPED),
            ("deployments/operations", ALL, RESOURCES_API_VERSIONS, NONE, TYPED),
            ("operationresults", ALL, RESOURCES_API_VERSIONS, NONE, TYPED),
            ("tenants", ALL, RESOURCES_API_VERSIONS, NONE, TYPED),
            ("providers", ALL, RESOURCES_API_VERSIONS, NONE, TYPED),
            ("locations", ALL, RESOURCES_API_VERSIONS, NONE, TYPED),
        ],
    },
    ProviderInfo {
        namespace: "Microsoft.Authorization",
        registration_free: true,
        default_registered: true,
        resource_types: types![
            ("roleAssignments", ALL, AUTH_API_VERSIONS, EXTENSION, TYPED),
            ("roleDefinitions", ALL, AUTH_API_VERSIONS, EXTENSION, TYPED),
        ],
    },
    ProviderInfo {
        namespace: "Microsoft.MachineLearningServices",
        registration_free: false,
        default_registered: true,
        resource_types: types![
            ("workspaces", ML_REGIONS, ML_API_VERSIONS, TAGS_LOCATION, TYPED, WORKSPACE_MOVES),
            ("workspaces/computes", ML_REGIONS, ML_API_VERSIONS, TAGS_LOCATION, NOT_EMULATED),
            ("workspaces/environments", ML_REGIONS, ML_API_VERSIONS, NONE, TYPED),
            ("workspaces/environments/versions", ML_REGIONS, ML_API_VERSIONS, NONE, TYPED),
            ("locations/workspaceOperationsStatus", ML_REGIONS, ML_API_VERSIONS, NONE, TYPED),
            ("locations/mfeOperationResults", ML_REGIONS, ML_API_VERSIONS, NONE, NOT_EMULATED),
            ("locations/mfeOperationsStatus", ML_REGIONS, ML_API_VERSIONS, NONE, NOT_EMULATED),
            ("locations/usages", ML_REGIONS, ML_API_VERSIONS, NONE, NOT_EMULATED),
            ("locations/vmsizes", ML_REGIONS, ML_API_VERSIONS, NONE, NOT_EMULATED),
            ("operations", ALL, ML_API_VERSIONS, NONE, NOT_EMULATED),
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
        namespace: "Microsoft.ManagedIdentity",
        registration_free: false,
        default_registered: true,
        resource_types: types![("userAssignedIdentities", ALL, MSI_API_VERSIONS, TRACKED, TYPED)],
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
            ("virtualNetworks", ALL, NETWORK_API_VERSIONS, TRACKED),
            ("virtualNetworks/subnets", ALL, NETWORK_API_VERSIONS, NONE),
            ("privateEndpoints", ALL, NETWORK_API_VERSIONS, TRACKED, TYPED),
            ("privateEndpoints/privateDnsZoneGroups", ALL, NETWORK_API_VERSIONS, NONE),
            ("networkInterfaces", ALL, NETWORK_API_VERSIONS, TRACKED),
            ("privateDnsZones", GLOBAL_ONLY, PRIVATE_DNS_API_VERSIONS, TRACKED),
            ("privateDnsZones/virtualNetworkLinks", GLOBAL_ONLY, PRIVATE_DNS_API_VERSIONS, TAGS_LOCATION),
        ],
    },
    ProviderInfo {
        namespace: "Microsoft.Notebooks",
        registration_free: false,
        default_registered: false,
        resource_types: types![("NotebookProxies", ALL, GENERIC_API_VERSIONS, NONE, NOT_EMULATED)],
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

/// The catalog entry of a full type (`Microsoft.Storage/storageAccounts`,
/// `Microsoft.MachineLearningServices/workspaces/environments`).
pub fn resource_type(full_type: &str) -> Option<(&'static ProviderInfo, &'static ResourceTypeInfo)> {
    let (ns, ty) = full_type.split_once('/')?;
    let p = provider(ns)?;
    Some((p, p.resource_type(ty)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_render_as_arm_lists_them() {
        assert_eq!(
            TRACKED.render(),
            "CrossResourceGroupResourceMove, CrossSubscriptionResourceMove, SupportsTags, SupportsLocation"
        );
        assert_eq!(NONE.render(), "None");
        assert_eq!(TAGS_LOCATION.render(), "SupportsTags, SupportsLocation");
        assert!(resource_type("microsoft.authorization/ROLEASSIGNMENTS").unwrap().1.is_extension());
        assert!(!resource_type("Microsoft.Storage/storageAccounts").unwrap().1.is_extension());
        assert_eq!(
            resource_type("Microsoft.MachineLearningServices/workspaces").unwrap().1.moves,
            MovePolicy::NotSupported { what: "Azure Machine Learning workspace" }
        );
    }
}
