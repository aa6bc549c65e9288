//! `wxsim proxy`: binds the two forwarding listeners and the API, starts the proxy
//! (crates/proxy) over a data dir, and prints every address, as `serve` does.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use rand::Rng;
use wxsim_proxy::{Proxy, ProxyOptions};

use crate::serve::{bind, print_api, serve_api, ui_dir};

#[derive(Args)]
pub struct ProxyArgs {
    /// The real webchat's base URL (e.g. http://host:8080/webchat): the *.do calls go there.
    #[arg(long)]
    webchat: String,
    /// The real hosting service's base URL: the /ari/* callbacks and /wechat/ downloads go there.
    #[arg(long)]
    hosting: String,
    /// Where the hosting service calls webchat: give it webchat's URL with this address in it (printed as `listen`).
    #[arg(long, default_value = "127.0.0.1:7090")]
    listen: String,
    /// Where webchat calls the hosting service: give it the hosting service's URL with this address in it (printed as `callback`: its callbacks and LIVEBOT_WANADDR).
    #[arg(long, default_value = "127.0.0.1:7091")]
    callback_listen: String,
    /// The HTTP API and UI over what the proxy recorded; loopback only.
    #[arg(long, default_value = "127.0.0.1:7080")]
    api_listen: String,
    /// Where the database and media live.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// How long either side may take to answer before its caller gets a 504 (below the callers' own timeouts, 5 s by default, so that they hear it).
    #[arg(long, default_value_t = 4000)]
    timeout_ms: u64,
    /// The built UI to serve beside the API (default: ui/dist of this checkout).
    #[arg(long, env = "WXSIM_UI_DIR")]
    ui_dir: Option<PathBuf>,
    /// The API token; random when absent.
    #[arg(long, env = "WXSIM_TOKEN")]
    token: Option<String>,
}

pub async fn run(args: ProxyArgs) -> anyhow::Result<()> {
    let api_addr: SocketAddr = args
        .api_listen
        .parse()
        .with_context(|| format!("--api-listen {} is not an address", args.api_listen))?;
    anyhow::ensure!(
        api_addr.ip().is_loopback(),
        "--api-listen must be a loopback address: the API reads the recorded traffic"
    );
    anyhow::ensure!(
        args.timeout_ms > 0,
        "--timeout-ms must be above 0: it is how long a side may take to answer"
    );
    let listen = bind(
        &args.listen,
        "hosting service's calls to webchat",
        "--listen",
    )
    .await?;
    let callback_listen = bind(
        &args.callback_listen,
        "webchat's callbacks to the hosting service",
        "--callback-listen",
    )
    .await?;
    let api_listener = bind(&args.api_listen, "API", "--api-listen").await?;
    let data_dir = args.data_dir.unwrap_or_else(crate::default_data_dir);
    let proxy = Proxy::start(ProxyOptions {
        webchat: args.webchat.clone(),
        hosting: args.hosting.clone(),
        listen,
        callback_listen,
        data_dir: data_dir.clone(),
        timeout: Duration::from_millis(args.timeout_ms),
    })
    .await?;

    let token = args
        .token
        .unwrap_or_else(|| hex::encode(rand::thread_rng().gen::<[u8; 16]>()));
    let api_addr = api_listener.local_addr()?;
    println!("wxsim {}", env!("CARGO_PKG_VERSION"));
    println!("data     {}", data_dir.display());
    println!("webchat  {}", args.webchat.trim_end_matches('/'));
    println!("hosting  {}", args.hosting.trim_end_matches('/'));
    // What each side is to be given in place of the other.
    println!("listen   {}", proxy.webchat_url());
    println!("callback {}", proxy.hosting_url());
    print_api(api_addr, &token);
    let api = proxy.router(token, ui_dir(args.ui_dir));
    serve_api(api_listener, api, proxy.engine.clone()).await?;
    proxy.stop().await;
    Ok(())
}
