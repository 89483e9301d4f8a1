//! Writes a large synthetic registry for the web benchmark: N places and
//! actors (half each) spread over metropolitan France, 100 communes in 10
//! departments, 200 commons, and a `uses` relation from every actor.
//! Deterministic (a fixed pseudo-random sequence), so runs compare.
//!
//! `cargo run --release -p archipel-web --example bench_data -- DB [N]`

use archipel_domain::*;
use archipel_store::Store;
use std::path::PathBuf;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const KINDS: &[(&str, &str)] = &[
    ("Médiathèque", "library"),
    ("Tiers-lieu", "tiers_lieu"),
    ("Fablab", "fablab"),
    ("Association numérique", "association"),
    ("Centre social", "social_centre"),
    ("Espace public numérique", "public_digital_space"),
    ("Coopérative", "cooperative"),
    ("Mairie", "local_government"),
];

const TOWN_A: &[&str] = &[
    "Saint", "Sainte", "Le", "La", "Les", "Mont", "Bourg", "Val", "Pont", "Port",
];
const TOWN_B: &[&str] = &[
    "Étienne",
    "Hélène",
    "Genêts",
    "Forêt",
    "Rivière",
    "Château",
    "Prés",
    "Églantier",
    "Bézier",
    "Crêt",
    "Vallée",
    "Clairière",
    "Moulin",
    "Chêne",
    "Fontaine",
    "Grève",
    "Lande",
    "Île",
    "Noé",
    "Sébastien",
    "Pérou",
    "Côte",
    "Plaine",
    "Rocher",
    "Abbaye",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let db = PathBuf::from(args.next().ok_or("usage: bench_data DB [N]")?);
    let n: usize = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000);
    let content = archipel_content::Content::embedded()?;
    let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 0);
    let prov = || Provenance::new("bench", now);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out: Vec<Entity> = Vec::with_capacity(n + n / 2 + 400);

    let region = EntityId::new(EntityKind::Territory, "bench", "region")?;
    out.push(Entity::Territory(Territory {
        id: region.clone(),
        name: "Région de banc d'essai".into(),
        level: "region".into(),
        code: "99".into(),
        parent: None,
        fictional: true,
        department: None,
        population: None,
        postcodes: Vec::new(),
        provenance: prov(),
    }));
    let mut communes = Vec::new();
    for d in 0..10 {
        let dep = EntityId::new(EntityKind::Territory, "bench", &format!("dep-{d}"))?;
        out.push(Entity::Territory(Territory {
            id: dep.clone(),
            name: format!("Département d'essai n°{d}"),
            level: "departement".into(),
            code: format!("9{d}"),
            parent: Some(region.clone()),
            fictional: true,
            department: None,
            population: None,
            postcodes: Vec::new(),
            provenance: prov(),
        }));
        for c in 0..10 {
            let id = EntityId::new(EntityKind::Territory, "bench", &format!("commune-{d}{c}"))?;
            let name = format!(
                "{}-{} {}{}",
                TOWN_A[rng.below(TOWN_A.len())],
                TOWN_B[rng.below(TOWN_B.len())],
                ["d'Essai", "sur-Banc", "les-Mesures"][c % 3],
                if c > 2 {
                    format!(" {c}")
                } else {
                    String::new()
                }
            );
            out.push(Entity::Territory(Territory {
                id: id.clone(),
                name,
                level: "commune".into(),
                code: format!("9{d}{c:03}"),
                parent: Some(dep.clone()),
                fictional: true,
                department: None,
                population: None,
                postcodes: Vec::new(),
                provenance: prov(),
            }));
            communes.push(id);
        }
    }
    let mut commons = Vec::new();
    for i in 0..200 {
        let id = EntityId::new(EntityKind::Commons, "bench", &format!("c{i}"))?;
        out.push(Entity::Commons(Commons {
            id: id.clone(),
            name: format!("Logiciel commun n°{i}"),
            kind: "software".into(),
            description: Some("Un commun numérique de banc d'essai.".into()),
            repository_url: None,
            website_url: None,
            license: Some(["AGPL-3.0-only", "MIT", "EUPL-1.2", "GPL-3.0-or-later"][i % 4].into()),
            publiccode: None,
            categories: Vec::new(),
            identifiers: Identifiers::default(),
            details: Default::default(),
            provenance: prov(),
        }));
        commons.push(id);
    }
    let half = n / 2;
    for i in 0..half {
        let (label, kind) = KINDS[rng.below(KINDS.len())];
        let town = format!(
            "{}-{}",
            TOWN_A[rng.below(TOWN_A.len())],
            TOWN_B[rng.below(TOWN_B.len())]
        );
        let territory = communes[rng.below(communes.len())].clone();
        // Metropolitan France, roughly.
        let lat = 43.0 + rng.unit() * 7.5;
        let lon = -4.5 + rng.unit() * 12.0;
        let actor = EntityId::new(EntityKind::Actor, "bench", &format!("a{i}"))?;
        out.push(Entity::Actor(Actor {
            id: actor.clone(),
            name: format!("{label} de {town} n°{i}"),
            nature: Nature::Organisation,
            kind: Some(kind.into()),
            typology: vec![
                ["contributor", "opportunity_space_organiser", "public_agent"][i % 3].into(),
            ],
            description: Some(format!(
                "{label} de banc d'essai à {town}, ateliers et accompagnement au numérique."
            )),
            identifiers: Identifiers::default(),
            website: None,
            email: None,
            territory: Some(territory.clone()),
            location: Some(GeoPoint { lat, lon }),
            provenance: prov(),
        }));
        out.push(Entity::Place(Place {
            id: EntityId::new(EntityKind::Place, "bench", &format!("p{i}"))?,
            name: format!("Lieu {label} {town} n°{i}"),
            actor: Some(actor.clone()),
            description: None,
            address: Address {
                street: Some(format!("{} rue des Communs", 1 + rng.below(200))),
                complement: None,
                postcode: Some("99000".into()),
                city: Some(town.clone()),
            },
            insee_code: None,
            location: Some(GeoPoint {
                lat: lat + (rng.unit() - 0.5) * 0.01,
                lon: lon + (rng.unit() - 0.5) * 0.01,
            }),
            territory: Some(territory),
            phone: None,
            emails: Vec::new(),
            websites: Vec::new(),
            details: Default::default(),
            provenance: prov(),
        }));
        let c = &commons[rng.below(commons.len())];
        out.push(Entity::Relation(Relation {
            id: Relation::derive_id("bench", &actor, "uses", c, None)?,
            subject: actor,
            kind: "uses".into(),
            object: c.clone(),
            role: None,
            since: None,
            until: None,
            note: None,
            provenance: prov(),
        }));
    }
    for e in out.iter().take(400) {
        let problems = content.check_entity(e);
        if !problems.is_empty() {
            return Err(format!("{}: {problems:?}", e.id()).into());
        }
    }
    let mut store = Store::open(&db)?;
    let t = std::time::Instant::now();
    let ((), s) = store.write("bench", "bench", None, |w| {
        for e in &out {
            w.upsert(e)?;
        }
        Ok(())
    })?;
    eprintln!(
        "{}: {} records written ({} new) in {:.1}s",
        db.display(),
        out.len(),
        s.inserted,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
