//! `wxsim proxy`: binds the two forwarding listeners and the API, starts the proxy
//! (crates/proxy) over a data dir, and prints every address, as `serve` does.

use std::time::Duration;

use clap::Args;
use wxsim_proxy::{Proxy, ProxyOptions};

use crate::serve::{bind, ApiArgs};

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
    /// How long either side may take to answer before its caller gets a 504 (below the callers' own timeouts, 5 s by default, so that they hear it).
    #[arg(long, default_value_t = 4000)]
    timeout_ms: u64,
    /// The HTTP API and UI over what the proxy recorded.
    #[command(flatten)]
    api: ApiArgs,
}

pub async fn run(args: ProxyArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.timeout_ms > 0,
        "--timeout-ms must be above 0: it is how long a side may take to answer"
    );
    let api = args.api.bind().await?;
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
    let proxy = Proxy::start(ProxyOptions {
        webchat: args.webchat.clone(),
        hosting: args.hosting.clone(),
        listen,
        callback_listen,
        data_dir: api.data_dir.clone(),
        timeout: Duration::from_millis(args.timeout_ms),
    })
    .await?;
    println!("wxsim {}", env!("CARGO_PKG_VERSION"));
    println!("data     {}", api.data_dir.display());
    println!("webchat  {}", args.webchat.trim_end_matches('/'));
    println!("hosting  {}", args.hosting.trim_end_matches('/'));
    // What each side is to be given in place of the other.
    println!("listen   {}", proxy.webchat_url());
    println!("callback {}", proxy.hosting_url());
    // Ctrl+C stops the forwarding and stores all that passed before the engine stops.
    let stop = proxy.stopper();
    let stopped = async move {
        let _ = tokio::signal::ctrl_c().await;
        stop.await;
    };
    api.serve_until(
        |token, ui| proxy.router(token, ui),
        proxy.engine.clone(),
        stopped,
    )
    .await?;
    proxy.stop().await;
    Ok(())
}
