//! `deploy` and `undeploy`: the backend itself (roles, functions, state machines, the rotation
//! package, the cleanup schedule), created or updated idempotently and removed again.

pub mod api;
pub mod apply;
pub mod aws;
pub mod command;
#[cfg(test)]
mod fake;
pub mod resources;
pub mod rotation_package;
pub mod settle;
#[cfg(test)]
mod tests;
