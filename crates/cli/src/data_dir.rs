//! Where a scripted run keeps its database and media: the dir the user gave (kept), or a
//! fresh temporary one that goes away with the run.

use std::path::{Path, PathBuf};

use anyhow::Context;

pub enum DataDir {
    Given(PathBuf),
    Temporary(tempfile::TempDir),
}

impl DataDir {
    pub fn given_or_temporary(given: Option<PathBuf>) -> anyhow::Result<DataDir> {
        Ok(match given {
            Some(dir) => DataDir::Given(dir),
            None => DataDir::Temporary(
                tempfile::Builder::new()
                    .prefix("wxsim-run-")
                    .tempdir()
                    .context("cannot create a temporary data dir; pass --data-dir")?,
            ),
        })
    }

    pub fn path(&self) -> &Path {
        match self {
            DataDir::Given(dir) => dir,
            DataDir::Temporary(dir) => dir.path(),
        }
    }

    /// The path, and whether it outlives the run.
    pub fn describe(&self) -> String {
        match self {
            DataDir::Given(dir) => dir.display().to_string(),
            DataDir::Temporary(dir) => format!(
                "{} (temporary, removed after the run; pass --data-dir to keep it)",
                dir.path().display()
            ),
        }
    }
}
