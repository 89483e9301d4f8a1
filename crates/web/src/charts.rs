//! Charts drawn on the server as SVG (no script, nothing from another
//! host): a line chart of one or two series over the same periods, and a
//! bar chart. Each is an `<svg role="img">` whose `<title>` says what it
//! shows and whose `<desc>` sums the numbers up; the page puts the same
//! numbers in a table beside it ([`Table`]), so nothing is only in the
//! picture. Colour is never the only carrier of meaning: the two series
//! differ by their marker (circle, square) and their line (solid,
//! dashed) too, and the legend shows both. The colours are those of the
//! site's stylesheet, at least 4.5:1 against white.
//!
//! Text in the SVG (names from the registry, labels) is escaped here
//! ([`esc`]) and isolated ([`crate::views::isolate`]) by the caller when
//! it comes from the registry.

use archipel_content::Lang;
use std::fmt::Write;

/// The series' colours (dark blue, dark orange), and their markers.
const COLOURS: [&str; 2] = ["#0b4f6c", "#b4451f"];
/// The grid and axes.
const GRID: &str = "#d7dde3";
const INK: &str = "#1b1f24";
const MUTED: &str = "#4a5560";

/// Text for XML: `&`, `<`, `>`, `"` and `'` escaped.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number as the page writes it: whole numbers with the language's
/// thousands separator, others with up to two decimals (a comma in
/// French).
pub fn number(lang: Lang, v: f64) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    if (v - v.round()).abs() < 1e-9 {
        let n = v.round();
        let s = lang.number(n.abs() as u64);
        return if n < 0.0 { format!("−{s}") } else { s };
    }
    let s = format!("{:.2}", v.abs());
    let s = s.trim_end_matches('0');
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let int = lang.number(int.parse::<u64>().unwrap_or(0));
    let sep = match lang {
        Lang::Fr => ",",
        Lang::En => ".",
    };
    let sign = if v < 0.0 { "−" } else { "" };
    format!("{sign}{int}{sep}{frac}")
}

/// One line of a line chart: a name and a value per period (`None` where
/// unknown).
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// A line chart: the periods along the bottom, one or two series.
#[derive(Debug, Clone)]
pub struct LineChart {
    /// What it shows (the SVG's title).
    pub title: String,
    /// The periods (x axis), in order.
    pub periods: Vec<String>,
    /// One or two series (more are not drawn).
    pub series: Vec<Series>,
}

/// A bar of a bar chart.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: f64,
}

/// A bar chart, one horizontal bar per item (long labels fit on phones).
#[derive(Debug, Clone)]
pub struct BarChart {
    pub title: String,
    pub bars: Vec<Bar>,
}

/// The table beside a chart: the same numbers.
#[derive(Debug, Clone)]
pub struct Table {
    pub caption: String,
    /// Column headers; the first heads the row headers' column.
    pub head: Vec<String>,
    /// Each row: its header, then one cell per other column.
    pub rows: Vec<(String, Vec<String>)>,
}

/// A chart ready for a page: its SVG and its table.
#[derive(Debug, Clone)]
pub struct Figure {
    pub svg: String,
    pub table: Table,
}

/// Most bars drawn (the table lists them all).
pub const MAX_BARS: usize = 24;
/// Most periods drawn (the table lists them all).
pub const MAX_PERIODS: usize = 240;

/// Round steps for an axis from 0 to at least `max`: (step, top).
fn ticks(max: f64) -> (f64, f64) {
    if max <= 0.0 || !max.is_finite() {
        return (1.0, 1.0);
    }
    let raw = max / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let step = if max >= 4.0 { step.max(1.0) } else { step };
    (step, (max / step).ceil() * step)
}

fn marker(out: &mut String, i: usize, x: f64, y: f64) {
    let c = COLOURS[i % 2];
    if i.is_multiple_of(2) {
        let _ = write!(
            out,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="4.5" fill="{c}" stroke="white" stroke-width="1.5"/>"#
        );
    } else {
        let _ = write!(
            out,
            r#"<rect x="{:.1}" y="{:.1}" width="9" height="9" fill="{c}" stroke="white" stroke-width="1.5"/>"#,
            x - 4.5,
            y - 4.5
        );
    }
}

fn dash(i: usize) -> &'static str {
    if i.is_multiple_of(2) {
        ""
    } else {
        r#" stroke-dasharray="7 4""#
    }
}

/// The opening of a chart's SVG with its title and description.
fn open(out: &mut String, id: &str, w: u32, h: u32, title: &str, desc: &str) {
    let id = esc(id);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-t {id}-d" font-size="13"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(desc)
    );
}

/// The line chart as SVG; `id` makes its title's ids unique in the page.
pub fn line_svg(c: &LineChart, id: &str, lang: Lang) -> String {
    let series: Vec<&Series> = c.series.iter().take(2).collect();
    let n = c.periods.len().min(MAX_PERIODS);
    let (w, h) = (640u32, 300u32);
    let legend_h = 22.0 * series.len() as f64;
    let (left, right, top, bottom) = (56.0, 16.0, 12.0 + legend_h, 40.0);
    let pw = f64::from(w) - left - right;
    let ph = f64::from(h) - top - bottom;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().take(n).flatten())
        .fold(0f64, |a, v| a.max(*v));
    let (step, top_v) = ticks(max);
    let x = |i: usize| {
        if n <= 1 {
            left + pw / 2.0
        } else {
            left + pw * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| top + ph - ph * (v / top_v);
    let mut out = String::new();
    open(&mut out, id, w, h, &c.title, &line_summary(c, lang));
    // Legend: marker and line sample, then the name.
    for (i, s) in series.iter().enumerate() {
        let ly = 12.0 + 22.0 * i as f64;
        let _ = write!(
            out,
            r#"<line x1="{left}" y1="{ly}" x2="{}" y2="{ly}" stroke="{}" stroke-width="2.5"{}/>"#,
            left + 28.0,
            COLOURS[i],
            dash(i)
        );
        marker(&mut out, i, left + 14.0, ly);
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" fill="{INK}">{}</text>"#,
            left + 36.0,
            ly + 4.5,
            esc(&s.name)
        );
    }
    // Grid and value axis.
    let mut v = 0.0;
    while v <= top_v + step / 2.0 {
        let yy = y(v);
        let _ = write!(
            out,
            r#"<line x1="{left}" y1="{yy:.1}" x2="{}" y2="{yy:.1}" stroke="{GRID}"/><text x="{}" y="{:.1}" text-anchor="end" fill="{MUTED}">{}</text>"#,
            left + pw,
            left - 6.0,
            yy + 4.0,
            esc(&number(lang, v))
        );
        v += step;
    }
    // Periods: at most about eight labels.
    let every = n.div_ceil(8).max(1);
    for i in 0..n {
        if i % every == 0 || i + 1 == n {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{}" text-anchor="middle" fill="{MUTED}">{}</text>"#,
                x(i),
                top + ph + 20.0,
                esc(&c.periods[i])
            );
        }
    }
    let _ = write!(
        out,
        r#"<line x1="{left}" y1="{:.1}" x2="{}" y2="{:.1}" stroke="{MUTED}"/>"#,
        top + ph,
        left + pw,
        top + ph
    );
    for (i, s) in series.iter().enumerate() {
        let pts: Vec<(f64, f64)> = s
            .values
            .iter()
            .take(n)
            .enumerate()
            .filter_map(|(k, v)| v.map(|v| (x(k), y(v))))
            .collect();
        if pts.len() > 1 {
            let d: Vec<String> = pts.iter().map(|(a, b)| format!("{a:.1},{b:.1}")).collect();
            let _ = write!(
                out,
                r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"{}/>"#,
                d.join(" "),
                COLOURS[i],
                dash(i)
            );
        }
        if n <= 60 {
            for (a, b) in pts {
                marker(&mut out, i, a, b);
            }
        }
    }
    out.push_str("</svg>");
    out
}

/// "Name: first → last" for each series, the description of a line chart.
fn line_summary(c: &LineChart, lang: Lang) -> String {
    let parts: Vec<String> = c
        .series
        .iter()
        .take(2)
        .map(|s| {
            let known: Vec<(usize, f64)> = s
                .values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (i, v)))
                .collect();
            match (known.first(), known.last()) {
                (Some((a, va)), Some((b, vb))) => format!(
                    "{}: {} {} → {} {}",
                    s.name,
                    c.periods.get(*a).map(String::as_str).unwrap_or(""),
                    number(lang, *va),
                    c.periods.get(*b).map(String::as_str).unwrap_or(""),
                    number(lang, *vb)
                ),
                _ => format!("{}: –", s.name),
            }
        })
        .collect();
    parts.join("; ")
}

/// The table of a line chart: one row per period, one column per series.
pub fn line_table(c: &LineChart, caption: &str, period_head: &str, lang: Lang) -> Table {
    let mut head = vec![period_head.to_string()];
    head.extend(c.series.iter().map(|s| s.name.clone()));
    let rows = c
        .periods
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let cells = c
                .series
                .iter()
                .map(|s| match s.values.get(i).copied().flatten() {
                    Some(v) => number(lang, v),
                    None => "–".to_string(),
                })
                .collect();
            (p.clone(), cells)
        })
        .collect();
    Table {
        caption: caption.to_string(),
        head,
        rows,
    }
}

/// A line chart with its table.
pub fn line(c: &LineChart, id: &str, period_head: &str, lang: Lang) -> Figure {
    Figure {
        svg: line_svg(c, id, lang),
        table: line_table(c, &c.title, period_head, lang),
    }
}

/// The bar chart as SVG: horizontal bars, each with its label above and
/// its value at its end.
pub fn bar_svg(c: &BarChart, id: &str, lang: Lang) -> String {
    let bars: Vec<&Bar> = c.bars.iter().take(MAX_BARS).collect();
    let w = 640u32;
    let row = 40.0;
    let h = (16.0 + row * bars.len().max(1) as f64) as u32;
    let (left, right) = (8.0, 90.0);
    let pw = f64::from(w) - left - right;
    let max = bars.iter().fold(0f64, |a, b| a.max(b.value));
    let max = if max > 0.0 { max } else { 1.0 };
    let desc: Vec<String> = bars
        .iter()
        .map(|b| format!("{}: {}", b.label, number(lang, b.value)))
        .collect();
    let mut out = String::new();
    open(&mut out, id, w, h, &c.title, &desc.join("; "));
    for (i, b) in bars.iter().enumerate() {
        let top = 8.0 + row * i as f64;
        let len = (pw * b.value.max(0.0) / max).max(if b.value > 0.0 { 2.0 } else { 0.0 });
        let _ = write!(
            out,
            r#"<text x="{left}" y="{:.1}" fill="{INK}">{}</text><rect x="{left}" y="{:.1}" width="{len:.1}" height="14" fill="{}"/><text x="{:.1}" y="{:.1}" fill="{INK}">{}</text>"#,
            top + 12.0,
            esc(&b.label),
            top + 17.0,
            COLOURS[0],
            left + len + 6.0,
            top + 29.0,
            esc(&number(lang, b.value))
        );
    }
    out.push_str("</svg>");
    out
}

/// A bar chart with its table (`label_head`, `value_head`: its columns).
pub fn bars(c: &BarChart, id: &str, label_head: &str, value_head: &str, lang: Lang) -> Figure {
    Figure {
        svg: bar_svg(c, id, lang),
        table: Table {
            caption: c.title.clone(),
            head: vec![label_head.to_string(), value_head.to_string()],
            rows: c
                .bars
                .iter()
                .map(|b| (b.label.clone(), vec![number(lang, b.value)]))
                .collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}: {svg}"))
    }

    fn chart() -> LineChart {
        LineChart {
            title: "Acteurs <& \"Brest\" 'n'>".into(),
            periods: (2018..=2025).map(|y| y.to_string()).collect(),
            series: vec![
                Series {
                    name: "Brest & <co>".into(),
                    values: vec![
                        Some(3.0),
                        Some(5.0),
                        None,
                        Some(8.0),
                        Some(13.0),
                        Some(21.0),
                        Some(34.0),
                        Some(1200.0),
                    ],
                },
                Series {
                    name: "Grenoble".into(),
                    values: vec![Some(1.0); 8],
                },
            ],
        }
    }

    #[test]
    fn a_line_chart_is_well_formed_xml_with_its_title_and_names_escaped() {
        let svg = line_svg(&chart(), "c1", Lang::Fr);
        let doc = parse(&svg);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.attribute("role"), Some("img"));
        assert_eq!(root.attribute("aria-labelledby"), Some("c1-t c1-d"));
        let title = root
            .children()
            .find(|n| n.has_tag_name("title"))
            .and_then(|n| n.text());
        assert_eq!(title, Some("Acteurs <& \"Brest\" 'n'>"));
        let desc = root
            .children()
            .find(|n| n.has_tag_name("desc"))
            .and_then(|n| n.text())
            .unwrap();
        assert!(
            desc.contains("Brest & <co>: 2018 3 → 2025 1\u{202f}200"),
            "{desc}"
        );
        // Both names in the legend, as text (escaped in the source).
        let texts: Vec<&str> = root
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .collect();
        assert!(texts.contains(&"Brest & <co>") && texts.contains(&"Grenoble"));
        assert!(!svg.contains("<co>"));
        // Two lines told apart by more than colour: one dashed, markers
        // of two shapes.
        let lines: Vec<_> = root
            .descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].attribute("stroke-dasharray").is_none());
        assert!(lines[1].attribute("stroke-dasharray").is_some());
        assert!(root.descendants().any(|n| n.has_tag_name("circle")));
        assert!(root.descendants().any(|n| n.has_tag_name("rect")));
        // The missing value is skipped, not drawn at zero: 7 + 8 points
        // plus the legend's two markers.
        let markers = root
            .descendants()
            .filter(|n| n.has_tag_name("circle") || n.has_tag_name("rect"))
            .count();
        assert_eq!(markers, 7 + 8 + 2);
    }

    #[test]
    fn a_line_chart_table_has_every_period_and_marks_the_unknown() {
        let t = line_table(&chart(), "cap", "Année", Lang::En);
        assert_eq!(t.head, vec!["Année", "Brest & <co>", "Grenoble"]);
        assert_eq!(t.rows.len(), 8);
        assert_eq!(
            t.rows[2],
            ("2020".to_string(), vec!["–".into(), "1".into()])
        );
        assert_eq!(t.rows[7].1[0], "1,200");
    }

    #[test]
    fn a_bar_chart_is_well_formed_and_scaled() {
        let c = BarChart {
            title: "Par sorte".into(),
            bars: vec![
                Bar {
                    label: "Associations <loi 1901>".into(),
                    value: 10.0,
                },
                Bar {
                    label: "Entreprises".into(),
                    value: 5.0,
                },
                Bar {
                    label: "Rien".into(),
                    value: 0.0,
                },
            ],
        };
        let svg = bar_svg(&c, "b", Lang::Fr);
        let doc = parse(&svg);
        let rects: Vec<f64> = doc
            .descendants()
            .filter(|n| n.has_tag_name("rect"))
            .map(|n| n.attribute("width").unwrap().parse().unwrap())
            .collect();
        assert_eq!(rects.len(), 3);
        assert!((rects[0] - 2.0 * rects[1]).abs() < 0.2, "{rects:?}");
        assert_eq!(rects[2], 0.0);
        assert!(doc
            .descendants()
            .any(|n| n.text() == Some("Associations <loi 1901>")));
        let f = bars(&c, "b", "Sorte", "Acteurs", Lang::Fr);
        assert_eq!(f.table.rows.len(), 3);
        assert_eq!(f.table.head, vec!["Sorte", "Acteurs"]);
    }

    #[test]
    fn empty_and_flat_charts_are_still_valid() {
        let c = LineChart {
            title: "x".into(),
            periods: vec![],
            series: vec![],
        };
        parse(&line_svg(&c, "e", Lang::Fr));
        let c = LineChart {
            title: "x".into(),
            periods: vec!["2020".into()],
            series: vec![Series {
                name: "a".into(),
                values: vec![Some(0.0)],
            }],
        };
        parse(&line_svg(&c, "e", Lang::Fr));
        parse(&bar_svg(
            &BarChart {
                title: "t".into(),
                bars: vec![],
            },
            "e",
            Lang::En,
        ));
    }

    #[test]
    fn numbers_and_ticks() {
        assert_eq!(number(Lang::Fr, 0.25), "0,25");
        assert_eq!(number(Lang::En, 1234.0), "1,234");
        assert_eq!(number(Lang::Fr, -3.0), "−3");
        assert_eq!(number(Lang::Fr, 2310.25), "2\u{202f}310,25");
        assert_eq!(number(Lang::En, -0.5), "−0.5");
        assert_eq!(ticks(0.0), (1.0, 1.0));
        assert_eq!(ticks(7.0), (2.0, 8.0));
        assert_eq!(ticks(1200.0), (500.0, 1500.0));
        let (s, t) = ticks(0.8);
        assert!(s > 0.0 && t >= 0.8);
    }
}
