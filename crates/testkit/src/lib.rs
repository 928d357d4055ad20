//! Test support shared by the workspace's test suites.
//!
//! Tests that read the EWS reference material (Microsoft's schemas and
//! samples) or drive the conformance harness find it through one setting,
//! `ROOMBRIDGE_SHARED_DIR`. When it is unset, the folder `../shared` beside
//! the workspace is used if it exists. Without it such tests print what they
//! skipped and pass, unless `ROOMBRIDGE_REQUIRE_SHARED=1` is set (CI sets
//! it), in which case they fail.
//!
//! Tests that need PostgreSQL get a fresh database per test from
//! [`fresh_postgres_database`], on the server that
//! `ROOMBRIDGE_TEST_POSTGRES_URL` names, with the same skip-or-fail rule
//! under `ROOMBRIDGE_REQUIRE_POSTGRES=1`.

use std::path::{Path, PathBuf};

mod postgres;

pub use postgres::{REQUIRE_POSTGRES_VAR, TEST_POSTGRES_URL_VAR, fresh_postgres_database};

/// Environment variable naming the reference material folder.
pub const SHARED_DIR_VAR: &str = "ROOMBRIDGE_SHARED_DIR";

/// Environment variable that turns a missing reference folder into a failure.
pub const REQUIRE_SHARED_VAR: &str = "ROOMBRIDGE_REQUIRE_SHARED";

/// Returns the workspace root, the folder holding the top-level `Cargo.toml`.
pub fn workspace_root() -> PathBuf {
    // This crate lives at `crates/testkit`, two levels below the root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/testkit has two parent folders")
        .to_path_buf()
}

/// Returns the reference material folder, or `None` after printing that the
/// calling test skipped `what`.
///
/// # Panics
///
/// Panics when the folder is missing and `ROOMBRIDGE_REQUIRE_SHARED=1`, or
/// when `ROOMBRIDGE_SHARED_DIR` names a folder that does not exist.
pub fn shared_dir(what: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(SHARED_DIR_VAR) {
        let dir = PathBuf::from(dir);
        assert!(
            dir.is_dir(),
            "{SHARED_DIR_VAR}={} is not a folder; point it at the reference material or unset it",
            dir.display()
        );
        return Some(dir);
    }
    let default = workspace_root().join("../shared");
    if default.is_dir() {
        return Some(default);
    }
    let required = std::env::var(REQUIRE_SHARED_VAR).is_ok_and(|value| value == "1");
    assert!(
        !required,
        "{what} needs the reference material, but neither {SHARED_DIR_VAR} is set nor {} exists",
        default.display()
    );
    report_skip(&format!(
        "{what} (set {SHARED_DIR_VAR} to the reference material folder to run it)"
    ));
    None
}

/// Writes `skipped: REASON` straight to the process's standard error.
///
/// The test harness captures `eprintln!` output of passing tests, which
/// would hide the skip; a direct write to the stderr handle is not captured.
pub fn report_skip(reason: &str) {
    use std::io::Write as _;

    // A failed write to stderr has nowhere better to be reported.
    let _ = writeln!(std::io::stderr().lock(), "skipped: {reason}");
}
