//! wxsim-desktop: the Tauri shell. Starts the backend (engine + embedded simulator) on the
//! app's data dir, manages it as state for the IPC commands and the media scheme, queues
//! engine events for the window to pull, and shuts the engine down on exit.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod backend;
mod desk;
mod events;
mod ipc;
mod media;

use std::path::PathBuf;

use anyhow::Context;
use tauri::{Manager, RunEvent};
use tracing_subscriber::EnvFilter;

use crate::backend::Backend;
use crate::events::EventQueue;

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .register_asynchronous_uri_scheme_protocol(media::SCHEME, |ctx, request, responder| {
            let app = ctx.app_handle().clone();
            let path = request.uri().path().to_owned();
            tauri::async_runtime::spawn(async move {
                responder.respond(media::answer(&app, &path).await);
            });
        })
        .invoke_handler(tauri::generate_handler![
            ipc::api,
            ipc::api_bytes,
            ipc::upload_media,
            ipc::api_upload,
            desk::open_desk,
            ipc::save_file,
            ipc::next_events,
            ipc::watch_events
        ])
        .setup(|app| {
            let data_dir = match std::env::var_os("WXSIM_DATA_DIR") {
                Some(dir) => PathBuf::from(dir),
                None => app
                    .path()
                    .app_data_dir()
                    .context("no data dir for the app on this platform")?,
            };
            let listen = std::env::var("WXSIM_LISTEN").ok();
            let backend = tauri::async_runtime::block_on(Backend::start(data_dir, listen))?;
            // Subscribed before the window loads, so no event is lost before the first poll.
            app.manage(EventQueue::new(backend.engine().subscribe()));
            app.manage(backend);
            Ok(())
        })
        .build(tauri::generate_context!())
        .context("cannot start the window")?;
    app.run(|app, event| {
        if let RunEvent::Exit = event {
            if let Some(backend) = app.try_state::<Backend>() {
                tauri::async_runtime::block_on(backend.shutdown());
            }
        }
    });
    Ok(())
}
