//! The exports on a real temporary registry: what fails says so once and
//! leaves the target file as it was; the médiation file keeps to its
//! schema whatever the names.

use archipel_domain::*;
use archipel_formats::{mediation, ImportContext};
use archipel_jobs::export::{self, Export, ExportError};
use archipel_store::Store;
use archipel_testkit::records::t0;
use std::io::Write;

fn place(local: &str, name: &str, description: &str) -> Entity {
    Entity::Place(Place {
        id: EntityId::new(EntityKind::Place, "test", local).unwrap(),
        name: name.into(),
        actor: Some(EntityId::new(EntityKind::Actor, "test", "op").unwrap()),
        description: Some(description.into()),
        address: Address {
            street: Some("@1 rue de Siam".into()),
            complement: None,
            postcode: Some("29200".into()),
            city: Some("-Brest".into()),
        },
        insee_code: Some("29019".into()),
        location: Some(GeoPoint {
            lat: 48.39,
            lon: -4.48,
        }),
        territory: None,
        phone: Some("+33298000000".into()),
        emails: vec![],
        websites: vec![],
        details: Default::default(),
        provenance: Provenance::new("test", t0()),
    })
}

/// The operator of every place, with the SIRET the médiation file needs.
fn operator() -> Entity {
    Entity::Actor(Actor {
        id: EntityId::new(EntityKind::Actor, "test", "op").unwrap(),
        name: "=Opérateur".into(),
        nature: Nature::Organisation,
        kind: None,
        typology: vec![],
        description: None,
        identifiers: Identifiers {
            siret: Some("21000000000005".into()),
            ..Default::default()
        },
        website: None,
        email: None,
        territory: None,
        location: None,
        provenance: Provenance::new("test", t0()),
    })
}

fn registry(places: &[Entity]) -> (tempfile::TempDir, Store) {
    let records: Vec<Entity> = std::iter::once(operator())
        .chain(places.iter().cloned())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("a.db")).unwrap();
    store
        .write("test", "manual", None, |w| {
            records.iter().try_for_each(|r| w.upsert(r).map(drop))
        })
        .unwrap();
    (dir, store)
}

/// A writer that takes `room` bytes, then fails as a full disk does.
struct Full {
    room: usize,
}

impl Write for Full {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.room == 0 {
            return Err(std::io::Error::from_raw_os_error(28));
        }
        let n = buf.len().min(self.room);
        self.room -= n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A full disk in the middle of any export is one error, said once.
#[test]
fn a_failing_output_is_said_once() {
    let records: Vec<Entity> = (0..300)
        .map(|i| place(&i.to_string(), &format!("Lieu {i}"), "Accueil"))
        .collect();
    let (_dir, store) = registry(&records);
    for what in [
        Export::Json,
        Export::Geojson,
        Export::Mediation,
        Export::Csv(EntityKind::Place),
    ] {
        let err = export::write(&store, what, &mut Full { room: 1000 }).unwrap_err();
        assert!(
            matches!(
                err,
                ExportError::Format(archipel_formats::ExportError::Write(_))
            ),
            "{what:?}: {err:?}"
        );
        let text = error_chain(&err);
        assert_eq!(text.matches("os error 28").count(), 1, "{what:?}: {text}");
        assert!(text.starts_with("writing the export: "), "{what:?}: {text}");
    }
}

/// A file export that fails midway leaves the file that was there as it
/// was and nothing beside it; one that succeeds replaces it whole.
#[test]
fn a_file_is_replaced_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.json");
    std::fs::write(&target, "ancien").unwrap();
    let err = export::to_file(&target, |out| {
        out.write_all(b"{\"records\": [")?;
        Err(std::io::Error::from_raw_os_error(28).into())
    })
    .unwrap_err();
    let text = error_chain(&err);
    assert!(
        text.contains("out.json: export not written (the file already there is left as it was): writing the export: "),
        "{text}"
    );
    assert_eq!(text.matches("os error 28").count(), 1, "{text}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "ancien");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    export::to_file(&target, |out| Ok(out.write_all(b"nouveau")?)).unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "nouveau");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// Texts a spreadsheet would run get their quote in the médiation file,
/// numbers and telephone numbers do not, and the file keeps to the schema
/// — a description of the longest length it allows included.
#[test]
fn mediation_export_is_neutralised_and_keeps_to_the_schema() {
    let longest = format!("-{}", "x".repeat(279));
    let (_dir, store) = registry(&[
        place("a", "=HYPERLINK(\"http://evil.example\")", &longest),
        place("b", "+cmd|' /C calc'!A0", "@SUM(1)"),
    ]);
    let mut out = Vec::new();
    export::write(&store, Export::Mediation, &mut out).unwrap();
    let content = archipel_content::Content::embedded().unwrap();
    let ctx = ImportContext::new("export.csv", "mediation", &content);
    let parsed = mediation::parse(&out, &ctx);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""),
        "{text}"
    );
    assert!(text.contains("'+cmd|' /C calc'!A0"), "{text}");
    assert!(
        text.contains(",'@SUM(1),") || text.contains(",'@SUM(1)\n"),
        "{text}"
    );
    assert!(text.contains(",'@1 rue de Siam,"), "{text}");
    assert!(text.contains(",'-Brest,"), "{text}");
    assert!(text.contains(",+33298000000,"), "{text}");
    assert!(text.contains(",-4.48,"), "{text}");
    let cut = format!(",'-{},", "x".repeat(278));
    assert!(text.contains(&cut), "{text}");
}
