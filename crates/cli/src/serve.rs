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
    #[command(flatten)]
    api: ApiArgs,
}

/// The HTTP API's options, the same for every command that serves it (`serve`, `proxy`).
#[derive(Args)]
pub struct ApiArgs {
    /// The HTTP API (and browser UI); loopback only.
    #[arg(long, default_value = "127.0.0.1:7080")]
    api_listen: String,
    /// Where the database and media live.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// The built UI to serve beside the API (default: ui/dist of this checkout).
    #[arg(long, env = "WXSIM_UI_DIR")]
    ui_dir: Option<PathBuf>,
    /// The API token; random when absent.
    #[arg(long, env = "WXSIM_TOKEN")]
    token: Option<String>,
}

/// The API's listener, bound, and what it serves with.
pub struct Api {
    listener: TcpListener,
    pub data_dir: PathBuf,
    token: String,
    ui_dir: PathBuf,
}

impl ApiArgs {
    /// Binds `--api-listen` (loopback only: the API reads and drives the engine), and
    /// settles the data dir and the token.
    pub async fn bind(self) -> anyhow::Result<Api> {
        let addr: SocketAddr = self
            .api_listen
            .parse()
            .with_context(|| format!("--api-listen {} is not an address", self.api_listen))?;
        anyhow::ensure!(
            addr.ip().is_loopback(),
            "--api-listen must be a loopback address: the API reads and drives the engine"
        );
        Ok(Api {
            listener: bind(&self.api_listen, "API", "--api-listen").await?,
            data_dir: self.data_dir.unwrap_or_else(crate::default_data_dir),
            token: self
                .token
                .unwrap_or_else(|| hex::encode(rand::thread_rng().gen::<[u8; 16]>())),
            ui_dir: self.ui_dir.unwrap_or_else(|| {
                PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/dist"))
            }),
        })
    }
}

impl Api {
    /// The address of one of the UI's pages (`route`, e.g. `/demo`; `""` for the console),
    /// with the token, which the page takes from the address into its session.
    pub fn page(&self, route: &str) -> anyhow::Result<String> {
        let addr = self.listener.local_addr()?;
        let sep = if route.is_empty() { "" } else { "&" };
        Ok(format!("http://{addr}/#{route}{sep}token={}", self.token))
    }

    /// Prints the API's address, token and page (one `name value` line each), then serves
    /// the router `routes` builds until Ctrl+C.
    pub async fn serve(
        self,
        routes: impl FnOnce(String, PathBuf) -> axum::Router,
        engine: wxsim_engine::Engine,
    ) -> anyhow::Result<()> {
        self.serve_until(routes, engine, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
    }

    /// [`Api::serve`] until `stop` settles, which stops `engine` first: that ends the pages'
    /// event streams, which would otherwise keep the server waiting for them.
    pub async fn serve_until(
        self,
        routes: impl FnOnce(String, PathBuf) -> axum::Router,
        engine: wxsim_engine::Engine,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let addr = self.listener.local_addr()?;
        println!("api      http://{addr}");
        println!("token    {}", self.token);
        println!("open     {}", self.page("")?);
        axum::serve(self.listener, routes(self.token, self.ui_dir))
            .with_graceful_shutdown(async move {
                stop.await;
                engine.shutdown().await;
            })
            .await?;
        Ok(())
    }
}

pub(crate) async fn bind(addr: &str, what: &str, flag: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr} for the {what}; pick another address with {flag}")
    })
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let (api, stack) = start(args.api, &args.listen, args.webchat_url).await?;
    api.serve(|token, ui| stack.router(token, ui), stack.engine.clone())
        .await?;
    stack.stop().await;
    Ok(())
}

/// Binds the API and the callback listener, starts the stack on them (the embedded simulator
/// unless `webchat_url`), and prints what it started; `serve` and `demo` start so.
pub async fn start(
    api: ApiArgs,
    listen: &str,
    webchat_url: Option<String>,
) -> anyhow::Result<(Api, Stack)> {
    let api = api.bind().await?;
    let listener = bind(listen, "callback listener", "--listen").await?;
    let data_dir = api.data_dir.clone();
    let stack = Stack::start(StackOptions {
        data_dir: data_dir.clone(),
        listener,
        simulator: webchat_url.is_none().then(SimConfig::default),
        profile: None,
    })
    .await?;
    let engine = &stack.engine;
    let mut profile = engine.profile();
    if profile.webchat_url != webchat_url {
        profile.webchat_url = webchat_url;
        engine.set_profile(profile).await?;
    }

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
    Ok((api, stack))
}
