//! The service worker and the build's file names, generated from cargo-leptos' `hash.txt`.

use server::pwa::BuildAssets;

#[test]
fn hashed_names_and_build_id_come_from_the_hash_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hash.txt");
    std::fs::write(&path, "js: aaa\nwasm: bbb\ncss: ccc\n").unwrap();
    let assets = BuildAssets::load("sasiedzi", Some(&path));
    assert_eq!(assets.js, "/pkg/sasiedzi.aaa.js");
    assert_eq!(assets.wasm, "/pkg/sasiedzi.bbb.wasm");
    assert_eq!(assets.css, "/pkg/sasiedzi.ccc.css");
    assert_eq!(assets.build_id, "aaa-bbb-ccc");
    let worker = assets.service_worker();
    assert!(worker.starts_with("const BUILD = \"aaa-bbb-ccc\";"));
    assert!(worker.contains("\"/pkg/sasiedzi.bbb.wasm\""));
    assert!(worker.contains("\"/requests/new\""));
}

#[test]
fn without_a_hash_file_every_start_is_a_new_build() {
    let assets = BuildAssets::load("sasiedzi", None);
    assert_eq!(assets.js, "/pkg/sasiedzi.js");
    assert_eq!(assets.wasm, "/pkg/sasiedzi_bg.wasm");
    assert!(assets.build_id.starts_with("dev-"));
}
