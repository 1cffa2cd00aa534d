//! The waker as deployed: its settings, its reserved concurrency and the load balancers' permission
//! to invoke it, each put back when it drifted and left alone when it did not.

use super::api::Permission;
use super::apply::Change;
use super::fake::FakeCloud;
use super::tests::{packages, run_deploy, run_undeploy};

const WAKER: &str = "waker";
const STATEMENT: &str = "load-balancers-invoke-waker";

fn key() -> (String, String) {
    (WAKER.to_owned(), STATEMENT.to_owned())
}

#[test]
fn the_waker_gets_the_workflows_its_concurrency_and_the_load_balancers_permission() {
    let cloud = FakeCloud::default();
    let first = run_deploy(&cloud, &packages("waker", "v1"), "x86_64").unwrap();
    assert!(first.contains(&(format!("permission {STATEMENT}"), Change::Created)));
    let waker = cloud.functions.borrow()[WAKER].clone();
    let machine = |name: &str| format!("arn:aws:states:us-west-2:123456789012:stateMachine:{name}");
    assert_eq!(
        waker.environment,
        [
            ("CLAIM_STATE_MACHINE_ARN", machine("claim")),
            ("PROVISION_STATE_MACHINE_ARN", machine("provision")),
            ("TEARDOWN_STATE_MACHINE_ARN", machine("teardown")),
        ]
        .map(|(key, value)| (key.to_owned(), value))
        .into_iter()
        .collect()
    );
    // Reserved after CreateFunction (which cannot set it); the others get none.
    assert_eq!(waker.reserved_concurrency, Some(5));
    assert_eq!(
        cloud.functions.borrow()["cleanup"].reserved_concurrency,
        None
    );
    let calls = cloud.calls.borrow().clone();
    let create = calls.iter().position(|call| call == "CreateFunction waker");
    let reserve = calls
        .iter()
        .position(|call| call == "PutFunctionConcurrency waker");
    assert!(create.unwrap() < reserve.unwrap(), "{calls:?}");
    assert_eq!(
        cloud.permissions.borrow()[&key()],
        Permission {
            statement_id: STATEMENT.into(),
            principal: "elasticloadbalancing.amazonaws.com".into(),
            source_account: "123456789012".into(),
            source_arn:
                "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/tg-wake-*/*".into(),
        }
    );
    // Only the waker: the other functions are invoked by the workflows' role, not a policy.
    assert_eq!(cloud.permissions.borrow().len(), 1);
    // The state machines' role may not invoke it.
    let states = cloud.roles.borrow()["catalog-environments-states"].clone();
    let invoked = states.policy.unwrap()["Statement"][0]["Resource"].to_string();
    assert!(!invoked.contains("function:waker"), "{invoked}");
}

#[test]
fn a_drifted_concurrency_or_permission_is_put_back_and_an_unchanged_one_left_alone() {
    let cloud = FakeCloud::default();
    let packages = packages("waker-drift", "v1");
    run_deploy(&cloud, &packages, "x86_64").unwrap();
    let calls = cloud.calls.borrow().len();
    run_deploy(&cloud, &packages, "x86_64").unwrap();
    assert_eq!(
        cloud.calls.borrow().len(),
        calls + 1,
        "only GetCallerIdentity"
    );

    // Someone widened the statement to any target group and took the reservation away.
    cloud
        .permissions
        .borrow_mut()
        .get_mut(&key())
        .unwrap()
        .source_arn = "*".into();
    cloud
        .functions
        .borrow_mut()
        .get_mut(WAKER)
        .unwrap()
        .reserved_concurrency = Some(900);
    let again = run_deploy(&cloud, &packages, "x86_64").unwrap();
    let updated: Vec<&str> = again
        .iter()
        .filter(|(_, change)| *change == Change::Updated)
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(
        updated,
        ["function waker", format!("permission {STATEMENT}").as_str()]
    );
    let calls = cloud.calls.borrow();
    // AddPermission refuses an id the policy holds: the old statement goes first.
    let remove = calls
        .iter()
        .rposition(|call| call == "RemovePermission waker");
    let add = calls.iter().rposition(|call| call == "AddPermission waker");
    assert!(remove.unwrap() < add.unwrap(), "{calls:?}");
    assert_eq!(
        cloud.functions.borrow()[WAKER].reserved_concurrency,
        Some(5)
    );
    assert!(cloud.permissions.borrow()[&key()]
        .source_arn
        .ends_with(":targetgroup/tg-wake-*/*"));
}

#[test]
fn a_refused_permission_stops_the_deploy_and_undeploy_takes_it_with_the_function() {
    let cloud = FakeCloud {
        failing: Some("AddPermission"),
        ..FakeCloud::default()
    };
    let error = run_deploy(&cloud, &packages("waker-fail", "v1"), "x86_64").unwrap_err();
    assert_eq!(
        error.to_string(),
        "AddPermission waker: AccessDenied: not authorized"
    );

    let cloud = FakeCloud::default();
    run_deploy(&cloud, &packages("waker-undeploy", "v1"), "x86_64").unwrap();
    run_undeploy(&cloud, false).unwrap();
    assert!(cloud.permissions.borrow().is_empty());
}
