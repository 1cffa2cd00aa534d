//! `env up|down|status|outputs|list`: environments in AWS, through the deployed state machines.

pub mod admission;
pub mod api;
pub mod aws;
pub mod cli;
pub mod commands;
#[cfg(test)]
mod fake;
pub mod headroom;
pub mod request;
#[cfg(test)]
mod tests;
