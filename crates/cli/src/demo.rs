//! `wxsim demo [SCENARIO]`: wxsim as `serve` starts it, on the embedded simulator and a
//! fresh data dir, playing a scenario at a person's pace for an audience: the demo layout
//! (`#/demo`, the customer's phone beside the agent desk) shows both sides live, and each
//! message and reply is shown being typed first. Without a file it plays the shipped demo
//! (scenarios/demo.toml, built in). `--headless` plays it the same way and exits when it
//! ends: 0 when every step passed, 1 naming the step that failed. Otherwise it waits for
//! Enter (or the end of its input) before it plays, so that the audience's page is open,
//! plays it again on each Enter after that, and serves until Ctrl+C.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use tokio::sync::oneshot;
use wxsim_scenario::{junit, load_scenario, parse_scenario, run_scenario_paced, Pace, StepOutcome};

use crate::data_dir::DataDir;
use crate::serve::{self, ApiArgs};

/// The shipped demo, so that an installed wxsim has it without a checkout.
const SHIPPED: &str = include_str!("../../../scenarios/demo.toml");

/// The UI's demo layout.
const DEMO_ROUTE: &str = "/demo";

#[derive(Args)]
pub struct DemoArgs {
    /// The scenario to play (TOML, see scenarios/README.md); default: the shipped demo.
    scenario: Option<PathBuf>,
    /// The pause before each step that does something, in milliseconds; the simulated
    /// agents accept and answer after the same pause.
    #[arg(long, default_value_t = 1500)]
    pause_ms: u64,
    /// Play without waiting for a viewer and exit when the scenario ends (for tests and CI).
    #[arg(long)]
    headless: bool,
    /// Do not open the demo layout in the default browser (it opens when there is a display).
    #[arg(long)]
    no_open: bool,
    /// The callback and media listener webchat calls.
    #[arg(long, default_value = "127.0.0.1:7081")]
    listen: String,
    #[command(flatten)]
    api: ApiArgs,
}

/// Opens `page` in the desktop's default browser when there is a display (Linux's
/// `xdg-open`, macOS's `open`); anything else, or a failure, leaves the printed address.
fn open_in_browser(page: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(unix)
        && ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()))
    {
        "xdg-open"
    } else {
        return;
    };
    let opened = std::process::Command::new(opener)
        .arg(page)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match opened {
        // Reaped on a thread of its own: the opener returns at once, the browser stays.
        Ok(mut child) => drop(std::thread::spawn(move || child.wait())),
        Err(e) => {
            tracing::info!(error = %e, "cannot open a browser; open the demo address by hand")
        }
    }
}

/// Settles when a line comes on standard input (true) or its end (false). A thread of its
/// own reads it: a read that never ends must not hold up the runtime's stop.
async fn enter() -> bool {
    let (tx, rx) = oneshot::channel();
    std::thread::spawn(move || {
        let read = std::io::stdin().read_line(&mut String::new());
        let _ = tx.send(matches!(read, Ok(n) if n > 0));
    });
    rx.await.unwrap_or(false)
}

fn print_step(step: &StepOutcome) {
    println!("  {:<12} {}", step.customer, junit::step_line(step));
}

pub async fn run(mut args: DemoArgs) -> anyhow::Result<ExitCode> {
    let scenario = match &args.scenario {
        Some(file) => load_scenario(file),
        None => parse_scenario(Path::new("demo.toml"), SHIPPED),
    };
    let scenario = match scenario {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::from(2));
        }
    };
    // A fresh data dir unless one is given: the demo starts from an empty console and
    // leaves the user's history alone.
    let data = DataDir::given_or_temporary(args.api.data_dir.take())?;
    args.api.data_dir = Some(data.path().to_path_buf());
    let (api, stack) = serve::start(args.api, &args.listen, None).await?;
    let page = api.page(DEMO_ROUTE)?;
    println!("demo     {page}");
    if !args.headless && !args.no_open {
        open_in_browser(&page);
    }

    let pace = Pace {
        pause: Duration::from_millis(args.pause_ms),
    };
    let play = || async {
        println!("▶ {} ({})", scenario.name, scenario.file.display());
        let outcome = run_scenario_paced(
            &stack,
            Arc::clone(&scenario),
            Arc::new(print_step),
            Some(pace),
        )
        .await;
        let failures = outcome.failures();
        match (&outcome.setup_error, failures.is_empty()) {
            (Some(e), _) => println!("  FAILED: {e}"),
            (None, true) => println!("  passed in {} ms", outcome.elapsed.as_millis()),
            (None, false) => {
                for line in &failures {
                    println!("✗ {line}");
                }
            }
        }
        outcome.passed()
    };
    let router = |token, ui| stack.router(token, ui);
    let passed = if args.headless {
        let (done_tx, done_rx) = oneshot::channel::<()>();
        let stop = async move {
            let _ = done_rx.await;
        };
        let (served, passed) =
            tokio::join!(api.serve_until(router, stack.engine.clone(), stop), async {
                let passed = play().await;
                let _ = done_tx.send(());
                passed
            });
        served?;
        passed
    } else {
        // Each Enter plays it (again) until Ctrl+C; with no input, it plays once.
        let replays = async {
            println!("press Enter to play the demo once the page is open (Ctrl+C stops wxsim)");
            let interactive = enter().await;
            loop {
                play().await;
                let again = interactive && {
                    println!(
                        "the demo has ended: press Enter to play it again (Ctrl+C stops wxsim)"
                    );
                    enter().await
                };
                if !again {
                    println!("the demo has ended; the page stays open until Ctrl+C");
                    std::future::pending::<()>().await;
                }
            }
        };
        // Biased: the server's first poll prints its addresses, and only then the prompt
        // (in a random order the prompt came first half the time, above the address).
        tokio::select! {
            biased;
            served = api.serve(router, stack.engine.clone()) => served?,
            () = replays => {}
        }
        true
    };
    stack.stop().await;
    drop(data);
    Ok(if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
