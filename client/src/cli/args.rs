//! The command grammar (clap derive), following az's names: `-g/--resource-group`,
//! `-n/--name`, the v1 `-w/--workspace-name` beside the v2 `-n/--name` for workspaces.

use clap::{Args, Parser, Subcommand};

use super::output::Format;

#[derive(Debug, Parser)]
#[command(
    name = "armctl",
    version,
    about = "An az-style command line for Azure Resource Manager and the armemu emulator",
    disable_help_subcommand = true,
    disable_help_flag = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone)]
pub struct Global {
    /// Name or id of the subscription (default: the one `account set` chose).
    #[arg(long, short = 's', global = true, value_name = "SUBSCRIPTION")]
    pub subscription: Option<String>,
    /// Output format (default: $AZURE_CORE_OUTPUT, else `core.output` of the config, else json).
    #[arg(long, short = 'o', global = true, value_enum)]
    pub output: Option<Format>,
    /// JMESPath query applied to the result.
    #[arg(long, global = true, value_name = "JMESPATH")]
    pub query: Option<String>,
    /// Print every request and answer (tokens redacted) on stderr.
    #[arg(long, global = true)]
    pub debug: bool,
    /// Print what is being done on stderr.
    #[arg(long, global = true)]
    pub verbose: bool,
    /// Print only errors on stderr (no warnings).
    #[arg(long, global = true)]
    pub only_show_errors: bool,
    /// `--no-wait`, which only the long-running commands take (az's `supports_no_wait`): set
    /// from the command by [`Command::no_wait`].
    #[arg(skip)]
    pub no_wait: bool,
    /// Show this help message and exit.
    #[arg(long, short = 'h', global = true, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
    /// ARM endpoint (default: $ARMEMU_ENDPOINT, the login profile, a running armemu, else Azure).
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint: Option<String>,
    /// An extra CA bundle to trust (default: $ARMEMU_CA, or the running armemu's CA).
    #[arg(long, global = true, value_name = "PEM")]
    pub ca: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in with a service principal (default: the emulator's built-in one).
    Login(LoginArgs),
    /// Forget the login profile and cached tokens.
    Logout,
    /// Subscriptions of the logged-in account.
    #[command(subcommand)]
    Account(AccountCmd),
    /// Resource groups.
    #[command(subcommand)]
    Group(GroupCmd),
    /// Resource providers and their registration.
    #[command(subcommand)]
    Provider(ProviderCmd),
    /// ARM template deployments (resource group and subscription scope).
    #[command(subcommand)]
    Deployment(DeploymentCmd),
    /// Any resource by id.
    #[command(subcommand)]
    Resource(ResourceCmd),
    /// Azure Machine Learning.
    #[command(subcommand)]
    Ml(MlCmd),
    /// Storage accounts.
    #[command(subcommand)]
    Storage(StorageCmd),
    /// Key vaults.
    #[command(subcommand)]
    Keyvault(KeyvaultCmd),
    /// Container registries.
    #[command(subcommand)]
    Acr(AcrCmd),
    /// Azure Monitor (Application Insights).
    #[command(subcommand)]
    Monitor(MonitorCmd),
    /// az extensions: `ml` and `monitor app-insights` are built into armctl.
    #[command(subcommand)]
    Extension(ExtensionCmd),
    /// The armemu emulator's test-control API (emulator only).
    #[command(subcommand)]
    Emulator(EmulatorCmd),
    /// Role-based access control: role assignments.
    #[command(subcommand)]
    Role(RoleCmd),
    /// Networking: virtual networks, private endpoints, private DNS zones.
    #[command(subcommand)]
    Network(NetworkCmd),
    /// Invoke a custom request (az rest): a path under the ARM endpoint, `{subscriptionId}` filled in.
    Rest(RestArgs),
    /// armctl's version, in az's format.
    Version,
    /// Print a shell completion script (bash, zsh, fish): `source <(armctl completion bash)`.
    Completion {
        /// The shell to write the script for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Set or list defaults (az's `configure --defaults group=NAME location=LOC`).
    Configure(ConfigureArgs),
    /// Read and write the configuration file (`defaults.group`, `core.output`, …).
    #[command(subcommand)]
    Config(ConfigCmd),
}

#[derive(Debug, Args)]
pub struct RestArgs {
    /// Request URL: a path under the ARM endpoint (/subscriptions/{subscriptionId}/…) or a full URL.
    #[arg(long, visible_alias = "uri", short = 'u')]
    pub url: String,
    /// HTTP request method.
    #[arg(long, short = 'm', default_value = "get", value_parser = ["head", "get", "put", "post", "delete", "options", "patch"], ignore_case = true)]
    pub method: String,
    /// Request body: JSON text, or @FILE.
    #[arg(long, short = 'b')]
    pub body: Option<String>,
    /// Space-separated headers in KEY=VALUE format or JSON string.
    #[arg(long, num_args = 1..)]
    pub headers: Vec<String>,
    /// Query parameters in the URL: space-separated KEY=VALUE or a JSON string.
    #[arg(long, visible_alias = "uri-parameters", num_args = 1..)]
    pub url_parameters: Vec<String>,
    /// Resource url for which the CLI should acquire a token (default: ARM's).
    #[arg(long)]
    pub resource: Option<String>,
    /// Do not add the Authorization header.
    #[arg(long)]
    pub skip_authorization_header: bool,
    /// Save the response payload to a file.
    #[arg(long)]
    pub output_file: Option<String>,
}

impl Command {
    /// Whether the command was given `--no-wait` (only az's long-running commands take it).
    pub fn no_wait(&self) -> bool {
        match self {
            Command::Group(GroupCmd::Delete { no_wait, .. })
            | Command::Resource(ResourceCmd::Delete { no_wait, .. })
            | Command::Keyvault(KeyvaultCmd::Create { no_wait, .. })
            | Command::Deployment(DeploymentCmd::Group(
                DeploymentGroupCmd::Create { no_wait, .. } | DeploymentGroupCmd::Delete { no_wait, .. },
            ))
            | Command::Deployment(DeploymentCmd::Sub(
                DeploymentSubCmd::Create { no_wait, .. } | DeploymentSubCmd::Delete { no_wait, .. },
            ))
            | Command::Ml(MlCmd::Workspace(
                WorkspaceCmd::Delete { no_wait, .. }
                | WorkspaceCmd::SyncKeys { no_wait, .. }
                | WorkspaceCmd::Recover { no_wait, .. }
                | WorkspaceCmd::Purge { no_wait, .. },
            )) => *no_wait,
            Command::Ml(MlCmd::Workspace(WorkspaceCmd::Create(a))) => a.no_wait,
            Command::Ml(MlCmd::Workspace(WorkspaceCmd::Update(a))) => a.no_wait,
            _ => false,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum NetworkCmd {
    /// Virtual networks.
    #[command(subcommand)]
    Vnet(VnetCmd),
    /// Private endpoints.
    #[command(name = "private-endpoint", subcommand)]
    PrivateEndpoint(PrivateEndpointCmd),
    /// Private DNS zones and their virtual network links.
    #[command(name = "private-dns", subcommand)]
    PrivateDns(PrivateDnsCmd),
}

/// `-g` and `-n` of a network resource.
#[derive(Debug, Args, Clone)]
pub struct NetName {
    /// Name of resource group (default: $AZURE_DEFAULTS_GROUP, else `defaults.group`).
    #[arg(long = "resource-group", short = 'g')]
    pub resource_group: Option<String>,
    /// The resource name.
    #[arg(long, short = 'n')]
    pub name: String,
}

#[derive(Debug, Subcommand)]
pub enum VnetCmd {
    /// Create a virtual network, with one subnet if --subnet-name is given.
    Create {
        #[command(flatten)]
        net: NetName,
        /// Location (default: $AZURE_DEFAULTS_LOCATION, else the group's).
        #[arg(long, short = 'l')]
        location: Option<String>,
        /// Space-separated IP address prefixes in CIDR format.
        #[arg(long, num_args = 1.., default_value = "10.0.0.0/16")]
        address_prefixes: Vec<String>,
        /// The name of the subnet to create with the network.
        #[arg(long)]
        subnet_name: Option<String>,
        /// Space-separated subnet address prefixes in CIDR format.
        #[arg(long, num_args = 1.., default_value = "10.0.0.0/24")]
        subnet_prefixes: Vec<String>,
    },
    /// Show a virtual network.
    Show {
        #[command(flatten)]
        net: NetName,
    },
}

#[derive(Debug, Subcommand)]
pub enum PrivateEndpointCmd {
    /// Create a private endpoint connected to a private link resource (an Azure ML workspace).
    Create {
        #[command(flatten)]
        net: NetName,
        /// Location (default: $AZURE_DEFAULTS_LOCATION, else the group's).
        #[arg(long, short = 'l')]
        location: Option<String>,
        /// The virtual network (with --subnet as a name); or give --subnet as an id.
        #[arg(long)]
        vnet_name: Option<String>,
        /// Name or id of the subnet.
        #[arg(long)]
        subnet: String,
        /// The id of the private link resource, e.g. a workspace id.
        #[arg(long)]
        private_connection_resource_id: String,
        /// The group id(s) of the private link resource (amlworkspace for a workspace).
        #[arg(long, visible_alias = "group-ids", num_args = 1..)]
        group_id: Vec<String>,
        /// Name of the private link service connection.
        #[arg(long)]
        connection_name: String,
        /// Ask the resource's owner to approve the connection (a manual connection).
        #[arg(long, num_args = 0..=1, default_missing_value = "true")]
        manual_request: Option<bool>,
        /// A message for the owner of the resource (with --manual-request).
        #[arg(long)]
        request_message: Option<String>,
    },
    /// Show a private endpoint.
    Show {
        #[command(flatten)]
        net: NetName,
    },
    /// List private endpoints of a resource group, or of the subscription.
    List {
        /// Name of resource group (default: $AZURE_DEFAULTS_GROUP, else `defaults.group`).
        #[arg(long = "resource-group", short = 'g')]
        resource_group: Option<String>,
    },
    /// Delete a private endpoint (and the connection it made).
    Delete {
        #[command(flatten)]
        net: NetName,
    },
    /// A private endpoint's DNS zone groups.
    #[command(name = "dns-zone-group", subcommand)]
    DnsZoneGroup(DnsZoneGroupCmd),
}

/// Where a DNS zone group lives and which zone it adds.
#[derive(Debug, Args, Clone)]
pub struct ZoneGroupArgs {
    /// Name of resource group (default: $AZURE_DEFAULTS_GROUP, else `defaults.group`).
    #[arg(long = "resource-group", short = 'g')]
    pub resource_group: Option<String>,
    /// Name of the private endpoint.
    #[arg(long)]
    pub endpoint_name: String,
    /// Name of the private DNS zone group.
    #[arg(long, short = 'n')]
    pub name: String,
    /// Name or id of the private DNS zone.
    #[arg(long)]
    pub private_dns_zone: String,
    /// Name of the zone configuration in the group.
    #[arg(long)]
    pub zone_name: String,
}

#[derive(Debug, Subcommand)]
pub enum DnsZoneGroupCmd {
    /// Create a private endpoint DNS zone group with one zone.
    Create {
        #[command(flatten)]
        group: ZoneGroupArgs,
    },
    /// Add a zone to a private endpoint DNS zone group.
    Add {
        #[command(flatten)]
        group: ZoneGroupArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum PrivateDnsCmd {
    /// Private DNS zones.
    #[command(subcommand)]
    Zone(PrivateDnsZoneCmd),
    /// Links of private DNS zones.
    #[command(subcommand)]
    Link(PrivateDnsLinkCmd),
}

#[derive(Debug, Subcommand)]
pub enum PrivateDnsZoneCmd {
    /// Create a private DNS zone (location global).
    Create {
        #[command(flatten)]
        net: NetName,
    },
    /// Show a private DNS zone.
    Show {
        #[command(flatten)]
        net: NetName,
    },
    /// List private DNS zones of a resource group, or of the subscription.
    List {
        /// Name of resource group (default: $AZURE_DEFAULTS_GROUP, else `defaults.group`).
        #[arg(long = "resource-group", short = 'g')]
        resource_group: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PrivateDnsLinkCmd {
    /// Links to virtual networks.
    #[command(subcommand)]
    Vnet(PrivateDnsLinkVnetCmd),
}

#[derive(Debug, Subcommand)]
pub enum PrivateDnsLinkVnetCmd {
    /// Link a private DNS zone to a virtual network.
    Create {
        #[command(flatten)]
        net: NetName,
        /// The name of the private DNS zone.
        #[arg(long, short = 'z')]
        zone_name: String,
        /// Name or id of the virtual network.
        #[arg(long, short = 'v')]
        virtual_network: String,
        /// Whether the zone registers the network's virtual machines' records automatically.
        #[arg(long, short = 'e', action = clap::ArgAction::Set)]
        registration_enabled: bool,
    },
    /// Show a virtual network link.
    Show {
        #[command(flatten)]
        net: NetName,
        /// The name of the private DNS zone.
        #[arg(long, short = 'z')]
        zone_name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum RoleCmd {
    /// Role assignments: who has which role over which scope.
    #[command(subcommand)]
    Assignment(RoleAssignmentCmd),
}

/// Whom and where, shared by `role assignment list` and `delete`.
#[derive(Debug, Args, Clone, Default)]
pub struct AssignmentFilter {
    /// Represent a user or service principal: an object id here (armctl has no Microsoft Graph to look names up).
    #[arg(long)]
    pub assignee: Option<String>,
    /// The assignee's object id.
    #[arg(long)]
    pub assignee_object_id: Option<String>,
    /// Role name (Reader, Contributor, …), role definition GUID or id.
    #[arg(long)]
    pub role: Option<String>,
    /// Use it only if the role or assignment was added at the level of a resource group.
    #[arg(long = "resource-group", short = 'g')]
    pub resource_group: Option<String>,
    /// Scope at which the role assignment or definition applies to, e.g. /subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333, /subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/myGroup, or /subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/myGroup/providers/Microsoft.Compute/virtualMachines/myVM.
    #[arg(long)]
    pub scope: Option<String>,
    /// Include assignments applied on parent scopes.
    #[arg(long)]
    pub include_inherited: bool,
}

#[derive(Debug, Subcommand)]
pub enum RoleAssignmentCmd {
    /// Create a new role assignment for a user, group, or service principal.
    Create {
        /// Role name or id.
        #[arg(long)]
        role: String,
        /// Represent a user or service principal: an object id here (armctl has no Microsoft Graph to look names up).
        #[arg(long)]
        assignee: Option<String>,
        /// Use this parameter instead of '--assignee' to bypass Graph API invocation.
        #[arg(long)]
        assignee_object_id: Option<String>,
        /// Use with --assignee-object-id to avoid errors caused by propagation latency in Microsoft Graph.
        #[arg(long, value_parser = ["User", "Group", "ServicePrincipal", "ForeignGroup", "Device"])]
        assignee_principal_type: Option<String>,
        /// Scope at which the role assignment applies to, e.g. /subscriptions/{id}, /subscriptions/{id}/resourceGroups/{group}, or a resource id.
        #[arg(long)]
        scope: String,
        /// Description of role assignment.
        #[arg(long)]
        description: Option<String>,
        /// A GUID for the role assignment. It must be unique and different for each role assignment.
        #[arg(long, short = 'n')]
        name: Option<String>,
    },
    /// List role assignments.
    List {
        #[command(flatten)]
        filter: AssignmentFilter,
        /// Show all assignments under the current subscription.
        #[arg(long)]
        all: bool,
    },
    /// Delete role assignments.
    Delete {
        #[command(flatten)]
        filter: AssignmentFilter,
        /// Space-separated role assignment ids.
        #[arg(long, num_args = 1..)]
        ids: Vec<String>,
        /// Currently no-op.
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

#[derive(Debug, Args)]
pub struct ConfigureArgs {
    /// Space-separated NAME=VALUE defaults (group, location); an empty VALUE clears one.
    #[arg(long, short = 'd', num_args = 1..)]
    pub defaults: Vec<String>,
    /// List the defaults.
    #[arg(long, short = 'l')]
    pub list_defaults: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Set SECTION.OPTION=VALUE (e.g. defaults.group=rg1 core.output=table).
    Set {
        /// SECTION.OPTION=VALUE pairs.
        #[arg(num_args = 1.., required = true, value_name = "KEY=VALUE")]
        key_value: Vec<String>,
    },
    /// Print a section, an option (SECTION.OPTION), or the whole configuration.
    Get {
        /// SECTION or SECTION.OPTION.
        #[arg(value_name = "KEY")]
        key: Option<String>,
    },
    /// Remove options (SECTION.OPTION).
    Unset {
        /// SECTION or SECTION.OPTION.
        #[arg(num_args = 1.., required = true, value_name = "KEY")]
        key: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum EmulatorCmd {
    /// The emulator's request journal, oldest first (the global `--subscription` filters it).
    Journal(JournalArgs),
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct JournalArgs {
    #[command(subcommand)]
    pub action: Option<JournalAction>,
    /// Only requests of this operation id, e.g. ResourceGroups_CreateOrUpdate.
    #[arg(long, visible_alias = "operation-id", value_name = "OPID")]
    pub operation: Option<String>,
    /// Only answers with this status (404) or class (4xx).
    #[arg(long, value_name = "CODE")]
    pub status: Option<String>,
    /// Only requests whose path starts with this (case-insensitive).
    #[arg(long, value_name = "P")]
    pub path_prefix: Option<String>,
    /// Only requests at or after this time (RFC 3339).
    #[arg(long, value_name = "RFC3339")]
    pub since: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum JournalAction {
    /// Empty the journal.
    Clear,
}

#[derive(Debug, Subcommand)]
pub enum ExtensionCmd {
    /// Accepted and does nothing (`az extension add -n azure-cli-ml` in the documents).
    Add {
        /// The extension name (any; nothing is installed).
        #[arg(long, short = 'n')]
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Log in as a service principal given by -u/-p/--tenant.
    #[arg(long)]
    pub service_principal: bool,
    /// The service principal's client (application) id.
    #[arg(long, short = 'u')]
    pub username: Option<String>,
    /// The service principal's secret.
    #[arg(long, short = 'p')]
    pub password: Option<String>,
    /// The tenant id or domain.
    #[arg(long, short = 't')]
    pub tenant: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AccountCmd {
    /// The subscriptions seen at login.
    List,
    /// The current subscription (or the one given with -s).
    Show,
    /// Make a subscription the default (-s NAME_OR_ID).
    Set,
    /// Get a token for utilities to access Azure (the emulator's, here).
    GetAccessToken {
        /// Azure resource endpoints (default: ARM's).
        #[arg(long)]
        resource: Option<String>,
        /// Space-separated AAD scopes in AAD v2.0 (default: ARM's).
        #[arg(long, num_args = 1..)]
        scope: Vec<String>,
        /// Tenant ID for which the token is acquired (only the subscription's tenant here).
        #[arg(long, short = 't')]
        tenant: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct GroupName {
    /// The resource group name (default: $AZURE_DEFAULTS_GROUP, else `defaults.group`).
    #[arg(long = "name", short = 'n', alias = "resource-group", short_alias = 'g')]
    pub name: Option<String>,
}

/// `k=v` pairs (az's `--tags a=b c=d`; a bare `k` is an empty value; `""` clears).
pub fn parse_tag(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        Some(_) => Err(format!("invalid tag '{s}': the name is empty")),
        None => Ok((s.to_string(), String::new())),
    }
}

#[derive(Debug, Subcommand)]
pub enum GroupCmd {
    /// Create (or update) a resource group.
    Create {
        #[command(flatten)]
        group: GroupName,
        /// The location (default: $AZURE_DEFAULTS_LOCATION, else `defaults.location`).
        #[arg(long, short = 'l')]
        location: Option<String>,
        /// Space-separated tags: key[=value].
        #[arg(long, num_args = 0..)]
        tags: Option<Vec<String>>,
        /// The id of the resource that manages this group.
        #[arg(long)]
        managed_by: Option<String>,
    },
    /// Show a resource group.
    Show {
        #[command(flatten)]
        group: GroupName,
    },
    /// List resource groups.
    List {
        /// A tag filter: key[=value].
        #[arg(long)]
        tag: Option<String>,
    },
    /// Update a resource group's tags (or managedBy).
    Update {
        #[command(flatten)]
        group: GroupName,
        /// Set a property: tags.KEY=VALUE, tags={}, managedBy=ID.
        #[arg(long, num_args = 1..)]
        set: Vec<String>,
        /// Remove a property: tags.KEY or tags.
        #[arg(long, num_args = 1..)]
        remove: Vec<String>,
        /// Replace all tags: key[=value] …
        #[arg(long, num_args = 0..)]
        tags: Option<Vec<String>>,
    },
    /// Delete a resource group and everything in it.
    Delete {
        #[command(flatten)]
        group: GroupName,
        /// Do not prompt for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
        /// Do not wait for the long-running operation to finish.
        #[arg(long)]
        no_wait: bool,
    },
    /// Check whether a resource group exists (prints true or false).
    Exists {
        #[command(flatten)]
        group: GroupName,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProviderCmd {
    /// List providers and their registration state.
    List,
    /// Show a provider.
    Show {
        /// The resource provider namespace, e.g. Microsoft.MachineLearningServices.
        #[arg(long = "namespace", short = 'n')]
        namespace: String,
    },
    /// Register a provider in the subscription.
    Register {
        /// The resource provider namespace, e.g. Microsoft.MachineLearningServices.
        #[arg(long = "namespace", short = 'n')]
        namespace: String,
        /// Wait until the registration has finished.
        #[arg(long)]
        wait: bool,
    },
    /// Unregister a provider.
    Unregister {
        /// The resource provider namespace, e.g. Microsoft.MachineLearningServices.
        #[arg(long = "namespace", short = 'n')]
        namespace: String,
        /// Wait for the (un)registration to finish.
        #[arg(long)]
        wait: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ResourceCmd {
    /// Show resources by id (or by -g/-n/--resource-type).
    Show {
        /// One or more resource ids (space-delimited); or give -g, -n and --resource-type.
        #[arg(long, num_args = 1..)]
        ids: Vec<String>,
        /// The resource group (default: $AZURE_DEFAULTS_GROUP, else `defaults.group`).
        #[arg(long, short = 'g')]
        resource_group: Option<String>,
        /// The resource name.
        #[arg(long, short = 'n')]
        name: Option<String>,
        /// Namespace/type, e.g. Microsoft.Storage/storageAccounts.
        #[arg(long)]
        resource_type: Option<String>,
        /// The api-version (default: the newest the provider lists for the type).
        #[arg(long)]
        api_version: Option<String>,
    },
    /// List resources (optionally of one group or type).
    List {
        /// The resource group (default: $AZURE_DEFAULTS_GROUP, else `defaults.group`).
        #[arg(long, short = 'g')]
        resource_group: Option<String>,
        /// The resource type, e.g. Microsoft.Storage/storageAccounts.
        #[arg(long)]
        resource_type: Option<String>,
    },
    /// Delete resources by id (or by -g/-n/--resource-type).
    Delete {
        /// One or more resource ids (space-delimited).
        #[arg(long, num_args = 1..)]
        ids: Vec<String>,
        /// The resource group (with --name and --resource-type, instead of --ids).
        #[arg(long, short = 'g')]
        resource_group: Option<String>,
        /// The resource name (with -g and --resource-type).
        #[arg(long, short = 'n')]
        name: Option<String>,
        /// Namespace/type, e.g. Microsoft.Storage/storageAccounts.
        #[arg(long)]
        resource_type: Option<String>,
        /// The api-version (default: the newest the provider lists for the type).
        #[arg(long)]
        api_version: Option<String>,
        /// Do not wait for the long-running operation to finish.
        #[arg(long)]
        no_wait: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MlCmd {
    /// Azure ML workspaces.
    #[command(subcommand)]
    Workspace(WorkspaceCmd),
    /// Azure ML environments: the CLI v1 forms (scaffold, register, list, show, download) and
    /// the CLI v2 forms (create, show --version/--label, list, archive, restore).
    #[command(subcommand)]
    Environment(EnvironmentCmd),
}

/// The workspace of an environment command: `-w/-g/--subscription-id`, else the `config.json`
/// found from `--path` (the v1 CLI's lookup).
#[derive(Debug, Args, Clone, Default)]
pub struct EnvWs {
    /// The workspace (default: the config.json found from the current directory).
    #[arg(long = "workspace-name", short = 'w')]
    pub workspace_name: Option<String>,
    /// The workspace's resource group (default: config.json's, else $AZURE_DEFAULTS_GROUP).
    #[arg(long = "resource-group", short = 'g')]
    pub resource_group: Option<String>,
    /// The subscription (v1 flag; the global --subscription also works).
    #[arg(long = "subscription-id")]
    pub subscription_id: Option<String>,
    /// Where to look for config.json (.azureml/config.json, aml_config/config.json) and upward.
    #[arg(long)]
    pub path: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum EnvironmentCmd {
    /// Write a default environment definition to a directory (v1).
    Scaffold {
        /// The environment name.
        #[arg(long, short = 'n')]
        name: String,
        /// The directory with (or for) azureml_environment.json and conda_dependencies.yml.
        #[arg(long, short = 'd')]
        directory: String,
        /// Write into an existing directory.
        #[arg(long)]
        overwrite: bool,
        #[command(flatten)]
        ws: EnvWs,
    },
    /// Register the environment definition of a directory (v1).
    Register {
        /// The directory with (or for) azureml_environment.json and conda_dependencies.yml.
        #[arg(long, short = 'd')]
        directory: String,
        #[command(flatten)]
        ws: EnvWs,
    },
    /// Download an environment definition to a directory (v1).
    Download {
        /// The environment name.
        #[arg(long, short = 'n')]
        name: String,
        /// The environment version (default: the latest).
        #[arg(long, short = 'v')]
        version: Option<String>,
        /// The directory with (or for) azureml_environment.json and conda_dependencies.yml.
        #[arg(long, short = 'd')]
        directory: String,
        /// Replace files that exist in the directory.
        #[arg(long)]
        overwrite: bool,
        #[command(flatten)]
        ws: EnvWs,
    },
    /// List environments: v1 definitions (latest of each name); with --name, the archive
    /// flags or --v2, the v2 containers (or the versions of --name).
    List {
        /// The environment name.
        #[arg(long, short = 'n')]
        name: Option<String>,
        /// Only archived environments.
        #[arg(long, conflicts_with = "include_archived")]
        archived_only: bool,
        /// Archived environments too.
        #[arg(long)]
        include_archived: bool,
        /// Print the CLI v2 shape (az ml 2.x).
        #[arg(long)]
        v2: bool,
        #[command(flatten)]
        ws: EnvWs,
    },
    /// Show an environment: the v1 definition, or the v2 version with --label or --v2.
    Show {
        /// The environment name.
        #[arg(long, short = 'n')]
        name: String,
        /// The environment version (default: the latest).
        #[arg(long, short = 'v')]
        version: Option<String>,
        /// `latest` (v2).
        #[arg(long, short = 'l', conflicts_with = "version")]
        label: Option<String>,
        /// Print the CLI v2 shape (az ml 2.x).
        #[arg(long)]
        v2: bool,
        #[command(flatten)]
        ws: EnvWs,
    },
    /// Create an environment version from a YAML file (v2).
    Create {
        /// A v2 environment YAML file.
        #[arg(long, short = 'f')]
        file: String,
        /// The environment name.
        #[arg(long, short = 'n')]
        name: Option<String>,
        /// The environment version (default: the latest).
        #[arg(long, short = 'v')]
        version: Option<String>,
        #[command(flatten)]
        ws: EnvWs,
    },
    /// Archive an environment or one version (v2).
    Archive {
        /// The environment name.
        #[arg(long, short = 'n')]
        name: String,
        /// The environment version (default: the latest).
        #[arg(long, short = 'v')]
        version: Option<String>,
        #[command(flatten)]
        ws: EnvWs,
    },
    /// Restore an archived environment or version (v2).
    Restore {
        /// The environment name.
        #[arg(long, short = 'n')]
        name: String,
        /// The environment version (default: the latest).
        #[arg(long, short = 'v')]
        version: Option<String>,
        #[command(flatten)]
        ws: EnvWs,
    },
}

/// A workspace: `-w/--workspace-name` (CLI v1) or `-n/--name` (CLI v2), and `-g`.
#[derive(Debug, Args, Clone)]
pub struct WsName {
    /// The workspace name (v1 flag).
    #[arg(long = "workspace-name", short = 'w')]
    pub workspace_name: Option<String>,
    /// The workspace name (v2 flag).
    #[arg(long = "name", short = 'n')]
    pub name: Option<String>,
    /// The resource group.
    #[arg(long = "resource-group", short = 'g')]
    pub resource_group: Option<String>,
}

impl WsName {
    pub fn workspace(&self) -> Option<&str> {
        self.workspace_name.as_deref().or(self.name.as_deref())
    }
}

#[derive(Debug, Args)]
pub struct WorkspaceCreateArgs {
    #[command(flatten)]
    pub ws: WsName,
    /// Do not wait for the long-running operation to finish.
    #[arg(long)]
    pub no_wait: bool,
    /// A workspace YAML file (v2 schema keys).
    #[arg(long, short = 'f')]
    pub file: Option<String>,
    /// The location (default: $AZURE_DEFAULTS_LOCATION, else the group's).
    #[arg(long, short = 'l')]
    pub location: Option<String>,
    /// The workspace's display name.
    #[arg(long, visible_alias = "display-name")]
    pub friendly_name: Option<String>,
    /// The workspace's description.
    #[arg(long)]
    pub description: Option<String>,
    /// An existing storage account id.
    #[arg(long)]
    pub storage_account: Option<String>,
    /// An existing key vault id.
    #[arg(long)]
    pub keyvault: Option<String>,
    /// An existing Application Insights id.
    #[arg(long)]
    pub application_insights: Option<String>,
    /// An existing container registry id (its admin user must be enabled).
    #[arg(long)]
    pub container_registry: Option<String>,
    /// Create a private endpoint with this name.
    #[arg(long)]
    pub pe_name: Option<String>,
    /// Approve the private endpoint connection automatically.
    #[arg(long)]
    pub pe_auto_approval: bool,
    /// The private endpoint's resource group (default: the workspace's).
    #[arg(long)]
    pub pe_resource_group: Option<String>,
    /// The existing virtual network for the private endpoint.
    #[arg(long)]
    pub pe_vnet_name: Option<String>,
    /// The subnet of the private endpoint.
    #[arg(long, default_value = "default")]
    pub pe_subnet_name: String,
    /// The key vault (id) holding the customer-managed key.
    #[arg(long)]
    pub cmk_keyvault: Option<String>,
    /// The customer-managed key's URI.
    #[arg(long)]
    pub resource_cmk_uri: Option<String>,
    /// A high-business-impact workspace (only at creation).
    #[arg(long)]
    pub hbi_workspace: bool,
    /// Enabled or Disabled.
    #[arg(long)]
    pub public_network_access: Option<String>,
    /// The compute cluster that builds Docker images (needed with private links).
    #[arg(long)]
    pub image_build_compute: Option<String>,
    /// Space-separated tags: key[=value].
    #[arg(long, num_args = 0..)]
    pub tags: Option<Vec<String>>,
    /// Accepted for compatibility (v1 asked before creating a resource group).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct WorkspaceUpdateArgs {
    #[command(flatten)]
    pub ws: WsName,
    /// Do not wait for the long-running operation to finish.
    #[arg(long)]
    pub no_wait: bool,
    /// The workspace's display name.
    #[arg(long, visible_alias = "display-name")]
    pub friendly_name: Option<String>,
    /// The workspace's description.
    #[arg(long)]
    pub description: Option<String>,
    /// Enabled or Disabled.
    #[arg(long)]
    pub public_network_access: Option<String>,
    /// The compute cluster that builds Docker images (needed with private links).
    #[arg(long)]
    pub image_build_compute: Option<String>,
    /// An existing container registry id.
    #[arg(long)]
    pub container_registry: Option<String>,
    /// An existing Application Insights id.
    #[arg(long)]
    pub application_insights: Option<String>,
    /// true or false; the service refuses a change after creation.
    #[arg(long)]
    pub hbi_workspace: Option<bool>,
    /// Replace all tags: key[=value] …
    #[arg(long, num_args = 0..)]
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Subcommand)]
pub enum WorkspaceCmd {
    /// Create a workspace (dependent resources are created unless given).
    Create(Box<WorkspaceCreateArgs>),
    /// Show a workspace.
    Show {
        #[command(flatten)]
        ws: WsName,
    },
    /// List workspaces (of a resource group with -g).
    List {
        /// The resource group (default: $AZURE_DEFAULTS_GROUP, else `defaults.group`; none: the whole subscription).
        #[arg(long = "resource-group", short = 'g')]
        resource_group: Option<String>,
    },
    /// Update a workspace.
    Update(Box<WorkspaceUpdateArgs>),
    /// Delete a workspace (soft delete unless --permanently-delete).
    Delete {
        #[command(flatten)]
        ws: WsName,
        /// Purge instead of soft-deleting.
        #[arg(long)]
        permanently_delete: bool,
        /// Also delete the storage account, key vault, Application Insights and registry.
        #[arg(long, alias = "delete-dependent-resources")]
        all_resources: bool,
        /// Do not prompt for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
        /// Do not wait for the long-running operation to finish.
        #[arg(long)]
        no_wait: bool,
    },
    /// Give a user a role on the workspace.
    Share {
        #[command(flatten)]
        ws: WsName,
        /// The user's object id (a GUID) or sign-in name.
        #[arg(long)]
        user: String,
        /// A built-in role name (Owner, Contributor, Reader, AzureML Data Scientist…) or a role GUID.
        #[arg(long)]
        role: String,
    },
    /// Resynchronise the keys of the dependent resources.
    SyncKeys {
        #[command(flatten)]
        ws: WsName,
        /// Do not wait for the long-running operation to finish.
        #[arg(long)]
        no_wait: bool,
    },
    /// Show the keys of the dependent resources.
    ListKeys {
        #[command(flatten)]
        ws: WsName,
    },
    /// List soft-deleted workspaces.
    ListDeleted {
        /// The resource group (default: $AZURE_DEFAULTS_GROUP, else `defaults.group`; none: the whole subscription).
        #[arg(long = "resource-group", short = 'g')]
        resource_group: Option<String>,
    },
    /// Recover a soft-deleted workspace.
    Recover {
        #[command(flatten)]
        ws: WsName,
        /// The location (default: the deleted workspace's).
        #[arg(long, short = 'l')]
        location: Option<String>,
        /// Do not wait for the long-running operation to finish.
        #[arg(long)]
        no_wait: bool,
    },
    /// Permanently delete a (soft-deleted or live) workspace.
    Purge {
        #[command(flatten)]
        ws: WsName,
        /// Do not prompt for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
        /// Do not wait for the long-running operation to finish.
        #[arg(long)]
        no_wait: bool,
    },
}

#[derive(Debug, Args)]
pub struct DepName {
    /// The resource name.
    #[arg(long, short = 'n')]
    pub name: String,
    /// The resource group (default: $AZURE_DEFAULTS_GROUP, else `defaults.group`; none: found by name in the subscription).
    #[arg(long = "resource-group", short = 'g')]
    pub resource_group: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum StorageCmd {
    /// Storage accounts.
    #[command(subcommand)]
    Account(StorageAccountCmd),
}

#[derive(Debug, Subcommand)]
pub enum StorageAccountCmd {
    /// Show a storage account (by name; without -g it is looked up in the whole subscription).
    Show {
        #[command(flatten)]
        dep: DepName,
    },
    /// List the storage accounts of a resource group, or of the subscription.
    List {
        /// Name of resource group (default: $AZURE_DEFAULTS_GROUP, else `defaults.group`).
        #[arg(long = "resource-group", short = 'g')]
        resource_group: Option<String>,
    },
    /// Create a storage account.
    Create {
        #[command(flatten)]
        dep: DepName,
        /// Location (default: $AZURE_DEFAULTS_LOCATION, else the group's).
        #[arg(long, short = 'l')]
        location: Option<String>,
        /// The storage SKU, e.g. Standard_LRS, Standard_GRS.
        #[arg(long, default_value = "Standard_LRS")]
        sku: String,
        /// The kind of storage account (StorageV2, BlobStorage, …).
        #[arg(long, default_value = "StorageV2")]
        kind: String,
        /// Hierarchical namespace (ADLS Gen2).
        #[arg(long, alias = "enable-hierarchical-namespace")]
        hns: Option<bool>,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeyvaultCmd {
    /// Show a key vault (by name; without -g it is looked up in the whole subscription).
    Show {
        #[command(flatten)]
        dep: DepName,
    },
    /// List the key vaults of a resource group, or of the subscription.
    List {
        /// Name of resource group (default: $AZURE_DEFAULTS_GROUP, else `defaults.group`).
        #[arg(long = "resource-group", short = 'g')]
        resource_group: Option<String>,
    },
    /// Create a key vault.
    Create {
        #[command(flatten)]
        dep: DepName,
        /// Location (default: $AZURE_DEFAULTS_LOCATION, else the group's).
        #[arg(long, short = 'l')]
        location: Option<String>,
        /// Do not wait for the long-running operation to finish.
        #[arg(long)]
        no_wait: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AcrCmd {
    /// Show a container registry (by name; without -g it is looked up in the whole subscription).
    Show {
        #[command(flatten)]
        dep: DepName,
    },
    /// List the container registrys of a resource group, or of the subscription.
    List {
        /// Name of resource group (default: $AZURE_DEFAULTS_GROUP, else `defaults.group`).
        #[arg(long = "resource-group", short = 'g')]
        resource_group: Option<String>,
    },
    /// Create a container registry.
    Create {
        #[command(flatten)]
        dep: DepName,
        /// Location (default: $AZURE_DEFAULTS_LOCATION, else the group's).
        #[arg(long, short = 'l')]
        location: Option<String>,
        /// The registry SKU: Basic, Standard or Premium.
        #[arg(long, default_value = "Basic")]
        sku: String,
        /// true or false (a bare flag means true).
        #[arg(long, num_args = 0..=1, default_missing_value = "true")]
        admin_enabled: Option<bool>,
    },
}

#[derive(Debug, Subcommand)]
pub enum MonitorCmd {
    /// Application Insights.
    #[command(name = "app-insights", subcommand)]
    AppInsights(AppInsightsCmd),
}

#[derive(Debug, Subcommand)]
pub enum AppInsightsCmd {
    /// Application Insights components.
    #[command(subcommand)]
    Component(ComponentCmd),
}

#[derive(Debug, Args)]
pub struct AppName {
    /// The Application Insights component name.
    #[arg(long = "app", short = 'a')]
    pub app: String,
    /// The resource group (default: $AZURE_DEFAULTS_GROUP, else `defaults.group`).
    #[arg(long = "resource-group", short = 'g')]
    pub resource_group: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ComponentCmd {
    /// Show an Application Insights component (by name; without -g found in the subscription).
    Show {
        #[command(flatten)]
        app: AppName,
    },
    /// Create an Application Insights component.
    Create {
        #[command(flatten)]
        app: AppName,
        /// Location (default: $AZURE_DEFAULTS_LOCATION, else the group's).
        #[arg(long, short = 'l')]
        location: Option<String>,
        /// The kind of application (web, other, …).
        #[arg(long, default_value = "web")]
        kind: String,
        /// The application type (web, other, …).
        #[arg(long, default_value = "web")]
        application_type: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DeploymentCmd {
    /// Deployments at resource group scope.
    #[command(subcommand)]
    Group(DeploymentGroupCmd),
    /// Deployments at subscription scope.
    #[command(subcommand)]
    Sub(DeploymentSubCmd),
    /// The operations (one per resource) of a deployment.
    #[command(subcommand)]
    Operation(DeploymentOperationCmd),
}

/// The template and its parameters (az's `--template-file`, `--parameters`, `--name`).
#[derive(Debug, Args, Clone)]
pub struct TemplateArgs {
    /// The deployment name (default: the template file's base name).
    #[arg(long = "name", short = 'n')]
    pub name: Option<String>,
    /// A path to an ARM template (JSON, comments allowed).
    #[arg(long = "template-file", short = 'f')]
    pub template_file: Option<String>,
    /// Parameters: a parameters file (`@file.json` or a path), inline JSON, or KEY=VALUE
    /// pairs; repeatable, later ones override earlier.
    #[arg(long = "parameters", short = 'p', num_args = 1.., action = clap::ArgAction::Append)]
    pub parameters: Vec<String>,
    /// Do not ask for (or fail on) missing parameters: leave them to the service.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub no_prompt: Option<bool>,
}

/// A group-scope deployment's template arguments.
#[derive(Debug, Args, Clone)]
pub struct GroupTemplateArgs {
    /// The resource group (default: $AZURE_DEFAULTS_GROUP, else `defaults.group`).
    #[arg(long = "resource-group", short = 'g')]
    pub resource_group: Option<String>,
    #[command(flatten)]
    pub template: TemplateArgs,
    /// Incremental (default) or Complete (also delete resources the template omits).
    #[arg(long, default_value = "Incremental")]
    pub mode: String,
}

/// A subscription-scope deployment's template arguments.
#[derive(Debug, Args, Clone)]
pub struct SubTemplateArgs {
    /// Where the deployment's metadata is stored (default: $AZURE_DEFAULTS_LOCATION, else
    /// `defaults.location`).
    #[arg(long, short = 'l')]
    pub location: Option<String>,
    #[command(flatten)]
    pub template: TemplateArgs,
}

/// What-if's own options.
#[derive(Debug, Args, Clone)]
pub struct WhatIfArgs {
    /// FullResourcePayloads (default) or ResourceIdOnly.
    #[arg(long, short = 'r', default_value = "FullResourcePayloads")]
    pub result_format: String,
    /// Print the result as data (in the -o format) instead of az's summary.
    #[arg(long)]
    pub no_pretty_print: bool,
    /// Change types to leave out: Create, Delete, Deploy, Ignore, Modify, NoChange, Unsupported.
    #[arg(long, short = 'x', num_args = 1..)]
    pub exclude_change_types: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum DeploymentGroupCmd {
    /// Deploy a template to a resource group.
    Create {
        #[command(flatten)]
        deployment: GroupTemplateArgs,
        /// Do not wait for the long-running operation to finish.
        #[arg(long)]
        no_wait: bool,
    },
    /// Show a deployment.
    Show {
        /// The resource group (default: $AZURE_DEFAULTS_GROUP, else `defaults.group`).
        #[arg(long = "resource-group", short = 'g')]
        resource_group: Option<String>,
        /// The deployment name.
        #[arg(long = "name", short = 'n')]
        name: String,
    },
    /// List the deployments of a resource group.
    List {
        /// The resource group (default: $AZURE_DEFAULTS_GROUP, else `defaults.group`).
        #[arg(long = "resource-group", short = 'g')]
        resource_group: Option<String>,
        /// OData filter, e.g. "provisioningState eq 'Failed'".
        #[arg(long)]
        filter: Option<String>,
    },
    /// Delete a deployment record (not the resources it deployed).
    Delete {
        /// The resource group (default: $AZURE_DEFAULTS_GROUP, else `defaults.group`).
        #[arg(long = "resource-group", short = 'g')]
        resource_group: Option<String>,
        /// The deployment name.
        #[arg(long = "name", short = 'n')]
        name: String,
        /// Do not wait for the long-running operation to finish.
        #[arg(long)]
        no_wait: bool,
    },
    /// Validate a template against a resource group without deploying it.
    Validate(GroupTemplateArgs),
    /// Show what a deployment would change.
    WhatIf {
        #[command(flatten)]
        deployment: GroupTemplateArgs,
        #[command(flatten)]
        what_if: WhatIfArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum DeploymentSubCmd {
    /// Deploy a template at subscription scope.
    Create {
        #[command(flatten)]
        deployment: SubTemplateArgs,
        /// Do not wait for the long-running operation to finish.
        #[arg(long)]
        no_wait: bool,
    },
    /// Show a deployment.
    Show {
        /// The deployment name.
        #[arg(long = "name", short = 'n')]
        name: String,
    },
    /// List the deployments of the subscription.
    List {
        /// OData filter, e.g. "provisioningState eq 'Failed'".
        #[arg(long)]
        filter: Option<String>,
    },
    /// Delete a deployment record.
    Delete {
        /// The deployment name.
        #[arg(long = "name", short = 'n')]
        name: String,
        /// Do not wait for the long-running operation to finish.
        #[arg(long)]
        no_wait: bool,
    },
    /// Validate a template at subscription scope without deploying it.
    Validate(SubTemplateArgs),
    /// Show what a deployment would change.
    WhatIf {
        #[command(flatten)]
        deployment: SubTemplateArgs,
        #[command(flatten)]
        what_if: WhatIfArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum DeploymentOperationCmd {
    /// Operations of a resource group deployment.
    #[command(subcommand)]
    Group(DeploymentOperationGroupCmd),
    /// Operations of a subscription deployment.
    #[command(subcommand)]
    Sub(DeploymentOperationSubCmd),
}

#[derive(Debug, Subcommand)]
pub enum DeploymentOperationGroupCmd {
    /// List a deployment's operations.
    List {
        /// The resource group (default: $AZURE_DEFAULTS_GROUP, else `defaults.group`).
        #[arg(long = "resource-group", short = 'g')]
        resource_group: Option<String>,
        /// The deployment name.
        #[arg(long = "name", short = 'n')]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DeploymentOperationSubCmd {
    /// List a deployment's operations.
    List {
        /// The deployment name.
        #[arg(long = "name", short = 'n')]
        name: String,
    },
}
