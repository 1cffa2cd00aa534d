//! The account's quotas (Service Quotas) and usage (EC2's describe calls) for quota admission
//! ([`super::admission`]).

use super::admission::{Limit, Usage};
use aws_sdk_ec2::types::Filter;
use aws_sdk_servicequotas::types::ServiceQuota;
use env_core::error::{aws_error, found, Required};
use std::collections::BTreeMap;

/// The applied value of `limit` (`GetServiceQuota`), else AWS's default
/// (`GetAWSDefaultServiceQuota`); `NoSuchResourceException` from either means it has no value.
pub async fn quota(
    client: &aws_sdk_servicequotas::Client,
    limit: &Limit,
) -> anyhow::Result<Option<u32>> {
    let applied = client
        .get_service_quota()
        .service_code(limit.service)
        .quota_code(limit.code)
        .send()
        .await
        .map(|output| value_of(output.quota()))
        .map_err(aws_error("GetServiceQuota"));
    if let Some(value) = found(applied, &["NoSuchResourceException"])?.flatten() {
        return Ok(Some(value));
    }
    let default = client
        .get_aws_default_service_quota()
        .service_code(limit.service)
        .quota_code(limit.code)
        .send()
        .await
        .map(|output| value_of(output.quota()))
        .map_err(aws_error("GetAWSDefaultServiceQuota"));
    Ok(found(default, &["NoSuchResourceException"])?.flatten())
}

fn value_of(quota: Option<&ServiceQuota>) -> Option<u32> {
    // Counts, so whole numbers; a fraction would be rounded down.
    quota
        .and_then(ServiceQuota::value)
        .map(|value| value as u32)
}

fn filter(name: &str, values: &[&str]) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(
            values.iter().map(|value| (*value).to_owned()).collect(),
        ))
        .build()
}

/// Elastic IPs, VPCs, internet gateways, NAT gateways by zone and the available zones.
pub async fn usage(ec2: &aws_sdk_ec2::Client) -> anyhow::Result<Usage> {
    let addresses = ec2
        .describe_addresses()
        .send()
        .await
        .map_err(aws_error("DescribeAddresses"))?;
    let mut vpcs = 0;
    let mut pages = ec2.describe_vpcs().into_paginator().send();
    while let Some(page) = pages.next().await {
        vpcs += page.map_err(aws_error("DescribeVpcs"))?.vpcs().len();
    }
    let mut gateways = 0;
    let mut pages = ec2.describe_internet_gateways().into_paginator().send();
    while let Some(page) = pages.next().await {
        gateways += page
            .map_err(aws_error("DescribeInternetGateways"))?
            .internet_gateways()
            .len();
    }
    // The states that count toward the quota (Amazon VPC user guide, "Amazon VPC quotas").
    let mut subnets = Vec::new();
    let mut pages = ec2
        .describe_nat_gateways()
        .filter(filter("state", &["pending", "available", "deleting"]))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(aws_error("DescribeNatGateways"))?;
        subnets.extend(
            page.nat_gateways()
                .iter()
                .filter_map(|gateway| gateway.subnet_id())
                .map(str::to_owned),
        );
    }
    let zone_of = zones_of_subnets(ec2, &subnets).await?;
    let mut nat_gateways = BTreeMap::new();
    for subnet in &subnets {
        if let Some(zone) = zone_of.get(subnet) {
            *nat_gateways.entry(zone.clone()).or_insert(0) += 1;
        }
    }
    let zones = ec2
        .describe_availability_zones()
        .filters(filter("state", &["available"]))
        .filters(filter("zone-type", &["availability-zone"]))
        .send()
        .await
        .map_err(aws_error("DescribeAvailabilityZones"))?;
    let mut zones: Vec<String> = zones
        .availability_zones()
        .iter()
        .filter_map(aws_sdk_ec2::types::AvailabilityZone::zone_name)
        .map(str::to_owned)
        .collect();
    zones.sort();
    Ok(Usage {
        elastic_ips: count(addresses.addresses().len()),
        vpcs: count(vpcs),
        internet_gateways: count(gateways),
        nat_gateways,
        zones,
    })
}

fn count(items: usize) -> u32 {
    u32::try_from(items).unwrap_or(u32::MAX)
}

/// Each subnet's Availability Zone.
async fn zones_of_subnets(
    ec2: &aws_sdk_ec2::Client,
    subnets: &[String],
) -> anyhow::Result<BTreeMap<String, String>> {
    let mut zones = BTreeMap::new();
    if subnets.is_empty() {
        return Ok(zones);
    }
    let mut pages = ec2
        .describe_subnets()
        .set_subnet_ids(Some(subnets.to_vec()))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for subnet in page.map_err(aws_error("DescribeSubnets"))?.subnets() {
            let id = subnet.subnet_id().required("Subnet.SubnetId")?;
            let zone = subnet
                .availability_zone()
                .required("Subnet.AvailabilityZone")?;
            zones.insert(id.to_owned(), zone.to_owned());
        }
    }
    Ok(zones)
}
