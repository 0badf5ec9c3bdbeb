//! The committed TypeScript bindings in ui/src/bindings/ must match what the
//! Rust types generate. After changing an IPC type, regenerate them with
//!
//!     UPDATE_BINDINGS=1 cargo test --test desktop_bindings
//!
//! and commit the result.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use fuel_copilot_desktop::bindings::{BINDINGS_DIR, export_all};

const REGENERATE: &str = "UPDATE_BINDINGS=1 cargo test --test desktop_bindings";

/// Every `.ts` file under `dir`, keyed by its path relative to `dir`.
fn ts_files(dir: &Path) -> BTreeMap<PathBuf, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.expect("readable directory entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|ext| ext == "ts") {
                let text = fs::read_to_string(&path).expect("readable binding");
                let rel = path.strip_prefix(root).expect("under root").to_path_buf();
                out.insert(rel, text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn generated() -> BTreeMap<PathBuf, String> {
    let tmp = tempfile::tempdir().expect("temp dir");
    export_all(tmp.path()).expect("bindings export");
    ts_files(tmp.path())
}

#[test]
fn committed_bindings_match_the_rust_types() {
    let committed_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(BINDINGS_DIR);
    let fresh = generated();
    assert!(
        fresh.contains_key(Path::new("AppInfo.ts")) && fresh.contains_key(Path::new("IpcError.ts")),
        "the export list lost a type: {:?}",
        fresh.keys().collect::<Vec<_>>()
    );

    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        for stale in ts_files(&committed_dir).keys() {
            if !fresh.contains_key(stale) {
                fs::remove_file(committed_dir.join(stale)).expect("remove stale binding");
            }
        }
        for (rel, text) in &fresh {
            let path = committed_dir.join(rel);
            fs::create_dir_all(path.parent().expect("file has a parent")).expect("create dir");
            fs::write(&path, text).expect("write binding");
        }
        return;
    }

    let committed = ts_files(&committed_dir);
    let mut problems = Vec::new();
    for (rel, text) in &fresh {
        match committed.get(rel) {
            None => problems.push(format!("missing: {}", rel.display())),
            Some(old) if old != text => problems.push(format!("out of date: {}", rel.display())),
            Some(_) => {}
        }
    }
    for rel in committed.keys().filter(|rel| !fresh.contains_key(*rel)) {
        problems.push(format!("no longer generated: {}", rel.display()));
    }
    assert!(
        problems.is_empty(),
        "{BINDINGS_DIR}/ differs from the Rust types:\n  {}\nRegenerate with `{REGENERATE}` and commit the result.",
        problems.join("\n  ")
    );
}
