//! Files of the assessed tree (a folder on disk, or HEAD's tree of a bare
//! repository) and the documents found in them.

use archipel_history::Repo;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// Folder levels listed below the root (root files: 0; `docs/x.md`: 1;
/// `.github/workflows/ci.yml`: 2; `crates/x/tests/a.rs`: 3).
pub(crate) const LIST_DEPTH: usize = 3;
/// Most paths listed from a folder on disk.
const MAX_LISTED: usize = 50_000;
/// Folders never listed on disk: dependencies, build output, tooling.
const SKIP_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "target",
    "vendor",
    "bower_components",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    "dist",
    "build",
    ".cache",
    ".idea",
    ".vscode",
];

/// Where files come from.
pub(crate) enum Tree<'a> {
    /// A folder on disk.
    Dir(&'a Path),
    /// HEAD's tree of a repository.
    Head(&'a Repo),
}

/// Why a file could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The snapshot lacks the object.
    Missing(String),
    /// Larger than allowed.
    TooLarge,
    /// Anything else.
    Other(String),
}

impl Tree<'_> {
    /// Files (`/`-separated, sorted) down to `depth` folder levels.
    pub fn paths(&self, depth: usize) -> Result<Vec<String>, String> {
        match self {
            Tree::Head(repo) => repo.head_paths(Some(depth)).map_err(|e| e.to_string()),
            Tree::Dir(root) => {
                let mut out = Vec::new();
                let mut stack = vec![(root.to_path_buf(), String::new(), 0usize)];
                while let Some((dir, prefix, d)) = stack.pop() {
                    let Ok(rd) = std::fs::read_dir(&dir) else {
                        continue;
                    };
                    for e in rd.filter_map(Result::ok) {
                        if out.len() >= MAX_LISTED {
                            break;
                        }
                        let name = e.file_name().to_string_lossy().into_owned();
                        let Ok(ft) = e.file_type() else { continue };
                        let is_dir = ft.is_dir() || (ft.is_symlink() && e.path().is_dir());
                        if is_dir {
                            if d < depth && !SKIP_DIRS.contains(&name.as_str()) {
                                stack.push((e.path(), format!("{prefix}{name}/"), d + 1));
                            }
                        } else {
                            out.push(format!("{prefix}{name}"));
                        }
                    }
                }
                out.sort();
                Ok(out)
            }
        }
    }

    /// The first `max` bytes of a file (`None`: no such file); with
    /// `whole`, a larger file is an error instead of being cut.
    pub fn read(&self, path: &str, max: u64, whole: bool) -> Result<Option<Vec<u8>>, ReadError> {
        match self {
            Tree::Head(repo) => {
                match repo.read_head_file(path, if whole { max } else { u64::MAX / 2 }) {
                    Ok(Some(mut b)) => {
                        b.truncate(max as usize);
                        Ok(Some(b))
                    }
                    Ok(None) => Ok(None),
                    Err(archipel_history::Error::MissingObject(o)) => Err(ReadError::Missing(o)),
                    Err(archipel_history::Error::TooLarge { .. }) => Err(ReadError::TooLarge),
                    Err(e) => Err(ReadError::Other(e.to_string())),
                }
            }
            Tree::Dir(root) => {
                let p = root.join(path);
                let Ok(meta) = std::fs::metadata(&p) else {
                    return Ok(None);
                };
                if !meta.is_file() {
                    return Ok(None);
                }
                if whole && meta.len() > max {
                    return Err(ReadError::TooLarge);
                }
                let f = std::fs::File::open(&p).map_err(|e| ReadError::Other(e.to_string()))?;
                let mut buf = Vec::new();
                f.take(max)
                    .read_to_end(&mut buf)
                    .map_err(|e| ReadError::Other(e.to_string()))?;
                Ok(Some(buf))
            }
        }
    }
}

/// The documents of a commons, as booleans plus the files behind them.
///
/// `files` maps each kind to what was found: paths, or `README.md#section`
/// when a README section stands for the document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Documents {
    /// README.
    pub readme: bool,
    /// Contribution guidelines.
    pub contributing: bool,
    /// Governance.
    pub governance: bool,
    /// Code of conduct.
    pub code_of_conduct: bool,
    /// Security policy.
    pub security: bool,
    /// Changelog or release notes.
    pub changelog: bool,
    /// Authors or contributors list.
    pub authors: bool,
    /// Maintainers list.
    pub maintainers: bool,
    /// Roadmap.
    pub roadmap: bool,
    /// Installation or operations documentation.
    pub install: bool,
    /// Deployment as code.
    pub deployment: bool,
    /// Trademark or brand policy.
    pub trademark: bool,
    /// A documentation folder.
    pub documentation: bool,
    /// What was found, by kind.
    pub files: BTreeMap<String, Vec<String>>,
}

/// Engineering practices visible in the tree.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Practices {
    /// Continuous integration configuration.
    pub ci: bool,
    /// Automated tests.
    pub tests: bool,
    /// Coding style configuration.
    pub style: bool,
    /// What was found, by kind.
    pub files: BTreeMap<String, Vec<String>>,
}

/// Folders where documents are looked for (lower case).
const DOC_DIRS: &[&str] = &[
    "",
    "docs",
    "doc",
    "documentation",
    ".github",
    ".gitlab",
    ".forgejo",
    ".gitea",
];
/// Extensions of text documents (lower case, "" for none).
const DOC_EXTS: &[&str] = &[
    "", "md", "markdown", "mdown", "mkd", "rst", "txt", "text", "adoc", "asciidoc", "org", "html",
    "htm", "textile", "rdoc", "pod", "wiki",
];

/// Document kinds with the file stems that stand for them (lower case,
/// accents dropped, `-`, `.` and spaces as `_`).
const DOC_STEMS: &[(&str, &[&str])] = &[
    (
        "readme",
        &["readme", "lisezmoi", "lisez_moi", "lisez_moi_d_abord"],
    ),
    (
        "contributing",
        &[
            "contributing",
            "contribute",
            "contribution",
            "contributions",
            "contribuer",
            "contribuez",
            "comment_contribuer",
            "how_to_contribute",
            "contribution_guidelines",
            "contributing_guidelines",
            "guide_de_contribution",
            "guide_contribution",
            "guide_du_contributeur",
            "participer",
        ],
    ),
    (
        "governance",
        &[
            "governance",
            "gouvernance",
            "governance_model",
            "modele_de_gouvernance",
            "charter",
            "project_charter",
        ],
    ),
    (
        "code_of_conduct",
        &[
            "code_of_conduct",
            "codeofconduct",
            "conduct",
            "code_de_conduite",
            "charte_de_conduite",
            "code_de_bonne_conduite",
        ],
    ),
    (
        "security",
        &[
            "security",
            "securite",
            "security_policy",
            "politique_de_securite",
            "vulnerabilites",
            "vulnerabilities",
        ],
    ),
    (
        "changelog",
        &[
            "changelog",
            "change_log",
            "changes",
            "history",
            "news",
            "release_notes",
            "releasenotes",
            "releases",
            "journal_des_modifications",
            "journal_des_changements",
            "changements",
            "historique",
            "nouveautes",
            "notes_de_version",
        ],
    ),
    (
        "authors",
        &[
            "authors",
            "auteurs",
            "contributors",
            "contributeurs",
            "credits",
            "thanks",
            "remerciements",
        ],
    ),
    (
        "maintainers",
        &[
            "maintainers",
            "mainteneurs",
            "codeowners",
            "owners",
            "responsables",
        ],
    ),
    (
        "roadmap",
        &[
            "roadmap",
            "road_map",
            "feuille_de_route",
            "feuilles_de_route",
            "plan_de_route",
        ],
    ),
    (
        "install",
        &[
            "install",
            "installation",
            "installing",
            "installer",
            "setup",
            "deploy",
            "deployment",
            "deploying",
            "deploiement",
            "deployer",
            "operations",
            "ops",
            "exploitation",
            "administration",
            "admin_guide",
            "guide_d_installation",
            "guide_installation",
            "guide_d_exploitation",
            "hosting",
            "hebergement",
            "self_hosting",
            "getting_started",
            "quickstart",
            "quick_start",
            "demarrage",
            "demarrage_rapide",
            "mise_en_route",
            "prise_en_main",
            "running",
            "run",
        ],
    ),
    (
        "trademark",
        &[
            "trademark",
            "trademarks",
            "trademark_policy",
            "brand",
            "branding",
            "brand_guidelines",
            "marque",
            "marques",
            "charte_graphique",
            "logo_policy",
        ],
    ),
];

/// README headings that stand for a document, by kind (words, lower case,
/// accents dropped).
const README_SECTIONS: &[(&str, &[&str])] = &[
    (
        "contributing",
        &[
            "contributing",
            "contribuer",
            "contribute",
            "contribution",
            "contributions",
            "comment contribuer",
            "how to contribute",
            "participer",
        ],
    ),
    ("governance", &["governance", "gouvernance"]),
    ("code_of_conduct", &["code of conduct", "code de conduite"]),
    (
        "security",
        &[
            "security",
            "securite",
            "reporting vulnerabilities",
            "signaler une vulnerabilite",
        ],
    ),
    ("roadmap", &["roadmap", "feuille de route"]),
    (
        "install",
        &[
            "install",
            "installation",
            "installing",
            "deployment",
            "deploiement",
            "getting started",
            "demarrage",
            "demarrage rapide",
            "mise en route",
            "quick start",
            "quickstart",
            "hebergement",
            "self hosting",
            "exploitation",
            "mise en production",
        ],
    ),
    (
        "changelog",
        &[
            "changelog",
            "release notes",
            "historique des versions",
            "notes de version",
        ],
    ),
    (
        "authors",
        &[
            "authors",
            "auteurs",
            "contributors",
            "contributeurs",
            "credits",
        ],
    ),
];

/// Drops French accents and lower-cases.
pub(crate) fn fold(s: &str) -> String {
    s.chars()
        .flat_map(|c| c.to_lowercase())
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            'œ' => 'o',
            other => other,
        })
        .collect()
}

fn stem_and_ext(name: &str) -> (String, String) {
    let lower = fold(name);
    let (stem, ext) = match lower.rfind('.') {
        Some(i) if i > 0 => (lower[..i].to_string(), lower[i + 1..].to_string()),
        _ => (lower.clone(), String::new()),
    };
    let stem: String = stem
        .chars()
        .map(|c| {
            if c == '-' || c == ' ' || c == '.' {
                '_'
            } else {
                c
            }
        })
        .collect();
    (stem, ext)
}

fn doc_kind_of_stem(stem: &str) -> Option<&'static str> {
    DOC_STEMS
        .iter()
        .find(|(_, stems)| stems.contains(&stem))
        .map(|(k, _)| *k)
}

/// The document kinds a path stands for.
fn doc_kinds(path: &str) -> Vec<&'static str> {
    let parts: Vec<&str> = path.split('/').collect();
    let Some((name, dirs)) = parts.split_last() else {
        return Vec::new();
    };
    let dirs_l: Vec<String> = dirs.iter().map(|d| d.to_ascii_lowercase()).collect();
    let mut out = Vec::new();
    let (stem, ext) = stem_and_ext(name);
    let dir = dirs_l.first().map(String::as_str).unwrap_or("");
    // A file in a documentation folder, or at the root.
    if dirs.len() <= 1 && DOC_DIRS.contains(&dir) && DOC_EXTS.contains(&ext.as_str()) {
        if let Some(k) = doc_kind_of_stem(&stem) {
            // A README inside docs/ or .github/ only counts when it is the
            // folder's own description, not the project's; keep it anyway.
            out.push(k);
        }
        // CODEOWNERS has no extension and lives in .github too.
    }
    // A sub-folder of a documentation folder named after a kind
    // (`docs/installation/index.md`).
    if dirs.len() == 2 && matches!(dir, "docs" | "doc" | "documentation") {
        let (sub, _) = stem_and_ext(dirs[1]);
        if let Some(k) = doc_kind_of_stem(&sub) {
            if k != "readme" {
                out.push(k);
            }
        }
    }
    out
}

/// Whether a path describes deployment as code.
fn is_deployment(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let first = lower.split('/').next().unwrap_or("");
    let in_dir = lower.contains('/');
    name == "dockerfile"
        || name.starts_with("dockerfile.")
        || name.ends_with(".dockerfile")
        || name == "containerfile"
        || (name.starts_with("docker-compose")
            && (name.ends_with(".yml") || name.ends_with(".yaml")))
        || matches!(
            name,
            "compose.yml"
                | "compose.yaml"
                | "vagrantfile"
                | "procfile"
                | "flake.nix"
                | "default.nix"
                | "chart.yaml"
                | "fly.toml"
                | ".platform.app.yaml"
                | "app.yaml"
                | "kustomization.yaml"
                | "kustomization.yml"
        )
        || (name.starts_with("playbook") && (name.ends_with(".yml") || name.ends_with(".yaml")))
        || name.ends_with(".tf")
        || (in_dir
            && matches!(
                first,
                "ansible"
                    | "helm"
                    | "charts"
                    | "chart"
                    | "k8s"
                    | "kubernetes"
                    | "kube"
                    | "terraform"
                    | "deploy"
                    | "deployment"
                    | "deployments"
                    | "infra"
                    | "infrastructure"
                    | "puppet"
                    | "chef"
                    | "salt"
                    | "nix"
                    | "docker"
            ))
}

fn is_ci(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.starts_with(".github/workflows/")
        || lower.starts_with(".forgejo/workflows/")
        || lower.starts_with(".gitea/workflows/")
        || lower.starts_with(".circleci/")
        || lower.starts_with(".woodpecker/")
        || lower.starts_with(".buildkite/")
        || lower.starts_with(".builds/")
        || matches!(
            lower.as_str(),
            ".gitlab-ci.yml"
                | ".travis.yml"
                | "jenkinsfile"
                | "azure-pipelines.yml"
                | ".drone.yml"
                | ".woodpecker.yml"
                | "bitbucket-pipelines.yml"
                | "appveyor.yml"
                | ".appveyor.yml"
                | ".build.yml"
                | "cloudbuild.yaml"
                | "cloudbuild.yml"
                | ".cirrus.yml"
        )
}

fn is_test(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    let Some((name, dirs)) = parts.split_last() else {
        return false;
    };
    dirs.iter().any(|d| {
        matches!(
            *d,
            "tests" | "test" | "spec" | "specs" | "__tests__" | "testing" | "t"
        )
    }) || name.ends_with("_test.go")
        || (name.starts_with("test_") && name.ends_with(".py"))
        || name.ends_with("_test.py")
        || name.ends_with("_spec.rb")
        || name.ends_with("_test.rb")
        || [
            ".test.js",
            ".test.ts",
            ".spec.js",
            ".spec.ts",
            ".test.jsx",
            ".test.tsx",
            ".spec.tsx",
            ".test.mjs",
        ]
        .iter()
        .any(|s| name.ends_with(s))
        || name.ends_with("test.java")
        || name.ends_with("test.php")
        || name.ends_with("tests.cs")
}

fn is_style(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    if lower.contains('/') {
        return false;
    }
    let (stem, _) = stem_and_ext(&lower);
    matches!(
        lower.as_str(),
        ".editorconfig"
            | "rustfmt.toml"
            | ".rustfmt.toml"
            | "clippy.toml"
            | ".clippy.toml"
            | ".flake8"
            | "ruff.toml"
            | ".ruff.toml"
            | ".pylintrc"
            | "pylintrc"
            | ".rubocop.yml"
            | ".clang-format"
            | ".golangci.yml"
            | ".golangci.yaml"
            | "biome.json"
            | "biome.jsonc"
            | ".pre-commit-config.yaml"
            | ".stylelintrc"
            | ".jshintrc"
            | ".jscsrc"
            | "tslint.json"
            | ".isort.cfg"
            | ".yamllint"
            | ".markdownlint.json"
            | ".markdownlint.yaml"
            | ".swiftlint.yml"
            | ".scalafmt.conf"
            | ".php_cs"
            | ".php_cs.dist"
            | "phpcs.xml"
            | "phpcs.xml.dist"
            | ".phpcs.xml"
            | "checkstyle.xml"
            | "ecs.php"
            | ".credo.exs"
            | ".formatter.exs"
            | "deno.json"
    ) || lower.starts_with(".prettierrc")
        || lower.starts_with("prettier.config.")
        || lower.starts_with(".eslintrc")
        || lower.starts_with("eslint.config.")
        || lower.starts_with(".stylelintrc")
        || lower.starts_with("stylelint.config.")
        || lower.starts_with(".php-cs-fixer")
        || matches!(
            stem.as_str(),
            "style_guide"
                | "styleguide"
                | "coding_style"
                | "coding_standards"
                | "code_style"
                | "guide_de_style"
                | "conventions"
        )
}

/// Headings of a Markdown, reStructuredText or AsciiDoc text, folded.
pub(crate) fn headings(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        let h = if let Some(rest) = t.strip_prefix('#') {
            Some(rest.trim_start_matches('#'))
        } else if let Some(rest) = t.strip_prefix('=').filter(|r| r.starts_with([' ', '='])) {
            Some(rest.trim_start_matches('='))
        } else if t.to_ascii_lowercase().starts_with("<h") && t.len() > 4 {
            t.find('>')
                .map(|i| &t[i + 1..])
                .map(|s| s.split('<').next().unwrap_or(""))
        } else {
            let next = lines.get(i + 1).map(|l| l.trim()).unwrap_or("");
            let underline = next.len() >= 3
                && next.chars().all(|c| "=-~^*+#".contains(c))
                && next
                    .chars()
                    .next()
                    .is_some_and(|f| next.chars().all(|c| c == f));
            (underline && !t.is_empty() && !t.chars().all(|c| "=-~^*+#".contains(c))).then_some(t)
        };
        if let Some(h) = h {
            let words: String = fold(h)
                .chars()
                .map(|c| if c.is_alphanumeric() { c } else { ' ' })
                .collect();
            let norm = words.split_whitespace().collect::<Vec<_>>().join(" ");
            if !norm.is_empty() {
                out.push(norm);
            }
        }
    }
    out
}

fn section_kind(heading: &str) -> Vec<&'static str> {
    let padded = format!(" {heading} ");
    README_SECTIONS
        .iter()
        .filter(|(_, phrases)| phrases.iter().any(|p| padded.contains(&format!(" {p} "))))
        .map(|(k, _)| *k)
        .collect()
}

/// Finds the documents and practices among `paths`; `readme` is the text
/// of the main README, if any, with its path.
pub(crate) fn find(paths: &[String], readme: Option<(&str, &str)>) -> (Documents, Practices) {
    let mut files: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut practice: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut doc_folder = Vec::new();
    for p in paths {
        for k in doc_kinds(p) {
            files.entry(k.to_string()).or_default().push(p.clone());
        }
        if is_deployment(p) {
            files
                .entry("deployment".into())
                .or_default()
                .push(p.clone());
        }
        let lower = p.to_ascii_lowercase();
        if let Some(first) = lower.split('/').next() {
            if lower.contains('/')
                && matches!(first, "docs" | "doc" | "documentation")
                && doc_folder.len() < 3
            {
                doc_folder.push(p.clone());
            }
        }
        for (kind, test) in [
            ("ci", is_ci as fn(&str) -> bool),
            ("tests", is_test),
            ("style", is_style),
        ] {
            if test(p) {
                let v = practice.entry(kind.to_string()).or_default();
                if v.len() < 5 {
                    v.push(p.clone());
                }
            }
        }
    }
    if !doc_folder.is_empty() {
        files.insert("documentation".into(), doc_folder);
    }
    if let Some((path, text)) = readme {
        for h in headings(text) {
            for k in section_kind(&h) {
                let v = files.entry(k.to_string()).or_default();
                let anchor = format!("{path}#{}", h.replace(' ', "-"));
                if !v.contains(&anchor) {
                    v.push(anchor);
                }
            }
        }
    }
    for v in files.values_mut() {
        v.truncate(10);
    }
    let has = |k: &str| files.get(k).is_some_and(|v| !v.is_empty());
    let docs = Documents {
        readme: has("readme"),
        contributing: has("contributing"),
        governance: has("governance"),
        code_of_conduct: has("code_of_conduct"),
        security: has("security"),
        changelog: has("changelog"),
        authors: has("authors"),
        maintainers: has("maintainers"),
        roadmap: has("roadmap"),
        install: has("install"),
        deployment: has("deployment"),
        trademark: has("trademark"),
        documentation: has("documentation"),
        files,
    };
    let has_p = |k: &str| practice.get(k).is_some_and(|v| !v.is_empty());
    let practices = Practices {
        ci: has_p("ci"),
        tests: has_p("tests"),
        style: has_p("style"),
        files: practice,
    };
    (docs, practices)
}

/// The main README among `paths`: at the root, the most usual name first.
pub(crate) fn main_readme(paths: &[String]) -> Option<&String> {
    let mut best: Option<(u8, &String)> = None;
    for p in paths.iter().filter(|p| !p.contains('/')) {
        let (stem, ext) = stem_and_ext(p);
        if !matches!(stem.as_str(), "readme" | "lisezmoi" | "lisez_moi")
            || !DOC_EXTS.contains(&ext.as_str())
        {
            continue;
        }
        let rank = match (stem.as_str(), ext.as_str()) {
            ("readme", "md") => 0,
            ("readme", _) => 1,
            _ => 2,
        };
        if best.is_none_or(|(r, _)| rank < r) {
            best = Some((rank, p));
        }
    }
    best.map(|(_, p)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(p: &str) -> Vec<&'static str> {
        doc_kinds(p)
    }

    #[test]
    fn names_and_places() {
        assert_eq!(kinds("README.md"), ["readme"]);
        assert_eq!(kinds("Contribuer.md"), ["contributing"]);
        assert_eq!(kinds(".github/CONTRIBUTING.md"), ["contributing"]);
        assert_eq!(kinds("docs/GOUVERNANCE.rst"), ["governance"]);
        assert_eq!(kinds("CODE-OF-CONDUCT.md"), ["code_of_conduct"]);
        assert_eq!(kinds("SÉCURITÉ.md"), ["security"]);
        assert_eq!(kinds("docs/installation/index.md"), ["install"]);
        assert_eq!(kinds(".github/CODEOWNERS"), ["maintainers"]);
        assert_eq!(kinds("Feuille-de-route.md"), ["roadmap"]);
        assert!(kinds("src/README.md").is_empty());
        assert!(kinds("security.py").is_empty());
        assert!(kinds("install.sh").is_empty());
    }

    #[test]
    fn practices() {
        assert!(is_ci(".github/workflows/ci.yml") && is_ci(".gitlab-ci.yml"));
        assert!(is_test("tests/a.rs") && is_test("src/foo_test.go") && !is_test("src/main.rs"));
        assert!(
            is_style(".editorconfig")
                && is_style(".prettierrc.json")
                && !is_style("src/.editorconfig")
        );
        assert!(
            is_deployment("Dockerfile")
                && is_deployment("ansible/site.yml")
                && is_deployment("docker-compose.prod.yml")
        );
        assert!(!is_deployment("src/docker.rs"));
    }

    #[test]
    fn readme_sections() {
        let text = "# Projet\n\n## Installation\n\nfoo\n\nComment contribuer ?\n--------------------\n\n### 🔒 Sécurité\n";
        let (d, _) = find(&["README.md".to_string()], Some(("README.md", text)));
        assert!(d.readme && d.install && d.contributing && d.security && !d.governance);
        assert_eq!(d.files["contributing"], ["README.md#comment-contribuer"]);
    }
}
