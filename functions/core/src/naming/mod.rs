//! The one place that builds physical names: `<resource-type>-<environmentSuffix>`.
//!
//! Each kind of name knows its AWS length limit, so the spec validator can derive the longest
//! suffix that fits them all and a test can prove every name for that suffix fits.

mod kind;
mod log_group;
mod monitoring;
mod names;
mod parts;

pub use kind::{max_suffix_len, NameKind};
pub use log_group::AwsLogGroup;
pub use monitoring::{AlarmKind, LogMetric};
pub use names::Names;
pub use parts::{AzSlot, CacheNode, Color, Tier};

#[cfg(test)]
mod tests {
    use crate::spec::EnvironmentSuffix;

    pub(super) fn suffix(value: &str) -> EnvironmentSuffix {
        EnvironmentSuffix::parse(value).unwrap()
    }
}
