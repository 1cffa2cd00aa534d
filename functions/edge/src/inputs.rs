//! What the edge reads of the network's outputs, checked before any AWS call.

use env_core::contract::Outputs;
use env_core::outputs::{ComponentOutputs, MissingOutputs, NetworkOutputs};

/// What the edge needs from the network component.
#[derive(Debug, PartialEq, Eq)]
pub struct Inputs {
    pub vpc_id: String,
    pub public_subnets: Vec<String>,
    pub alb_group: String,
}

impl Inputs {
    /// Checked before any AWS call: a missing key is the workflow's mistake, not AWS's.
    pub fn from_outputs(outputs: &Outputs) -> Result<Self, MissingOutputs> {
        let network = NetworkOutputs::of(outputs)?;
        Ok(Self {
            vpc_id: NetworkOutputs::non_empty("vpcId", &network.vpc_id)?,
            // ELB.13: the load balancer spans the environment's 3 AZs.
            public_subnets: NetworkOutputs::at_least(
                "publicSubnetIds",
                &network.public_subnet_ids,
                3,
            )?,
            alb_group: NetworkOutputs::non_empty(
                "securityGroupIds.alb",
                &network.security_group_ids.alb,
            )?,
        })
    }
}
