//! One subscription of a state as a batch: what `GET /_emulator/state?subscription=` exports,
//! `PUT` imports and `POST /_emulator/reset?subscription=` restores.

use super::{Change, State};
use crate::model::ids::subscription_prefix;

impl State {
    /// The batch that recreates `sub` as this state holds it: its tenant, the subscription,
    /// its groups, resources (parents first: a parent's key is a prefix of its children's),
    /// provider registrations and operations. `None` when the state lacks the subscription.
    pub fn subscription_changes(&self, sub: &str) -> Option<Vec<Change>> {
        let subscription = self.subscription(sub)?.clone();
        let key = subscription.subscription_id.to_lowercase();
        let mut changes = Vec::new();
        if let Some(t) = self.tenant(&subscription.tenant_id) {
            changes.push(Change::PutTenant { tenant: t.clone() });
        }
        changes.push(Change::PutSubscription { subscription });
        changes.extend(self.groups_in(&key, None).map(|(_, g)| Change::PutGroup { group: g.clone() }));
        let prefix = subscription_prefix(&key);
        changes.extend(self.resources_under(&prefix).map(|r| Change::PutResource { resource: r.clone() }));
        let reg_prefix = format!("{key}/");
        changes.extend(
            self.registrations_map()
                .range(reg_prefix.clone()..)
                .take_while(|(k, _)| k.starts_with(&reg_prefix))
                .map(|(_, r)| Change::PutRegistration { registration: r.clone() }),
        );
        changes.extend(
            self.operations_map()
                .values()
                .filter(|o| o.subscription.eq_ignore_ascii_case(&key))
                .map(|o| Change::PutOperation { operation: Box::new(o.clone()) }),
        );
        Some(changes)
    }
}
