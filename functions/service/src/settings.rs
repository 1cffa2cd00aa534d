//! The function's settings, from its environment variables: how `create` and `status` judge
//! READY, and the permissions boundary of the roles `create` makes.
//!
//! Read once per process; `create` and `status` check them before any AWS call. A teardown needs
//! none of them, so a misconfigured function can still delete what it made.

use env_core::settings::{
    choice, role_boundary, FunctionSettings, Lookup, Misconfigured, WithRoleBoundary,
};

/// The environment variable that tells the function how to judge READY.
pub const READINESS_SETTING: &str = "SERVICE_READY_WHEN";

/// When `create` and `status` answer READY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// AWS's "services stable": the service is ACTIVE, its running count is its desired count and
    /// its deployment rolled out.
    Steady,
    /// The service is ACTIVE with a deployment that has not failed. For emulators, which never run
    /// tasks (moto: tools/emulator/README.md), so that the local lifecycle can finish.
    Accepted,
}

/// What [`READINESS_SETTING`] may hold.
const READINESS: [(&str, Readiness); 2] = [
    ("steady", Readiness::Steady),
    ("accepted", Readiness::Accepted),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// [`READINESS_SETTING`]; `steady` when it is not set.
    pub readiness: Readiness,
    /// The ARN of the permissions boundary the execution, task and infrastructure roles carry
    /// (`ROLE_PERMISSIONS_BOUNDARY`).
    pub role_boundary: String,
}

impl FunctionSettings for Settings {
    fn from_lookup(lookup: Lookup<'_>) -> Result<Self, Misconfigured> {
        Ok(Self {
            readiness: choice(
                lookup,
                READINESS_SETTING,
                &READINESS,
                Some(Readiness::Steady),
            )?,
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

    /// The settings with the boundary set and [`READINESS_SETTING`] as given (`None`: not set).
    pub(crate) fn settings(readiness: Option<&str>) -> Result<Settings, Misconfigured> {
        Settings::from_lookup(&|name| match name {
            READINESS_SETTING => readiness.map(str::to_owned),
            _ => Some(BOUNDARY.to_owned()),
        })
    }

    #[test]
    fn readiness_defaults_to_steady() {
        let readiness = |setting| settings(setting).unwrap().readiness;
        assert_eq!(readiness(None), Readiness::Steady);
        assert_eq!(readiness(Some("steady")), Readiness::Steady);
        assert_eq!(readiness(Some("accepted")), Readiness::Accepted);
        assert_eq!(settings(None).unwrap().role_boundary, BOUNDARY);
    }

    #[test]
    fn an_unknown_readiness_names_the_variable_the_value_and_the_choices() {
        let error = settings(Some("soon")).unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Misconfigured);
        assert_eq!(
            error.to_string(),
            "SERVICE_READY_WHEN is \"soon\": it must be \"steady\" (the default) or \"accepted\""
        );
    }

    #[test]
    fn the_role_boundary_is_required_and_handed_to_the_cloud_only_when_all_is_right() {
        for missing in [None, Some(" ")] {
            let settings = Settings::from_lookup(&|name| match name {
                ROLE_BOUNDARY_VAR => missing.map(str::to_owned),
                _ => None,
            });
            let error = settings.clone().unwrap_err();
            assert_eq!(error.variable, ROLE_BOUNDARY_VAR);
            assert_eq!(error.value.as_deref(), missing);
            assert_eq!(role_boundary_of(&settings), None);
        }
        assert_eq!(role_boundary_of(&settings(None)).as_deref(), Some(BOUNDARY));
        assert_eq!(role_boundary_of(&settings(Some("soon"))), None);
    }
}
