//! The PDF: valid, A4, multi-font, French accents that come back out as
//! text, and a picture that looks like a sheet. Uses poppler-utils
//! (`pdfinfo`, `pdffonts`, `pdftotext`, `pdftoppm`); `scripts/test.sh`
//! installs them (as root). Without them the test fails, saying what to
//! install: a check that did not run must not pass.

mod common;

use archipel_content::pitch::Register;
use archipel_content::Lang;
use archipel_pitch::{generate, pdf, Request};
use std::path::{Path, PathBuf};
use std::process::Command;

fn tool(name: &str) -> bool {
    Command::new(name).arg("-v").output().is_ok()
}

fn run(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn shots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshots dir");
    dir
}

/// Reads an 8-bit greyscale or RGB PPM/PGM written by pdftoppm.
fn read_pnm(path: &Path) -> (usize, usize, usize, Vec<u8>) {
    let data = std::fs::read(path).expect("read pnm");
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while data[i].is_ascii_whitespace() {
            i += 1;
        }
        if data[i] == b'#' {
            while data[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        while !data[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&data[start..i]).into_owned());
    }
    i += 1;
    let channels = if fields[0] == "P6" { 3 } else { 1 };
    let w: usize = fields[1].parse().expect("width");
    let h: usize = fields[2].parse().expect("height");
    (w, h, channels, data[i..].to_vec())
}

#[test]
fn the_pdf_is_a_one_page_a4_sheet_with_embedded_fonts_and_french_text() {
    let tools = ["pdfinfo", "pdffonts", "pdftotext", "pdftoppm"];
    let missing: Vec<&str> = tools.into_iter().filter(|t| !tool(t)).collect();
    assert!(
        missing.is_empty(),
        "{} not found: this test checks the PDF with poppler-utils; install it \
         (apt-get install poppler-utils, or run scripts/test.sh as root)",
        missing.join(", ")
    );
    let fx = common::demo();
    let territory =
        archipel_pitch::resolve_territory(&fx.store, Some("960000008")).expect("territory");
    let dir = shots();
    for (persona, register, lang, name) in [
        ("elu", None, Lang::Fr, "pitch-elu"),
        (
            "technicien-dsi",
            Some(Register::Technical),
            Lang::Fr,
            "pitch-technicien-dsi",
        ),
        (
            "directeur-innovation",
            None,
            Lang::En,
            "pitch-directeur-innovation-en",
        ),
    ] {
        let mut req = Request::new(persona, territory.clone()).lang(lang);
        req.register = register;
        req.date = Some("2026-05-04".into());
        let sheet = generate(&fx.content, &fx.store, &req).expect("sheet");
        let bytes = pdf::render(&sheet).expect("pdf");
        assert!(bytes.starts_with(b"%PDF-"));
        let file = dir.join(format!("{name}.pdf"));
        std::fs::write(&file, &bytes).expect("write pdf");
        let f = file.to_str().expect("utf-8 path");

        let info = run("pdfinfo", &[f]);
        let pages = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .map(str::trim);
        assert_eq!(pages, Some("1"), "{name}: one page\n{info}");
        assert!(
            info.contains("595.28 x 841.89 pts (A4)") || info.contains("(A4)"),
            "{info}"
        );

        let fonts = run("pdffonts", &[f]);
        let embedded: Vec<&str> = fonts
            .lines()
            .skip(2)
            .filter(|l| l.contains("DejaVu") && l.contains(" yes "))
            .collect();
        assert!(
            embedded.len() >= 2,
            "{name}: at least two embedded faces\n{fonts}"
        );

        let text = run("pdftotext", &["-enc", "UTF-8", f, "-"]);
        if lang == Lang::Fr {
            for needle in [
                "Métropole de Démonstration",
                "«",
                "»",
                "Qui est en face",
                "Sources",
            ] {
                assert!(text.contains(needle), "{name}: {needle:?} in\n{text}");
            }
            assert!(
                text.chars().any(|c| "éèàçô’".contains(c)),
                "{name}: accents"
            );
        } else {
            assert!(text.contains("What you will hear"), "{text}");
        }
        for o in &sheet.objections {
            let words: String = o
                .text
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ");
            assert!(
                text.replace('\n', " ").contains(&words),
                "{name}: objection {words:?}\n{text}"
            );
        }

        // Rendered: not blank, and the title inked near the top.
        let prefix = dir.join(name);
        run(
            "pdftoppm",
            &[
                "-r",
                "60",
                "-gray",
                "-singlefile",
                f,
                prefix.to_str().expect("path"),
            ],
        );
        let (w, h, ch, px) = read_pnm(&prefix.with_extension("pgm"));
        let dark = |y0: usize, y1: usize| {
            (y0..y1)
                .flat_map(|y| (0..w).map(move |x| (y * w + x) * ch))
                .filter(|i| px.get(*i).is_some_and(|v| *v < 128))
                .count()
        };
        let top = dark(0, h / 8);
        let all = dark(0, h);
        assert!(all > w * h / 100, "{name}: the page has ink ({all})");
        assert!(top > 200, "{name}: the title is near the top ({top})");
        run(
            "pdftoppm",
            &[
                "-r",
                "110",
                "-png",
                "-singlefile",
                f,
                prefix.to_str().expect("path"),
            ],
        );
        let _ = std::fs::remove_file(prefix.with_extension("pgm"));
    }
}
