//! `archipel license detect PATH [--json]`: the licence of a folder.
//!
//! Exit status: 0 when the folder could be examined (whatever its
//! licence, `NONE` included), 1 when PATH is no readable folder.
use archipel_license::{detect, Copyleft, CrpaStatus, Detection, LicenseFacts, Method};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Detect the licence of a folder (a work tree or any folder).
    ///
    /// Reads licence files (LICENSE, COPYING…, the REUSE LICENSES/ folder),
    /// then package manifests, SPDX-License-Identifier headers and the
    /// README. Prints the SPDX id (NONE: no licence; NOASSERTION: a licence
    /// that matches no known one closely enough), the confidence and the
    /// evidence.
    Detect(DetectArgs),
}

#[derive(clap::Args)]
struct DetectArgs {
    /// Folder to examine.
    #[arg(value_name = "PATH")]
    path: PathBuf,
    /// Print JSON: {spdx, confidence, evidence[], declared[], facts[], notes[]}.
    #[arg(long)]
    json: bool,
    /// Language of the text report.
    #[arg(long, value_enum, default_value_t = Lang::Fr)]
    lang: Lang,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Lang {
    Fr,
    En,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Detect(a) => run_detect(a),
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    #[serde(flatten)]
    detection: &'a Detection,
    facts: Vec<LicenseFacts>,
}

fn run_detect(a: DetectArgs) -> anyhow::Result<ExitCode> {
    let d = detect(&a.path)?;
    if a.json {
        let report = JsonReport {
            detection: &d,
            facts: d.facts(),
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", text_report(&d, a.lang));
    }
    Ok(ExitCode::SUCCESS)
}

fn method_label(m: Method, lang: Lang) -> &'static str {
    let fr = lang == Lang::Fr;
    match m {
        Method::LicenseText => {
            if fr {
                "texte de licence"
            } else {
                "licence text"
            }
        }
        Method::LicenseReference => {
            if fr {
                "fichier de licence qui la nomme"
            } else {
                "licence file naming it"
            }
        }
        Method::ReuseFileName => {
            if fr {
                "nom de fichier REUSE"
            } else {
                "REUSE file name"
            }
        }
        Method::CopyrightNotice => {
            if fr {
                "mention de copyright seule"
            } else {
                "copyright notice only"
            }
        }
        Method::Manifest => {
            if fr {
                "manifeste de paquet"
            } else {
                "package manifest"
            }
        }
        Method::SpdxHeader => {
            if fr {
                "en-têtes SPDX"
            } else {
                "SPDX headers"
            }
        }
        Method::ReadmeText => {
            if fr {
                "texte de licence dans le README"
            } else {
                "licence text in the README"
            }
        }
        Method::ReadmeReference => {
            if fr {
                "nommée dans le README"
            } else {
                "named in the README"
            }
        }
    }
}

fn yes_no(b: bool, lang: Lang) -> &'static str {
    match (b, lang) {
        (true, Lang::Fr) => "oui",
        (false, Lang::Fr) => "non",
        (true, Lang::En) => "yes",
        (false, Lang::En) => "no",
    }
}

fn text_report(d: &Detection, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    let mut s = String::new();
    let headline = match d.spdx.as_str() {
        "NONE" => if fr {
            "aucune licence trouvée"
        } else {
            "no licence found"
        }
        .to_string(),
        "NOASSERTION" => if fr {
            "une licence, mais aucune licence connue ne correspond assez"
        } else {
            "a licence, but it matches no known licence closely enough"
        }
        .to_string(),
        other => {
            let names: Vec<String> = d.facts().into_iter().map(|f| f.name).collect();
            if names.is_empty() {
                other.to_string()
            } else {
                names.join(" / ")
            }
        }
    };
    let (lbl, conf) = if fr {
        ("Licence :", "confiance")
    } else {
        ("Licence:", "confidence")
    };
    s.push_str(&format!(
        "{lbl} {} ({headline}) — {conf} {:.2}\n",
        d.spdx, d.confidence
    ));
    if !d.evidence.is_empty() {
        s.push_str(if fr { "Indices :\n" } else { "Evidence:\n" });
        for e in &d.evidence {
            s.push_str(&format!(
                "  {} — {} — {} ({:.3})",
                e.file,
                method_label(e.method, lang),
                e.spdx,
                e.score
            ));
            if let Some(n) = &e.note {
                s.push_str(&format!(" — {n}"));
            }
            s.push('\n');
        }
    }
    let disagree = d.disagreements();
    if !d.declared.is_empty() {
        s.push_str(if fr {
            "Déclarée par les métadonnées :\n"
        } else {
            "Declared by metadata:\n"
        });
        for decl in &d.declared {
            let mark = if disagree.iter().any(|x| std::ptr::eq(*x, decl)) {
                if fr {
                    "  ≠ licence détectée"
                } else {
                    "  ≠ detected licence"
                }
            } else {
                ""
            };
            s.push_str(&format!("  {}: {}{mark}\n", decl.source, decl.spdx));
        }
    }
    for f in d.facts() {
        let crpa = match f.crpa {
            CrpaStatus::Listed => yes_no(true, lang),
            CrpaStatus::OlderVersion => {
                if fr {
                    "version antérieure d'une famille listée"
                } else {
                    "older version of a listed family"
                }
            }
            CrpaStatus::NotListed => yes_no(false, lang),
        };
        let copyleft = match f.copyleft {
            None => {
                if fr {
                    "inconnu"
                } else {
                    "unknown"
                }
            }
            Some(Copyleft::None) => {
                if fr {
                    "aucun (permissive)"
                } else {
                    "none (permissive)"
                }
            }
            Some(Copyleft::Weak) => {
                if fr {
                    "faible"
                } else {
                    "weak"
                }
            }
            Some(Copyleft::Strong) => {
                if fr {
                    "fort"
                } else {
                    "strong"
                }
            }
            Some(Copyleft::Network) => {
                if fr {
                    "fort, usage réseau compris"
                } else {
                    "strong, network use included"
                }
            }
        };
        s.push_str(&format!(
            "{}: OSI {}, FSF {}, CRPA D323-2-1 {}, copyleft {}\n",
            f.spdx,
            yes_no(f.osi_approved, lang),
            yes_no(f.fsf_libre, lang),
            crpa,
            copyleft
        ));
    }
    for n in &d.notes {
        s.push_str(&format!("{} {n}\n", if fr { "note :" } else { "note:" }));
    }
    s
}
