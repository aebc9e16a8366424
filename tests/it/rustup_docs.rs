//! `tcup man COMMAND` and `tcup doc [--path] [TOPIC]` with rustup's meaning (issue 27): the
//! toolchain's own man page and local documentation; tcup's own pages come from `tcup self
//! man-pages DIR` (`json::man_pages_cover_every_subcommand_and_render`).

use crate::support::{HOST, Sandbox, Scenario, Served, on_path, run, served};

/// A stable whose rustc ships `share/man/man1/rustc.1`, installed with the default profile
/// (rust-docs included).
fn installed() -> (Served, Sandbox) {
    let page = b".TH RUSTC 1\n.SH NAME\nrustc \\- the synthetic compiler of the man test\n".to_vec();
    let server = served(Scenario::stable().edit(|dist| dist.comp_mut("rustc").files.push(("share/man/man1/rustc.1".into(), page, 0o644))));
    let sb = Sandbox::new();
    sb.run(&server.url, &["toolchain", "install", "stable"]).ok();
    sb.run(&server.url, &["default", "stable"]).ok();
    (server, sb)
}

#[test]
fn man_shows_the_toolchains_own_page() {
    on_path("man", "tcup man runs man (man-db)");
    let (server, sb) = installed();
    let out = run(sb.tcup(&server.url).env("MANPAGER", "cat").env("PAGER", "cat").args(["man", "rustc"])).ok();
    assert!(out.stdout.contains("the synthetic compiler of the man test"), "{out:?}");
    sb.run(&server.url, &["man", "cargo"]).fails(2, &[&format!("toolchain 'stable-{HOST}' has no man page for 'cargo'")]);
    sb.run(&server.url, &["man", "rustc", "--toolchain", "nightly"]).fails(1, &["is not installed"]);
}

#[test]
fn doc_opens_or_prints_the_toolchains_documentation() {
    let (server, sb) = installed();
    let html = sb.toolchain(&format!("stable-{HOST}")).join("share/doc/rust/html");
    let path = sb.run(&server.url, &["doc", "--path"]).ok();
    assert_eq!(path.stdout.trim(), html.join("index.html").to_str().unwrap());
    let std = sb.run(&server.url, &["doc", "--path", "--std"]).ok();
    assert_eq!(std.stdout.trim(), html.join("std/index.html").to_str().unwrap());
    sb.run(&server.url, &["doc", "--path", "--book"]).fails(2, &["has no documentation page", "book/index.html"]);
    sb.run(&server.url, &["doc", "--path", "../../etc/passwd"]).fails(2, &["is not a documentation topic"]);
    // Without --path it opens the page with $BROWSER.
    let opened = sb.dir.path().join("opened");
    let browser = sb.dir.path().join("browser");
    std::fs::write(&browser, format!("#!/bin/sh\necho \"$1\" > {}\n", opened.display())).unwrap();
    std::fs::set_permissions(&browser, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    run(sb.tcup(&server.url).env("BROWSER", &browser).args(["doc", "--std"])).ok();
    assert_eq!(std::fs::read_to_string(&opened).unwrap().trim(), html.join("std/index.html").to_str().unwrap());
}
