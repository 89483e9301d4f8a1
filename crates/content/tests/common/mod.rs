//! Helpers shared by the content tests: copies of content folders in a
//! temporary directory, and edits of those copies.

use std::path::Path;

/// Copies every file of `from` into `into/sub` (created).
pub fn copy_folder(from: &Path, into: &Path, sub: &str) {
    let to = into.join(sub);
    std::fs::create_dir_all(&to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read content dir") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

/// Replaces the first `from` of file `dir/rel` by `to`; `from` must be
/// there.
pub fn edit(dir: &Path, rel: &str, from: &str, to: &str) {
    let path = dir.join(rel);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{rel} does not contain {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}
