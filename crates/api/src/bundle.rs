//! A transcript export with files beside it (Markdown, JSON) as one download: a zip holding
//! the export and its `{stem}-media/` folder. Entries are stored with a fixed time, so the
//! same transcript always zips to the same bytes.

use std::io::Write;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use wxsim_engine::export::{self, ExportFormat};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// `stem.zip`: the export as `stem.{ext}` and `files` (paths relative to it) beside it.
pub(crate) fn download(
    format: ExportFormat,
    stem: &str,
    body: &str,
    files: &[(String, &[u8])],
) -> Response {
    match zipped(&export::file_name(format, stem), body, files) {
        Ok(bytes) => {
            let disposition = format!("attachment; filename=\"{stem}.zip\"");
            (
                [
                    (header::CONTENT_TYPE, "application/zip".to_owned()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => crate::error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({ "kind": "internal", "message": format!("could not zip the export: {e}; export it as html instead, which carries its files inside") }),
        ),
    }
}

fn zipped(name: &str, body: &str, files: &[(String, &[u8])]) -> zip::result::ZipResult<Vec<u8>> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(DateTime::default());
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(name, options)?;
    zip.write_all(body.as_bytes())?;
    for (path, bytes) in files {
        zip.start_file(path.as_str(), options)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}
