//! az's help layout on clap's: a command's own options under "Arguments", the options every
//! command takes under "Global Arguments", and "Examples" — for every command the seed
//! documents show, their commands (in English; the documents are Dutch, French and Japanese).
//! [`command`] decorates the derived grammar once, so every subcommand gets the same sections.

use clap::{Command, CommandFactory};

use super::args::Cli;

/// (command path, [(what it does, the command line)]) — the seeds' commands, `az` read as
/// `armctl`.
const EXAMPLES: &[(&str, &[(&str, &str)])] = &[
    ("login", &[("Sign in to the emulator as its built-in service principal.", "armctl login")]),
    ("account set", &[("Switch to another subscription.", "armctl account set -s <subscription>")]),
    (
        "group create",
        &[("Create a resource group for the workspace.", "armctl group create --name <resource-group-name> --location <location>")],
    ),
    ("group delete", &[("Delete the group and everything in it.", "armctl group delete -g <resource-group-name>")]),
    (
        "ml workspace create",
        &[
            ("Create a workspace with new dependent resources.", "armctl ml workspace create -w <workspace-name> -g <resource-group-name>"),
            ("The same with the v2 name option.", "armctl ml workspace create -n <workspace-name> -g <resource-group-name>"),
            (
                "Use an existing container registry.",
                "armctl ml workspace create -w <workspace-name> -g <resource-group-name> --container-registry \"/subscriptions/<service-GUID>/resourceGroups/<resource-group-name>/providers/Microsoft.ContainerRegistry/registries/<acr-name>\"",
            ),
            ("Create from a YAML configuration file.", "armctl ml workspace create -g <resource-group-name> --file <configuration-file>.yml"),
        ],
    ),
    (
        "ml workspace show",
        &[
            ("Show a workspace.", "armctl ml workspace show -w <workspace-name> -g <resource-group-name>"),
            ("Only its id.", "armctl ml workspace show -n <workspace-name> -g <resource-group-name> --query id"),
        ],
    ),
    ("ml workspace list", &[("List the workspaces of the subscription.", "armctl ml workspace list")]),
    (
        "ml workspace update",
        &[
            ("Update a workspace.", "armctl ml workspace update -w <workspace-name> -g <resource-group-name>"),
            (
                "Allow public network access.",
                "armctl ml workspace update -n <workspace-name> -g <resource-group-name> --public-network-access enabled",
            ),
        ],
    ),
    (
        "ml workspace delete",
        &[
            ("Delete (soft-delete) a workspace.", "armctl ml workspace delete -w <workspace-name> -g <resource-group-name>"),
            (
                "Purge it and its dependent resources, without asking.",
                "armctl ml workspace delete -n <workspace-name> -g <resource-group-name> --permanently-delete --all-resources --yes",
            ),
        ],
    ),
    (
        "ml workspace sync-keys",
        &[("Resynchronise the dependent resources' keys.", "armctl ml workspace sync-keys -w <workspace-name> -g <resource-group-name>")],
    ),
    (
        "ml workspace share",
        &[(
            "Give a user a role on the workspace.",
            "armctl ml workspace share -w <workspace-name> -g <resource-group-name> --user <user> --role <role>",
        )],
    ),
    ("ml environment scaffold", &[("Write a new environment's definition files.", "armctl ml environment scaffold -n myenv -d myenvdir")]),
    ("ml environment register", &[("Register the environment a directory defines.", "armctl ml environment register -d myenvdir")]),
    ("ml environment list", &[("List the workspace's environments.", "armctl ml environment list")]),
    ("ml environment download", &[("Write an environment's files into a directory.", "armctl ml environment download -n myenv -d downloaddir")]),
    ("storage account show", &[("The id of the workspace's storage account.", "armctl storage account show --name <storage-account-name> --query \"id\"")]),
    ("keyvault show", &[("The id of the workspace's key vault.", "armctl keyvault show --name <key-vault-name> --query \"id\"")]),
    ("acr show", &[("The id of the workspace's container registry.", "armctl acr show --name <acr-name> -g <resource-group-name> --query \"id\"")]),
    (
        "monitor app-insights component show",
        &[(
            "The id of the workspace's Application Insights.",
            "armctl monitor app-insights component show --app <application-insight-name> -g <resource-group-name> --query \"id\"",
        )],
    ),
    ("extension add", &[("Accepted for scripts written for az (the ml commands are built in).", "armctl extension add -n azure-cli-ml")]),
    (
        "network private-endpoint create",
        &[(
            "A private endpoint for the workspace.",
            "armctl network private-endpoint create --name <private-endpoint-name> --vnet-name <virtual-network-name> --subnet <subnet-name> --private-connection-resource-id \"/subscriptions/<subscription>/resourceGroups/<resource-group-name>/providers/Microsoft.MachineLearningServices/workspaces/<workspace-name>\" --group-id amlworkspace --connection-name workspace -l <location>",
        )],
    ),
    (
        "network private-dns zone create",
        &[("The workspace's private DNS zone.", "armctl network private-dns zone create -g <resource-group-name> --name privatelink.api.azureml.ms")],
    ),
    (
        "network private-dns link vnet create",
        &[(
            "Link the zone to the virtual network.",
            "armctl network private-dns link vnet create -g <resource-group-name> --zone-name privatelink.api.azureml.ms --name <link-name> --virtual-network <virtual-network-name> --registration-enabled false",
        )],
    ),
    (
        "network private-endpoint dns-zone-group create",
        &[(
            "Put the endpoint's records into the zone.",
            "armctl network private-endpoint dns-zone-group create -g <resource-group-name> --endpoint-name <private-endpoint-name> --name <zone-group-name> --private-dns-zone privatelink.api.azureml.ms --zone-name privatelink.api.azureml.ms",
        )],
    ),
    (
        "network private-endpoint dns-zone-group add",
        &[(
            "Add the notebooks zone to the group.",
            "armctl network private-endpoint dns-zone-group add -g <resource-group-name> --endpoint-name <private-endpoint-name> --name <zone-group-name> --private-dns-zone privatelink.notebooks.azure.net --zone-name privatelink.notebooks.azure.net",
        )],
    ),
    (
        "role assignment create",
        &[(
            "What ml workspace share does, spelled out.",
            "armctl role assignment create --role \"AzureML Data Scientist\" --assignee-object-id <object-id> --assignee-principal-type User --scope <workspace-id>",
        )],
    ),
];

/// The examples of the command at `path` ("ml workspace create").
pub fn examples(path: &str) -> Option<&'static [(&'static str, &'static str)]> {
    EXAMPLES.iter().find(|(p, _)| *p == path).map(|(_, e)| *e)
}

/// The whole grammar with az's help sections.
pub fn command() -> Command {
    let root = Cli::command().mut_args(|a| if a.is_global_set() { a.help_heading("Global Arguments") } else { a });
    decorate(root, "")
}

fn decorate(cmd: Command, path: &str) -> Command {
    let mut cmd = cmd.mut_args(|a| {
        if a.is_global_set() || a.get_help_heading().is_some() || a.is_positional() {
            a
        } else {
            a.help_heading("Arguments")
        }
    });
    if let Some(ex) = examples(path) {
        let mut text = String::from("Examples:\n");
        for (what, line) in ex {
            text.push_str(&format!("    {what}\n        {line}\n\n"));
        }
        cmd = cmd.after_help(text.trim_end().to_string());
    }
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in names {
        let sub_path = if path.is_empty() { name.clone() } else { format!("{path} {name}") };
        cmd = cmd.mut_subcommand(&name, |s| decorate(s, &sub_path));
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk<'a>(cmd: &'a Command, path: String, out: &mut Vec<(String, &'a Command)>) {
        out.push((path.clone(), cmd));
        for s in cmd.get_subcommands() {
            let p = if path.is_empty() { s.get_name().to_string() } else { format!("{path} {}", s.get_name()) };
            walk(s, p, out);
        }
    }

    /// Every command and every option says what it is (az documents all of them).
    #[test]
    fn every_command_and_option_has_a_description() {
        let mut cmd = command();
        cmd.build();
        let mut all = Vec::new();
        walk(&cmd, String::new(), &mut all);
        let mut missing = Vec::new();
        for (path, c) in &all {
            if !path.is_empty() && c.get_about().is_none() {
                missing.push(format!("command '{path}'"));
            }
            for a in c.get_arguments() {
                let builtin = ["help", "version"].contains(&a.get_id().as_str());
                if !builtin && a.get_help().is_none() && a.get_long_help().is_none() {
                    missing.push(format!("'{path}' --{}", a.get_long().unwrap_or(a.get_id().as_str())));
                }
            }
        }
        assert!(missing.is_empty(), "{} without a description:\n{}", missing.len(), missing.join("\n"));
    }

    /// Each example names a command that exists and parses.
    #[test]
    fn every_example_parses() {
        for (path, ex) in EXAMPLES {
            for (_, line) in *ex {
                let words = super::super::split_words(line);
                assert!(words[1..].join(" ").starts_with(path), "{line} is not an example of {path}");
                if let Err(e) = command().try_get_matches_from(&words) {
                    panic!("{line}: {e}");
                }
            }
        }
    }

    #[test]
    fn own_and_global_arguments_are_apart() {
        let mut cmd = command();
        cmd.build();
        let help = cmd
            .find_subcommand_mut("ml")
            .and_then(|c| c.find_subcommand_mut("workspace"))
            .and_then(|c| c.find_subcommand_mut("create"))
            .map(|c| c.render_help().to_string())
            .unwrap();
        let own = help.find("Arguments:").expect("Arguments");
        let global = help.find("Global Arguments:").expect("Global Arguments");
        let examples = help.find("Examples:").expect("Examples");
        assert!(own < global && global < examples, "{help}");
        assert!(help[own..global].contains("--resource-group"), "{help}");
        assert!(help[global..examples].contains("--subscription") && !help[own..global].contains("--subscription"));
    }
}
