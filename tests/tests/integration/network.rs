//! The network function against moto, through its binary: the layout the request names, idempotent
//! creates, a teardown that leaves nothing tagged, and environments that do not touch each other.

use aws_sdk_ec2::types::{Filter, Tag, VpcAttributeName};
use env_core::tags::ENVIRONMENT;
use integration_tests::emulator::emulator;
use integration_tests::functions::invoke;
use integration_tests::unique_suffix;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::net::Ipv4Addr;

fn event(action: &str, suffix: &str, nat_gateways: &str) -> Value {
    json!({
        "action": action,
        "spec": {
            "environmentSuffix": suffix,
            "natGateways": nat_gateways,
            "containerImage": "public.ecr.aws/acme/catalog-api:1",
            "selfSignedCertificate": true
        }
    })
}

/// One successful invocation's response.
fn call(action: &str, suffix: &str, nat_gateways: &str) -> Value {
    let result = invoke(
        "network",
        &event(action, suffix, nat_gateways),
        &emulator().env(),
    );
    assert!(
        result.success,
        "{}: {} {}",
        action, result.body, result.stderr
    );
    result.body
}

/// `delete` until DELETED: moto deletes NAT gateways at once, so a few calls are enough.
pub(super) fn delete_all(suffix: &str, nat_gateways: &str) {
    for _ in 0..5 {
        if call("delete", suffix, nat_gateways)["status"] == "DELETED" {
            return;
        }
    }
    panic!("{suffix} was not deleted after 5 calls");
}

pub(super) async fn ec2() -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::new(&emulator().sdk_config().await)
}

pub(super) fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

pub(super) fn tag<'a>(tags: &'a [Tag], key: &str) -> Option<&'a str> {
    tags.iter()
        .find(|tag| tag.key() == Some(key))
        .and_then(Tag::value)
}

fn mine(tags: &[Tag], suffix: &str) -> bool {
    tag(tags, ENVIRONMENT) == Some(suffix)
}

/// First and last address of a CIDR block.
fn range(cidr: &str) -> (u32, u32) {
    let (address, prefix) = cidr.split_once('/').expect("a CIDR block");
    let first = u32::from(address.parse::<Ipv4Addr>().expect("an IPv4 address"));
    let size = 1u64 << (32 - prefix.parse::<u32>().expect("a prefix length"));
    (first, first + (size - 1) as u32)
}

/// Live NAT gateways of the environment (moto ignores tag filters on this call, so filter here).
pub(super) async fn live_nats(
    ec2: &aws_sdk_ec2::Client,
    suffix: &str,
) -> Vec<aws_sdk_ec2::types::NatGateway> {
    let output = ec2
        .describe_nat_gateways()
        .send()
        .await
        .expect("DescribeNatGateways");
    output
        .nat_gateways()
        .iter()
        .filter(|nat| mine(nat.tags(), suffix))
        .filter(|nat| nat.state().map(|s| s.as_str()) != Some("deleted"))
        .cloned()
        .collect()
}

/// Private route table name → the NAT gateway its default route targets and its subnet.
async fn private_routes(ec2: &aws_sdk_ec2::Client, vpc: &str) -> Vec<(String, String, String)> {
    let tables = ec2
        .describe_route_tables()
        .filters(filter("vpc-id", vpc))
        .send()
        .await
        .expect("DescribeRouteTables");
    let mut routes = Vec::new();
    for table in tables.route_tables() {
        let name = tag(table.tags(), "Name").unwrap_or_default();
        if !name.starts_with("rtb-private-") {
            continue;
        }
        let nat = table
            .routes()
            .iter()
            .find(|route| route.destination_cidr_block() == Some("0.0.0.0/0"))
            .and_then(|route| route.nat_gateway_id())
            .expect("a default route through a NAT gateway");
        let subnet = table.associations()[0]
            .subnet_id()
            .expect("a subnet association");
        routes.push((name.to_owned(), nat.to_owned(), subnet.to_owned()));
    }
    routes.sort();
    routes
}

async fn subnet_zones(ec2: &aws_sdk_ec2::Client, vpc: &str) -> HashMap<String, String> {
    let subnets = ec2
        .describe_subnets()
        .filters(filter("vpc-id", vpc))
        .send()
        .await
        .expect("DescribeSubnets");
    subnets
        .subnets()
        .iter()
        .map(|s| {
            (
                s.subnet_id().expect("an id").to_owned(),
                s.availability_zone().expect("an AZ").to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_per_az_environment_has_the_layout_the_request_names_and_deletes_to_nothing() {
    let suffix = unique_suffix();
    let suffix = suffix.as_str();
    let created = call("create", suffix, "perAz");
    assert_eq!(
        created["status"], "READY",
        "moto makes NAT gateways available at once"
    );
    let status = call("status", suffix, "perAz");
    assert_eq!(status, created);
    let outputs = &created["outputs"];
    let ec2 = ec2().await;

    // Exactly one VPC, with DNS support and hostnames.
    let vpcs = ec2
        .describe_vpcs()
        .filters(filter(&format!("tag:{ENVIRONMENT}"), suffix))
        .send()
        .await
        .unwrap();
    assert_eq!(vpcs.vpcs().len(), 1);
    let vpc = &vpcs.vpcs()[0];
    let vpc_id = vpc.vpc_id().unwrap();
    assert_eq!(outputs["vpcId"], vpc_id);
    assert_eq!(vpc.cidr_block(), Some("10.0.0.0/16"));
    for attribute in [
        VpcAttributeName::EnableDnsSupport,
        VpcAttributeName::EnableDnsHostnames,
    ] {
        let answer = ec2
            .describe_vpc_attribute()
            .vpc_id(vpc_id)
            .attribute(attribute.clone())
            .send()
            .await
            .unwrap();
        let value = match attribute {
            VpcAttributeName::EnableDnsSupport => answer.enable_dns_support(),
            _ => answer.enable_dns_hostnames(),
        };
        assert_eq!(value.and_then(|v| v.value()), Some(true), "{attribute:?}");
    }

    // 6 subnets in 3 distinct AZs, 3 public and 3 private, disjoint, inside the VPC, no public IPs.
    let subnets = ec2
        .describe_subnets()
        .filters(filter("vpc-id", vpc_id))
        .send()
        .await
        .unwrap();
    let subnets = subnets.subnets();
    assert_eq!(subnets.len(), 6);
    let zones: BTreeSet<_> = subnets
        .iter()
        .map(|s| s.availability_zone().unwrap())
        .collect();
    assert_eq!(zones.len(), 3);
    assert_eq!(outputs["availabilityZones"], json!(zones));
    let names: Vec<&str> = subnets
        .iter()
        .map(|s| tag(s.tags(), "Name").unwrap())
        .collect();
    assert_eq!(
        names
            .iter()
            .filter(|n| n.starts_with("subnet-public-"))
            .count(),
        3
    );
    assert_eq!(
        names
            .iter()
            .filter(|n| n.starts_with("subnet-private-"))
            .count(),
        3
    );
    let vpc_range = range(vpc.cidr_block().unwrap());
    let ranges: Vec<_> = subnets
        .iter()
        .map(|s| range(s.cidr_block().unwrap()))
        .collect();
    for (i, a) in ranges.iter().enumerate() {
        assert!(a.0 >= vpc_range.0 && a.1 <= vpc_range.1, "inside the VPC");
        for b in &ranges[i + 1..] {
            assert!(a.1 < b.0 || b.1 < a.0, "{a:?} overlaps {b:?}");
        }
    }
    assert!(subnets
        .iter()
        .all(|s| s.map_public_ip_on_launch() == Some(false)));

    // 3 NAT gateways, each private subnet routed through the one in its own AZ.
    let nats = live_nats(&ec2, suffix).await;
    assert_eq!(nats.len(), 3);
    let zone_of = subnet_zones(&ec2, vpc_id).await;
    let nat_zone: HashMap<&str, &str> = nats
        .iter()
        .map(|nat| {
            (
                nat.nat_gateway_id().unwrap(),
                zone_of[nat.subnet_id().unwrap()].as_str(),
            )
        })
        .collect();
    let routes = private_routes(&ec2, vpc_id).await;
    assert_eq!(routes.len(), 3);
    for (name, nat, subnet) in &routes {
        assert_eq!(nat_zone[nat.as_str()], zone_of[subnet], "{name}");
    }

    // The default group has no rules; only the load balancer admits 0.0.0.0/0, on 80 and 443;
    // every group and rule is described; database and cache have no egress.
    let groups = ec2
        .describe_security_groups()
        .filters(filter("vpc-id", vpc_id))
        .send()
        .await
        .unwrap();
    assert_eq!(groups.security_groups().len(), 6);
    for group in groups.security_groups() {
        let name = group.group_name().unwrap();
        if name == "default" {
            assert!(group.ip_permissions().is_empty() && group.ip_permissions_egress().is_empty());
            continue;
        }
        assert!(name.ends_with(suffix), "{name}");
        assert!(!group.description().unwrap_or_default().is_empty());
        for permission in group.ip_permissions() {
            for open in permission.ip_ranges() {
                assert_eq!(open.cidr_ip(), Some("0.0.0.0/0"));
                assert!(
                    name.starts_with("secgroup-alb-"),
                    "{name} admits the internet"
                );
                assert!(matches!(permission.from_port(), Some(80) | Some(443)));
                assert!(open.description().is_some());
            }
            for pair in permission.user_id_group_pairs() {
                assert!(pair.description().is_some());
            }
        }
        if name.starts_with("secgroup-database-") || name.starts_with("secgroup-cache-") {
            assert!(
                group.ip_permissions_egress().is_empty(),
                "{name} has egress"
            );
        }
    }
    assert_eq!(outputs["securityGroupIds"].as_object().unwrap().len(), 5);

    // Every Name carries the suffix.
    let gateways = ec2
        .describe_internet_gateways()
        .filters(filter(&format!("tag:{ENVIRONMENT}"), suffix))
        .send()
        .await
        .unwrap();
    assert_eq!(gateways.internet_gateways().len(), 1);
    let addresses = ec2
        .describe_addresses()
        .filters(filter(&format!("tag:{ENVIRONMENT}"), suffix))
        .send()
        .await
        .unwrap();
    assert_eq!(addresses.addresses().len(), 3);
    let mut tagged: Vec<&[Tag]> = vec![vpc.tags()];
    tagged.extend(subnets.iter().map(|s| s.tags()));
    tagged.extend(nats.iter().map(|n| n.tags()));
    tagged.extend(gateways.internet_gateways().iter().map(|g| g.tags()));
    tagged.extend(addresses.addresses().iter().map(|a| a.tags()));
    for tags in tagged {
        let name = tag(tags, "Name").unwrap();
        assert!(name.ends_with(suffix), "{name}");
    }

    // Flow logs to an encrypted log group kept 14 days, through a role of its own; the key rotates.
    let logs = ec2
        .describe_flow_logs()
        .filter(filter("resource-id", vpc_id))
        .send()
        .await
        .unwrap();
    assert_eq!(logs.flow_logs().len(), 1);
    let flow_log = &logs.flow_logs()[0];
    assert_eq!(
        flow_log.log_group_name(),
        Some(format!("vpc-flow-logs-{suffix}").as_str())
    );
    assert_eq!(outputs["flowLogGroup"], format!("vpc-flow-logs-{suffix}"));
    assert!(flow_log
        .deliver_logs_permission_arn()
        .unwrap()
        .ends_with(&format!("role/role-flow-logs-{suffix}")));
    let config = emulator().sdk_config().await;
    let log_client = aws_sdk_cloudwatchlogs::Client::new(&config);
    let groups = log_client
        .describe_log_groups()
        .log_group_name_prefix(format!("vpc-flow-logs-{suffix}"))
        .send()
        .await
        .unwrap();
    let log_group = &groups.log_groups()[0];
    assert_eq!(log_group.retention_in_days(), Some(14));
    let key_arn = outputs["kmsKeyArn"].as_str().unwrap();
    assert_eq!(log_group.kms_key_id(), Some(key_arn));
    let kms = aws_sdk_kms::Client::new(&config);
    let rotation = kms
        .get_key_rotation_status()
        .key_id(key_arn)
        .send()
        .await
        .unwrap();
    assert!(rotation.key_rotation_enabled());
    let by_alias = kms
        .describe_key()
        .key_id(format!("alias/kms-{suffix}"))
        .send()
        .await
        .unwrap();
    assert_eq!(by_alias.key_metadata().unwrap().arn(), Some(key_arn));
    let endpoints = ec2
        .describe_vpc_endpoints()
        .filters(filter("vpc-id", vpc_id))
        .send()
        .await
        .unwrap();
    assert_eq!(endpoints.vpc_endpoints().len(), 1);
    assert_eq!(
        endpoints.vpc_endpoints()[0].service_name(),
        Some("com.amazonaws.us-west-2.s3")
    );

    // Running create again changes nothing.
    assert_eq!(call("create", suffix, "perAz"), created);
    assert_eq!(live_nats(&ec2, suffix).await.len(), 3);
    assert_eq!(subnet_zones(&ec2, vpc_id).await.len(), 6);

    // A detached Lambda ENI left in a private subnet is cleaned up by the teardown.
    let private = outputs["privateSubnetIds"][0].as_str().unwrap();
    let interface = ec2
        .create_network_interface()
        .subnet_id(private)
        .description("AWS Lambda VPC ENI-rotation")
        .send()
        .await
        .unwrap();
    let interface_id = interface
        .network_interface()
        .unwrap()
        .network_interface_id()
        .unwrap();

    delete_all(suffix, "perAz");
    let env = filter(&format!("tag:{ENVIRONMENT}"), suffix);
    let vpcs = ec2
        .describe_vpcs()
        .filters(env.clone())
        .send()
        .await
        .unwrap();
    assert!(vpcs.vpcs().is_empty());
    assert!(live_nats(&ec2, suffix).await.is_empty());
    let addresses = ec2
        .describe_addresses()
        .filters(env.clone())
        .send()
        .await
        .unwrap();
    assert!(addresses.addresses().is_empty());
    let gateways = ec2
        .describe_internet_gateways()
        .filters(env.clone())
        .send()
        .await
        .unwrap();
    assert!(gateways.internet_gateways().is_empty());
    let subnets = ec2
        .describe_subnets()
        .filters(env.clone())
        .send()
        .await
        .unwrap();
    assert!(subnets.subnets().is_empty());
    let endpoints = ec2
        .describe_vpc_endpoints()
        .filters(env.clone())
        .send()
        .await
        .unwrap();
    // Like AWS, moto lists a deleted endpoint for a while, in state `deleted`.
    assert!(endpoints
        .vpc_endpoints()
        .iter()
        .all(|endpoint| endpoint.state().map(|s| s.as_str()) == Some("deleted")));
    let logs = ec2.describe_flow_logs().filter(env).send().await.unwrap();
    assert!(logs.flow_logs().is_empty());
    let interfaces = ec2.describe_network_interfaces().send().await.unwrap();
    assert!(interfaces
        .network_interfaces()
        .iter()
        .all(|i| i.network_interface_id() != Some(interface_id)));
    let groups = log_client
        .describe_log_groups()
        .log_group_name_prefix(format!("vpc-flow-logs-{suffix}"))
        .send()
        .await
        .unwrap();
    assert!(groups.log_groups().is_empty());
    let key = kms.describe_key().key_id(key_arn).send().await.unwrap();
    assert_eq!(
        key.key_metadata().unwrap().key_state(),
        Some(&aws_sdk_kms::types::KeyState::PendingDeletion)
    );
    assert!(kms
        .describe_key()
        .key_id(format!("alias/kms-{suffix}"))
        .send()
        .await
        .is_err());
    let iam = aws_sdk_iam::Client::new(&config);
    let role = iam
        .get_role()
        .role_name(format!("role-flow-logs-{suffix}"))
        .send()
        .await;
    assert!(role.is_err(), "the flow-logs role is gone");
    assert_eq!(
        call("delete", suffix, "perAz")["status"],
        "DELETED",
        "a second delete is a no-op"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_single_nat_environment_routes_every_private_subnet_through_one_nat_gateway() {
    let suffix = unique_suffix();
    let suffix = suffix.as_str();
    let created = call("create", suffix, "single");
    assert_eq!(created["status"], "READY");
    let ec2 = ec2().await;
    let nats = live_nats(&ec2, suffix).await;
    assert_eq!(nats.len(), 1);
    let vpc_id = created["outputs"]["vpcId"].as_str().unwrap();
    let routes = private_routes(&ec2, vpc_id).await;
    assert_eq!(routes.len(), 3);
    for (_, nat, _) in &routes {
        assert_eq!(Some(nat.as_str()), nats[0].nat_gateway_id());
    }
    delete_all(suffix, "single");
    assert!(live_nats(&ec2, suffix).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn two_environments_side_by_side_do_not_touch_each_other() {
    let (first, second) = (unique_suffix(), unique_suffix());
    let (first, second) = (first.as_str(), second.as_str());
    let kept = call("create", second, "single");
    call("create", first, "single");
    delete_all(first, "single");
    assert_eq!(call("status", second, "single"), kept);
    let ec2 = ec2().await;
    assert_eq!(live_nats(&ec2, second).await.len(), 1);
    let vpcs = ec2
        .describe_vpcs()
        .filters(filter(&format!("tag:{ENVIRONMENT}"), second))
        .send()
        .await
        .unwrap();
    assert_eq!(vpcs.vpcs().len(), 1);
    delete_all(second, "single");
}

#[test]
fn an_invalid_spec_is_rejected_before_any_aws_call() {
    let mut bad = event("create", "x", "perAz");
    bad["spec"]["vpcCidr"] = json!("8.8.0.0/16");
    // No emulator: a call to AWS would fail differently, with credentials or a network error.
    let result = invoke("network", &bad, &[]);
    assert!(!result.success);
    assert_eq!(result.body["errorType"], "InvalidSpec");
}

/// `create` of the pool environment `suffix` as a workflow started at `started` sends it, READY:
/// the pool spec (`standby`, no pull request), or a claim's (`pullRequest`) when `claim` names one.
fn create_pool(
    suffix: &str,
    started: std::time::SystemTime,
    ttl: u32,
    claim: Option<u32>,
) -> Value {
    let mut event = event("create", suffix, "single");
    event["startedAt"] = json!(humantime::format_rfc3339_seconds(started).to_string());
    event["spec"]["ttlHours"] = json!(ttl);
    match claim {
        Some(pull_request) => event["spec"]["pullRequest"] = json!(pull_request),
        None => event["spec"]["standby"] = json!(true),
    }
    let result = invoke("network", &event, &emulator().env());
    assert_eq!(
        result.body["status"], "READY",
        "{} {}",
        result.body, result.stderr
    );
    result.body
}

#[tokio::test(flavor = "multi_thread")]
async fn a_claim_tags_the_pool_vpc_with_its_pull_request_and_only_ever_a_later_expiry() {
    use env_core::tags::{EXPIRES_AT, PULL_REQUEST};
    use std::time::{Duration, SystemTime};
    let suffix = format!("pool-{}", unique_suffix());
    let now = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    let start = humantime::parse_rfc3339(&now).unwrap();
    let hours = |n: u64| start + Duration::from_secs(n * 3600);
    let rfc3339 = |time| humantime::format_rfc3339_seconds(time).to_string();
    let ec2 = ec2().await;
    let vpc_tags = |ec2: aws_sdk_ec2::Client, suffix: String| async move {
        let vpcs = ec2
            .describe_vpcs()
            .filters(filter(&format!("tag:{ENVIRONMENT}"), &suffix))
            .send()
            .await
            .expect("DescribeVpcs");
        assert_eq!(vpcs.vpcs().len(), 1);
        let tags = vpcs.vpcs()[0].tags();
        let value = |key| tag(tags, key).map(str::to_owned);
        (value(PULL_REQUEST), value(EXPIRES_AT))
    };

    let pool = create_pool(&suffix, start, 168, None);
    let expected = (None, Some(rfc3339(hours(168))));
    assert_eq!(vpc_tags(ec2.clone(), suffix.clone()).await, expected);

    // A claim a day later with a 48-hour TTL: its pull request, the pool's later expiry kept.
    let claimed = create_pool(&suffix, hours(24), 48, Some(42));
    assert_eq!(claimed["outputs"], pool["outputs"], "the same network");
    let expected = (Some("42".to_owned()), Some(rfc3339(hours(168))));
    assert_eq!(vpc_tags(ec2.clone(), suffix.clone()).await, expected);

    // A redeploy with a long TTL moves the expiry later; one with a short TTL never earlier.
    for ttl in [720, 1] {
        create_pool(&suffix, hours(24), ttl, Some(42));
        let expected = (Some("42".to_owned()), Some(rfc3339(hours(744))));
        assert_eq!(vpc_tags(ec2.clone(), suffix.clone()).await, expected);
    }
    delete_all(&suffix, "single");
}
