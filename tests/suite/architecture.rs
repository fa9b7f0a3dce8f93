//! The crate's import rules, checked on the source text (what `cargo modules` would show, without
//! installing it): the families (`recommender`, `attack`, `defence`) own their params and
//! validation and never import `config`, which composes them (`src/config/compose.rs`). Before
//! issue 21 they did, and `config` imported them back: a 17-file import cycle through `config.rs`.

use std::path::{Path, PathBuf};

const FAMILIES: [&str; 3] = ["src/attack", "src/defence", "src/recommender"];

/// What a family file must not name: the config module (by any path the crate offers) or the
/// `Config` re-exported at the crate root.
const FORBIDDEN: [&str; 4] = [
    "crate::config",
    "crate::Config",
    "memberlens::config",
    "super::config",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// Every `file:line: text` of a family file that names the config.
fn config_imports(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for family in FAMILIES {
        rust_files(&root.join(family), &mut files);
    }
    assert!(files.len() > 20, "found only {} family files", files.len());
    files.sort();
    let mut found = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, line) in text.lines().enumerate() {
            if FORBIDDEN.iter().any(|f| line.contains(f)) {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                found.push(format!("{}:{}: {}", rel.display(), i + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn no_family_imports_config() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let found = config_imports(root);
    assert!(
        found.is_empty(),
        "the families must not import `config` (it composes their params; put a shared enum in \
         src/params.rs and a key-to-field mapping in src/config/compose.rs):\n{}",
        found.join("\n")
    );
}

/// The check can fail: a family file that names the config is found, with its file and line.
#[test]
fn the_check_names_the_offending_file_and_line() {
    let dir = std::env::temp_dir().join(format!("memberlens-arch-{}", std::process::id()));
    for family in FAMILIES {
        std::fs::create_dir_all(dir.join(family)).unwrap();
        for i in 0..8 {
            std::fs::write(
                dir.join(family).join(format!("m{i}.rs")),
                "use crate::params;\n",
            )
            .unwrap();
        }
    }
    std::fs::write(
        dir.join("src/defence/bad.rs"),
        "//! x\nuse crate::config::Config;\n",
    )
    .unwrap();
    let found = config_imports(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(found, ["src/defence/bad.rs:2: use crate::config::Config;"]);
}
