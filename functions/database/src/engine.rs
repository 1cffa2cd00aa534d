//! Which Aurora PostgreSQL version a new cluster gets: the newest minor version of the major
//! version the parameter group family names, among those RDS offers now (DescribeDBEngineVersions),
//! that can scale between the spec's capacities. A constant would name a version AWS retires: RDS
//! then refuses CreateDBCluster with it (Aurora PostgreSQL release calendar, "end of standard
//! support" of each minor version), and every new environment fails.

use crate::api::EngineVersion;

/// The version to create a cluster with, or `None` when RDS offers none that fits.
pub fn newest_fitting(versions: &[EngineVersion], min_acu: f64, max_acu: f64) -> Option<String> {
    versions
        .iter()
        .filter(|version| usable(version, min_acu, max_acu))
        .filter_map(|version| Some((ordered(&version.version)?, &version.version)))
        .max()
        .map(|(_, version)| version.clone())
}

/// Whether the cluster's `version`, as RDS lists it, states a Serverless v2 range that holds these
/// capacities; a version RDS no longer lists, or lists without a range, is not assumed to (a change
/// of a working cluster is made only when RDS says it fits).
pub fn holds(versions: &[EngineVersion], version: &str, min_acu: f64, max_acu: f64) -> bool {
    versions.iter().any(|listed| {
        listed.version == version
            && listed
                .serverless_v2_range
                .is_some_and(|(low, high)| low <= min_acu && max_acu <= high)
    })
}

/// Available (RDS lists only those unless asked for all, but says so in `Status`) and, where RDS
/// states a Serverless v2 range for the version, one that holds the spec's: a minimum of 0 ACUs
/// needs a version that supports auto-pause (RDS API reference, `ServerlessV2FeaturesSupport`).
fn usable(version: &EngineVersion, min_acu: f64, max_acu: f64) -> bool {
    let available = version.status.as_deref().is_none_or(|s| s == "available");
    let fits = version
        .serverless_v2_range
        .is_none_or(|(low, high)| low <= min_acu && max_acu <= high);
    available && fits
}

/// `16.10` after `16.9`: compared as numbers, part by part; `None` for anything else, such as
/// Limitless Database's `16.6-limitless`, which a cluster with instances cannot use.
fn ordered(version: &str) -> Option<Vec<u32>> {
    version.split('.').map(|part| part.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::engine_version;

    fn with_range(version: &str, low: f64, high: f64) -> EngineVersion {
        EngineVersion {
            serverless_v2_range: Some((low, high)),
            ..engine_version(version)
        }
    }

    #[test]
    fn the_newest_minor_version_wins_compared_as_numbers() {
        let versions = ["16.2", "16.10", "16.9"].map(engine_version);
        assert_eq!(
            newest_fitting(&versions, 0.5, 16.0).as_deref(),
            Some("16.10")
        );
    }

    #[test]
    fn a_version_that_cannot_hold_the_capacities_or_is_not_available_is_passed_over() {
        let deprecated = EngineVersion {
            status: Some("deprecated".to_owned()),
            ..engine_version("16.11")
        };
        let versions = [
            with_range("16.2", 0.5, 128.0),
            with_range("16.6", 0.0, 128.0),
            with_range("16.8", 0.0, 64.0),
            deprecated,
        ];
        // 0 ACUs (auto-pause) rules out 16.2; 128 ACUs rules out 16.8; 16.11 is deprecated.
        assert_eq!(
            newest_fitting(&versions, 0.0, 128.0).as_deref(),
            Some("16.6")
        );
        assert_eq!(newest_fitting(&versions, 0.0, 256.0), None);
    }

    #[test]
    fn a_version_without_a_stated_range_or_status_is_taken_at_its_word() {
        let plain = EngineVersion {
            version: "16.3".to_owned(),
            status: None,
            serverless_v2_range: None,
        };
        assert_eq!(
            newest_fitting(&[plain], 0.0, 256.0).as_deref(),
            Some("16.3")
        );
    }

    #[test]
    fn a_version_that_is_not_numbers_is_ignored() {
        let versions = [engine_version("16.x"), engine_version("16.1")];
        assert_eq!(newest_fitting(&versions, 0.5, 1.0).as_deref(), Some("16.1"));
        assert_eq!(newest_fitting(&[], 0.5, 1.0), None);
    }
}
