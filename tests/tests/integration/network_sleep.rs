//! Sleep and wake (issue 22): the network function against moto, through its binary. Awake, then
//! asleep (no NAT gateway, no Elastic IP, no default route in the private tables, everything else
//! kept), awake again (new gateways and routes), then deleted to nothing.

use super::network::{delete_all, ec2, filter, live_nats, tag};
use env_core::tags::ENVIRONMENT;
use integration_tests::emulator::emulator;
use integration_tests::functions::invoke;
use integration_tests::unique_suffix;
use serde_json::{json, Value};

/// `action` as the `execution`-th workflow execution (0–59) sends it, asleep or awake.
fn call(action: &str, suffix: &str, asleep: bool, execution: u32) -> Value {
    let event = json!({
        "action": action,
        "spec": {
            "environmentSuffix": suffix,
            "natGateways": "perAz",
            "containerImage": "public.ecr.aws/acme/catalog-api:1",
            "selfSignedCertificate": true,
            "asleep": asleep
        },
        "startedAt": format!("2026-12-06T21:{execution:02}:00Z")
    });
    let result = invoke("network", &event, &emulator().env());
    assert!(
        result.success,
        "{action}: {} {}",
        result.body, result.stderr
    );
    result.body
}

/// The environment's Elastic IPs.
async fn addresses(ec2: &aws_sdk_ec2::Client, suffix: &str) -> usize {
    let env = filter(&format!("tag:{ENVIRONMENT}"), suffix);
    let output = ec2
        .describe_addresses()
        .filters(env)
        .send()
        .await
        .expect("DescribeAddresses");
    output.addresses().len()
}

/// Each named route table's default route: (name, NAT gateway id, internet gateway id).
async fn default_routes(
    ec2: &aws_sdk_ec2::Client,
    vpc: &str,
) -> Vec<(String, Option<String>, Option<String>)> {
    let tables = ec2
        .describe_route_tables()
        .filters(filter("vpc-id", vpc))
        .send()
        .await
        .expect("DescribeRouteTables");
    let mut routes: Vec<_> = tables
        .route_tables()
        .iter()
        .filter_map(|table| {
            let name = tag(table.tags(), "Name")?.to_owned();
            let route = table
                .routes()
                .iter()
                .find(|route| route.destination_cidr_block() == Some("0.0.0.0/0"));
            let nat = route.and_then(|route| route.nat_gateway_id());
            let gateway = route.and_then(|route| route.gateway_id());
            Some((name, nat.map(str::to_owned), gateway.map(str::to_owned)))
        })
        .collect();
    routes.sort();
    routes
}

#[tokio::test(flavor = "multi_thread")]
async fn a_network_sleeps_without_nat_gateways_wakes_with_new_ones_and_deletes_to_nothing() {
    let suffix = unique_suffix();
    let suffix = suffix.as_str();
    let ec2 = ec2().await;
    let awake = call("create", suffix, false, 0);
    assert_eq!(
        awake["status"], "READY",
        "moto makes NAT gateways available at once"
    );
    let vpc = awake["outputs"]["vpcId"].as_str().unwrap().to_owned();
    let first_nats = awake["outputs"]["natGatewayIds"].clone();
    assert_eq!(live_nats(&ec2, suffix).await.len(), 3);

    // Asleep: moto deletes NAT gateways at once, so one call gets there.
    let asleep = call("create", suffix, true, 1);
    let mut expected = awake["outputs"].clone();
    expected["natGatewayIds"] = json!([]);
    assert_eq!(asleep, json!({"status": "READY", "outputs": expected}));
    assert!(live_nats(&ec2, suffix).await.is_empty());
    assert_eq!(addresses(&ec2, suffix).await, 0);
    let routes = default_routes(&ec2, &vpc).await;
    assert_eq!(routes.len(), 4, "{routes:?}");
    for (name, nat, gateway) in &routes {
        if name.starts_with("rtb-private-") {
            assert_eq!((nat, gateway), (&None, &None), "{name}");
        } else {
            assert!(gateway.as_deref().unwrap().starts_with("igw-"), "{name}");
        }
    }
    assert_eq!(call("status", suffix, true, 1), asleep);
    assert_eq!(call("status", suffix, false, 1)["status"], "IN_PROGRESS");
    assert_eq!(
        call("create", suffix, true, 2),
        asleep,
        "asleep again: the same"
    );

    // Awake again: three new gateways, each private table through its zone's.
    let woken = call("create", suffix, false, 3);
    assert_eq!(woken["status"], "READY");
    let nats: Vec<String> =
        serde_json::from_value(woken["outputs"]["natGatewayIds"].clone()).unwrap();
    assert_eq!(nats.len(), 3);
    assert!(nats
        .iter()
        .all(|nat| !first_nats.as_array().unwrap().contains(&json!(nat))));
    let mut expected = awake["outputs"].clone();
    expected["natGatewayIds"] = json!(nats);
    assert_eq!(woken["outputs"], expected, "all else as it was");
    assert_eq!(addresses(&ec2, suffix).await, 3);
    let private: Vec<String> = default_routes(&ec2, &vpc)
        .await
        .into_iter()
        .filter(|(name, _, _)| name.starts_with("rtb-private-"))
        .map(|(name, nat, _)| nat.unwrap_or_else(|| panic!("{name} has no NAT route")))
        .collect();
    assert_eq!(private, nats);
    assert_eq!(call("status", suffix, false, 3), woken);

    // Asleep once more, then deleted from the asleep shape: nothing left.
    assert_eq!(call("create", suffix, true, 4)["status"], "READY");
    delete_all(suffix, "perAz");
    assert!(live_nats(&ec2, suffix).await.is_empty());
    assert_eq!(addresses(&ec2, suffix).await, 0);
    let env = filter(&format!("tag:{ENVIRONMENT}"), suffix);
    let vpcs = ec2.describe_vpcs().filters(env).send().await.unwrap();
    assert!(vpcs.vpcs().is_empty());
    assert_eq!(call("status", suffix, true, 5)["status"], "DELETED");
}
