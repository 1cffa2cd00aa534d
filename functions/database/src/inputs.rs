//! What `create` works from besides the spec: the network component's outputs, checked before any
//! AWS call, and the function's settings; with the request, the context every step takes ([`Cx`]).

use crate::settings::Settings;
use env_core::context::Context;
use env_core::contract::Outputs;
use env_core::outputs::{ComponentOutputs, MissingOutputs, NetworkOutputs};
use std::time::SystemTime;

/// The context of one `create`: the cloud, the spec's names and tags, and [`Inputs`].
pub type Cx<'a, C> = Context<'a, C, Inputs<'a>>;

/// What `create` is made with besides the spec.
pub struct Inputs<'a> {
    pub network: &'a Network,
    pub settings: &'a Settings,
    /// When the request started: the rotation function's tags count from it.
    pub started_at: SystemTime,
}

/// What the network component handed on, checked before any AWS call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    pub private_subnets: Vec<String>,
    pub zones: Vec<String>,
    pub security_group: String,
    pub rotation_security_group: String,
    pub kms_key_arn: String,
}

impl Network {
    pub fn from_outputs(outputs: &Outputs) -> Result<Self, MissingOutputs> {
        let network = NetworkOutputs::of(outputs)?;
        let groups = &network.security_group_ids;
        Ok(Self {
            // The network component makes 3 of each (one per AZ); the writer and the reader need
            // two different AZs, and a DB subnet group needs subnets in at least two.
            private_subnets: NetworkOutputs::at_least(
                "privateSubnetIds",
                &network.private_subnet_ids,
                3,
            )?,
            zones: NetworkOutputs::at_least("availabilityZones", &network.availability_zones, 2)?,
            security_group: NetworkOutputs::non_empty(
                "securityGroupIds.database",
                &groups.database,
            )?,
            rotation_security_group: NetworkOutputs::non_empty(
                "securityGroupIds.rotation",
                &groups.rotation,
            )?,
            kms_key_arn: NetworkOutputs::non_empty("kmsKeyArn", &network.kms_key_arn)?,
        })
    }
}
