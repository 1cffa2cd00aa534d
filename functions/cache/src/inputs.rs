//! What the cache reads of the network's outputs, checked before any AWS call.

use env_core::contract::Outputs;
use env_core::outputs::{ComponentOutputs, MissingOutputs, NetworkOutputs};

/// What the cache needs from the network function's outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    pub private_subnets: Vec<String>,
    pub zones: Vec<String>,
    pub security_group: String,
    pub kms_key_arn: String,
}

impl Inputs {
    pub fn from_outputs(outputs: &Outputs) -> Result<Self, MissingOutputs> {
        let network = NetworkOutputs::of(outputs)?;
        // The network gives three of each, one per AZ, in AZ order.
        Ok(Self {
            private_subnets: NetworkOutputs::at_least(
                "privateSubnetIds",
                &network.private_subnet_ids,
                3,
            )?,
            zones: NetworkOutputs::at_least("availabilityZones", &network.availability_zones, 3)?,
            security_group: NetworkOutputs::non_empty(
                "securityGroupIds.cache",
                &network.security_group_ids.cache,
            )?,
            kms_key_arn: NetworkOutputs::non_empty("kmsKeyArn", &network.kms_key_arn)?,
        })
    }
}
