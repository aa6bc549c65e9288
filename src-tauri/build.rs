//! Tauri's build step; the app manifest lists the shell's commands so that the window may
//! call only those its capability (capabilities/default.json) grants.

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(&[
        "api",
        "api_bytes",
        "upload_media",
        "api_upload",
        "open_desk",
        "save_file",
        "next_events",
        "watch_events",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri-build failed");
}
