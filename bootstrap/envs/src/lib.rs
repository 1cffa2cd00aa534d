//! `env up|down|status|outputs|list|extend|comment`: environments in AWS, through the deployed state
//! machines and their tags; and `env audit`, which runs the audit (envctl-audit) on one of them.

mod admission;
pub mod api;
pub mod aws;
pub mod cli;
mod commands;
mod comment;
mod expiry;
mod facts;
#[cfg(test)]
mod fake;
mod headroom;
pub mod pool;
pub mod request;
mod stage;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_extend_comment;
#[cfg(test)]
mod tests_pool;
