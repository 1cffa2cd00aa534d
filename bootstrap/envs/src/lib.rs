//! `env up|down|status|outputs|list`: environments in AWS, through the deployed state machines; and
//! `env audit`, which runs the audit (envctl-audit) on one of them.

mod admission;
mod api;
mod aws;
pub mod cli;
mod commands;
#[cfg(test)]
mod fake;
mod headroom;
pub mod request;
#[cfg(test)]
mod tests;
