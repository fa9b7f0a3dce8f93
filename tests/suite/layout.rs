//! The test binaries' layout: the native integration tests are one binary (tests/suite) and the
//! wasm-bindgen tests another (tests/wasm), so a file in either folder runs only if its `main.rs`
//! declares it (`mod name;` or `#[path = ...] mod name;`). A file nobody declares compiles into
//! nothing and passes in silence; a file at the top of tests/ would be a test binary of its own
//! (one more build of the crate, and a native empty one for wasm-bindgen tests).

use std::path::Path;

/// Every `.rs` file of `dir` (but `main.rs`) that `dir/main.rs` does not declare as a module, and
/// every `#[path]` module of `main.rs` whose file is missing.
fn undeclared(dir: &Path) -> Vec<String> {
    let main = std::fs::read_to_string(dir.join("main.rs"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join("main.rs").display()));
    let mut declared = Vec::new();
    let mut path = None;
    for line in main.lines().map(str::trim) {
        if let Some(p) = line
            .strip_prefix("#[path = \"")
            .and_then(|r| r.strip_suffix("\"]"))
        {
            path = Some(p.to_string());
        } else if let Some(name) = line.strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) {
            declared.push(path.take().unwrap_or(format!("{name}.rs")));
        }
    }
    let mut problems = Vec::new();
    for file in &declared {
        if !dir.join(file).is_file() {
            problems.push(format!("{}: mod file {file} is missing", dir.display()));
        }
    }
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".rs") && f != "main.rs")
        .collect();
    files.sort();
    for file in files {
        if !declared.contains(&file) {
            problems.push(format!(
                "{}/{file} is not a module of main.rs",
                dir.display()
            ));
        }
    }
    problems
}

#[test]
fn every_test_file_is_a_module_of_its_binary() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut problems = undeclared(&tests.join("suite"));
    problems.extend(undeclared(&tests.join("wasm")));
    for entry in std::fs::read_dir(&tests).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".rs") {
            problems.push(format!("tests/{name}: a test binary of its own; make it a module of tests/suite or tests/wasm"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_finds_an_undeclared_file_and_a_missing_one() {
    let dir = std::env::temp_dir().join(format!("memberlens-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("main.rs"),
        "mod a;\n#[path = \"../elsewhere/b.rs\"]\nmod b;\n",
    )
    .unwrap();
    std::fs::write(dir.join("a.rs"), "").unwrap();
    std::fs::write(dir.join("c.rs"), "").unwrap();
    let problems = undeclared(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].ends_with("mod file ../elsewhere/b.rs is missing"));
    assert!(problems[1].ends_with("/c.rs is not a module of main.rs"));
}
