//! `deploy` and `undeploy`: the backend itself (roles, functions, state machines, the rotation
//! package, the cleanup schedule), created or updated idempotently and removed again.
//!
//! It owns what the backend is made of: the IAM policy of every role ([`policies`]: each function's
//! own comes from the function's crate) and the state machine definitions with their placeholders
//! replaced ([`asl`]).

pub mod api;
pub mod apply;
pub mod asl;
pub mod aws;
pub mod command;
#[cfg(test)]
mod fake;
pub mod invocation;
pub mod policies;
pub mod pool;
pub mod resources;
pub mod rotation_package;
mod settle;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod waker_tests;
