//! The function's settings, from its environment variables: when a waking environment's load
//! balancer stops sending requests to the waker.
//!
//! Read once per process; only `create` needs them (it decides whether the wake rule stays), so a
//! misconfigured function still reports and deletes.

use env_core::settings::{choice, FunctionSettings, Lookup, Misconfigured};

/// The variable the service function reads too: the emulator runs no task, so the local runner
/// sets it to `accepted` for every function (tools/workflow/run.mjs, `LOCAL_OVERRIDES`).
pub const READINESS_SETTING: &str = "SERVICE_READY_WHEN";

/// What tells a waking environment's edge that the service serves again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// A target of the blue or green group is `healthy` (DescribeTargetHealth).
    Steady,
    /// The service component answered READY in this provision (its outputs are in the request):
    /// for emulators, whose target groups never hold a task.
    Accepted,
}

const READINESS: [(&str, Readiness); 2] = [
    ("steady", Readiness::Steady),
    ("accepted", Readiness::Accepted),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// [`READINESS_SETTING`]; `steady` when it is not set.
    pub readiness: Readiness,
}

impl FunctionSettings for Settings {
    fn from_lookup(lookup: Lookup<'_>) -> Result<Self, Misconfigured> {
        let readiness = choice(
            lookup,
            READINESS_SETTING,
            &READINESS,
            Some(Readiness::Steady),
        )?;
        Ok(Self { readiness })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(value: Option<&str>) -> Result<Settings, Misconfigured> {
        Settings::from_lookup(&|_| value.map(str::to_owned))
    }

    #[test]
    fn readiness_is_steady_unless_the_emulator_says_accepted() {
        assert_eq!(read(None).unwrap().readiness, Readiness::Steady);
        assert_eq!(read(Some("steady")).unwrap().readiness, Readiness::Steady);
        assert_eq!(
            read(Some("accepted")).unwrap().readiness,
            Readiness::Accepted
        );
        let error = read(Some("soon")).unwrap_err();
        assert!(error.to_string().contains("SERVICE_READY_WHEN"), "{error}");
    }
}
