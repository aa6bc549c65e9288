//! What a run found: each step's verdict and timing, per customer, per scenario.

use std::path::PathBuf;
use std::time::Duration;

/// One step, as it ended.
#[derive(Debug, Clone)]
pub struct StepOutcome {
    pub scenario: String,
    pub customer: String,
    /// 1-based; 0 for the customer's own setup.
    pub number: usize,
    pub line: usize,
    /// The step in a few words (`send image`, `wait_state chatting`).
    pub label: String,
    pub elapsed: Duration,
    /// What it did, or why it failed.
    pub result: Result<String, String>,
}

impl StepOutcome {
    pub fn passed(&self) -> bool {
        self.result.is_ok()
    }
}

#[derive(Debug, Clone)]
pub struct CustomerOutcome {
    pub nickname: String,
    pub steps: Vec<StepOutcome>,
    /// Steps never run because an earlier one failed.
    pub skipped: usize,
    pub elapsed: Duration,
}

impl CustomerOutcome {
    pub fn failure(&self) -> Option<&StepOutcome> {
        self.steps.iter().find(|s| !s.passed())
    }
}

#[derive(Debug, Clone)]
pub struct ScenarioOutcome {
    pub file: PathBuf,
    pub name: String,
    /// The run could not start (engine, listener, simulator).
    pub setup_error: Option<String>,
    pub customers: Vec<CustomerOutcome>,
    pub elapsed: Duration,
}

impl ScenarioOutcome {
    pub fn passed(&self) -> bool {
        self.setup_error.is_none() && self.customers.iter().all(|c| c.failure().is_none())
    }

    /// One line per failure: scenario, customer, step number and line, and the reason.
    pub fn failures(&self) -> Vec<String> {
        let file = self.file.display();
        let mut lines: Vec<String> = self
            .setup_error
            .iter()
            .map(|e| format!("{file}: scenario {:?} could not start: {e}", self.name))
            .collect();
        lines.extend(self.customers.iter().filter_map(|c| c.failure()).map(|s| {
            format!(
                "{file}:{}: scenario {:?}, customer {:?}, step {} ({}): {}",
                s.line,
                self.name,
                s.customer,
                s.number,
                s.label,
                s.result.as_ref().err().map_or("", String::as_str)
            )
        }));
        lines
    }
}
