//! Where the replication group's shards put their nodes.

use crate::api::Shard;

/// Shard `i`'s primary goes to AZ `i mod 3` and its replicas to the AZs after it, so every shard
/// survives the loss of one AZ and the nodes spread evenly over the three.
pub fn placement(shards: u16, replicas: u8, zones: &[String]) -> Vec<Shard> {
    let zone = |index: usize| zones[index % zones.len()].clone();
    (0..usize::from(shards))
        .map(|shard| Shard {
            id: format!("{:04}", shard + 1),
            primary_zone: zone(shard),
            replica_zones: (1..=usize::from(replicas))
                .map(|replica| zone(shard + replica))
                .collect(),
        })
        .collect()
}
