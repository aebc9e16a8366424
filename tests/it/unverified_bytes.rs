//! Unverified bytes are bounded (issue 28.3, docs/design.md install-4): a mirror that swaps an
//! archive under a manifest whose hash does not match it reaches the unpacker before the hash is
//! known. Each test builds the bomb itself and asserts what the user sees (exit 1, the bound
//! named), that the home's staging is gone and a directory beside the home is unchanged, and the
//! cost the bound allows: disk, memory, requests.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::faults::run_bounded;
use crate::support::dist::{Dist, Extra, sha};
use crate::support::server::{Fault, Server};
use crate::support::{HOST, Run, Sandbox, on_path};

const MIB: u64 = 1 << 20;
/// [`MIB`] as a length.
const MIB_LEN: usize = 1 << 20;

/// The bound on an archive whose hash is not yet known: 64 × compressed bytes received + 64 MiB.
fn bound(received: u64) -> u64 {
    64 * received + 64 * MIB
}

/// One gzip member holding `data` (members concatenate into one `.gz` stream).
fn member(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A GNU tar header of type `ty` for `path` declaring `size` bytes.
fn header(ty: tar::EntryType, path: &str, size: u64) -> Vec<u8> {
    let mut h = tar::Header::new_gnu();
    h.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
    h.set_entry_type(ty);
    h.set_mode(if ty == tar::EntryType::Directory { 0o755 } else { 0o644 });
    h.set_size(size);
    h.set_cksum();
    h.as_bytes().to_vec()
}

/// The tar's end (two zero blocks) as a gzip member.
fn end() -> Vec<u8> {
    member(&[0u8; 1024])
}

/// A dist tree whose cargo archive (served as `.tar.gz` only) is replaced by `bomb`; the manifest
/// keeps the real archive's hash. Returns the tree, the manifest's hash, and the archive's path.
fn swapped(bomb: &[u8]) -> (tempfile::TempDir, String, String) {
    let root = tempfile::tempdir().unwrap();
    let mut dist = Dist::standard(HOST);
    dist.comp_mut("cargo").extra = Extra::None;
    dist.write(root.path());
    let rel = format!("/{}.tar.gz", dist.comp_mut("cargo").rel());
    let file = root.path().join(rel.trim_start_matches('/'));
    let hash = sha(&std::fs::read(&file).unwrap());
    assert_ne!(hash, sha(bomb));
    std::fs::write(&file, bomb).unwrap();
    (root, hash, rel)
}

/// The cargo archive's top directory, as the real one names it.
fn top(dist: &mut Dist) -> String {
    dist.comp_mut("cargo").base()
}

/// Every file below `dir` with its contents, sorted (a directory beside the home that no archive
/// may touch).
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// A sandbox with a victim directory beside its homes.
fn sandbox() -> (Sandbox, PathBuf, Vec<(PathBuf, Vec<u8>)>) {
    let sb = Sandbox::new();
    let victim = sb.dir.path().join("victim");
    std::fs::create_dir_all(victim.join("sub")).unwrap();
    std::fs::write(victim.join("sub/keep"), b"untouched").unwrap();
    let before = snapshot(&victim);
    (sb, victim, before)
}

/// Nothing installed, staging gone, no partial download of the refused bytes (the archive whose
/// manifest hash is `hash`) left to resume, the victim unchanged.
#[track_caller]
fn secure_outcome(sb: &Sandbox, hash: &str, victim: &Path, before: &[(PathBuf, Vec<u8>)]) {
    assert!(sb.toolchains().is_empty(), "no toolchain: {:?}", sb.toolchains());
    assert!(sb.tmp_entries().is_empty(), "staging removed: {:?}", sb.tmp_entries());
    let downloads = crate::support::list(&sb.rustup_home.join("downloads"));
    assert!(!downloads.iter().any(|n| n.starts_with(hash)), "refused bytes are not kept for a resume: {downloads:?}");
    assert_eq!(snapshot(victim), before, "the directory beside the home is unchanged");
}

/// The two byte counts the bound's message gives: `unpacked … (N bytes) from … (M bytes) received`.
fn counts(stderr: &str) -> (u64, u64) {
    let nums: Vec<u64> = stderr.split('(').filter_map(|s| s.split_once(" bytes)")).filter_map(|(n, _)| n.parse().ok()).take(2).collect();
    assert_eq!(nums.len(), 2, "two byte counts in:\n{stderr}");
    (nums[0], nums[1])
}

/// Bytes in files below `dir` (files may come and go while it walks).
fn disk_use(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => stack.push(e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

/// Runs `cmd` while a watcher samples the disk use below `home`; returns the run and the most
/// it saw.
fn run_watching(cmd: &mut std::process::Command, home: &Path) -> (Run, u64) {
    let (stop, peak) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(0)));
    let watcher = {
        let (stop, peak, home) = (stop.clone(), peak.clone(), home.to_owned());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                peak.fetch_max(disk_use(&home), Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        })
    };
    let r = run_bounded(cmd);
    stop.store(true, Ordering::Relaxed);
    watcher.join().unwrap();
    (r, peak.load(Ordering::Relaxed))
}

/// 2 GiB of zeros in 1 MiB files, about 2.2 MB as gz: header and 1 MiB of zeros are separate
/// gzip members, the zeros' member compressed once and repeated.
fn zeros_bomb(top: &str) -> Vec<u8> {
    let zeros = member(&vec![0u8; MIB_LEN]);
    let mut gz = member(&header(tar::EntryType::Directory, &format!("{top}/"), 0));
    for i in 0..2048 {
        gz.extend(member(&header(tar::EntryType::Regular, &format!("{top}/z{i}"), MIB)));
        gz.extend_from_slice(&zeros);
    }
    gz.extend(end());
    gz
}

#[test]
fn a_swapped_gz_bomb_stops_at_the_bound_and_is_not_downloaded_again() {
    let mut dist = Dist::standard(HOST);
    let bomb = zeros_bomb(&top(&mut dist));
    assert!(bomb.len() < 3 * MIB_LEN, "{} bytes for 2 GiB", bomb.len());
    let (root, hash, rel) = swapped(&bomb);
    let server = Server::http(root.path());
    let (sb, victim, before) = sandbox();
    let mut cmd = sb.tcup(&server.url);
    cmd.args(["install", "stable", "--profile", "minimal"]);
    let (r, peak) = run_watching(&mut cmd, &sb.rustup_home);
    let r = r.fails(1, &[&rel, "before its hash was known; refusing", "more than 64× + 64.0 MiB"]);
    // The count at the moment it stopped is within the bound, and one more 1 MiB entry was not.
    let (unpacked, received) = counts(&r.stderr);
    assert!(received <= bomb.len() as u64, "{received} received of {}", bomb.len());
    assert!(unpacked <= bound(received) && unpacked + MIB > bound(received), "{unpacked} from {received}\n{}", r.stderr);
    // What the watcher saw on disk: at most the bound for the whole bomb, plus every other file
    // the server holds (the other components, the bomb's own partial download).
    let on_server = disk_use(root.path());
    eprintln!("zeros bomb: stopped at {unpacked} unpacked from {received} received; at most {peak} bytes seen below the home");
    assert!(peak <= bound(bomb.len() as u64) + on_server, "{peak} bytes on disk at most (the bomb unpacks to 2 GiB)");
    assert_eq!(server.hits(&rel), 1, "a bomb is not downloaded again from the same server");
    assert!(!r.stderr.contains("checksum mismatch"), "{}", r.stderr);
    secure_outcome(&sb, &hash, &victim, &before);
}

#[test]
fn a_long_name_header_of_1_5_gib_is_refused_with_little_memory() {
    let mut dist = Dist::standard(HOST);
    let top = top(&mut dist);
    // A GNU long-name header declaring 1.5 GiB, and the 1.5 GiB of zeros it announces.
    let mut bomb = member(&header(tar::EntryType::Directory, &format!("{top}/"), 0));
    bomb.extend(member(&header(tar::EntryType::GNULongName, "././@LongLink", 3 << 29)));
    let zeros = member(&vec![0u8; 16 * MIB_LEN]);
    for _ in 0..96 {
        bomb.extend_from_slice(&zeros);
    }
    bomb.extend(member(&header(tar::EntryType::Regular, &format!("{top}/x"), 0)));
    bomb.extend(end());
    let (root, hash, rel) = swapped(&bomb);
    let server = Server::http(root.path());
    let (sb, victim, before) = sandbox();
    // GNU time reports the peak resident set of the process it ran (kilobytes).
    let time = on_path("time", "GNU time measures tcup's peak memory");
    let rss_file = sb.dir.path().join("rss");
    let mut cmd = sb.command(time);
    cmd.arg("-o").arg(&rss_file).args(["-f", "%M", env!("CARGO_BIN_EXE_tcup"), "install", "stable", "--profile", "minimal"]);
    cmd.env("RUSTUP_DIST_SERVER", &server.url);
    let r = run_bounded(&mut cmd).fails(
        1,
        &[&rel, "a GNU long name header of 1.5 GiB (1610612736 bytes) is larger than the 64.0 KiB cap for headers held in memory"],
    );
    let kib: u64 = std::fs::read_to_string(&rss_file).unwrap().lines().last().unwrap().trim().parse().unwrap();
    std::fs::remove_file(&rss_file).unwrap();
    eprintln!("long-name bomb: peak RSS {kib} KiB");
    assert!(kib * 1024 <= 128 * MIB, "peak RSS {kib} KiB under a 1.5 GiB long-name header\n{}", r.stderr);
    assert_eq!(server.hits(&rel), 1);
    secure_outcome(&sb, &hash, &victim, &before);
}

#[test]
fn a_million_and_one_entries_are_refused() {
    let mut dist = Dist::standard(HOST);
    let top = top(&mut dist);
    // 1,000,010 headers of the top directory, again and again: no file of their own on disk,
    // 512 MB of tar in about 0.5 MB of gz (one member of 10,000 headers, repeated).
    let dir = header(tar::EntryType::Directory, &format!("{top}/"), 0);
    let block = member(&dir.repeat(10_000));
    let mut bomb = Vec::new();
    for _ in 0..100 {
        bomb.extend_from_slice(&block);
    }
    bomb.extend(member(&dir.repeat(10)));
    bomb.extend(end());
    let (root, hash, rel) = swapped(&bomb);
    let server = Server::http(root.path());
    let (sb, victim, before) = sandbox();
    let r = run_bounded(sb.tcup(&server.url).args(["install", "stable", "--profile", "minimal"]));
    r.fails(1, &[&rel, "more than 1000000 entries before its hash was known; refusing"]);
    assert_eq!(server.hits(&rel), 1);
    secure_outcome(&sb, &hash, &victim, &before);
}

/// Two dist servers: bytes that fail are asked once of each server that sent them, and the
/// archive comes from the other when it has the right bytes.
#[test]
fn a_mismatching_archive_is_downloaded_once_per_server() {
    let root = tempfile::tempdir().unwrap();
    let mut dist = Dist::standard(HOST);
    dist.comp_mut("cargo").extra = Extra::None;
    dist.write(root.path());
    let rel = format!("/{}.tar.gz", dist.comp_mut("cargo").rel());
    let good = std::fs::read(root.path().join(rel.trim_start_matches('/'))).unwrap();
    let hash = sha(&good);
    let mut tampered = good.clone();
    let n = tampered.len();
    tampered[n - 20] ^= 1;
    let bomb = zeros_bomb(&top(&mut dist));
    let install = |sb: &Sandbox, a: &Server, b: &Server| {
        let mut cmd = sb.tcup("http://127.0.0.1:9");
        cmd.args(["install", "stable", "--profile", "minimal"]).env("TCUP_DIST_SERVERS", format!("{},{}", a.url, b.url));
        run_bounded(&mut cmd)
    };

    // The first server swapped the archive, the second has it: installed from the second.
    let (a, b) = (Server::http(root.path()), Server::http(root.path()));
    a.fault(&rel, Fault::Body(tampered.clone()));
    let sb = Sandbox::new();
    let r = install(&sb, &a, &b).ok();
    assert!(r.stderr.contains("checksum mismatch for") && r.stderr.contains("trying another dist server"), "{}", r.stderr);
    assert_eq!((a.hits(&rel), b.hits(&rel)), (1, 1));
    let cargo = sb.toolchain(&format!("stable-{HOST}")).join("bin/cargo");
    assert_eq!(std::fs::read(cargo).unwrap(), crate::support::dist::script("cargo"));

    // A bomb on the first, wrong bytes on the second: each asked once, then the install fails.
    let (a, b) = (Server::http(root.path()), Server::http(root.path()));
    a.fault(&rel, Fault::Body(bomb));
    b.fault(&rel, Fault::Body(tampered.clone()));
    let (sb, victim, before) = sandbox();
    let r = install(&sb, &a, &b).fails(1, &["checksum mismatch for", &format!("got {}", sha(&tampered))]);
    assert!(r.stderr.contains("before its hash was known; refusing; trying another dist server"), "{}", r.stderr);
    assert_eq!((a.hits(&rel), b.hits(&rel)), (1, 1));
    secure_outcome(&sb, &hash, &victim, &before);
}
