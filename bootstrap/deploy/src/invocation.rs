//! Who may invoke a backend function besides Step Functions and the scheduler (whose roles the
//! backend writes), and how many of its instances may run at once. Today that is the waker: the
//! environments' load balancers invoke it while an environment sleeps (README "Sleep and wake").

use crate::api::{Cloud, Permission, Result};
use crate::apply::Change;
use crate::resources::Backend;
use env_core::naming::NameKind;

/// The function that answers an asleep environment's requests and starts its wake.
pub const WAKER: &str = "waker";

/// The waker's reserved concurrency. Reserved concurrency is both a floor and a ceiling: that many
/// instances are kept for the function and it never scales past them (Lambda API reference,
/// PutFunctionConcurrency). Every request to any asleep environment invokes the waker, so a flood
/// (a crawler, a load test against a sleeping URL) would otherwise take the account's shared
/// concurrency (1,000 by default) from the functions the workflows run. Five is plenty: the waker
/// answers in milliseconds from a 20-second memo per warm instance, and a wake needs one request;
/// the requests past five at once are throttled, which the load balancer answers with a 5xx
/// before the page's own 503 and `Retry-After` would, the same outcome for a user who reloads.
/// Lambda refuses a reservation that leaves fewer than 100 unreserved executions in the account
/// (same reference), so deploying needs an account concurrency quota of at least 105.
pub const WAKER_CONCURRENCY: i32 = 5;

/// The service principal of Elastic Load Balancing, which invokes a Lambda target (ELB user guide,
/// "Lambda functions as targets", "Permissions to invoke the Lambda function").
pub const LOAD_BALANCER_PRINCIPAL: &str = "elasticloadbalancing.amazonaws.com";

/// The statement of the waker's resource-based policy letting the load balancers invoke it.
pub const LOAD_BALANCER_STATEMENT: &str = "load-balancers-invoke-waker";

/// The reserved concurrency `function` is deployed with; `None`: whatever it has is left alone
/// (the backend reserves none for its other functions, and takes none away someone set).
pub fn reserved_concurrency(function: &str) -> Option<i32> {
    (function == WAKER).then_some(WAKER_CONCURRENCY)
}

/// The statement of `function`'s resource-based policy the backend writes, if any: for the
/// waker, the load balancers of this account invoking it through the environments' wake target
/// groups (`tg-wake-<suffix>`) and no other target group. Without `SourceArn`, other accounts
/// could register the function in target groups of their own (Lambda API reference,
/// AddPermission); the target group ARN is `targetgroup/<name>/<id>`, and Lambda writes
/// `SourceArn` as an `ArnLike` condition, which honours `*` (IAM user guide, "Condition
/// operators": ARN condition operators).
pub(crate) fn permission(function: &str, backend: &Backend) -> Option<Permission> {
    if function != WAKER {
        return None;
    }
    let target_groups = format!("targetgroup/{}/*", NameKind::WakeTargetGroup.wildcard());
    Some(Permission {
        statement_id: LOAD_BALANCER_STATEMENT.to_owned(),
        principal: LOAD_BALANCER_PRINCIPAL.to_owned(),
        source_account: backend.scope.account.clone(),
        source_arn: backend
            .scope
            .regional("elasticloadbalancing", &target_groups),
    })
}

/// Reserves `desired` for `name` when it has another reservation (or none); true when it did.
pub(crate) async fn ensure_concurrency<C: Cloud>(
    cloud: &C,
    name: &str,
    current: Option<i32>,
    desired: Option<i32>,
) -> Result<bool> {
    match desired {
        Some(reserved) if current != Some(reserved) => {
            cloud.put_concurrency(name, reserved).await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Writes `desired` into `function`'s resource-based policy, replacing a statement of the same id
/// that says something else: AddPermission refuses an id the policy holds already
/// (`ResourceConflictException`), so a changed statement is removed first.
pub(crate) async fn ensure_permission<C: Cloud>(
    cloud: &C,
    function: &str,
    desired: &Permission,
) -> Result<Change> {
    let current = cloud.permission(function, &desired.statement_id).await?;
    match current {
        None => {
            cloud.add_permission(function, desired).await?;
            Ok(Change::Created)
        }
        Some(current) if &current == desired => Ok(Change::Unchanged),
        Some(_) => {
            cloud
                .remove_permission(function, &desired.statement_id)
                .await?;
            cloud.add_permission(function, desired).await?;
            Ok(Change::Updated)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_waker_is_reserved_and_invoked_by_the_wake_target_groups() {
        assert_eq!(reserved_concurrency(WAKER), Some(5));
        assert_eq!(reserved_concurrency("cleanup"), None);
        let backend = Backend::new("us-west-2", "123456789012");
        assert_eq!(permission("edge", &backend), None);
        assert_eq!(
            permission(WAKER, &backend),
            Some(Permission {
                statement_id: "load-balancers-invoke-waker".into(),
                principal: "elasticloadbalancing.amazonaws.com".into(),
                source_account: "123456789012".into(),
                source_arn:
                    "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/tg-wake-*/*"
                        .into(),
            })
        );
    }
}
