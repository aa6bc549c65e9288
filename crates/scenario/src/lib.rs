//! wxsim-scenario: scripted runs of the engine against webchat.
//!
//! A *scenario* is a TOML file naming customers and the steps each one takes (request a
//! chat, send every message type, wait for callbacks, agent replies and places in the
//! queue, rate, close, force result codes and change agents, groups and the clock through
//! the embedded simulator, arm faults on the engine's listener, wait for each other with
//! signals). [`load_scenario`] parses one into a typed [`Scenario`], keeping line numbers
//! for error messages; [`run_scenario`] plays it, each customer in its own task, reporting
//! every step as it ends. [`load`] drives many customers through whole conversations and
//! measures latencies.

mod error;
mod harness;
pub mod junit;
pub mod load;
mod outcome;
mod parse;
mod player;
mod runner;
mod spec;
mod watch;

pub use error::{InvalidScenario, StepError};
pub use harness::HarnessOptions;
pub use outcome::{CustomerOutcome, ScenarioOutcome, StepOutcome};
pub use parse::{load_scenario, parse_scenario};
pub use runner::{run_scenario, run_scenario_paced, run_scenarios, Pace, Reporter, RunOptions};
pub use spec::{
    Action, CustomerSpec, ExpectedError, ListenerFaultStep, MediaFile, Outgoing, Scenario,
    Settings, SimAction, Step, TextMatch,
};
