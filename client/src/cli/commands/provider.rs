//! `provider list|show|register|unregister [--wait]`.

use std::time::Duration;

use serde_json::{Map, Value};

use super::super::args::ProviderCmd;
use super::super::{CliError, Ctx, Output};
use crate::client::ArmClient;

/// az's `provider list` table: Namespace, RegistrationPolicy, RegistrationState.
fn provider_table(v: &Value) -> Value {
    let rows = v.as_array().cloned().unwrap_or_else(|| vec![v.clone()]);
    Value::Array(
        rows.iter()
            .map(|r| {
                let mut m = Map::new();
                m.insert("Namespace".into(), r.get("namespace").cloned().unwrap_or(Value::Null));
                m.insert("RegistrationPolicy".into(), r.get("registrationPolicy").cloned().unwrap_or(Value::Null));
                m.insert("RegistrationState".into(), r.get("registrationState").cloned().unwrap_or(Value::Null));
                Value::Object(m)
            })
            .collect(),
    )
}

/// How often `--wait` looks again (az waits in the same way, without a Retry-After).
const WAIT_INTERVAL: Duration = Duration::from_secs(2);
/// Gives up after this many looks (20 minutes at the interval above).
const WAIT_LOOKS: u32 = 600;

async fn wait_for(ctx: &Ctx, client: &ArmClient, ns: &str, target: &str) -> Result<(), CliError> {
    let sleeper = ctx.sleeper();
    for look in 0..WAIT_LOOKS {
        let p = client.providers().get(ns).await?;
        if p.registration_state.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(target)) {
            return Ok(());
        }
        if look + 1 < WAIT_LOOKS {
            sleeper.sleep(WAIT_INTERVAL).await;
        }
    }
    Err(CliError {
        exit: 1,
        message: format!("'{ns}' did not become {target} in time"),
        hint: Some(format!("check it with 'armctl provider show -n {ns}'")),
    })
}

pub async fn run(ctx: &Ctx, cmd: ProviderCmd) -> Result<Output, CliError> {
    let client = ctx.client().await?;
    match cmd {
        ProviderCmd::List => {
            let all = client.providers().list()?.collect_all().await?;
            Ok(Output::Table(serde_json::to_value(all).unwrap_or_default(), provider_table))
        }
        ProviderCmd::Show { namespace } => {
            Ok(Output::Value(serde_json::to_value(client.providers().get(&namespace).await?).unwrap_or_default()))
        }
        ProviderCmd::Register { namespace, wait } => {
            let p = client.providers().register(&namespace).await?;
            let done = p.registration_state.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("Registered"));
            if wait && !done {
                wait_for(ctx, &client, &namespace, "Registered").await?;
            } else if !done {
                ctx.warn(&format!(
                    "Registering is still on-going. You can monitor using 'armctl provider show -n {namespace}'"
                ));
            }
            Ok(Output::Nothing)
        }
        ProviderCmd::Unregister { namespace, wait } => {
            let p = client.providers().unregister(&namespace).await?;
            let done = p
                .registration_state
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("NotRegistered") || s.eq_ignore_ascii_case("Unregistered"));
            if wait && !done {
                wait_for(ctx, &client, &namespace, "NotRegistered").await?;
            } else if !done {
                ctx.warn(&format!(
                    "Unregistering is still on-going. You can monitor using 'armctl provider show -n {namespace}'"
                ));
            }
            Ok(Output::Nothing)
        }
    }
}
