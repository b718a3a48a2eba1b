//! Boundary checks on the source tree: applets never make system calls themselves, and
//! every applet file is registered in the table.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn applets_make_no_system_calls_directly() {
    let mut files = Vec::new();
    rust_files(&root().join("applets"), &mut files);
    assert!(!files.is_empty());
    let forbidden = [
        "rustix",
        "libc",
        "std::fs",
        "std::process",
        "std::os",
        "std::net",
    ];
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for word in forbidden {
            assert!(
                !text.contains(word),
                "{} names {word}: system calls belong in src/sys",
                file.display()
            );
        }
    }
}

#[test]
fn every_applet_module_is_in_the_table() {
    let table = std::fs::read_to_string(root().join("applets/mod.rs")).unwrap();
    for entry in std::fs::read_dir(root().join("applets")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        if name == "mod" {
            continue;
        }
        let listed = table.contains(&format!("name: \"{name}\","))
            && table.contains(&format!("main: {name}::main,"));
        assert!(listed, "applets/{name} is not in the table");
    }
}

#[test]
fn source_files_stay_small() {
    let mut files = Vec::new();
    rust_files(&root().join("applets"), &mut files);
    rust_files(&root().join("src"), &mut files);
    for file in files {
        let lines = std::fs::read_to_string(&file).unwrap().lines().count();
        assert!(
            lines <= 500,
            "{} has {lines} lines: split it",
            file.display()
        );
    }
}
