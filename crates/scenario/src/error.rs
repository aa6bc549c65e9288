//! What goes wrong: a scenario file that cannot be run (with its place in the file), and a
//! step that failed while running.

use std::path::PathBuf;

use wxsim_engine::EngineError;

/// A scenario file that is not valid; shown as `FILE:LINE:COL: reason`.
#[derive(Debug, thiserror::Error)]
#[error("{}:{line}:{column}: {reason}", file.display())]
pub struct InvalidScenario {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub reason: String,
}

/// Why a step failed.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("timed out after {ms} ms waiting for {what}")]
    Timeout { what: String, ms: u128 },
    #[error("{0}")]
    Unexpected(String),
    #[error("`sim` steps drive the embedded simulator, and this run talks to {0}; run without --webchat-url")]
    NoSimulator(String),
    #[error("the simulator refused: {0}")]
    Simulator(#[from] wxsim_webchat::SimError),
    #[error("cannot read {}: {source}", path.display())]
    Media {
        path: PathBuf,
        source: std::io::Error,
    },
}
