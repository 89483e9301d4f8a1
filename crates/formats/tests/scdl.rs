//! SCDL « subventions » 2.1.1: the samples of `testdata/scdl/` read, every
//! quirk named with its line (CRLF files included), and a valid file
//! written back cell for cell.

use archipel_content::Content;
use archipel_formats::{scdl, ImportContext};

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(archipel_testkit::testdata(&format!("scdl/{name}"))).expect("sample")
}

fn read(name: &str) -> scdl::ScdlParsed {
    let content = Content::embedded().unwrap();
    let ctx = ImportContext::new(name, "scdl-subventions", &content);
    scdl::parse(&sample(name), &ctx)
}

fn problems(p: &scdl::ScdlParsed) -> Vec<String> {
    p.parsed.problems.iter().map(|p| p.to_string()).collect()
}

#[test]
fn a_valid_file_gives_grants_in_exact_cents_and_shares() {
    let p = read("subventions-valid.csv");
    assert_eq!(problems(&p), Vec::<String>::new());
    assert_eq!(p.grants.len(), 5);
    let g = &p.grants[1];
    assert_eq!(g.line, 3);
    assert_eq!(g.grant.amount_cents, 850_050);
    assert_eq!(g.grant.share.as_str(), "0.5");
    assert_eq!(g.grant.received_cents(), 425_025);
    assert_eq!(
        g.grant.payment_until.map(|d| d.to_string()).as_deref(),
        Some("2025-12-31")
    );
    assert_eq!(
        g.grant.giver.as_str(),
        "actor:scdl-subventions:21290019700006"
    );
    assert_eq!(
        g.beneficiary.identifiers.siret.as_deref(),
        Some("79876543200009")
    );
    // An association known by its RNA number only.
    let inkind = &p.grants[3];
    assert_eq!(
        inkind.grant.beneficiary.as_str(),
        "actor:scdl-subventions:W291054321"
    );
    assert_eq!(inkind.beneficiary.kind.as_deref(), Some("association"));
    assert_eq!(inkind.grant.nature, "aide en nature");
    // Two beneficiaries of one decision are two grants.
    assert_ne!(p.grants[1].grant.id, p.grants[2].grant.id);
}

#[test]
fn crlf_and_a_byte_order_mark_read_as_usual() {
    let lf = read("subventions-valid.csv");
    let crlf = read("subventions-crlf-bom.csv");
    assert_eq!(problems(&crlf), Vec::<String>::new());
    assert_eq!(crlf.grants.len(), lf.grants.len());
    for (a, b) in lf.grants.iter().zip(&crlf.grants) {
        assert_eq!(a.line, b.line);
        assert_eq!(a.grant.id, b.grant.id);
        assert_eq!(scdl::cells(&a.grant), scdl::cells(&b.grant));
    }
}

#[test]
fn a_decimal_comma_is_named_with_its_line_and_what_to_write() {
    let p = read("subventions-decimal-comma.csv");
    assert_eq!(
        problems(&p),
        [
            "subventions-decimal-comma.csv:3: montant: `8500,50` uses a decimal comma; \
          write the amount with a point, such as `8500.50`"
        ]
    );
    assert_eq!(p.parsed.rejected, 1);
    assert_eq!(p.grants.len(), 4);
    // The rejects file keeps the row byte for byte, CRLF included.
    let rejects = String::from_utf8(p.parsed.rejects.to_bytes()).unwrap();
    assert!(rejects.contains(",\"8500,50\",aide"), "{rejects}");
    assert!(rejects.ends_with("AAP-COMMUNS-2025\r\n"), "{rejects:?}");
}

#[test]
fn a_french_date_is_named_with_its_line_and_the_iso_form() {
    let p = read("subventions-french-date.csv");
    assert_eq!(
        problems(&p),
        [
            "subventions-french-date.csv:4: dateConvention: `14/03/2025` is written DD/MM/YYYY; \
          write dates as YYYY-MM-DD: `2025-03-14`"
        ]
    );
}

#[test]
fn a_control_character_is_refused() {
    let p = read("subventions-control-char.csv");
    let found = problems(&p);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("subventions-control-char.csv:2: objet: "),
        "{found:?}"
    );
    assert!(found[0].contains("control character"), "{found:?}");
}

#[test]
fn other_quirks_and_schema_rules() {
    let content = Content::embedded().unwrap();
    let ctx = ImportContext::new("q.csv", "scdl-subventions", &content);
    let header = scdl::columns().join(",");
    let row = "Ville,21290019700006,2025-01-02,,B,81234567800005,,Objet,100,aide en numéraire,unique,2025-01-03,,non,1,";
    let cases = [
        (row.replace(",100,", ",1 500,"), "montant: `1 500` has spaces"),
        (row.replace(",100,", ",1.005,"), "montant: `1.005` has more than two decimals"),
        (row.replace(",non,1,", ",non,50,"), "pourcentageSubvention: `50` looks like a percentage"),
        (row.replace(",non,1,", ",non,\"0,5\","), "pourcentageSubvention: `0,5` uses a decimal comma"),
        (row.replace(",2025-01-03,", ",03/01/2025/31/12/2025,"), "datesPeriodeVersement: `03/01/2025/31/12/2025` is written DD/MM/YYYY; write dates as YYYY-MM-DD: `2025-01-03/2025-12-31`"),
        (row.replace(",2025-01-03,", ",2025-02-01/2025-01-01,"), "ends before it starts"),
        (row.replace(",non,", ",Non,"), "notificationUE: `Non` is not one of the allowed values (oui, non)"),
        (row.replace("21290019700006", "21290019700007"), "idAttribuant: `21290019700007` fails the SIRET check digit"),
        (row.replace("aide en numéraire", "numéraire"), "nature: `numéraire` is not one of the allowed values"),
    ];
    for (r, want) in cases {
        let text = format!("{header}\n{r}\n");
        let p = scdl::parse(text.as_bytes(), &ctx);
        let found = problems(&p);
        assert!(
            found
                .iter()
                .any(|f| f.starts_with("q.csv:2: ") && f.contains(want)),
            "{want}: {found:?}"
        );
        assert!(p.grants.is_empty(), "{want}");
    }
    // The same row twice is the same grant.
    let p = scdl::parse(format!("{header}\n{row}\n{row}\n").as_bytes(), &ctx);
    assert_eq!(problems(&p).len(), 1, "{:?}", problems(&p));
    assert!(problems(&p)[0].contains("q.csv:3: the same grant as line 2"));
    // A column the schema does not have stops the file.
    let p = scdl::parse(format!("{header},extra\n{row},x\n").as_bytes(), &ctx);
    assert!(p.parsed.stopped);
}

#[test]
fn a_valid_file_is_written_back_cell_for_cell() {
    let p = read("subventions-crlf-bom.csv");
    let mut out = Vec::new();
    let mut w = scdl::Writer::begin(&mut out).unwrap();
    for g in &p.grants {
        w.grant(&g.grant).unwrap();
    }
    w.finish().unwrap();
    let cells = |bytes: &[u8]| -> Vec<Vec<String>> {
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text)
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    };
    assert_eq!(cells(&out), cells(&sample("subventions-crlf-bom.csv")));
    // And what is written reads again without a problem.
    let content = Content::embedded().unwrap();
    let again = scdl::parse(
        &out,
        &ImportContext::new("out.csv", "scdl-subventions", &content),
    );
    assert_eq!(problems(&again), Vec::<String>::new());
}

#[test]
fn formulas_are_neutralised_and_the_file_stays_valid() {
    let p = read("subventions-valid.csv");
    let mut g = p.grants[0].grant.clone();
    g.beneficiary_name = "=HYPERLINK(\"http://x\")".into();
    g.decision_reference = Some("@SUM(A1)".into());
    let mut out = Vec::new();
    let mut w = scdl::Writer::begin(&mut out).unwrap();
    w.grant(&g).unwrap();
    w.finish().unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(
        text.contains(",'@SUM(A1),\"'=HYPERLINK(\"\"http://x\"\")\","),
        "{text}"
    );
    let content = Content::embedded().unwrap();
    let again = scdl::parse(
        &out,
        &ImportContext::new("out.csv", "scdl-subventions", &content),
    );
    assert_eq!(problems(&again), Vec::<String>::new());
}

mod dispositifs {
    use archipel_content::Content;
    use archipel_formats::{dispositif, ImportContext};

    fn read(text: &[u8]) -> dispositif::DispositifParsed {
        let content = Content::embedded().unwrap();
        dispositif::parse(text, &ImportContext::new("d.csv", "dispositifs", &content))
    }

    #[test]
    fn calls_keep_every_field_and_archipel_columns() {
        let bytes =
            std::fs::read(archipel_testkit::testdata("scdl/dispositifs.csv")).expect("sample");
        let p = read(&bytes);
        let found: Vec<String> = p.parsed.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(found, Vec::<String>::new());
        assert_eq!(p.calls.len(), 2);
        let (line, c) = &p.calls[0];
        assert_eq!(*line, 2);
        assert_eq!(c.id.as_str(), "call:dispositifs:AAP-COMMUNS-2025");
        assert!(c.non_competitive && c.call_for_projects);
        assert_eq!(c.budget_cents, Some(6_000_000));
        assert_eq!(c.eligible, ["Associations", "Entreprises privées"]);
        assert_eq!(
            c.opens.map(|d| d.to_string()).as_deref(),
            Some("2025-01-15")
        );
        assert_eq!(c.details["recurrence_aide"], "Récurrente");
        assert_eq!(c.details["types_aides"], "Subvention,Technique");
        assert!(!c.details.contains_key("archipel_budget"));
    }

    #[test]
    fn schema_rules_and_archipel_columns_are_checked() {
        let bytes =
            std::fs::read(archipel_testkit::testdata("scdl/dispositifs.csv")).expect("sample");
        let text = String::from_utf8(bytes).unwrap();
        for (from, to, want) in [
            (
                ",Récurrente,",
                ",Souvent,",
                "d.csv:2: recurrence_aide: `Souvent` is not one of the allowed values",
            ),
            (
                ",60000,oui",
                ",\"60000,00\",oui",
                "d.csv:2: archipel_budget: `60000,00` uses a decimal comma",
            ),
            (
                ",60000,oui",
                ",60000,peut-être",
                "d.csv:2: archipel_non_competitif: `peut-être` is not oui or non",
            ),
            (
                "2025-03-31",
                "2025-01-01",
                "d.csv:2: closes: the call closes before it opens",
            ),
            (
                "https://port-lannec.example/communs",
                "javascript:alert(1)",
                "d.csv:2: url_descriptif: ",
            ),
            (
                ",212900197,\"Associations,Entreprises",
                ",2129,\"Associations,Entreprises",
                "d.csv:2: porteur_siren: ",
            ),
        ] {
            assert!(text.contains(from), "{from}");
            let p = read(text.replacen(from, to, 1).as_bytes());
            let found: Vec<String> = p.parsed.problems.iter().map(|p| p.to_string()).collect();
            assert!(found.iter().any(|f| f.contains(want)), "{want}: {found:?}");
            assert_eq!(p.calls.len(), 1, "{want}");
        }
        let p = read(
            text.replace("AAP-TIERS-LIEUX-2025", "AAP-COMMUNS-2025")
                .as_bytes(),
        );
        let found: Vec<String> = p.parsed.problems.iter().map(|p| p.to_string()).collect();
        assert!(
            found[0].contains("d.csv:3: id_aide: `AAP-COMMUNS-2025` is used by line 2"),
            "{found:?}"
        );
        let p = read(text.replace("contact,aap_ami", "contact,autre").as_bytes());
        assert!(p.parsed.stopped);
    }
}
