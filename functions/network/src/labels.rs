//! How the network's resources are recognised: by the environment tag and the `Name` tag.

use crate::api::Labels;

/// Tagged for `environment`.
pub fn is_mine(labels: &Labels, environment: &str) -> bool {
    labels.environment.as_deref() == Some(environment)
}

/// Named `name` by its `Name` tag.
pub fn is_named(labels: &Labels, name: &str) -> bool {
    labels.name.as_deref() == Some(name)
}
