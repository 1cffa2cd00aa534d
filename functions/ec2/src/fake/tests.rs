//! The in-memory EC2 answers as EC2 (and moto) does.

use super::*;

fn tags(name: &str) -> Vec<Tag> {
    vec![
        Tag {
            key: "Name",
            value: name.into(),
        },
        Tag {
            key: tags::ENVIRONMENT,
            value: "pr-42".into(),
        },
    ]
}

fn rule(direction: Direction, port: i32, peer: Peer) -> Rule {
    Rule {
        direction,
        protocol: "tcp".into(),
        from_port: Some(port),
        to_port: Some(port),
        peer,
        description: None,
    }
}

#[tokio::test]
async fn a_new_vpc_comes_with_a_main_table_and_a_default_group_and_goes_with_them() {
    let recorder = SharedRecorder::default();
    let fake = FakeEc2::new(recorder.clone());
    assert_eq!(fake.availability_zones().await.unwrap().len(), 4);
    let vpc = fake
        .create_vpc("10.0.0.0/16", &tags("vpc-pr-42"))
        .await
        .unwrap();
    assert_eq!(vpc.labels.name.as_deref(), Some("vpc-pr-42"));
    assert_eq!(vpc.labels.environment.as_deref(), Some("pr-42"));
    assert_eq!(vpc.cidr, "10.0.0.0/16");
    fake.enable_dns(&vpc.labels.id).await.unwrap();
    // The finders ignore the environment tag, as moto does on some describes.
    assert_eq!(fake.vpcs("pr-7").await.unwrap(), std::slice::from_ref(&vpc));
    let id = &vpc.labels.id;
    let tables = fake.route_tables(id).await.unwrap();
    assert_eq!(tables.len(), 1);
    assert!(tables[0].associations[0].main && tables[0].routes.is_empty());
    let groups = fake.security_groups(id).await.unwrap();
    assert_eq!(groups[0].group_name, "default");
    assert_eq!(groups[0].rules.len(), 2);
    assert!(fake.route_tables("vpc-other").await.unwrap().is_empty());

    fake.delete_vpc(id).await.unwrap();
    assert!(fake.vpcs("pr-42").await.unwrap().is_empty());
    assert!(fake.route_tables(id).await.unwrap().is_empty());
    assert!(fake.security_groups(id).await.unwrap().is_empty());
    let recorded = recorder.lock();
    assert_eq!(recorded.changes, ["CreateVpc", "DeleteVpc"]);
    assert!(recorded.calls.contains(&"ModifyVpcAttribute"));
}

#[tokio::test]
async fn subnets_gateways_and_routes_are_made_attached_and_removed() {
    let fake = FakeEc2::new(SharedRecorder::default());
    let vpc = fake.create_vpc("10.0.0.0/16", &[]).await.unwrap().labels.id;
    let subnet = fake
        .create_subnet(&vpc, "10.0.0.0/20", "us-west-2a", &tags("subnet-a"))
        .await
        .unwrap();
    assert_eq!(
        fake.subnets(&vpc).await.unwrap(),
        std::slice::from_ref(&subnet)
    );
    let gateway = fake.create_internet_gateway(&tags("igw")).await.unwrap();
    fake.attach_internet_gateway(&gateway.labels.id, &vpc)
        .await
        .unwrap();
    assert_eq!(
        fake.internet_gateways("pr-42").await.unwrap()[0].attached_vpcs,
        std::slice::from_ref(&vpc)
    );
    let table = fake.create_route_table(&vpc, &tags("rtb")).await.unwrap();
    let table_id = &table.labels.id;
    let target = RouteTarget::InternetGateway(gateway.labels.id.clone());
    fake.create_default_route(table_id, &target).await.unwrap();
    fake.associate_route_table(table_id, &subnet.labels.id)
        .await
        .unwrap();
    let tables = fake.route_tables(&vpc).await.unwrap();
    let made = tables.iter().find(|t| t.labels.id == *table_id).unwrap();
    assert_eq!(
        made.routes,
        [Route {
            destination_cidr: Some("0.0.0.0/0".into()),
            target: Some(gateway.labels.id.clone()),
        }]
    );
    let association = made.associations[0].clone();
    assert_eq!(association.subnet_id.as_ref(), Some(&subnet.labels.id));
    // Only the named table loses its default route, and losing it twice is no error here.
    let other = fake.create_route_table(&vpc, &tags("rtb-2")).await.unwrap();
    fake.create_default_route(&other.labels.id, &target)
        .await
        .unwrap();
    for _ in 0..2 {
        fake.delete_default_route(table_id).await.unwrap();
    }
    let tables = fake.route_tables(&vpc).await.unwrap();
    let routes = |id: &str| {
        tables
            .iter()
            .find(|t| t.labels.id == id)
            .map(|t| t.routes.len())
    };
    assert_eq!(
        (routes(table_id), routes(&other.labels.id)),
        (Some(0), Some(1))
    );
    fake.delete_route_table(&other.labels.id).await.unwrap();

    fake.disassociate_route_table(&association.id)
        .await
        .unwrap();
    fake.delete_route_table(table_id).await.unwrap();
    fake.detach_internet_gateway(&gateway.labels.id, &vpc)
        .await
        .unwrap();
    assert!(fake.internet_gateways("pr-42").await.unwrap()[0]
        .attached_vpcs
        .is_empty());
    fake.delete_internet_gateway(&gateway.labels.id)
        .await
        .unwrap();
    fake.delete_subnet(&subnet.labels.id).await.unwrap();
    assert!(fake.internet_gateways("pr-42").await.unwrap().is_empty());
    assert!(fake.subnets(&vpc).await.unwrap().is_empty());
    assert_eq!(
        fake.route_tables(&vpc).await.unwrap().len(),
        1,
        "the main table"
    );
}

#[tokio::test]
async fn nat_gateways_start_and_end_as_the_world_says() {
    let fake = FakeEc2::new(SharedRecorder::default());
    let address = fake.allocate_address(&tags("eip-a")).await.unwrap();
    assert_eq!(
        fake.addresses("pr-42").await.unwrap(),
        std::slice::from_ref(&address)
    );
    let nat = fake
        .create_nat_gateway("subnet-1", &address.id, "token", &tags("nat-a"))
        .await
        .unwrap();
    assert_eq!(nat.state, NatState::Available, "as moto makes them");
    fake.world().new_nat_state = Some(NatState::Pending);
    let pending = fake
        .create_nat_gateway("subnet-2", &address.id, "token-2", &[])
        .await
        .unwrap();
    assert_eq!(pending.state, NatState::Pending);
    fake.delete_nat_gateway(&nat.labels.id).await.unwrap();
    fake.world().slow_nat_deletion = true;
    fake.delete_nat_gateway(&pending.labels.id).await.unwrap();
    let states: Vec<NatState> = fake
        .nat_gateways("pr-42")
        .await
        .unwrap()
        .iter()
        .map(|nat| nat.state)
        .collect();
    assert_eq!(states, [NatState::Deleted, NatState::Deleting]);
    // A token used before answers its gateway as it is now, deleted or not, and makes none.
    let again = fake
        .create_nat_gateway("subnet-1", &address.id, "token", &tags("nat-a"))
        .await
        .unwrap();
    assert_eq!(
        (again.labels.id, again.state),
        (nat.labels.id, NatState::Deleted)
    );
    assert_eq!(fake.world().nats.len(), 2);
    fake.release_address(&address.id).await.unwrap();
    assert!(fake.addresses("pr-42").await.unwrap().is_empty());
}

#[tokio::test]
async fn a_group_gains_and_loses_rules_by_their_traffic() {
    let fake = FakeEc2::new(SharedRecorder::default());
    let group = fake
        .create_security_group("vpc-1", "database-pr-42", "the database", &tags("db"))
        .await
        .unwrap();
    assert_eq!(group.rules.len(), 1, "AWS's allow-all egress");
    let id = &group.labels.id;
    let from_service = rule(Direction::Ingress, 5432, Peer::Group("sg-service".into()));
    let from_anywhere = rule(Direction::Ingress, 443, Peer::Cidr("0.0.0.0/0".into()));
    fake.authorize(id, &[from_service.clone(), from_anywhere.clone()])
        .await
        .unwrap();
    let described = Rule {
        description: Some("described otherwise".into()),
        ..from_anywhere
    };
    fake.revoke(id, &[described]).await.unwrap();
    let rules = &fake.security_groups("vpc-1").await.unwrap()[0].rules;
    assert_eq!(rules.len(), 2);
    assert!(rules.contains(&from_service));
    fake.delete_security_group(id).await.unwrap();
    assert!(fake.security_groups("vpc-1").await.unwrap().is_empty());
}

#[tokio::test]
async fn flow_logs_endpoints_and_interfaces_belong_to_their_vpc() {
    let fake = FakeEc2::new(SharedRecorder::default());
    fake.world().flow_log_refusal = Some("Unable to assume given IAM role".into());
    let refused = fake
        .create_flow_log("vpc-1", "group", "role", &tags("flow-log"))
        .await
        .unwrap();
    assert_eq!(refused, ["Unable to assume given IAM role"]);
    assert!(fake.flow_logs("vpc-1").await.unwrap().is_empty());
    let made = fake
        .create_flow_log("vpc-1", "group", "role", &tags("flow-log"))
        .await
        .unwrap();
    assert!(made.is_empty());
    let log = fake.flow_logs("vpc-1").await.unwrap()[0].clone();
    assert_eq!(log.name.as_deref(), Some("flow-log"));
    fake.delete_flow_log(&log.id).await.unwrap();
    assert!(fake.flow_logs("vpc-1").await.unwrap().is_empty());

    fake.create_s3_endpoint("vpc-1", &["rtb-1".into()], &tags("s3"))
        .await
        .unwrap();
    let endpoint = fake.s3_endpoints("vpc-1").await.unwrap()[0].clone();
    assert!(fake.s3_endpoints("vpc-2").await.unwrap().is_empty());
    fake.delete_endpoint(&endpoint.id).await.unwrap();
    assert!(fake.s3_endpoints("vpc-1").await.unwrap().is_empty());

    let interface = NetworkInterface {
        id: "eni-1".into(),
        status: "available".into(),
        description: "AWS Lambda VPC ENI".into(),
    };
    fake.world()
        .interfaces
        .push(("vpc-1".into(), interface.clone()));
    assert_eq!(fake.network_interfaces("vpc-1").await.unwrap(), [interface]);
    fake.delete_network_interface("eni-1").await.unwrap();
    assert!(fake.network_interfaces("vpc-1").await.unwrap().is_empty());
}

#[tokio::test]
async fn a_fault_fails_the_call_it_names_in_the_shared_recorder_and_changes_nothing() {
    let recorder = SharedRecorder::default();
    let fake = FakeEc2::new(recorder.clone());
    recorder.lock().fail("CreateVpc", "VpcLimitExceeded");
    recorder.lock().fail("DescribeVpcs", "Throttling");
    let error = fake.create_vpc("10.0.0.0/16", &[]).await.unwrap_err();
    assert!(error.is_code("VpcLimitExceeded"));
    assert!(fake.world().vpcs.is_empty() && fake.world().tables.is_empty());
    let error = fake.vpcs("pr-42").await.unwrap_err();
    assert!(error.is_code("Throttling"));
    let recorded = recorder.lock();
    assert_eq!(recorded.calls, ["CreateVpc", "DescribeVpcs"]);
    assert!(recorded.changes.is_empty() && recorded.faults_answered());
}
