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

/// The distinct `catalog:expires-at` values of everything tagged as the environment's.
async fn expiries(suffix: &env_core::spec::EnvironmentSuffix) -> BTreeSet<String> {
    use aws_sdk_resourcegroupstagging::types::TagFilter;
    let config = integration_tests::emulator::emulator().sdk_config().await;
    let tagging = aws_sdk_resourcegroupstagging::Client::new(&config);
    let listed = tagging
        .get_resources()
        .tag_filters(
            TagFilter::builder()
                .key(env_core::tags::ENVIRONMENT)
                .values(suffix.as_str())
                .build(),
        )
        .send()
        .await
        .expect("the tagging API answers");
    let mappings = listed.resource_tag_mapping_list();
    assert!(mappings.len() > 10, "{mappings:?}");
    mappings
        .iter()
        .flat_map(|mapping| mapping.tags())
        .filter(|tag| tag.key() == env_core::tags::EXPIRES_AT)
        .map(|tag| tag.value().to_owned())
        .collect()
}

#[tokio::test]
async fn provision_twice_then_teardown_leaves_nothing_and_the_second_provision_creates_nothing() {
    let suffix = integration_tests::unique_suffix();
    let mut spec = spec(&suffix);
    spec["ttlHours"] = json!(6);
    let input = json!({ "spec": spec });
    let env = emulator_env().await;

    let first = run("provision", &input, &env, 0);
    assert!(first.succeeded, "{:?}: {}", first.cause, first.log);
    // One expiry for the whole environment, from the execution's start: every component and every
    // status poll tagged the same one.
    let expiries = expiries(&suffix).await;
    assert_eq!(expiries.len(), 1, "{expiries:?}");
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
