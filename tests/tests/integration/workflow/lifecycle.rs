//! One environment's whole life through the real ASL: provisioned, provisioned again without creating
//! anything new, torn down to nothing.

use super::{emulator_env, spec};
use integration_tests::leftovers::leftovers;
use integration_tests::workflow::run;
use serde_json::json;
use std::collections::BTreeSet;

/// The kinds of resource a listing holds (`vpc`, `aurora-cluster`, …).
fn kinds(listing: &[String]) -> BTreeSet<&str> {
    listing
        .iter()
        .filter_map(|entry| entry.split(' ').next())
        .collect()
}

#[tokio::test]
async fn provision_twice_then_teardown_leaves_nothing_and_the_second_provision_creates_nothing() {
    let suffix = integration_tests::unique_suffix();
    let input = json!({ "spec": spec(&suffix) });
    let env = emulator_env().await;

    let first = run("provision", &input, &env, 0);
    assert!(first.succeeded, "{:?}: {}", first.cause, first.log);
    // The outputs document (README, "Outputs"): a piece of every component.
    assert_eq!(first.output["environment"], suffix.as_str());
    let document = &first.output["outputs"];
    for output in [
        "vpcId",
        "dbWriterEndpoint",
        "dbAppSecretArn",
        "cacheConfigurationEndpoint",
        "loadBalancerDnsName",
        "serviceName",
        "alarmTopicArn",
    ] {
        assert!(document[output].is_string(), "{output} in {}", first.output);
    }
    let provisioned = leftovers(&suffix).await;
    // The checker sees every component, so an empty listing after the teardown means something.
    let seen = kinds(&provisioned);
    for kind in [
        "vpc",
        "nat-gateway",
        "aurora-cluster",
        "replication-group",
        "load-balancer",
        "certificate",
        "ecs-service",
        "role",
        "namespace",
        "topic",
        "alarm",
        "dashboard",
        "tagged",
    ] {
        assert!(seen.contains(kind), "{kind} in {provisioned:#?}");
    }

    let second = run("provision", &input, &env, 0);
    assert!(second.succeeded, "{:?}: {}", second.cause, second.log);
    assert_eq!(
        leftovers(&suffix).await,
        provisioned,
        "the second provision changed the inventory"
    );

    let teardown = run("teardown", &input, &env, 0);
    assert!(teardown.succeeded, "{:?}: {}", teardown.cause, teardown.log);
    assert_eq!(teardown.output["status"], "DELETED");
    assert_eq!(leftovers(&suffix).await, Vec::<String>::new());

    println!(
        "workflow lifecycle (moto, Waits shortened): provision {} transitions / {} invocations, \
         provision again {} / {}, teardown {} / {}; {} resources listed while provisioned",
        first.transitions,
        first.invocations,
        second.transitions,
        second.invocations,
        teardown.transitions,
        teardown.invocations,
        provisioned.len()
    );
}
