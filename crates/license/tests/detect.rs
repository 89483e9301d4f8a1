//! Detection on folders the tests write: several licence files, REUSE
//! `LICENSES/`, SPDX headers, manifests only, no licence at all.

use archipel_license::{detect, Method, NOASSERTION, NONE};
use std::fs;
use std::path::Path;

fn text(id: &str) -> &'static str {
    spdx::license_id(id).map(|l| l.text()).unwrap_or_default()
}

fn write(root: &Path, rel: &str, content: &str) {
    let p = root.join(rel);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(p, content).expect("write");
}

const MIT_FILLED: &str = "MIT License\n\nCopyright (c) 2023 Métropole de Lyon\n\n\
Permission is hereby granted, free of charge, to any person obtaining a copy\n\
of this software and associated documentation files (the \"Software\"), to deal\n\
in the Software without restriction, including without limitation the rights\n\
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell\n\
copies of the Software, and to permit persons to whom the Software is\n\
furnished to do so, subject to the following conditions:\n\n\
The above copyright notice and this permission notice shall be included in all\n\
copies or substantial portions of the Software.\n\n\
THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR\n\
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,\n\
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE\n\
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER\n\
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,\n\
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE\n\
SOFTWARE.\n";

#[test]
fn no_licence_at_all_is_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "README.md",
        "# Outil\n\nUn outil pour la mairie.\n",
    );
    write(dir.path(), "src/main.rs", "fn main() {}\n");
    let d = detect(dir.path()).expect("detect");
    assert_eq!(d.spdx, NONE);
    assert_eq!(d.confidence, 1.0);
    assert!(d.evidence.is_empty());
}

#[test]
fn a_copyright_notice_alone_is_no_licence() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "COPYRIGHT",
        "Copyright © 2021 Ville de Grenoble\n",
    );
    let d = detect(dir.path()).expect("detect");
    assert_eq!(d.spdx, NONE);
    assert_eq!(d.evidence[0].method, Method::CopyrightNotice);
}

#[test]
fn one_licence_file_with_a_filled_copyright_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "LICENSE.md", MIT_FILLED);
    let d = detect(dir.path()).expect("detect");
    assert_eq!(d.spdx, "MIT");
    assert!(d.confidence > 0.98, "{}", d.confidence);
    assert_eq!(d.evidence[0].file, "LICENSE.md");
    assert_eq!(d.evidence[0].method, Method::LicenseText);
}

#[test]
fn several_licence_files_combined_by_the_manifest() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "LICENSE-MIT", MIT_FILLED);
    write(dir.path(), "LICENSE-APACHE", text("Apache-2.0"));
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"x\"\nlicense = \"MIT OR Apache-2.0\"\n",
    );
    let d = detect(dir.path()).expect("detect");
    assert_eq!(d.spdx, "MIT OR Apache-2.0");
    assert_eq!(d.declared.len(), 1);
    assert!(d.disagreements().is_empty());
    let files: Vec<&str> = d.evidence.iter().map(|e| e.file.as_str()).collect();
    assert_eq!(files, ["LICENSE-APACHE", "LICENSE-MIT", "Cargo.toml"]);
}

#[test]
fn several_licence_files_without_a_declaration_are_noassertion() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "LICENSE", text("MPL-2.0"));
    write(dir.path(), "COPYING", MIT_FILLED);
    let d = detect(dir.path()).expect("detect");
    assert_eq!(d.spdx, NOASSERTION);
    let ids: Vec<&str> = d.evidence.iter().map(|e| e.spdx.as_str()).collect();
    assert_eq!(ids, ["MIT", "MPL-2.0"]);
}

#[test]
fn lgpl_shipped_with_the_gpl_it_builds_on_is_lgpl() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lgpl = text("LGPL-3.0-only");
    let lgpl_part = lgpl
        .split("GNU GENERAL PUBLIC LICENSE")
        .next()
        .unwrap_or(lgpl);
    write(dir.path(), "COPYING.LESSER", lgpl_part);
    write(dir.path(), "COPYING", text("GPL-3.0-only"));
    let d = detect(dir.path()).expect("detect");
    assert_eq!(d.spdx, "LGPL-3.0-only");
}

#[test]
fn gnu_variant_comes_from_the_declaration() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "COPYING", text("AGPL-3.0-only"));
    write(
        dir.path(),
        "package.json",
        r#"{"name": "x", "license": "AGPL-3.0-or-later"}"#,
    );
    let d = detect(dir.path()).expect("detect");
    assert_eq!(d.spdx, "AGPL-3.0-or-later");
    // Without a declaration the text alone gives -only, and says so.
    fs::remove_file(dir.path().join("package.json")).expect("rm");
    let d = detect(dir.path()).expect("detect");
    assert_eq!(d.spdx, "AGPL-3.0-only");
    assert!(d.evidence[0]
        .note
        .as_deref()
        .unwrap_or("")
        .contains("-or-later"));
}

#[test]
fn reuse_licenses_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "LICENSES/EUPL-1.2.txt", text("EUPL-1.2"));
    write(
        dir.path(),
        "src/lib.rs",
        "// SPDX-License-Identifier: EUPL-1.2\npub fn f() {}\n",
    );
    let d = detect(dir.path()).expect("detect");
    assert_eq!(d.spdx, "EUPL-1.2");
    assert_eq!(d.evidence[0].file, "LICENSES/EUPL-1.2.txt");
    assert!(d
        .evidence
        .iter()
        .any(|e| e.method == Method::SpdxHeader && e.spdx == "EUPL-1.2"));
}

#[test]
fn reuse_folder_with_code_and_documentation_licences() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "LICENSES/GPL-3.0-or-later.txt",
        text("GPL-3.0-or-later"),
    );
    write(
        dir.path(),
        "LICENSES/CC-BY-SA-4.0.txt",
        text("CC-BY-SA-4.0"),
    );
    let d = detect(dir.path()).expect("detect");
    // The REUSE file name settles -or-later; two licences with nothing to
    // combine them is NOASSERTION.
    assert_eq!(d.spdx, NOASSERTION);
    assert!(d.evidence.iter().any(|e| e.spdx == "GPL-3.0-or-later"));
    assert!(d.evidence.iter().any(|e| e.spdx == "CC-BY-SA-4.0"));
}

#[test]
fn spdx_headers_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..3 {
        write(
            dir.path(),
            &format!("src/m{i}.py"),
            "# SPDX-License-Identifier: CECILL-2.1\nx = 1\n",
        );
    }
    write(
        dir.path(),
        "docs/a.md",
        "<!-- SPDX-License-Identifier: CC-BY-4.0 -->\n# Doc\n",
    );
    write(
        dir.path(),
        "node_modules/dep/index.js",
        "// SPDX-License-Identifier: MIT\n",
    );
    let d = detect(dir.path()).expect("detect");
    assert_eq!(d.spdx, "CECILL-2.1");
    assert!(
        (d.confidence - 0.85 * 0.75).abs() < 0.01,
        "{}",
        d.confidence
    );
    let headers: Vec<(&str, &str)> = d
        .evidence
        .iter()
        .filter(|e| e.method == Method::SpdxHeader)
        .map(|e| (e.spdx.as_str(), e.file.as_str()))
        .collect();
    assert_eq!(
        headers,
        [("CECILL-2.1", "src/m0.py"), ("CC-BY-4.0", "docs/a.md")]
    );
}

#[test]
fn manifest_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"x\"\nlicense = \"EUPL-1.2\"\nclassifiers = [\"License :: OSI Approved :: European Union Public Licence 1.2 (EUPL 1.2)\"]\n",
    );
    let d = detect(dir.path()).expect("detect");
    assert_eq!(d.spdx, "EUPL-1.2");
    assert_eq!(d.confidence, 0.9);
    let declared: Vec<(&str, &str)> = d
        .declared
        .iter()
        .map(|x| (x.source.as_str(), x.spdx.as_str()))
        .collect();
    assert_eq!(
        declared,
        [
            ("pyproject.toml", "EUPL-1.2"),
            ("pyproject.toml (classifier)", "EUPL-1.2")
        ]
    );
}

#[test]
fn manifest_pointing_to_a_licence_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"x\"\nlicense-file = \"docs/TERMS.txt\"\n",
    );
    write(dir.path(), "docs/TERMS.txt", text("BSD-3-Clause"));
    let d = detect(dir.path()).expect("detect");
    assert_eq!(d.spdx, "BSD-3-Clause");
    assert_eq!(d.evidence[0].file, "docs/TERMS.txt");
}

#[test]
fn a_modified_licence_is_noassertion() {
    let dir = tempfile::tempdir().expect("tempdir");
    let modified = MIT_FILLED.replace(
        "The above copyright notice",
        "Companies of more than fifty employees must obtain a written agreement from the \
         authors before any commercial use, and must report each deployment to them every \
         year. The above copyright notice",
    );
    write(dir.path(), "LICENSE", &modified);
    let d = detect(dir.path()).expect("detect");
    assert_eq!(d.spdx, NOASSERTION);
    assert!(d.evidence[0]
        .note
        .as_deref()
        .unwrap_or("")
        .contains("closest"));
}

#[test]
fn licence_followed_by_an_exception() {
    let dir = tempfile::tempdir().expect("tempdir");
    let exception = spdx::exception_id("LLVM-exception")
        .map(|e| e.text())
        .unwrap_or_default();
    let apache = text("Apache-2.0");
    let body = apache.split("APPENDIX").next().unwrap_or(apache);
    write(
        dir.path(),
        "LICENSE",
        &format!("{body}\n\n---- LLVM Exceptions to the Apache 2.0 License ----\n\n{exception}"),
    );
    let d = detect(dir.path()).expect("detect");
    assert_eq!(d.spdx, "Apache-2.0 WITH LLVM-exception");
    assert_eq!(d.facts()[0].spdx, "Apache-2.0");
}

#[test]
fn readme_naming_the_licence() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "README.md",
        "# Outil\n\nDes choses.\n\n## Licence\n\nCe logiciel est distribué sous licence [EUPL 1.2](https://eupl.eu).\n\n## Contribuer\n\nVenez !\n",
    );
    let d = detect(dir.path()).expect("detect");
    assert_eq!(d.spdx, "EUPL-1.2");
    assert_eq!(d.evidence[0].method, Method::ReadmeReference);
}

#[test]
fn manifest_disagreeing_with_the_licence_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "LICENSE", text("GPL-2.0-only"));
    write(dir.path(), "composer.json", r#"{"license": "MIT"}"#);
    let d = detect(dir.path()).expect("detect");
    assert_eq!(d.spdx, "GPL-2.0-only");
    let dis: Vec<&str> = d
        .disagreements()
        .iter()
        .map(|x| x.source.as_str())
        .collect();
    assert_eq!(dis, ["composer.json"]);
}

#[test]
fn not_a_folder_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "file", "x");
    assert!(detect(&dir.path().join("file")).is_err());
    assert!(detect(&dir.path().join("missing")).is_err());
}
