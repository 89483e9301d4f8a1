//! The sheet as plain data, and how it is put together.

use crate::evidence::{self, Inputs};
use crate::Error;
use archipel_content::pitch::{Indicator, Register};
use archipel_content::{Content, Lang};
use archipel_domain::{Entity, EntityId};
use archipel_network::Network;
use archipel_store::Store;
use serde::Serialize;
use std::collections::BTreeMap;

/// Answers shown per objection, at most: the best ones in the register
/// asked for. A sheet is one page; the knowledge base holds more.
pub const MAX_ANSWERS: usize = 2;

/// What to put on a sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Persona id.
    pub audience: String,
    /// The register; the persona's first when `None`.
    pub register: Option<Register>,
    /// The territory (see [`crate::resolve_territory`]).
    pub territory: EntityId,
    /// A commons to argue for.
    pub commons: Option<EntityId>,
    pub lang: Lang,
    /// The day the sheet is made (`YYYY-MM-DD`); today when `None`.
    pub date: Option<String>,
}

impl Request {
    /// A request for `audience` on `territory` (as
    /// [`crate::resolve_territory`] finds it), in French, in the persona's
    /// best register.
    pub fn new(audience: &str, territory: EntityId) -> Request {
        Request {
            audience: audience.to_string(),
            register: None,
            territory,
            commons: None,
            lang: Lang::Fr,
            date: None,
        }
    }
    pub fn lang(mut self, lang: Lang) -> Request {
        self.lang = lang;
        self
    }
    pub fn register(mut self, register: Register) -> Request {
        self.register = Some(register);
        self
    }
}

/// Where an item comes from: the number of a source in
/// [`Sheet::sources`], and the place in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cite {
    pub source: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locator: Option<String>,
}

/// The listener.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Audience {
    pub id: String,
    pub name: String,
    pub profile: String,
    pub cite: Cite,
}

/// The territory the figures are about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TerritoryInfo {
    pub id: String,
    pub name: String,
    pub code: String,
    /// Level label (« EPCI », "Region").
    pub level: String,
    pub fictional: bool,
}

/// The commons the sheet argues for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommonsInfo {
    pub id: String,
    pub name: String,
}

/// An argument given as an answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub argument: String,
    pub register: Register,
    pub text: String,
    pub cite: Cite,
    /// True when no answer exists in the register asked for and this one,
    /// the best in another register, stands in.
    pub other_register: bool,
    /// The territory's figures that back it (indicators with a value).
    pub figures: Vec<Indicator>,
}

/// An objection and what to answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SheetObjection {
    pub id: String,
    pub text: String,
    pub cite: Cite,
    pub answers: Vec<Answer>,
}

/// An argument of the sheet, once (several objections may use it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SheetArgument {
    pub id: String,
    pub register: Register,
    pub text: String,
    /// Source id.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locator: Option<String>,
}

/// A figure of the territory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub indicator: Indicator,
    pub label: String,
    /// A number, an SPDX expression, or an object of counts.
    pub value: serde_json::Value,
    /// The value as a sheet shows it.
    pub text: String,
    /// The value with a brief label, for the line under an answer
    /// (« 17 communs utilisés »).
    pub short: String,
    /// Source number.
    pub source: usize,
}

/// A source credited on the sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SheetSource {
    pub number: usize,
    /// Source id in `content/pitch/sources.toml`, or `registry` /
    /// `assessment` for the figures.
    pub id: String,
    /// Title (year).
    pub credit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    /// The places in it the sheet's items come from, in order of use.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locators: Vec<String>,
}

/// A whole sheet, in one language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sheet {
    /// `fr` or `en`.
    pub lang: String,
    pub audience: Audience,
    pub register: Register,
    /// The register's label in the sheet's language.
    pub register_label: String,
    pub territory: TerritoryInfo,
    pub commons: Option<CommonsInfo>,
    pub objections: Vec<SheetObjection>,
    pub arguments: Vec<SheetArgument>,
    pub evidence: Vec<Evidence>,
    pub sources: Vec<SheetSource>,
    /// The day it was made.
    pub date: String,
    /// Headings and phrases in the sheet's language, by key.
    #[serde(skip)]
    pub texts: BTreeMap<String, String>,
}

impl Sheet {
    /// A heading or phrase (the key when missing).
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.texts.get(key).map(String::as_str).unwrap_or(key)
    }

    pub fn language(&self) -> Lang {
        Lang::parse(&self.lang).unwrap_or_default()
    }

    /// The label of a register in the sheet's language.
    pub fn register_name(&self, r: Register) -> &str {
        match r {
            Register::Political => self.t("register.political"),
            Register::Technical => self.t("register.technical"),
            Register::Economic => self.t("register.economic"),
        }
    }

    /// « registre politique », "political register".
    pub fn register_phrase(&self, r: Register) -> String {
        self.t("register_phrase")
            .replace("{}", self.register_name(r))
    }

    /// The evidence for an indicator, if it has a value.
    pub fn figure(&self, i: Indicator) -> Option<&Evidence> {
        self.evidence.iter().find(|e| e.indicator == i)
    }

    /// « : » with the space French puts before it, ": " in English.
    pub fn colon(&self) -> &'static str {
        match self.language() {
            Lang::Fr => "\u{a0}: ",
            Lang::En => ": ",
        }
    }

    /// A quotation: « … » in French (with no-break spaces), “…” in English.
    pub fn quote(&self, s: &str) -> String {
        match self.language() {
            Lang::Fr => format!("«\u{a0}{s}\u{a0}»"),
            Lang::En => format!("“{s}”"),
        }
    }

    /// The source number most figures cite (the registry), if any.
    pub fn main_figure_source(&self) -> Option<usize> {
        self.sources
            .iter()
            .find(|s| s.id == "registry")
            .map(|s| s.number)
    }

    /// A citation marker, `[2]`; the places within the source are listed
    /// with it under « Sources ».
    pub fn marker(&self, c: &Cite) -> String {
        format!("[{}]", c.source)
    }
}

/// Numbers sources in order of first use.
#[derive(Default)]
struct Sources {
    list: Vec<SheetSource>,
}

impl Sources {
    /// Cites `id` at `locator`, numbering the source on first use.
    fn cite(&mut self, content: &Content, id: &str, locator: &Option<String>, lang: Lang) -> Cite {
        let source = self.number(content, id, lang);
        if let (Some(l), Some(s)) = (locator, self.list.iter_mut().find(|s| s.id == id)) {
            if !s.locators.contains(l) {
                s.locators.push(l.clone());
            }
        }
        Cite {
            source,
            locator: locator.clone(),
        }
    }

    fn number(&mut self, content: &Content, id: &str, lang: Lang) -> usize {
        if let Some(s) = self.list.iter().find(|s| s.id == id) {
            return s.number;
        }
        let pitch = content.pitch();
        let number = self.list.len() + 1;
        let (credit, url, licence) = match pitch.source(id) {
            Some(s) => (
                s.credit(pitch.text("undated", lang)),
                s.url.clone(),
                s.licence.clone(),
            ),
            None => (id.to_string(), None, None),
        };
        self.list.push(SheetSource {
            number,
            id: id.to_string(),
            credit,
            url,
            licence,
            locators: Vec::new(),
        });
        number
    }

    fn push(&mut self, id: &str, credit: String) -> usize {
        let number = self.list.len() + 1;
        self.list.push(SheetSource {
            number,
            id: id.to_string(),
            credit,
            url: None,
            licence: None,
            locators: Vec::new(),
        });
        number
    }
}

/// French spacing: no-break spaces inside « » and before : ; ? ! so
/// that no line starts with them.
pub(crate) fn typo(s: &str, lang: Lang) -> String {
    if lang != Lang::Fr {
        return s.to_string();
    }
    s.replace("« ", "«\u{a0}")
        .replace(" »", "\u{a0}»")
        .replace(" :", "\u{a0}:")
        .replace(" ;", "\u{202f};")
        .replace(" ?", "\u{202f}?")
        .replace(" !", "\u{202f}!")
}

fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

/// Builds the sheet for `req`: the persona's objections in order, for each
/// the best answers in the register asked for (at most [`MAX_ANSWERS`]; if
/// none is in that register, its best answer in another, marked so), and
/// every figure of the territory that is neither zero nor unknown — and
/// the network's figures (computed here by `archipel-network` on the
/// sheet's day, as `archipel network` computes them) that back one of the
/// sheet's answers.
pub fn generate(content: &Content, store: &Store, req: &Request) -> Result<Sheet, Error> {
    generate_with(content, store, req, None)
}

/// [`generate`] with the territory's network already computed (a web
/// server keeps it between requests); `None` computes it. The network
/// must be `req.territory`'s, read on the sheet's day.
pub fn generate_with(
    content: &Content,
    store: &Store,
    req: &Request,
    network: Option<&Network>,
) -> Result<Sheet, Error> {
    let pitch = content.pitch();
    let lang = req.lang;
    let persona = pitch
        .persona(&req.audience)
        .ok_or_else(|| Error::UnknownAudience {
            id: req.audience.clone(),
            valid: pitch.personas.iter().map(|p| p.id.clone()).collect(),
        })?;
    let register = req.register.unwrap_or_else(|| persona.default_register());

    let commons = match &req.commons {
        None => None,
        Some(id) => match store.get(id)? {
            Some(Entity::Commons(c)) => Some(c),
            _ => return Err(Error::UnknownCommons(id.to_string())),
        },
    };
    let query = evidence::scope_query(pitch, &req.territory, req.commons.as_ref());
    let stats = store
        .scope_stats(&query)?
        .ok_or_else(|| Error::UnknownTerritory {
            key: req.territory.to_string(),
            known: Vec::new(),
            more: 0,
        })?;
    let assessment = match &req.commons {
        Some(id) => store.latest_assessment(id)?,
        None => None,
    };
    let date = req.date.clone().unwrap_or_else(today);
    let day = chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d")
        .unwrap_or_else(|_| chrono::Utc::now().date_naive());
    let computed;
    let network = match network {
        Some(n) => Some(n),
        None => {
            computed = archipel_network::run(
                store,
                content,
                &req.territory,
                day,
                &archipel_network::Options::default(),
            )?;
            computed.as_ref()
        }
    };

    let mut sources = Sources::default();
    let audience = Audience {
        id: persona.id.clone(),
        name: typo(persona.name(lang), lang),
        profile: typo(persona.profile(lang), lang),
        cite: sources.cite(content, &persona.source, &persona.locator, lang),
    };

    // Objections and answers; the figures are numbered after the texts.
    let mut objections = Vec::new();
    let mut arguments: Vec<SheetArgument> = Vec::new();
    for oid in &persona.objections {
        let Some(o) = pitch.objection(oid) else {
            continue; // the loader refuses dangling ids
        };
        let cite = sources.cite(content, &o.source, &o.locator, lang);
        let all: Vec<_> = o.answers.iter().filter_map(|a| pitch.argument(a)).collect();
        let mut chosen: Vec<_> = all
            .iter()
            .filter(|a| a.register == register)
            .take(MAX_ANSWERS)
            .map(|a| (*a, false))
            .collect();
        if chosen.is_empty() {
            chosen.extend(all.first().map(|a| (*a, true)));
        }
        let mut answers = Vec::new();
        for (a, other) in chosen {
            answers.push(Answer {
                argument: a.id.clone(),
                register: a.register,
                text: typo(a.text(lang), lang),
                cite: sources.cite(content, &a.source, &a.locator, lang),
                other_register: other,
                figures: a.indicators.clone(),
            });
            if !arguments.iter().any(|x| x.id == a.id) {
                arguments.push(SheetArgument {
                    id: a.id.clone(),
                    register: a.register,
                    text: typo(a.text(lang), lang),
                    source: a.source.clone(),
                    locator: a.locator.clone(),
                });
            }
        }
        objections.push(SheetObjection {
            id: o.id.clone(),
            text: typo(o.text(lang), lang),
            cite,
            answers,
        });
    }

    let registry_source = sources.push(
        "registry",
        format!(
            "{} — {}, {} {date}",
            pitch.text("registry_source", lang),
            stats.territory.name,
            pitch.text("read_on", lang)
        ),
    );
    let assessment_source = match (&assessment, &commons) {
        (Some(a), Some(c)) => sources.push(
            "assessment",
            format!(
                "{} « {} » ({}), {}",
                pitch.text("assessment_source", lang),
                c.name,
                a.target,
                a.assessed_at.get(..10).unwrap_or(&a.assessed_at)
            ),
        ),
        _ => 0,
    };
    let evidence = evidence::evidence(&Inputs {
        content,
        stats: &stats,
        record_licence: commons.as_ref().and_then(|c| c.license.as_deref()),
        assessment: assessment.as_ref(),
        network,
        year: chrono::Datelike::year(&day),
        lang,
        registry_source,
        assessment_source,
    });
    // The network's figures are evidence for the answers they back: a
    // sheet shows those its answers use (the others would be figures with
    // no argument beside them).
    let mut evidence = evidence;
    evidence.retain(|e| {
        !e.indicator.from_network()
            || objections
                .iter()
                .flat_map(|o| &o.answers)
                .any(|a| a.figures.contains(&e.indicator))
    });
    // Keep only the figures that have a value, and drop the registry or
    // assessment source when nothing cites it.
    for o in &mut objections {
        for a in &mut o.answers {
            a.figures
                .retain(|i| evidence.iter().any(|e| e.indicator == *i));
        }
    }
    let cited = |n: usize| evidence.iter().any(|e| e.source == n);
    let mut sources = sources.list;
    sources.retain(|s| !(s.id == "registry" || s.id == "assessment") || cited(s.number));
    let renumber: BTreeMap<usize, usize> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.number, i + 1))
        .collect();
    for s in &mut sources {
        s.number = renumber.get(&s.number).copied().unwrap_or(s.number);
    }
    let mut evidence = evidence;
    for e in &mut evidence {
        e.source = renumber.get(&e.source).copied().unwrap_or(e.source);
    }

    let level = content.label(
        "territory_levels",
        stats.territory.subkind.as_deref().unwrap_or(""),
        lang,
    );
    let texts = pitch
        .texts
        .iter()
        .map(|(k, (fr, en))| {
            let v = match lang {
                Lang::Fr => fr,
                Lang::En => en,
            };
            (k.clone(), typo(v, lang))
        })
        .collect();
    let mut sheet = Sheet {
        lang: lang.as_str().to_string(),
        audience,
        register,
        register_label: String::new(),
        territory: TerritoryInfo {
            id: stats.territory.id.clone(),
            name: stats.territory.name.clone(),
            code: stats.code.clone(),
            level,
            fictional: stats.fictional,
        },
        commons: commons.map(|c| CommonsInfo {
            id: c.id.to_string(),
            name: c.name,
        }),
        objections,
        arguments,
        evidence,
        sources,
        date,
        texts,
    };
    sheet.register_label = sheet.register_name(register).to_string();
    Ok(sheet)
}
