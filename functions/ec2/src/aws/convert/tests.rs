//! The SDK's EC2 answers read into the plain types, the rules written back as EC2's permissions,
//! and CreateFlowLogs' refusals told apart from its failures.

use super::*;
use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::error::ErrorMetadata;
use aws_smithy_types::body::SdkBody;

fn tag(key: &str, value: &str) -> ec2::Tag {
    ec2::Tag::builder().key(key).value(value).build()
}

fn labelled(id: &str, name: Option<&str>, environment: Option<&str>) -> Labels {
    Labels {
        id: id.into(),
        name: name.map(str::to_owned),
        environment: environment.map(str::to_owned),
    }
}

#[test]
fn a_vpc_and_a_subnet_are_read_with_their_tags_and_required_members() {
    let described = ec2::Vpc::builder()
        .vpc_id("vpc-1")
        .cidr_block("10.0.0.0/16")
        .tags(tag("Name", "vpc-pr-42"))
        .tags(tag("Team", "catalog"))
        .tags(tag(tags::ENVIRONMENT, "pr-42"))
        .build();
    assert_eq!(
        vpc(&described).unwrap(),
        Vpc {
            labels: labelled("vpc-1", Some("vpc-pr-42"), Some("pr-42")),
            cidr: "10.0.0.0/16".into(),
        }
    );
    let without_block = ec2::Vpc::builder().vpc_id("vpc-2").build();
    let error = vpc(&without_block).unwrap_err();
    assert!(error.to_string().contains("Vpc.CidrBlock"), "{error}");
    assert!(vpc(&ec2::Vpc::builder().build()).is_err());

    let described = ec2::Subnet::builder()
        .subnet_id("subnet-1")
        .availability_zone("us-west-2a")
        .build();
    assert_eq!(
        subnet(&described).unwrap(),
        Subnet {
            labels: labelled("subnet-1", None, None),
            zone: "us-west-2a".into(),
        }
    );
    let error = subnet(&ec2::Subnet::builder().subnet_id("subnet-2").build()).unwrap_err();
    assert!(
        error.to_string().contains("Subnet.AvailabilityZone"),
        "{error}"
    );
}

#[test]
fn gateways_are_read_with_their_attachments_and_states() {
    let described = ec2::InternetGateway::builder()
        .internet_gateway_id("igw-1")
        .attachments(
            ec2::InternetGatewayAttachment::builder()
                .vpc_id("vpc-1")
                .build(),
        )
        .attachments(ec2::InternetGatewayAttachment::builder().build())
        .build();
    assert_eq!(
        internet_gateway(&described).unwrap(),
        InternetGateway {
            labels: labelled("igw-1", None, None),
            attached_vpcs: vec!["vpc-1".into()],
        }
    );
    assert!(internet_gateway(&ec2::InternetGateway::builder().build()).is_err());

    let described = ec2::NatGateway::builder()
        .nat_gateway_id("nat-1")
        .state(ec2::NatGatewayState::Deleting)
        .subnet_id("subnet-1")
        .tags(tag("Name", "nat-a-pr-42"))
        .build();
    assert_eq!(
        nat_gateway(&described).unwrap(),
        NatGateway {
            labels: labelled("nat-1", Some("nat-a-pr-42"), None),
            state: NatState::Deleting,
            subnet_id: "subnet-1".into(),
        }
    );
    let without_subnet = ec2::NatGateway::builder().nat_gateway_id("nat-2").build();
    let error = nat_gateway(&without_subnet).unwrap_err();
    assert!(error.to_string().contains("NatGateway.SubnetId"), "{error}");
}

#[test]
fn a_route_table_keeps_its_associations_and_the_targets_of_its_routes() {
    let described = ec2::RouteTable::builder()
        .route_table_id("rtb-1")
        .associations(
            ec2::RouteTableAssociation::builder()
                .route_table_association_id("rtbassoc-1")
                .main(true)
                .build(),
        )
        .associations(
            ec2::RouteTableAssociation::builder()
                .route_table_association_id("rtbassoc-2")
                .subnet_id("subnet-1")
                .main(false)
                .build(),
        )
        .routes(
            ec2::Route::builder()
                .destination_cidr_block("0.0.0.0/0")
                .nat_gateway_id("nat-1")
                .build(),
        )
        .routes(
            ec2::Route::builder()
                .destination_cidr_block("10.0.0.0/16")
                .gateway_id("local")
                .build(),
        )
        .routes(
            ec2::Route::builder()
                .destination_prefix_list_id("pl-1")
                .vpc_peering_connection_id("pcx-1")
                .build(),
        )
        .build();
    let table = route_table(&described).unwrap();
    assert_eq!(
        table.associations,
        [
            Association {
                id: "rtbassoc-1".into(),
                subnet_id: None,
                main: true,
            },
            Association {
                id: "rtbassoc-2".into(),
                subnet_id: Some("subnet-1".into()),
                main: false,
            },
        ]
    );
    assert_eq!(
        table.routes,
        [
            Route {
                destination_cidr: Some("0.0.0.0/0".into()),
                target: Some("nat-1".into()),
            },
            Route {
                destination_cidr: Some("10.0.0.0/16".into()),
                target: Some("local".into()),
            },
            Route {
                destination_cidr: None,
                target: None,
            },
        ]
    );
    let without_main = ec2::RouteTable::builder()
        .route_table_id("rtb-2")
        .associations(
            ec2::RouteTableAssociation::builder()
                .route_table_association_id("rtbassoc-3")
                .build(),
        )
        .build();
    let error = route_table(&without_main).unwrap_err();
    assert!(
        error.to_string().contains("RouteTableAssociation.Main"),
        "{error}"
    );
}

#[test]
fn rules_written_as_permissions_read_back_as_the_same_rules() {
    let rule =
        |direction, protocol: &str, port: Option<i32>, peer, description: Option<&str>| Rule {
            direction,
            protocol: protocol.into(),
            from_port: port,
            to_port: port,
            peer,
            description: description.map(str::to_owned),
        };
    let ingress = [
        rule(
            Direction::Ingress,
            "tcp",
            Some(5432),
            Peer::Group("sg-service".into()),
            Some("from the service"),
        ),
        rule(
            Direction::Ingress,
            "tcp",
            Some(443),
            Peer::Cidr("0.0.0.0/0".into()),
            None,
        ),
    ];
    let egress = [rule(
        Direction::Egress,
        "-1",
        None,
        Peer::Cidr("0.0.0.0/0".into()),
        None,
    )];
    let all: Vec<Rule> = ingress.iter().chain(&egress).cloned().collect();
    let described = ec2::SecurityGroup::builder()
        .group_id("sg-1")
        .group_name("database-pr-42")
        .set_ip_permissions(permissions(&all, Direction::Ingress))
        .set_ip_permissions_egress(permissions(&all, Direction::Egress))
        .build();
    let group = security_group(&described).unwrap();
    assert_eq!(group.group_name, "database-pr-42");
    assert_eq!(group.labels, labelled("sg-1", None, None));
    assert_eq!(group.rules.len(), 3);
    for rule in &all {
        assert!(group.rules.contains(rule), "{rule:?}");
    }
    assert_eq!(permissions(&ingress, Direction::Egress), None);

    let without_name = ec2::SecurityGroup::builder().group_id("sg-2").build();
    let error = security_group(&without_name).unwrap_err();
    assert!(
        error.to_string().contains("SecurityGroup.GroupName"),
        "{error}"
    );
    let without_protocol = ec2::SecurityGroup::builder()
        .group_id("sg-3")
        .group_name("g")
        .ip_permissions(ec2::IpPermission::builder().build())
        .build();
    let error = security_group(&without_protocol).unwrap_err();
    assert!(
        error.to_string().contains("IpPermission.IpProtocol"),
        "{error}"
    );
}

#[test]
fn a_network_interface_needs_a_status_but_not_a_description() {
    let described = ec2::NetworkInterface::builder()
        .network_interface_id("eni-1")
        .status(ec2::NetworkInterfaceStatus::InUse)
        .build();
    assert_eq!(
        network_interface(&described).unwrap(),
        NetworkInterface {
            id: "eni-1".into(),
            status: "in-use".into(),
            description: String::new(),
        }
    );
    let without_status = ec2::NetworkInterface::builder()
        .network_interface_id("eni-2")
        .build();
    let error = network_interface(&without_status).unwrap_err();
    assert!(
        error.to_string().contains("NetworkInterface.Status"),
        "{error}"
    );
}

/// CreateFlowLogs' failure with this code and message.
fn refused(code: &str, message: &str) -> SdkError<CreateFlowLogsError> {
    let metadata = ErrorMetadata::builder().code(code).message(message).build();
    let response = HttpResponse::new(400.try_into().unwrap(), SdkBody::empty());
    SdkError::service_error(CreateFlowLogsError::generic(metadata), response)
}

#[test]
fn a_role_ec2_cannot_assume_yet_is_a_refusal_and_other_errors_fail_the_call() {
    let answered = CreateFlowLogsOutput::builder()
        .unsuccessful(
            ec2::UnsuccessfulItem::builder()
                .error(
                    ec2::UnsuccessfulItemError::builder()
                        .code("400")
                        .message("Access error")
                        .build(),
                )
                .build(),
        )
        .build();
    assert_eq!(flow_log_refusals(Ok(answered)).unwrap(), ["Access error"]);
    let made = CreateFlowLogsOutput::builder().flow_log_ids("fl-1").build();
    assert!(flow_log_refusals(Ok(made)).unwrap().is_empty());

    let role = refused("InvalidParameter", "Unable to assume given IAM role");
    let refusal = flow_log_refusals(Err(role)).unwrap();
    assert_eq!(refusal.len(), 1);
    assert!(
        refusal[0].contains("Unable to assume given IAM role"),
        "{refusal:?}"
    );

    let group = refused("InvalidParameter", "Invalid log group");
    let error = flow_log_refusals(Err(group)).unwrap_err();
    assert!(error.is_code("InvalidParameter"));
    let denied = refused("UnauthorizedOperation", "Unable to assume");
    let error = flow_log_refusals(Err(denied)).unwrap_err();
    assert!(error.is_code("UnauthorizedOperation"));
}
