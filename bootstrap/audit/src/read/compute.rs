//! The ECS service with its task definition, and the load balancer with its listeners, target groups
//! and certificate.

use crate::facts::{
    Certificate, Container, Environment, Listener, LoadBalancer, Service, TargetGroup,
};
use aws_config::SdkConfig;
use aws_sdk_ecs::types::{ClusterField, ContainerDefinition, PidMode};
use aws_sdk_elasticloadbalancingv2::types::{
    Action, Listener as ElbListener, TargetGroup as ElbTargetGroup,
};
use env_core::error::{aws_error, found, AwsCallError, Required};
use env_core::naming::{NameKind, Names};

pub async fn read(
    config: &SdkConfig,
    names: Names<'_>,
    env: &mut Environment,
) -> anyhow::Result<()> {
    env.service = service(config, names).await?;
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(config);
    let Some(lb) = load_balancer_named(&elb, &names.of(NameKind::LoadBalancer)).await? else {
        return Ok(());
    };
    let arn = lb
        .load_balancer_arn()
        .required("LoadBalancer.LoadBalancerArn")?
        .to_owned();
    let attributes = elb
        .describe_load_balancer_attributes()
        .load_balancer_arn(&arn)
        .send()
        .await
        .map_err(aws_error("DescribeLoadBalancerAttributes"))?;
    let attribute = |key: &str| {
        attributes
            .attributes()
            .iter()
            .find(|a| a.key() == Some(key))
            .and_then(|a| a.value())
            .map(str::to_owned)
    };
    let on = |key: &str| attribute(key).as_deref() == Some("true");
    let listeners_out = elb
        .describe_listeners()
        .load_balancer_arn(&arn)
        .send()
        .await
        .map_err(aws_error("DescribeListeners"))?;
    env.certificates
        .extend(certificates(config, listeners_out.listeners()).await?);
    let target_groups = elb
        .describe_target_groups()
        .load_balancer_arn(&arn)
        .send()
        .await
        .map_err(aws_error("DescribeTargetGroups"))?;
    env.load_balancer = Some(LoadBalancer {
        zones: lb
            .availability_zones()
            .iter()
            .filter_map(|z| z.zone_name().map(str::to_owned))
            .collect(),
        drop_invalid_headers: on("routing.http.drop_invalid_header_fields.enabled"),
        access_logs: on("access_logs.s3.enabled"),
        deletion_protection: on("deletion_protection.enabled"),
        desync_mode: attribute("routing.http.desync_mitigation_mode"),
        listeners: listeners_out
            .listeners()
            .iter()
            .map(listener)
            .collect::<Result<_, _>>()?,
        target_groups: target_groups
            .target_groups()
            .iter()
            .map(target_group)
            .collect::<Result<_, _>>()?,
        arn,
    });
    Ok(())
}

/// The environment's load balancer, by its name; `None` when there is none.
async fn load_balancer_named(
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    name: &str,
) -> Result<Option<aws_sdk_elasticloadbalancingv2::types::LoadBalancer>, AwsCallError> {
    let found_lb = elb.describe_load_balancers().names(name).send().await;
    let found_lb = found_lb.map_err(aws_error("DescribeLoadBalancers"));
    Ok(found(found_lb, &["LoadBalancerNotFound"])?
        .and_then(|out| out.load_balancers().first().cloned()))
}

/// The key algorithm of every certificate the listeners serve.
async fn certificates(
    config: &SdkConfig,
    listeners: &[ElbListener],
) -> Result<Vec<Certificate>, AwsCallError> {
    let acm = aws_sdk_acm::Client::new(config);
    let mut certificates = Vec::new();
    for certificate_arn in listeners
        .iter()
        .flat_map(|l| l.certificates())
        .filter_map(|c| c.certificate_arn())
    {
        let described = acm
            .describe_certificate()
            .certificate_arn(certificate_arn)
            .send()
            .await
            .map_err(aws_error("DescribeCertificate"))?;
        let certificate = described
            .certificate()
            .required("DescribeCertificateResponse.Certificate")?;
        let key_algorithm = certificate
            .key_algorithm()
            .required("CertificateDetail.KeyAlgorithm")?;
        certificates.push(Certificate {
            arn: certificate_arn.to_owned(),
            key_algorithm: key_algorithm.as_str().to_owned(),
        });
    }
    Ok(certificates)
}

/// An ALB listener: its port, protocol and default action are set on every one (CreateListener).
fn listener(l: &ElbListener) -> Result<Listener, AwsCallError> {
    let default_action = l
        .default_actions()
        .first()
        .required("Listener.DefaultActions")?;
    Ok(Listener {
        port: *l.port().as_ref().required("Listener.Port")?,
        protocol: l
            .protocol()
            .required("Listener.Protocol")?
            .as_str()
            .to_owned(),
        ssl_policy: l.ssl_policy().map(str::to_owned),
        default_action: action(default_action)?,
    })
}

fn target_group(tg: &ElbTargetGroup) -> Result<TargetGroup, AwsCallError> {
    Ok(TargetGroup {
        name: tg
            .target_group_name()
            .required("TargetGroup.TargetGroupName")?
            .to_owned(),
        target_type: tg
            .target_type()
            .map(|t| t.as_str())
            .unwrap_or("")
            .to_owned(),
        health_check_enabled: tg.health_check_enabled().unwrap_or(false),
        health_check_path: tg.health_check_path().map(str::to_owned),
        matcher: tg.matcher().and_then(|m| m.http_code()).map(str::to_owned),
        healthy_threshold: tg.healthy_threshold_count(),
        unhealthy_threshold: tg.unhealthy_threshold_count(),
    })
}

/// A listener's default action in one word, a redirect with where it goes.
fn action(action: &Action) -> Result<String, AwsCallError> {
    let kind = action.r#type().required("Action.Type")?.as_str();
    Ok(match action.redirect_config() {
        // A redirect's protocol and port are optional: one left out keeps the request's (ELB API
        // reference, RedirectActionConfig: "components that you do not modify retain their
        // original values"), so it reads as empty. The status code is required.
        Some(redirect) => format!(
            "{kind}:{}:{}:{}",
            redirect.protocol().unwrap_or_default(),
            redirect.port().unwrap_or_default(),
            redirect
                .status_code()
                .required("RedirectActionConfig.StatusCode")?
                .as_str()
        ),
        None => kind.to_owned(),
    })
}

async fn service(config: &SdkConfig, names: Names<'_>) -> anyhow::Result<Option<Service>> {
    let ecs = aws_sdk_ecs::Client::new(config);
    let cluster_name = names.of(NameKind::EcsCluster);
    let clusters = ecs
        .describe_clusters()
        .clusters(&cluster_name)
        .include(ClusterField::Settings)
        .send()
        .await
        .map_err(aws_error("DescribeClusters"))?;
    let Some(cluster) = clusters
        .clusters()
        .iter()
        .find(|c| c.status() == Some("ACTIVE"))
    else {
        return Ok(None);
    };
    let insights = cluster.settings().iter().any(|s| {
        s.name().is_some_and(|n| n.as_str() == "containerInsights")
            && matches!(s.value(), Some("enabled" | "enhanced"))
    });
    let services = ecs
        .describe_services()
        .cluster(&cluster_name)
        .services(names.of(NameKind::EcsService))
        .send()
        .await
        .map_err(aws_error("DescribeServices"))?;
    let Some(service) = services
        .services()
        .iter()
        .find(|s| s.status() == Some("ACTIVE"))
    else {
        return Ok(None);
    };
    let awsvpc = service
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration());
    let breaker = service
        .deployment_configuration()
        .and_then(|d| d.deployment_circuit_breaker());
    let task = ecs
        .describe_task_definition()
        .task_definition(
            service
                .task_definition()
                .required("Service.taskDefinition")?,
        )
        .send()
        .await
        .map_err(aws_error("DescribeTaskDefinition"))?;
    let definition = task
        .task_definition()
        .required("DescribeTaskDefinitionResponse.taskDefinition")?;
    Ok(Some(Service {
        cluster_container_insights: insights,
        assign_public_ip: awsvpc
            .and_then(|a| a.assign_public_ip())
            .is_some_and(|a| a.as_str() == "ENABLED"),
        // A service without an awsvpc network configuration names no subnets.
        subnet_ids: awsvpc.map(|a| a.subnets().to_vec()).unwrap_or_default(),
        platform_version: service.platform_version().map(str::to_owned),
        circuit_breaker: breaker.is_some_and(|b| b.enable()),
        circuit_breaker_rollback: breaker.is_some_and(|b| b.rollback()),
        network_mode: definition.network_mode().map(|m| m.as_str().to_owned()),
        pid_mode: definition
            .pid_mode()
            .map(PidMode::as_str)
            .map(str::to_owned),
        execution_role_arn: definition.execution_role_arn().map(str::to_owned),
        task_role_arn: definition.task_role_arn().map(str::to_owned),
        containers: definition
            .container_definitions()
            .iter()
            .map(container)
            .collect::<Result<_, _>>()?,
    }))
}

fn container(definition: &ContainerDefinition) -> Result<Container, AwsCallError> {
    Ok(Container {
        name: definition
            .name()
            .required("ContainerDefinition.name")?
            .to_owned(),
        privileged: definition.privileged().unwrap_or(false),
        read_only_root: definition.readonly_root_filesystem().unwrap_or(false),
        environment: definition
            .environment()
            .iter()
            .map(|pair| {
                let name = pair.name().required("KeyValuePair.name")?.to_owned();
                // A variable's value is optional in the API (KeyValuePair.value): absent is empty.
                Ok((name, pair.value().unwrap_or_default().to_owned()))
            })
            .collect::<Result<_, AwsCallError>>()?,
        secrets: definition
            .secrets()
            .iter()
            .map(|s| s.name().to_owned())
            .collect(),
        log_driver: definition
            .log_configuration()
            .map(|l| l.log_driver().as_str().to_owned()),
        user: definition.user().map(str::to_owned),
        health_check: definition.health_check().is_some(),
    })
}
