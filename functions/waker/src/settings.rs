//! The waker's settings, from its environment (`envctl deploy` sets them): the three state machines
//! whose executions record each environment's state, read and checked as the sfn crate reads every
//! function's. Every one is required: without the teardown machine a teardown under way could not
//! be seen, and a wake would race it.

pub use sfn::settings::StateMachines as Settings;
