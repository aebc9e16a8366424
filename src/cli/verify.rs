//! `tcup toolchain verify [TOOLCHAIN] [--repair]`: the files, and the stored signature of the
//! channel manifest (`lib/rustlib/multirust-channel-manifest.toml.asc`), verified again.

use crate::download::Downloader;
use crate::env::Env;
use crate::ops::session::Session;
use crate::ops::signature::Stored;
use crate::ops::verify::{self, Report};
use crate::progress::Reporter;

/// Prints the findings (one line per file: `<component>: changed|missing|extra <path>`) and fails
/// (exit 1) when something is wrong and was not repaired.
pub(super) fn run(toolchain: Option<&str>, repair: bool, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let toolchain = Session::load(env)?.managed_toolchain(env, toolchain)?;
    let report = if repair {
        let downloader = Downloader::new(&env.download)?;
        let (report, applied) = verify::repair(env, &toolchain, &downloader, reporter)?;
        print(&report, reporter);
        if let Some(a) = applied {
            let fixed =
                if a.fetched.is_empty() { "no download needed".to_owned() } else { format!("downloaded again: {}", a.fetched.join(", ")) };
            reporter.info(&format!("repaired '{toolchain}' ({fixed})"));
        }
        return Ok(());
    } else {
        verify::verify(env, &toolchain)?
    };
    print(&report, reporter);
    let dir = crate::home::Home::new(&env.rustup_home).toolchain(&toolchain);
    match crate::ops::signature::verify_stored(env, &dir)? {
        Stored::Signed(s) => reporter.info(&format!("the channel manifest of '{toolchain}' is signed by {s}")),
        Stored::Unsigned => reporter.info(&format!("the channel manifest of '{toolchain}' is not signed (installed unsigned, or by rustup)")),
        // rustup re-serialises the stored manifest when it changes a toolchain (`rustup component
        // add`), so a mismatch here is expected after rustup touched it: a warning, not a failure
        // (the manifest was verified when it was downloaded; docs/design.md 17).
        Stored::Bad(b) => reporter.warn(&format!(
            "the stored signature of '{toolchain}' no longer matches its channel manifest (rewritten since it was verified, e.g. by `rustup component add`): {b}"
        )),
    }
    if report.is_clean() {
        Ok(())
    } else {
        anyhow::bail!("toolchain '{toolchain}' does not match what was installed; `tcup toolchain verify --repair {toolchain}` fixes it")
    }
}

fn print(report: &Report, reporter: &Reporter) {
    if !report.has_receipt {
        reporter.warn(&format!(
            "toolchain '{}' has no CRC receipt (installed by rustup or an older tcup): only missing and extra files are checked; `tcup update` records one",
            report.toolchain
        ));
    }
    let unrecorded: Vec<&str> = report.components.iter().filter(|c| !c.recorded).map(|c| c.name.as_str()).collect();
    if report.has_receipt && !unrecorded.is_empty() {
        reporter.warn(&format!("no current checksums for {} (changed by rustup since?): contents not checked", unrecorded.join(", ")));
    }
    for c in &report.components {
        for (what, files) in [("changed", &c.changed), ("missing", &c.missing), ("extra", &c.extra)] {
            for f in files {
                println!("{}: {what} {}", c.name, f.display());
            }
        }
    }
    for f in &report.extra {
        println!("(no component): extra {}", f.display());
    }
    if report.is_clean() {
        println!("{}: {} components, every file as installed", report.toolchain, report.components.len());
    }
}
