//! `archipel license detect` end to end, on folders the tests write.

mod common;
use common::output;

const MIT: &str = "MIT License\n\nCopyright (c) 2024 Ville de Brest\n\n\
Permission is hereby granted, free of charge, to any person obtaining a copy of this software \
and associated documentation files (the \"Software\"), to deal in the Software without \
restriction, including without limitation the rights to use, copy, modify, merge, publish, \
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the \
Software is furnished to do so, subject to the following conditions:\n\n\
The above copyright notice and this permission notice shall be included in all copies or \
substantial portions of the Software.\n\n\
THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING \
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND \
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, \
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, \
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.\n";

#[test]
fn json_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("LICENSE"), MIT).expect("write");
    std::fs::write(dir.path().join("package.json"), r#"{"license": "MIT"}"#).expect("write");
    let path = dir.path().to_string_lossy().to_string();
    let out = output(&["license", "detect", &path, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["spdx"], "MIT");
    assert!(v["confidence"].as_f64().unwrap_or(0.0) > 0.95);
    assert_eq!(v["evidence"][0]["file"], "LICENSE");
    assert_eq!(v["evidence"][0]["method"], "license-text");
    assert_eq!(v["evidence"][1]["method"], "manifest");
    assert_eq!(v["declared"][0]["source"], "package.json");
    assert_eq!(v["declared"][0]["spdx"], "MIT");
    assert_eq!(v["facts"][0]["osi_approved"], true);
    assert_eq!(v["facts"][0]["crpa"], "listed");
    assert_eq!(v["facts"][0]["copyleft"], "none");
}

#[test]
fn text_report_in_french_then_english() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().to_string_lossy().to_string();
    let out = output(&["license", "detect", &path]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("Licence : NONE (aucune licence trouvée)"),
        "{text}"
    );

    std::fs::write(dir.path().join("COPYING"), MIT).expect("write");
    let out = output(&["license", "detect", &path, "--lang", "en"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("Licence: MIT (MIT License)"), "{text}");
    assert!(text.contains("COPYING — licence text — MIT"), "{text}");
    assert!(
        text.contains("MIT: OSI yes, FSF yes, CRPA D323-2-1 yes, copyleft none"),
        "{text}"
    );
}

#[test]
fn missing_folder_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing").to_string_lossy().to_string();
    let out = output(&["license", "detect", &missing]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}
