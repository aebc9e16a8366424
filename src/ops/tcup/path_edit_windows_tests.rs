//! The `Path` edit from captured values: long values, `%USERPROFILE%`, case, `;;`, non-Unicode
//! units, and the record/undo through a fake registry.

use super::*;

fn w(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

const BIN: &str = r"C:\Users\Ada\.cargo\bin";

/// A user `Path` as Windows 11 leaves it after a few installers (REG_EXPAND_SZ), from a real machine.
const CAPTURED: &str = r"%USERPROFILE%\AppData\Local\Microsoft\WindowsApps;;C:\Users\Ada\AppData\Local\Programs\Microsoft VS Code\bin;%USERPROFILE%\.dotnet\tools;";

#[test]
fn prepends_once_and_removes_exactly_keeping_userprofile_and_empty_entries() {
    let old = w(CAPTURED);
    let new = add_entry(&old, &w(BIN)).unwrap();
    assert_eq!(String::from_utf16(&new).unwrap(), format!("{BIN};{CAPTURED}"));
    assert_eq!(add_entry(&new, &w(BIN)), None, "never twice");
    assert_eq!(remove_entry(&new, &w(BIN)).unwrap(), old, "byte for byte, %USERPROFILE%, ;; and the trailing ; kept");
}

#[test]
fn a_path_longer_than_2048_units_is_kept_whole() {
    // setx cut values at 1024 characters (rustup #30); the registry holds any length.
    let old = (0..60).fold(String::new(), |acc, i| acc + &format!(r"C:\Program Files\Vendor {i:02}\Some Tool\bin;"));
    assert!(old.len() > 2048, "{}", old.len());
    let new = add_entry(&w(&old), &w(BIN)).unwrap();
    assert_eq!(new.len(), BIN.len() + 1 + old.len());
    assert_eq!(remove_entry(&new, &w(BIN)).unwrap(), w(&old));
}

#[test]
fn windows_compares_entries_case_insensitively() {
    for there in [r"c:\users\ada\.CARGO\BIN", r"C:\Users\Ada\.cargo\bin\", "\"C:\\Users\\Ada\\.cargo\\bin\"", r"C:\USERS\ADA\.cargo\bin/"] {
        let path = w(&format!(r"C:\Windows;{there};D:\x"));
        assert_eq!(add_entry(&path, &w(BIN)), None, "{there}");
        assert_eq!(String::from_utf16(&remove_entry(&path, &w(BIN)).unwrap()).unwrap(), r"C:\Windows;D:\x", "{there}");
    }
    // A longer directory is another directory (rustup's substring match took it for the same).
    let path = w(r"C:\Users\Ada\.cargo\bin2;C:\Users\Ada\.cargo\bin\sub");
    assert!(add_entry(&path, &w(BIN)).is_some());
    assert_eq!(remove_entry(&path, &w(BIN)), None);
    assert!(same_entry(&w("C:\\ÄÖ"), &w("c:\\äö")), "not only ASCII");
}

#[test]
fn remove_takes_one_semicolon_beside_the_entry() {
    let cases = [
        (BIN.to_owned(), ""),
        (format!("{BIN};"), ""),
        (format!("A;{BIN}"), "A"),
        (format!("A;{BIN};B"), "A;B"),
        (format!("{BIN};;A"), ";A"),
        (format!("A;;{BIN};;B;"), "A;;;B;"),
        // The exact entry goes, not an earlier one that differs only in case (the user's own).
        (format!(r"c:\users\ada\.cargo\bin;{BIN};B"), r"c:\users\ada\.cargo\bin;B"),
    ];
    for (path, want) in cases {
        assert_eq!(String::from_utf16(&remove_entry(&w(&path), &w(BIN)).unwrap()).unwrap(), want, "{path}");
    }
}

#[test]
fn unpaired_surrogates_and_nul_survive() {
    let old = vec![0xD800, 0x0101, u16::from(b';'), 0xDC00, 0];
    let new = add_entry(&old, &w(BIN)).unwrap();
    assert_eq!(&new[BIN.len() + 1..], &old[..]);
    assert_eq!(remove_entry(&new, &w(BIN)).unwrap(), old);
}

/// A registry value in memory, counting writes.
#[derive(Default)]
struct Fake {
    value: Option<(Vec<u16>, Kind)>,
    not_text: Option<u32>,
    writes: usize,
}

impl UserPathStore for Fake {
    fn get(&self) -> io::Result<UserPath> {
        Ok(match (&self.value, self.not_text) {
            (_, Some(reg_type)) => UserPath::NotText { reg_type },
            (None, None) => UserPath::Missing,
            (Some((v, k)), None) => UserPath::Text { value: v.clone(), kind: *k },
        })
    }

    fn set(&mut self, value: Option<(&[u16], Kind)>) -> io::Result<()> {
        self.writes += 1;
        self.value = value.map(|(v, k)| (v.to_vec(), k));
        Ok(())
    }
}

fn undo(store: &mut Fake, rustup: &Path) -> Vec<PathChange> {
    super::super::path_edit::remove_from_path(rustup, store).unwrap()
}

#[test]
fn the_edit_is_recorded_and_undone_keeping_the_type() {
    let dir = tempfile::tempdir().unwrap();
    let rustup = dir.path().join("rustup");
    for kind in [Kind::Sz, Kind::ExpandSz] {
        let mut store = Fake { value: Some((w(CAPTURED), kind)), ..Fake::default() };
        assert_eq!(add(&mut store, Path::new(BIN), &rustup).unwrap(), Some(PathChange::UserPath(BIN.into())));
        assert_eq!(store.value.as_ref().unwrap().1, kind, "the type is kept");
        assert_eq!(add(&mut store, Path::new(BIN), &rustup).unwrap(), None);
        assert_eq!(store.writes, 1);
        assert_eq!(undo(&mut store, &rustup), vec![PathChange::UserPath(BIN.into())]);
        assert_eq!(store.value, Some((w(CAPTURED), kind)));
        assert!(!rustup.join("tcup-path-edits.toml").exists());
    }
}

#[test]
fn a_value_tcup_created_is_deleted_again_and_one_it_found_empty_stays() {
    let dir = tempfile::tempdir().unwrap();
    let rustup = dir.path().join("rustup");
    let mut store = Fake::default();
    add(&mut store, Path::new(BIN), &rustup).unwrap();
    assert_eq!(store.value, Some((w(BIN), Kind::ExpandSz)), "a new value is REG_EXPAND_SZ");
    undo(&mut store, &rustup);
    assert_eq!(store.value, None);
    let mut store = Fake { value: Some((Vec::new(), Kind::Sz)), ..Fake::default() };
    add(&mut store, Path::new(BIN), &rustup).unwrap();
    undo(&mut store, &rustup);
    assert_eq!(store.value, Some((Vec::new(), Kind::Sz)));
}

#[test]
fn an_entry_the_user_had_is_not_removed_and_a_binary_value_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let rustup = dir.path().join("rustup");
    let had = format!("{BIN};C:\\Windows");
    let mut store = Fake { value: Some((w(&had), Kind::ExpandSz)), ..Fake::default() };
    assert_eq!(add(&mut store, Path::new(BIN), &rustup).unwrap(), None);
    assert!(undo(&mut store, &rustup).is_empty());
    assert_eq!(store.value, Some((w(&had), Kind::ExpandSz)));
    let mut store = Fake { not_text: Some(3), ..Fake::default() };
    assert_eq!(add(&mut store, Path::new(BIN), &rustup).unwrap(), Some(PathChange::UserPathNotText(3)));
    assert_eq!(store.writes, 0);
}
