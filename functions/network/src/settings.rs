//! The function's settings, from its environment variables: the permissions boundary of the
//! flow-log role `create` makes.
//!
//! Read once per process; `create` checks them before any AWS call. `status` and `delete` need
//! none, so a misconfigured function can still report and delete what it made.

use env_core::settings::{
    role_boundary, FunctionSettings, Lookup, Misconfigured, WithRoleBoundary,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The ARN of the permissions boundary the flow-log role carries (`ROLE_PERMISSIONS_BOUNDARY`).
    pub role_boundary: String,
}

impl FunctionSettings for Settings {
    fn from_lookup(lookup: Lookup<'_>) -> Result<Self, Misconfigured> {
        Ok(Self {
            role_boundary: role_boundary(lookup)?,
        })
    }
}

impl WithRoleBoundary for Settings {
    fn role_boundary(&self) -> &str {
        &self.role_boundary
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use env_core::iam::ROLE_BOUNDARY_VAR;
    use env_core::settings::role_boundary_of;
    use env_core::{ErrorName, NamedError};

    pub(crate) const BOUNDARY: &str =
        "arn:aws:iam::123456789012:policy/catalog-environments-role-boundary";

    /// The settings as `main` reads them when the boundary is `boundary` (`None`: not set).
    pub(crate) fn settings(boundary: Option<&str>) -> Result<Settings, Misconfigured> {
        Settings::from_lookup(&|name| {
            assert_eq!(name, ROLE_BOUNDARY_VAR);
            boundary.map(str::to_owned)
        })
    }

    #[test]
    fn the_role_boundary_is_required_and_handed_to_the_cloud_only_when_set() {
        let good = settings(Some(BOUNDARY));
        assert_eq!(good.clone().unwrap().role_boundary, BOUNDARY);
        assert_eq!(role_boundary_of(&good).as_deref(), Some(BOUNDARY));
        for missing in [None, Some(""), Some("  ")] {
            let wrong = settings(missing);
            let error = wrong.clone().unwrap_err();
            assert_eq!(error.error_name(), ErrorName::Misconfigured);
            assert_eq!(error.variable, ROLE_BOUNDARY_VAR);
            assert_eq!(error.value.as_deref(), missing);
            assert_eq!(role_boundary_of(&wrong), None);
        }
        assert_eq!(
            settings(None).unwrap_err().to_string(),
            "ROLE_PERMISSIONS_BOUNDARY is (not set): it must be the ARN of the permissions boundary every role of an environment carries (envctl deploy sets it)"
        );
    }
}
