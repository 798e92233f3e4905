//! az's exit codes (usage 2, not found 3, everything else 1) and its defaults and
//! configuration: `configure --defaults`, `config set|get|unset`, `AZURE_*` variables,
//! `NO_COLOR`, with az's precedence (flag > environment variable > config file).

use armemu::testing::TestEmulator;
use serde_json::json;

use crate::helpers::*;

#[test]
fn exit_codes_follow_az_usage_2_not_found_3_else_1() {
    let emu = TestEmulator::start();
    let mut cli = Cli::new(&emu);
    cli.run("group create -n rg-codes -l eastus").ok();

    // Not found (any 404, az's ResourceNotFoundError): 3.
    let missing = cli.run("group show -n missing");
    assert_eq!(missing.code, 3, "{}", missing.err);
    assert!(missing.err.starts_with("ERROR: (ResourceGroupNotFound)"), "{}", missing.err);
    assert_eq!(cli.run("ml workspace show -w nope -g rg-codes").code, 3);
    assert_eq!(cli.run("storage account show -n nope -g rg-codes").code, 3);
    // Without -g az's storage validator raises a ValueError (usage, 2).
    assert_eq!(cli.run("storage account show -n nope").code, 2, "not found by a subscription-wide search");

    // Usage errors (argparse): 2.
    assert_eq!(cli.run("group frobnicate").code, 2);
    assert_eq!(cli.run("group create -n x").code, 2, "a missing --location");
    let bad_query = cli.run("group list --query [?");
    assert_eq!(bad_query.code, 2, "{}", bad_query.err);

    // Everything else: 1.
    let func = cli.run("group list --query nosuchfunction(@)");
    assert_eq!(func.code, 1, "an unknown JMESPath function fails at run time: {}", func.err);
    let sub = cli.run("group list --subscription nope");
    assert_eq!(sub.code, 1, "{}", sub.err);
    assert!(sub.err.contains("Subscription 'nope' not found"), "{}", sub.err);
    let no_tty = cli.run("group delete -n rg-codes");
    assert_eq!(no_tty.code, 1);
    assert!(no_tty.err.contains("Use --yes"), "{}", no_tty.err);
    cli.input = Some("n\n".into());
    let declined = cli.run("group delete -n rg-codes");
    assert_eq!(declined.code, 1);
    assert!(declined.err.contains("ERROR: Operation cancelled."), "{}", declined.err);
    cli.input = None;
    cli.run("login").ok();
    let set = cli.run("account set -s nope");
    assert_eq!(set.code, 1, "{}", set.err);
    assert!(set.err.contains("The subscription of 'nope' doesn't exist"), "{}", set.err);

    // A transport error (nothing answers): 1.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let down = cli.run(&format!("group list --endpoint http://127.0.0.1:{port}"));
    assert_eq!(down.code, 1, "{}", down.err);
    assert!(down.err.contains("Hint: is armemu running?"), "{}", down.err);
}

#[test]
fn configure_defaults_fill_group_and_location() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    let missing = cli.run("group show");
    assert_eq!(missing.code, 2);
    assert_eq!(missing.err, "ERROR: the following arguments are required: --name/-n/--resource-group/-g\n");
    let no_loc = cli.run("group create -n rg-def");
    assert_eq!((no_loc.code, no_loc.err.as_str()), (2, "ERROR: the following arguments are required: --location/-l\n"));
    assert_eq!(
        cli.run("ml workspace show -w ws").err,
        "ERROR: the following arguments are required: --resource-group/-g\n"
    );
    let dep = cli.run("deployment group list");
    assert_eq!((dep.code, dep.err.as_str()), (2, "ERROR: the following arguments are required: --resource-group/-g\n"));
    let sub = cli.run("deployment sub what-if -f /no/such.json");
    assert_eq!((sub.code, sub.err.as_str()), (2, "ERROR: the following arguments are required: --location/-l\n"));

    assert_eq!(cli.run("configure --defaults group=rg-def location=westeurope").ok().out, "");
    let file = std::fs::read_to_string(cli.dir.path().join("config/config")).unwrap();
    assert_eq!(file, "[defaults]\ngroup = rg-def\nlocation = westeurope\n\n");
    let created = cli.run("group create").ok().json();
    assert_eq!((created["name"].as_str(), created["location"].as_str()), (Some("rg-def"), Some("westeurope")));
    assert_eq!(cli.run("group show --query name -o tsv").ok().out, "rg-def\n");
    assert_eq!(cli.run("group show -n rg-def --query location -o tsv").ok().out, "westeurope\n");
    assert_eq!(cli.run("deployment group list").ok().json(), json!([]));
    assert_eq!(cli.run("deployment operation group list -n nope").code, 3, "the default group is used");
    let sub = cli.run("deployment sub what-if -f /no/such.json");
    assert_eq!(sub.code, 1, "the default location is used, then the file is missing: {}", sub.err);
    let ws = cli.run("ml workspace show -w nope");
    assert_eq!(ws.code, 3, "the default group is used: {}", ws.err);
    let path = cli.dir.path().join("config/config").display().to_string();
    assert_eq!(
        cli.run("configure --list-defaults").ok().json(),
        json!([
            {"name": "group", "source": path, "value": "rg-def"},
            {"name": "location", "source": path, "value": "westeurope"}
        ])
    );
    // An empty value clears a default (it is no longer listed).
    cli.run("configure --defaults location=''").ok();
    assert_eq!(cli.run("configure --list-defaults --query [].name").ok().json(), json!(["group"]));
    assert_eq!(cli.run("configure --defaults group").code, 1, "az: usage error: --defaults STRING=STRING");
}

#[test]
fn config_set_get_unset_and_precedence() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    cli.run("group create -n rg-file -l eastus").ok();
    cli.run("group create -n rg-env -l eastus").ok();
    cli.run("config set defaults.group=rg-file core.output=tsv").ok();
    let path = cli.dir.path().join("config/config").display().to_string();
    assert_eq!(
        cli.run("config get defaults.group -o json").ok().json(),
        json!({"name": "group", "source": path, "value": "rg-file"})
    );
    assert_eq!(
        cli.run("config get -o json").ok().json()["core"],
        json!([{"name": "output", "source": path, "value": "tsv"}])
    );

    // core.output from the file; -o beats it; AZURE_CORE_OUTPUT beats the file.
    assert_eq!(cli.run("group show --query name").ok().out, "rg-file\n");
    assert_eq!(cli.run("group show --query name -o json").ok().out, "\"rg-file\"\n");
    assert_eq!(
        cli.run_with("group show --query name", &[("AZURE_CORE_OUTPUT", "json")], false).ok().out,
        "\"rg-file\"\n"
    );
    let bad = cli.run_with("group show", &[("AZURE_CORE_OUTPUT", "xml")], false);
    assert_eq!(bad.code, 2, "{}", bad.err);
    assert!(bad.err.contains("invalid choice: 'xml'"), "{}", bad.err);

    // defaults.group from the file; AZURE_DEFAULTS_GROUP beats it; -n beats both.
    let env = [("AZURE_DEFAULTS_GROUP", "rg-env")];
    assert_eq!(cli.run_with("group show --query name", &env, false).ok().out, "rg-env\n");
    assert_eq!(cli.run_with("group show -n rg-file --query name", &env, false).ok().out, "rg-file\n");
    let listed = cli.run_with("config get defaults -o json", &env, false).ok().json();
    assert_eq!(listed, json!([{"name": "group", "source": "AZURE_DEFAULTS_GROUP", "value": "rg-env"}]));
    // AZURE_DEFAULTS_LOCATION fills -l.
    let loc =
        cli.run_with("group create -n rg-loc --query location", &[("AZURE_DEFAULTS_LOCATION", "northeurope")], false);
    assert_eq!(loc.ok().out, "northeurope\n");

    cli.run("config unset defaults.group core.output").ok();
    let gone = cli.run("config get defaults.group");
    assert_eq!((gone.code, gone.err.as_str()), (1, "ERROR: Configuration 'defaults.group' is not set.\n"));
    assert_eq!(cli.run("group show").code, 2);
    assert_eq!(cli.run("config set novalue").code, 1, "az: usage error: [section].[name]=[value]");
}

#[test]
fn jsonc_colours_only_on_a_terminal_and_when_not_disabled() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    cli.run("group create -n rg-color -l eastus").ok();
    let plain = cli.run("group show -n rg-color -o json").ok().out;
    assert_eq!(cli.run("group show -n rg-color -o jsonc").ok().out, plain, "not a terminal: plain JSON");
    assert_eq!(cli.run("group show -n rg-color -o yamlc").ok().out, cli.run("group show -n rg-color -o yaml").ok().out);
    let tty = cli.run_with("group show -n rg-color -o jsonc", &[], true).ok().out;
    assert!(tty.contains("\x1b[") && tty.contains("rg-color"), "{tty}");
    for off in [("NO_COLOR", "1"), ("AZURE_CORE_NO_COLOR", "true")] {
        assert_eq!(cli.run_with("group show -n rg-color -o jsonc", &[off], true).ok().out, plain, "{off:?}");
    }
    cli.run("config set core.no_color=yes").ok();
    assert_eq!(cli.run_with("group show -n rg-color -o jsonc", &[], true).ok().out, plain);
    assert_eq!(
        cli.run_with("group show -n rg-color -o jsonc", &[("AZURE_CORE_NO_COLOR", "false")], true).ok().out,
        tty
    );
}
