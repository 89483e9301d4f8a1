//! Prints, for each file given, the closest SPDX licence text, its
//! similarity, whether it counts as a match and how the file departs from
//! it: `cargo run -p archipel-license --example closest -- LICENSE …`.
fn main() {
    for p in std::env::args().skip(1) {
        let text = match std::fs::read(&p) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                eprintln!("{p}: {e}");
                continue;
            }
        };
        match archipel_license::matcher::best_match(&text) {
            Some(m) => println!(
                "{p}: {} {:.3} match={} missing_name_words={:?} changes={:?}",
                m.spdx,
                m.score,
                m.is_match(),
                m.missing_name_words,
                m.changes
            ),
            None => println!("{p}: no licence text shares a word pair with it"),
        }
    }
}
