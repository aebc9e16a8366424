//! `tcup man COMMAND` and `tcup doc [--path] [TOPIC]` with rustup's meaning: the active (or
//! `--toolchain`) toolchain's own man page and its local documentation
//! ([`crate::ops::toolchain::docs`]), opened in a browser or, with `--path`, printed. tcup's own man pages
//! are written by `tcup self man-pages DIR` ([`super::man`]).

use std::path::{Path, PathBuf};

use clap::Args;

use crate::env::Env;
use crate::ops::toolchain::docs;
use crate::progress::Reporter;

#[derive(Debug, Args)]
pub(super) struct ManArgs {
    /// The command whose page to show, e.g. rustc or cargo.
    #[arg(value_name = "COMMAND")]
    command: String,
    /// Toolchain to look in instead of the active one.
    #[arg(long, value_name = "TOOLCHAIN", value_parser = crate::dist::name::parse_arg)]
    toolchain: Option<String>,
}

// rustup's topic flags, one switch each as rustup's `doc` takes them (clap parses them into bools).
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Args)]
pub(super) struct DocArgs {
    /// Only print the path of the page.
    #[arg(long)]
    path: bool,
    /// Toolchain to look in instead of the active one.
    #[arg(long, value_name = "TOOLCHAIN", value_parser = crate::dist::name::parse_arg)]
    toolchain: Option<String>,
    /// The Rust Programming Language book.
    #[arg(long, group = "book_topic")]
    book: bool,
    /// Standard library API documentation.
    #[arg(long, group = "book_topic")]
    std: bool,
    /// The Rust Core Library.
    #[arg(long, group = "book_topic")]
    core: bool,
    /// The Cargo Book.
    #[arg(long, group = "book_topic")]
    cargo: bool,
    /// The Rust Reference.
    #[arg(long, group = "book_topic")]
    reference: bool,
    /// The Rustonomicon.
    #[arg(long, group = "book_topic")]
    nomicon: bool,
    /// A path below the documentation, or an item such as `std::vec` (its module page).
    #[arg(value_name = "TOPIC")]
    topic: Option<String>,
}

pub(super) fn man(args: &ManArgs, env: &Env) -> anyhow::Result<()> {
    docs::man(env, args.toolchain.as_deref(), &args.command)
}

/// The page `args` asks for, relative to `share/doc/rust/html`.
fn page(args: &DocArgs) -> PathBuf {
    let book = [
        (args.book, "book"),
        (args.std, "std"),
        (args.core, "core"),
        (args.cargo, "cargo"),
        (args.reference, "reference"),
        (args.nomicon, "nomicon"),
    ]
    .into_iter()
    .find_map(|(on, dir)| on.then_some(dir));
    match (&args.topic, book) {
        (Some(topic), _) if topic.contains("::") => {
            let mut p: PathBuf = topic.split("::").collect();
            p.push("index.html");
            p
        }
        (Some(topic), _) => PathBuf::from(topic),
        (None, Some(dir)) => Path::new(dir).join("index.html"),
        (None, None) => PathBuf::from("index.html"),
    }
}

pub(super) fn doc(args: &DocArgs, env: &Env, reporter: &Reporter) -> anyhow::Result<()> {
    let file = docs::doc_page(env, args.toolchain.as_deref(), &page(args))?;
    if args.path {
        println!("{}", file.display());
        return Ok(());
    }
    let opener = std::env::var_os("BROWSER").unwrap_or_else(|| "xdg-open".into());
    reporter.info(&format!("opening {}", file.display()));
    match std::process::Command::new(&opener).arg(&file).status() {
        Ok(s) if s.success() => Ok(()),
        _ => {
            println!("{}", file.display());
            anyhow::bail!("could not open a browser ({}); the page is {}", opener.to_string_lossy(), file.display())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrap {
        #[command(flatten)]
        doc: DocArgs,
    }

    fn page_of(args: &[&str]) -> PathBuf {
        page(&Wrap::parse_from(std::iter::once("doc").chain(args.iter().copied())).doc)
    }

    #[test]
    fn topics_name_pages_below_the_html_directory() {
        assert_eq!(page_of(&[]), PathBuf::from("index.html"));
        assert_eq!(page_of(&["--std"]), PathBuf::from("std/index.html"));
        assert_eq!(page_of(&["--book"]), PathBuf::from("book/index.html"));
        assert_eq!(page_of(&["std::vec"]), PathBuf::from("std/vec/index.html"));
        assert_eq!(page_of(&["std/index.html"]), PathBuf::from("std/index.html"));
    }
}
