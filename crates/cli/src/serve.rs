//! `wxsim serve`: binds the listeners, starts the embedded simulator unless a webchat URL
//! is given, starts the engine and the loopback HTTP API, and prints every address.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use rand::Rng;
use tokio::net::TcpListener;
use wxsim_stack::{Stack, StackOptions};
use wxsim_webchat::SimConfig;

#[derive(Args)]
pub struct ServeArgs {
    /// A real webchat's base URL (e.g. http://host:8080/webchat); without it, the embedded simulator.
    #[arg(long)]
    webchat_url: Option<String>,
    /// The callback and media listener webchat calls.
    #[arg(long, default_value = "127.0.0.1:7081")]
    listen: String,
    /// The HTTP API (and browser UI); loopback only.
    #[arg(long, default_value = "127.0.0.1:7080")]
    api_listen: String,
    /// Where the database and media live.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// The built UI to serve beside the API (default: ui/dist of this checkout).
    #[arg(long, env = "WXSIM_UI_DIR")]
    ui_dir: Option<PathBuf>,
    /// The API token; random when absent.
    #[arg(long, env = "WXSIM_TOKEN")]
    token: Option<String>,
}

pub(crate) async fn bind(addr: &str, what: &str, flag: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr} for the {what}; pick another address with {flag}")
    })
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let api_addr: SocketAddr = args
        .api_listen
        .parse()
        .with_context(|| format!("--api-listen {} is not an address", args.api_listen))?;
    anyhow::ensure!(
        api_addr.ip().is_loopback(),
        "--api-listen must be a loopback address: the API controls the engine"
    );
    let listener = bind(&args.listen, "callback listener", "--listen").await?;
    let api_listener = bind(&args.api_listen, "API", "--api-listen").await?;

    let data_dir = args.data_dir.unwrap_or_else(crate::default_data_dir);
    let stack = Stack::start(StackOptions {
        data_dir: data_dir.clone(),
        listener,
        simulator: args.webchat_url.is_none().then(SimConfig::default),
        profile: None,
    })
    .await?;
    let engine = &stack.engine;
    let mut profile = engine.profile();
    if profile.webchat_url != args.webchat_url {
        profile.webchat_url = args.webchat_url.clone();
        engine.set_profile(profile).await?;
    }

    let token = args
        .token
        .unwrap_or_else(|| hex::encode(rand::thread_rng().gen::<[u8; 16]>()));
    let api_addr = api_listener.local_addr()?;
    let kind = if stack.simulator().is_some() {
        "(embedded simulator)"
    } else {
        "(external)"
    };
    println!("wxsim {}", env!("CARGO_PKG_VERSION"));
    println!("data     {}", data_dir.display());
    println!("webchat  {} {kind}", engine.webchat_base());
    println!("listener {}", engine.callback_base());
    println!("wan      {}", engine.wan_addr());
    print_api(api_addr, &token);
    let api = stack.router(token, ui_dir(args.ui_dir));
    serve_api(api_listener, api, stack.engine.clone()).await?;
    stack.stop().await;
    Ok(())
}

/// The API's address, token and the page to open, one `name value` line each.
pub(crate) fn print_api(api_addr: SocketAddr, token: &str) {
    println!("api      http://{api_addr}");
    println!("token    {token}");
    println!("open     http://{api_addr}/#token={token}");
}

/// Serves the API until Ctrl+C, which stops `engine` first: that ends the pages' event
/// streams, which would otherwise keep the server waiting for them.
pub(crate) async fn serve_api(
    listener: TcpListener,
    api: axum::Router,
    engine: wxsim_engine::Engine,
) -> std::io::Result<()> {
    axum::serve(listener, api)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            engine.shutdown().await;
        })
        .await
}

pub(crate) fn ui_dir(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/dist")))
}
