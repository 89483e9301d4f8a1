//! Prints one line per folder given: SPDX id, confidence, declarations.
//! `cargo run -p archipel-license --example detect -- DIR …`.
fn main() {
    for p in std::env::args().skip(1) {
        match archipel_license::detect(std::path::Path::new(&p)) {
            Ok(d) => {
                let declared: Vec<String> = d
                    .declared
                    .iter()
                    .map(|x| format!("{}={}", x.source, x.spdx))
                    .collect();
                println!("{p}\t{}\t{}\t{}", d.spdx, d.confidence, declared.join(" "));
            }
            Err(e) => println!("{p}\terror: {e}"),
        }
    }
}
