//! The agent desk's own window: `open_desk` opens the UI's desk page (`#/desk`) beside the
//! main window, or brings it forward when it is open. It shares the main window's backend
//! and CSP; its capability (capabilities/desk.json) grants it the API calls only, not the
//! engine's event queue, which stays the main window's.

use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};

use crate::ipc::IpcError;

/// The desk window's label (capabilities/desk.json names it).
const DESK_WINDOW: &str = "desk";

/// Opens the desk window, or focuses it. Async: a window built on the main thread's own
/// command handler would deadlock on some platforms.
#[tauri::command]
pub async fn open_desk(app: AppHandle) -> Result<(), IpcError> {
    if let Some(window) = app.get_webview_window(DESK_WINDOW) {
        return window
            .set_focus()
            .map_err(|e| IpcError::window(format!("cannot bring the desk forward: {e}")));
    }
    WebviewWindowBuilder::new(
        &app,
        DESK_WINDOW,
        WebviewUrl::App("index.html#/desk".into()),
    )
    .title("wxsim · agent desk")
    .inner_size(1280.0, 800.0)
    .min_inner_size(900.0, 560.0)
    .build()
    .map_err(|e| IpcError::window(format!("cannot open the desk window: {e}")))?;
    tracing::info!("desk window opened");
    Ok(())
}
