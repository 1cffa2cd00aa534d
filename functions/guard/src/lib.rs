//! The guard function: keeps a teardown and a provision or claim of the same environment from
//! running at once (issue 22, "safe against a teardown racing a wake"). Two workflow steps call
//! it: a teardown's `stopProvisions` ([`stop`]) and a provision's or claim's `admit` ([`admit`]).
//! Its role's IAM policy is [`iam_policy`], for `envctl deploy`; the binary (src/main.rs) runs
//! [`handler::Guard`] over [`sfn::Sfn`].

pub mod admit;
pub mod error;
pub mod event;
pub mod handler;
pub mod iam_policy;
pub mod running;
pub mod settings;
pub mod stop;
