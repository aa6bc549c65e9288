//! Playing scenarios: one engine (and embedded simulator) for the run, each scenario with
//! its own settings, each customer in its own task; report every step the moment it ends, and stop at a customer's first
//! failure (the other customers play on).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wxsim_engine::{Customer, Engine, EngineError, NewCustomer, Profile, Typist};
use wxsim_webchat::SimConfig;

use crate::error::StepError;
use crate::harness::{self, HarnessOptions};
use crate::outcome::{CustomerOutcome, ScenarioOutcome, StepOutcome};
use crate::player::Player;
use crate::spec::{
    Action, CustomerSpec, ExpectedError, Outgoing, Scenario, SimAction, SimulatorSettings,
};
use crate::watch::{Newsroom, Signals};
use wxsim_stack::Stack;

/// Where and against what a scenario runs.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub data_dir: PathBuf,
    /// A real webchat; `None` runs against the embedded simulator.
    pub webchat_url: Option<String>,
    /// The callback listener's address.
    pub listen: String,
}

/// Receives each step's outcome as it ends (for a live report).
pub type Reporter = Arc<dyn Fn(&StepOutcome) + Send + Sync>;

/// A person's pace, for a scenario played to an audience (`wxsim demo`): a pause before each
/// step that does something, the embedded simulator accepting and answering after the same
/// pause (unless the file sets its own), and whoever writes next shown typing meanwhile.
#[derive(Clone, Copy, Debug)]
pub struct Pace {
    pub pause: Duration,
}

/// The embedded simulator at test pace; `[simulator]` changes it for one scenario.
fn quick_simulator() -> SimConfig {
    SimConfig {
        accept_delay_ms: 50,
        reply_delay_ms: 20,
        ..SimConfig::default()
    }
}

/// Plays scenarios one after the other through one engine (and one simulator, so that
/// webchat's ids never repeat within a database), each with its own settings.
pub async fn run_scenarios(
    scenarios: Vec<Arc<Scenario>>,
    options: &RunOptions,
    report: Reporter,
    mut announce: impl FnMut(&Scenario),
    mut finished: impl FnMut(&ScenarioOutcome),
) -> Vec<ScenarioOutcome> {
    let harness = harness::start(HarnessOptions {
        data_dir: options.data_dir.clone(),
        webchat_url: options.webchat_url.clone(),
        listen: options.listen.clone(),
        profile: base_profile(),
        simulator: quick_simulator(),
    })
    .await;
    let mut outcomes = Vec::new();
    for scenario in scenarios {
        announce(&scenario);
        let started = Instant::now();
        let outcome = match &harness {
            Ok(harness) => run_scenario(harness, Arc::clone(&scenario), Arc::clone(&report)).await,
            Err(e) => ScenarioOutcome::not_started(
                &scenario,
                format!("cannot start the engine: {e}"),
                started,
            ),
        };
        finished(&outcome);
        outcomes.push(outcome);
    }
    if let Ok(harness) = harness {
        harness.stop().await;
    }
    outcomes
}

fn base_profile() -> Profile {
    Profile {
        name: "scenario".into(),
        ..Profile::default()
    }
}

impl ScenarioOutcome {
    fn not_started(scenario: &Scenario, reason: String, started: Instant) -> Self {
        ScenarioOutcome {
            file: scenario.file.clone(),
            name: scenario.name.clone(),
            setup_error: Some(reason),
            customers: vec![],
            elapsed: started.elapsed(),
        }
    }
}

/// Gives the engine the scenario's settings and the simulator its pace, roster and clock,
/// with no fault (on either side) or planned outcome left by an earlier scenario.
async fn prepare(harness: &Stack, scenario: &Scenario, pace: Option<Pace>) -> Result<(), String> {
    let mut profile = Profile {
        webchat_url: harness.engine.profile().webchat_url,
        ..base_profile()
    };
    scenario.settings.apply(&mut profile);
    harness
        .engine
        .set_profile(profile)
        .await
        .map_err(|e| format!("[settings]: {e}"))?;
    harness
        .engine
        .set_listener_faults(Vec::new())
        .map_err(|e| format!("listener faults: {e}"))?;
    let wanted = scenario.simulator.as_ref();
    match harness.simulator() {
        Some(sim) => {
            sim.restore();
            let mut quick = quick_simulator();
            if let Some(pace) = pace {
                let ms = u64::try_from(pace.pause.as_millis()).unwrap_or(u64::MAX);
                (quick.accept_delay_ms, quick.reply_delay_ms) = (ms, ms);
            }
            let mut patch = wanted.map(SimulatorSettings::patch).unwrap_or_default();
            patch.accept_delay_ms = patch.accept_delay_ms.or(Some(quick.accept_delay_ms));
            patch.reply_delay_ms = patch.reply_delay_ms.or(Some(quick.reply_delay_ms));
            patch.auto_reply = patch.auto_reply.or(Some(quick.auto_reply));
            patch.answer_request_id = patch.answer_request_id.or(Some(quick.answer_request_id));
            sim.configure(patch)
                .map_err(|e| format!("[simulator]: {e}"))?;
            for group in wanted.map_or(&[][..], |w| &w.group) {
                sim.set_group(group.clone())
                    .map_err(|e| format!("[[simulator.group]] {}: {e}", group.id))?;
            }
            for agent in wanted.map_or(&[][..], |w| &w.agent) {
                sim.set_agent(agent.clone());
            }
        }
        None if wanted.is_some() => {
            tracing::warn!(scenario = %scenario.name, "[simulator] settings ignored: this run talks to a real webchat");
        }
        None => {}
    }
    Ok(())
}

/// Plays one scenario: each customer in its own task.
pub async fn run_scenario(
    harness: &Stack,
    scenario: Arc<Scenario>,
    report: Reporter,
) -> ScenarioOutcome {
    run_scenario_paced(harness, scenario, report, None).await
}

/// [`run_scenario`], at `pace` when given.
pub async fn run_scenario_paced(
    harness: &Stack,
    scenario: Arc<Scenario>,
    report: Reporter,
    pace: Option<Pace>,
) -> ScenarioOutcome {
    let started = Instant::now();
    if let Err(reason) = prepare(harness, &scenario, pace).await {
        return ScenarioOutcome::not_started(&scenario, reason, started);
    }
    let signals = Signals::default();
    let tasks: Vec<_> = (0..scenario.customers.len())
        .map(|index| {
            let (scenario, report) = (Arc::clone(&scenario), Arc::clone(&report));
            let engine = harness.engine.clone();
            let simulator = harness.simulator().cloned();
            let signals = signals.clone();
            tokio::spawn(async move {
                let spec = &scenario.customers[index];
                play(&scenario, spec, engine, simulator, signals, &report, pace).await
            })
        })
        .collect();
    let mut customers = Vec::new();
    for (task, spec) in tasks.into_iter().zip(&scenario.customers) {
        customers.push(match task.await {
            Ok(outcome) => outcome,
            Err(e) => crashed(&scenario.name, spec, e.to_string()),
        });
    }
    ScenarioOutcome {
        file: scenario.file.clone(),
        name: scenario.name.clone(),
        setup_error: None,
        customers,
        elapsed: started.elapsed(),
    }
}

/// The outcome of a customer whose task ended abnormally.
fn crashed(scenario: &str, spec: &CustomerSpec, reason: String) -> CustomerOutcome {
    CustomerOutcome {
        nickname: spec.nickname.clone(),
        steps: vec![StepOutcome {
            scenario: scenario.into(),
            customer: spec.nickname.clone(),
            number: 0,
            line: spec.line,
            label: "customer task".into(),
            elapsed: Default::default(),
            result: Err(format!("the customer's task failed: {reason}")),
        }],
        skipped: spec.steps.len(),
        elapsed: Default::default(),
    }
}

async fn play(
    scenario: &Scenario,
    spec: &CustomerSpec,
    engine: Engine,
    simulator: Option<wxsim_webchat::SimControl>,
    signals: Signals,
    report: &Reporter,
    pace: Option<Pace>,
) -> CustomerOutcome {
    let started = Instant::now();
    let newsroom = Newsroom::start(engine.subscribe());
    let mut outcome = CustomerOutcome {
        nickname: spec.nickname.clone(),
        steps: vec![],
        skipped: 0,
        elapsed: started.elapsed(),
    };
    let record =
        |outcome: &mut CustomerOutcome, number, line, label: String, begun: Instant, result| {
            let step = StepOutcome {
                scenario: scenario.name.clone(),
                customer: spec.nickname.clone(),
                number,
                line,
                label,
                elapsed: begun.elapsed(),
                result,
            };
            report(&step);
            outcome.steps.push(step);
        };
    let customer = match customer(&engine, spec).await {
        Ok(c) => c,
        Err(e) => {
            record(
                &mut outcome,
                0,
                spec.line,
                "create customer".into(),
                started,
                Err(e.to_string()),
            );
            outcome.skipped = spec.steps.len();
            outcome.elapsed = started.elapsed();
            return outcome;
        }
    };
    let mut player = Player {
        watch: newsroom.watch(customer.id, customer.open_id.clone()),
        engine,
        simulator,
        customer,
        signals,
        default_within: scenario.settings.default_within(),
        agent_cursor: 0,
    };
    let mut armed: Option<ExpectedError> = None;
    for (index, step) in spec.steps.iter().enumerate() {
        // At a pace, whoever writes next is shown typing through the pause (and, for a
        // scripted reply, until it is there).
        let typist = pace.and_then(|_| typist(&step.action));
        if let Some(who) = typist {
            player.engine.typing(player.customer.id, who, true);
        }
        if let Some(pace) = pace.filter(|_| acts(&step.action)) {
            tokio::time::sleep(pace.pause).await;
        }
        let begun = Instant::now();
        let done = player.act(&step.action).await;
        if let Some(who) = typist {
            player.engine.typing(player.customer.id, who, false);
        }
        let result = match armed.take() {
            Some(expected) => judge(&expected, done),
            None => done.map_err(|e| e.to_string()),
        };
        if let Action::ExpectError(expected) = &step.action {
            armed = Some(expected.clone());
        }
        let failed = result.is_err();
        record(
            &mut outcome,
            step.number,
            step.line,
            label(&step.action),
            begun,
            result,
        );
        if failed {
            outcome.skipped = spec.steps.len() - index - 1;
            break;
        }
    }
    outcome.elapsed = started.elapsed();
    outcome
}

/// The scenario's customer: an existing one with the same openId, or a new one.
async fn customer(engine: &Engine, spec: &CustomerSpec) -> Result<Customer, EngineError> {
    if let Some(open_id) = &spec.open_id {
        if let Some(existing) = engine
            .customers()
            .await?
            .into_iter()
            .find(|c| &c.open_id == open_id)
        {
            return Ok(existing);
        }
    }
    engine
        .create_customer(NewCustomer {
            open_id: spec.open_id.clone(),
            nickname: spec.nickname.clone(),
            head_img_url: spec.head_img_url.clone(),
            source: spec.source,
            brand: spec.brand.clone(),
            skill_group: spec.skill_group,
            agent_id: spec.agent_id.clone(),
            tracks: spec.tracks.clone(),
        })
        .await
}

/// Who writes in a step, shown typing when the scenario is played at a pace.
fn typist(action: &Action) -> Option<Typist> {
    match action {
        Action::Send(_) => Some(Typist::Customer),
        Action::ExpectAgent(_) | Action::Sim(SimAction::AgentSay(_)) => Some(Typist::Agent),
        _ => None,
    }
}

/// A step that does something (rather than waiting for something): at a pace, a pause
/// comes before it.
fn acts(action: &Action) -> bool {
    !matches!(
        action,
        Action::WaitState { .. }
            | Action::WaitStatus { .. }
            | Action::WaitCallback { .. }
            | Action::ExpectAgent(_)
            | Action::ExpectAgents { .. }
            | Action::WaitQueuePosition { .. }
            | Action::WaitSignal { .. }
            | Action::Signal { .. }
            | Action::ExpectError(_)
    )
}

/// A step that had to fail: passes when it failed the expected way.
fn judge(expected: &ExpectedError, done: Result<String, StepError>) -> Result<String, String> {
    match done {
        Ok(note) => Err(format!(
            "expected {expected}, but the step succeeded ({note})"
        )),
        Err(StepError::Engine(e)) if fits(expected, &e) => Ok(format!("failed as expected: {e}")),
        Err(e) => Err(format!("expected {expected}, but: {e}")),
    }
}

fn fits(expected: &ExpectedError, error: &EngineError) -> bool {
    match (expected, error) {
        (ExpectedError::Code(want), EngineError::Rejected { code, .. }) => want == code,
        (ExpectedError::Kind(kind), e) => e.kind() == kind,
        _ => false,
    }
}

/// A step in a few words, for the report.
fn label(action: &Action) -> String {
    match action {
        Action::RequestChat => "request_chat".into(),
        Action::WaitState { state, .. } => format!("wait_state {}", state.as_str()),
        Action::WaitStatus { status, .. } => format!("wait_status {status}"),
        Action::WaitCallback { operation, .. } => format!("wait_callback {operation}"),
        Action::Send(outgoing) => format!(
            "send {}",
            match outgoing {
                Outgoing::Text(_) => "text",
                Outgoing::Image(_) => "image",
                Outgoing::Voice { .. } => "voice",
                Outgoing::Video { .. } => "video",
                Outgoing::Link(_) => "link",
                Outgoing::Location(_) => "location",
            }
        ),
        Action::ExpectAgent(e) => format!("expect_agent {}", e.text),
        Action::ExpectAgents { agents, .. } => format!("expect_agents {}", agents.join(", ")),
        Action::Rate { .. } => "rate".into(),
        Action::Cancel { .. } => "cancel".into(),
        Action::Transfer { .. } => "transfer".into(),
        Action::Close => "close".into(),
        Action::Pause { ms } => format!("pause {ms} ms"),
        Action::WaitQueuePosition { order, .. } => format!("wait_queue_position {order}"),
        Action::Signal { name } => format!("signal {name}"),
        Action::WaitSignal { name, .. } => format!("wait_signal {name}"),
        Action::ListenerFault(f) => format!("listener_fault {}", f.0.path),
        Action::ExpectError(e) => format!("expect_error {e}"),
        Action::Sim(s) => format!(
            "sim {}",
            match s {
                SimAction::Fault(f) => format!("fault {} {}", f.endpoint.path(), f.result.code()),
                SimAction::NextRequestStatus(n) =>
                    format!("next_request_status {}", n.status.code()),
                SimAction::AgentSay(_) => "agent_say".into(),
                SimAction::AgentClose => "agent_close".into(),
                SimAction::PushRating => "push_rating".into(),
                SimAction::Agents(_) => "agents".into(),
                SimAction::SetAgent(a) => format!("set_agent {}", a.id),
                SimAction::SetGroup(g) => format!("set_group {}", g.id),
                SimAction::Clock(_) => "clock".into(),
                SimAction::RoutingFailure(f) => format!("routing_failure {}", f.result.code()),
            }
        ),
    }
}
