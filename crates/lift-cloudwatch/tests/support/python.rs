//! The venv's Python for tests that ask an independent implementation (boto3, botocore,
//! `cryptography`): `LIFT_PYTHON`, else the workspace's `.venv/bin/python` that
//! `scripts/test.sh` installs. Shared by the suites that need it (`#[path]`-included).

/// Runs the venv's Python with `args`; its standard output. Panics, with Python's standard
/// error, when it fails.
pub(crate) fn run(args: &[&str]) -> String {
    let python = std::env::var("LIFT_PYTHON")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../.venv/bin/python").into());
    let out = std::process::Command::new(&python)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{python}: {e}; run scripts/test.sh, which installs it"));
    assert!(
        out.status.success(),
        "{python} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
