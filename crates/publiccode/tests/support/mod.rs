//! Shared by the robustness test, the fuzz example and the benchmark:
//! reading the conformance files and mutating them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The conformance suite folder (vendored under `testdata/publiccode`).
pub fn suite_dir() -> PathBuf {
    archipel_testkit::testdata("publiccode")
}

/// Every `.yml` file of the suite, sorted: (path, bytes). Read once.
pub fn suite_files() -> &'static [(PathBuf, Vec<u8>)] {
    static FILES: std::sync::OnceLock<Vec<(PathBuf, Vec<u8>)>> = std::sync::OnceLock::new();
    FILES.get_or_init(read_suite)
}

fn read_suite() -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "yml") {
                if let Ok(bytes) = std::fs::read(&p) {
                    out.push((p, bytes));
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&suite_dir(), &mut out);
    out
}

/// Fragments that matter to YAML or to the validator.
pub const TOKENS: &[&str] = &[
    ":",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "&b [",
    "*b",
    "!!str ",
    "!!bool ",
    "!!int ",
    "!custom ",
    "|",
    "|-\n",
    ">",
    ">+\n",
    "'",
    "\"",
    "#",
    "\t",
    "\n",
    "\r\n",
    "---\n",
    "...\n",
    "yes",
    "no",
    "on",
    "~",
    "null",
    "<<: *a\n",
    "? ",
    "%YAML 1.2\n",
    "%TAG ! tag:x,2000:\n",
    "\u{feff}",
    "\0",
    "\\",
    "\\u00e9",
    "0x1F",
    "0o17",
    "1e9",
    ".nan",
    "2017-13-45",
    "alias:",
    "urn:x-italian-pa:",
    "https://",
    "file:///",
    "../../",
    "é",
    "😀",
    "\u{202e}",
    "\u{0301}",
    "publiccodeYmlVersion: ",
    "description:\n  en:\n",
    "maintenance:\n  type: contract\n",
    "  - ",
    "    ",
    "IT:\n",
    "it:\n",
    "legal: []\n",
];

/// Apply mutations to `input`. Each op is `(kind, a, b)`; the result is
/// deterministic for given ops. Sizes stay bounded (at most ~1 MiB added).
pub fn mutate(input: &[u8], ops: &[(u8, u32, u32)]) -> Vec<u8> {
    let mut v = input.to_vec();
    for &(kind, a, b) in ops {
        let len = v.len();
        let at = if len == 0 { 0 } else { a as usize % (len + 1) };
        match kind % 11 {
            0 => {
                let t = TOKENS[b as usize % TOKENS.len()].as_bytes();
                v.splice(at..at, t.iter().copied());
            }
            1 => {
                let end = (at + b as usize % 64).min(len);
                v.drain(at..end);
            }
            2 => {
                let end = (at + b as usize % 256).min(len);
                let chunk = v[at..end].to_vec();
                let to = if v.is_empty() {
                    0
                } else {
                    b as usize % (v.len() + 1)
                };
                v.splice(to..to, chunk);
            }
            3 => {
                if at < len {
                    v[at] = b as u8;
                }
            }
            4 => {
                let text = String::from_utf8_lossy(&v).into_owned();
                let mut lines: Vec<&str> = text.split('\n').collect();
                if lines.len() > 1 {
                    let i = a as usize % lines.len();
                    let j = b as usize % lines.len();
                    lines.swap(i, j);
                }
                v = lines.join("\n").into_bytes();
            }
            5 => {
                // A long run: a line of up to 64 KiB.
                let byte = b"ax: -[{"[b as usize % 7];
                let n = (b as usize % 65_536).max(1);
                v.splice(at..at, std::iter::repeat_n(byte, n));
            }
            6 => {
                // Deep nesting, flow or block.
                let depth = b as usize % 300;
                let nest: Vec<u8> = if b % 2 == 0 {
                    let mut s = "[".repeat(depth);
                    s.push_str(&"]".repeat(depth));
                    s.into_bytes()
                } else {
                    (0..depth.min(120))
                        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
                        .collect::<String>()
                        .into_bytes()
                };
                v.splice(at..at, nest);
            }
            7 => v.truncate(at),
            8 => {
                // Shift the indentation of the line containing `at`.
                let start = v[..at]
                    .iter()
                    .rposition(|&c| c == b'\n')
                    .map_or(0, |i| i + 1);
                if b % 2 == 0 {
                    v.splice(
                        start..start,
                        std::iter::repeat_n(b' ', (b % 5) as usize + 1),
                    );
                } else if v.get(start) == Some(&b' ') {
                    v.remove(start);
                }
            }
            9 => {
                let c = char::from_u32(b % 0x11_0000).unwrap_or('\u{fffd}');
                let mut buf = [0u8; 4];
                v.splice(at..at, c.encode_utf8(&mut buf).bytes());
            }
            _ => {
                // Many repeated keys or items.
                let n = (b as usize % 5_000).max(1);
                let item: &[u8] = if b % 2 == 0 { b"- x\n" } else { b"k: v\n" };
                let block: Vec<u8> = item.iter().copied().cycle().take(item.len() * n).collect();
                v.splice(at..at, block);
            }
        }
    }
    v
}

/// A small deterministic PRNG (xorshift64*), for the fuzz example and the benchmark.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}
