//! The sheet as an A4 PDF, laid out here and written by krilla.
//!
//! krilla (the typst project's PDF writer) embeds and subsets the fonts,
//! shapes each line with rustybuzz and writes a ToUnicode map, so the text
//! can be searched and copied; the layout — line breaking with the fonts'
//! advance widths read by skrifa, blocks kept together, a new page rather
//! than an overflow — is the small flow below. The faces are DejaVu Sans
//! Condensed regular, bold and oblique (`assets/fonts/`, compiled in).

use crate::render::{answer_text, figures_line, source_line, subtitle, title};
use crate::sheet::Sheet;
use crate::wrap::wrap_with;
use crate::Error;
use krilla::action::LinkAction;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::text::{Font, TextDirection};
use krilla::Document;
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};
use std::cell::RefCell;
use std::collections::HashMap;

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSansCondensed.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSansCondensed-Bold.ttf");
static ITALIC: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSansCondensed-Oblique.ttf");

/// A4 in PostScript points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 44.0;
const TOP: f32 = 34.0;
/// Lowest point of the content; the page footer sits below it.
const BOTTOM: f32 = PAGE_H - 38.0;
const WIDTH: f32 = PAGE_W - 2.0 * MARGIN_X;

type Rgb = (u8, u8, u8);
const INK: Rgb = (29, 36, 48);
const ACCENT: Rgb = (31, 95, 139);
const MUTED: Rgb = (84, 95, 110);
const OTHER: Rgb = (138, 75, 0);
const BOX: Rgb = (234, 242, 248);
const RULE: Rgb = (201, 214, 226);

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Face {
    Regular,
    Bold,
    Italic,
}

/// A face: the font for krilla, its metrics for the layout.
struct FontFace {
    pdf: Font,
    metrics: FontRef<'static>,
    upem: f32,
    ascent: f32,
    widths: RefCell<HashMap<char, f32>>,
}

impl FontFace {
    fn load(data: &'static [u8]) -> Result<FontFace, Error> {
        let metrics = FontRef::new(data).map_err(|e| Error::Pdf(format!("font: {e}")))?;
        let m = metrics.metrics(Size::unscaled(), LocationRef::default());
        let pdf = Font::new(data.into(), 0).ok_or_else(|| Error::Pdf("font: unreadable".into()))?;
        Ok(FontFace {
            pdf,
            metrics,
            upem: f32::from(m.units_per_em),
            ascent: m.ascent,
            widths: RefCell::new(HashMap::new()),
        })
    }

    fn has(&self, c: char) -> bool {
        self.metrics.charmap().map(c).is_some()
    }

    /// Advance width of `c` in em.
    fn advance(&self, c: char) -> f32 {
        if let Some(w) = self.widths.borrow().get(&c) {
            return *w;
        }
        let gid = self.metrics.charmap().map(c).unwrap_or_default();
        let w = self
            .metrics
            .glyph_metrics(Size::unscaled(), LocationRef::default())
            .advance_width(gid)
            .unwrap_or(0.0)
            / self.upem;
        self.widths.borrow_mut().insert(c, w);
        w
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c)).sum::<f32>() * size
    }
}

struct Fonts {
    regular: FontFace,
    bold: FontFace,
    italic: FontFace,
}

impl Fonts {
    fn load() -> Result<Fonts, Error> {
        Ok(Fonts {
            regular: FontFace::load(REGULAR)?,
            bold: FontFace::load(BOLD)?,
            italic: FontFace::load(ITALIC)?,
        })
    }
    fn get(&self, f: Face) -> &FontFace {
        match f {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
            Face::Italic => &self.italic,
        }
    }
}

/// Something to draw, in page coordinates (origin top left, y down).
#[derive(Debug, Clone)]
enum Op {
    Text {
        x: f32,
        /// Top of the line box.
        y: f32,
        face: Face,
        size: f32,
        color: Rgb,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
    Link {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        url: String,
    },
}

impl Op {
    fn shift(mut self, dy: f32) -> Op {
        match &mut self {
            Op::Text { y, .. } | Op::Rect { y, .. } | Op::Link { y, .. } => *y += dy,
        }
        self
    }
}

/// A text style.
#[derive(Clone, Copy)]
struct Style {
    face: Face,
    size: f32,
    leading: f32,
    color: Rgb,
}

const fn style(face: Face, size: f32, leading: f32, color: Rgb) -> Style {
    Style {
        face,
        size,
        leading,
        color,
    }
}

const BODY: Style = style(Face::Regular, 8.7, 10.6, INK);
const OBJECTION: Style = style(Face::Bold, 9.0, 11.0, INK);
const FIGURES: Style = style(Face::Italic, 7.5, 9.2, MUTED);
const H2: Style = style(Face::Bold, 10.5, 13.0, ACCENT);
const SMALL: Style = style(Face::Regular, 7.0, 8.5, MUTED);

/// Drawing operations laid out from y = 0, and their height.
#[derive(Default)]
struct Block {
    ops: Vec<Op>,
    h: f32,
}

impl Block {
    /// Wrapped text at `x`, `width` wide, from the current height down.
    fn text(&mut self, fonts: &Fonts, s: Style, x: f32, width: f32, text: &str) {
        let f = fonts.get(s.face);
        for line in wrap_with(text, width, &|t: &str| f.width(t, s.size)) {
            self.ops.push(Op::Text {
                x,
                y: self.h,
                face: s.face,
                size: s.size,
                color: s.color,
                text: line,
            });
            self.h += s.leading;
        }
    }

    /// Text whose first line starts after a hanging `mark` (a number, an
    /// arrow), the rest aligned under the text.
    fn hanging(
        &mut self,
        fonts: &Fonts,
        s: Style,
        (x, width): (f32, f32),
        indent: f32,
        mark: (&str, Style),
        text: &str,
    ) {
        self.ops.push(Op::Text {
            x,
            y: self.h,
            face: mark.1.face,
            size: mark.1.size,
            color: mark.1.color,
            text: mark.0.to_string(),
        });
        self.text(fonts, s, x + indent, width - indent, text);
    }

    fn gap(&mut self, h: f32) {
        self.h += h;
    }
}

/// The pages being filled.
struct Flow {
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Flow {
    fn new() -> Flow {
        Flow {
            pages: vec![Vec::new()],
            y: TOP,
        }
    }

    /// Places a block, on a new page when it does not fit on this one
    /// (unless it is taller than a page, then it flows line by line).
    fn place(&mut self, b: Block) {
        if self.y + b.h > BOTTOM && b.h <= BOTTOM - TOP && self.y > TOP {
            self.new_page();
        }
        if b.h > BOTTOM - self.y {
            // Too tall for any page: split at line boundaries.
            for op in b.ops {
                let op = op.shift(self.y);
                let (oy, oh) = match &op {
                    Op::Text { y, size, .. } => (*y, size * 1.25),
                    Op::Rect { y, h, .. } | Op::Link { y, h, .. } => (*y, *h),
                };
                if oy + oh > BOTTOM {
                    // Not exact for shapes, good enough for text flows.
                    let delta = oy - TOP;
                    self.new_page();
                    self.y -= delta;
                }
                self.push(op);
            }
            return;
        }
        let dy = self.y;
        for op in b.ops {
            self.push(op.shift(dy));
        }
        self.y += b.h;
    }

    fn push(&mut self, op: Op) {
        if let Some(p) = self.pages.last_mut() {
            p.push(op);
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    fn gap(&mut self, h: f32) {
        self.y += h;
    }
}

/// Replaces characters the faces lack (rare symbols) by close ones.
fn coverable(fonts: &Fonts, text: &str) -> String {
    text.chars()
        .map(|c| {
            if fonts.regular.has(c) || c.is_control() {
                c
            } else {
                match c {
                    '\u{202f}' | '\u{2009}' => '\u{a0}',
                    '‑' => '-',
                    _ => '?',
                }
            }
        })
        .collect()
}

fn heading(fonts: &Fonts, text: &str) -> Block {
    let mut b = Block::default();
    b.gap(5.0);
    b.text(fonts, H2, MARGIN_X, WIDTH, text);
    b.ops.push(Op::Rect {
        x: MARGIN_X,
        y: b.h - 1.0,
        w: WIDTH,
        h: 0.6,
        color: RULE,
    });
    b.gap(3.5);
    b
}

/// Lays the sheet out on pages.
fn layout(sheet: &Sheet, fonts: &Fonts) -> Vec<Vec<Op>> {
    let fix = |s: &str| coverable(fonts, s);
    let mut flow = Flow::new();

    // Header: kicker, title, territory line, then a rule.
    let mut b = Block::default();
    b.text(
        fonts,
        style(Face::Bold, 8.0, 11.0, ACCENT),
        MARGIN_X,
        WIDTH,
        &fix(&format!(
            "{} · {}",
            sheet.t("title").to_uppercase(),
            sheet.register_phrase(sheet.register).to_uppercase()
        )),
    );
    b.gap(2.0);
    b.text(
        fonts,
        style(Face::Bold, 16.0, 19.0, INK),
        MARGIN_X,
        WIDTH,
        &fix(&title(sheet)),
    );
    b.gap(2.0);
    let meta = subtitle(sheet, false);
    b.text(
        fonts,
        style(Face::Regular, 8.6, 10.8, MUTED),
        MARGIN_X,
        WIDTH,
        &fix(&meta),
    );
    b.gap(3.0);
    b.ops.push(Op::Rect {
        x: MARGIN_X,
        y: b.h,
        w: WIDTH,
        h: 2.2,
        color: ACCENT,
    });
    b.gap(4.0);
    flow.place(b);

    // The listener.
    let mut b = heading(fonts, &fix(sheet.t("listener")));
    b.text(
        fonts,
        BODY,
        MARGIN_X,
        WIDTH,
        &fix(&format!(
            "{} {}",
            sheet.audience.profile,
            sheet.marker(&sheet.audience.cite)
        )),
    );
    flow.place(b);

    // Objections and answers; each objection stays on one page.
    let mut first = true;
    for (i, o) in sheet.objections.iter().enumerate() {
        let mut b = if first {
            heading(fonts, &fix(sheet.t("objections")))
        } else {
            Block::default()
        };
        first = false;
        b.gap(2.5);
        let num = format!("{}.", i + 1);
        b.hanging(
            fonts,
            OBJECTION,
            (MARGIN_X, WIDTH),
            14.0,
            (&num, style(Face::Bold, 9.4, 11.8, ACCENT)),
            &fix(&format!(
                "{} {}",
                sheet.quote(&o.text),
                sheet.marker(&o.cite)
            )),
        );
        b.gap(1.0);
        for a in &o.answers {
            let color = if a.other_register { OTHER } else { ACCENT };
            b.hanging(
                fonts,
                BODY,
                (MARGIN_X + 14.0, WIDTH - 14.0),
                11.0,
                ("→", style(Face::Bold, 9.0, 11.4, color)),
                &fix(&format!(
                    "{} {}",
                    answer_text(sheet, a),
                    sheet.marker(&a.cite)
                )),
            );
            let f = figures_line(sheet, a);
            if !f.is_empty() {
                b.text(
                    fonts,
                    FIGURES,
                    MARGIN_X + 25.0,
                    WIDTH - 25.0,
                    &fix(&format!("▸ {f}")),
                );
            }
            b.gap(1.0);
        }
        flow.place(b);
    }

    // The figures, in a tinted box.
    flow.gap(6.0);
    let pad = 8.0;
    let inner = WIDTH - 2.0 * pad;
    let mut content = Block::default();
    content.text(fonts, H2, MARGIN_X + pad, inner, &fix(sheet.t("evidence")));
    content.gap(2.0);
    if sheet.evidence.is_empty() {
        content.text(
            fonts,
            BODY,
            MARGIN_X + pad,
            inner,
            &fix(sheet.t("evidence_none")),
        );
    } else {
        // Two columns of « value  label [n] ».
        let col = (inner - 12.0) / 2.0;
        let value_w = 36.0;
        let (mut left, mut right) = (Block::default(), Block::default());
        let main = sheet.main_figure_source();
        let mark = |e: &crate::sheet::Evidence| {
            if Some(e.source) == main {
                String::new()
            } else {
                format!(" [{}]", e.source)
            }
        };
        let (short, long): (Vec<_>, Vec<_>) = sheet
            .evidence
            .iter()
            .partition(|e| crate::render::short_figure(e));
        let half = short.len().div_ceil(2);
        for (k, e) in short.iter().enumerate() {
            let (col_block, x) = if k < half {
                (&mut left, MARGIN_X + pad)
            } else {
                (&mut right, MARGIN_X + pad + col + 12.0)
            };
            let top = col_block.h;
            col_block.ops.push(Op::Text {
                x,
                y: top,
                face: Face::Bold,
                size: 10.5,
                color: ACCENT,
                text: fix(&e.text),
            });
            col_block.text(
                fonts,
                style(Face::Regular, 8.2, 9.8, INK),
                x + value_w,
                col - value_w,
                &fix(&format!("{}{}", e.label, mark(e))),
            );
            col_block.h = col_block.h.max(top + 12.0) + 1.5;
        }
        let top = content.h;
        let h = left.h.max(right.h);
        for op in left.ops.into_iter().chain(right.ops) {
            content.ops.push(op.shift(top));
        }
        content.h += h;
        for e in long {
            content.gap(1.0);
            content.text(
                fonts,
                style(Face::Regular, 8.2, 9.8, INK),
                MARGIN_X + pad,
                inner,
                &fix(&format!(
                    "{}{}{}{}",
                    e.label,
                    sheet.colon(),
                    e.text,
                    mark(e)
                )),
            );
        }
        content.gap(3.0);
        let lead = match main {
            Some(n) => format!("{} [{n}]", sheet.t("evidence_lead")),
            None => sheet.t("evidence_lead").to_string(),
        };
        content.text(fonts, FIGURES, MARGIN_X + pad, inner, &fix(&lead));
    }
    let mut b = Block::default();
    b.ops.push(Op::Rect {
        x: MARGIN_X,
        y: 0.0,
        w: WIDTH,
        h: content.h + 2.0 * pad - 4.0,
        color: BOX,
    });
    b.ops.push(Op::Rect {
        x: MARGIN_X,
        y: 0.0,
        w: 3.0,
        h: content.h + 2.0 * pad - 4.0,
        color: ACCENT,
    });
    for op in content.ops {
        b.ops.push(op.shift(pad));
    }
    b.h = content.h + 2.0 * pad - 4.0;
    flow.place(b);

    // Sources.
    let mut b = heading(fonts, &fix(sheet.t("sources")));
    for s in &sheet.sources {
        let top = b.h;
        let line = fix(&source_line(s));
        b.text(fonts, SMALL, MARGIN_X, WIDTH, &line);
        if let Some(url) = s
            .url
            .as_deref()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        {
            b.ops.push(Op::Link {
                x: MARGIN_X,
                y: top,
                w: WIDTH,
                h: b.h - top,
                url: url.to_string(),
            });
        }
    }
    flow.place(b);

    flow.pages
}

fn fill(color: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

/// The sheet as a PDF document: A4, the faces embedded and subset, the
/// title and language in the metadata. One page for a typical sheet; a
/// longer one goes on to a second page rather than overflow.
pub fn render(sheet: &Sheet) -> Result<Vec<u8>, Error> {
    let fonts = Fonts::load()?;
    let pages = layout(sheet, &fonts);
    let count = pages.len();
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(format!("{} — {}", sheet.t("title"), title(sheet)))
            .language(sheet.lang.clone())
            .creator("Archipel".to_string()),
    );
    for (n, ops) in pages.into_iter().enumerate() {
        let settings =
            PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| Error::Pdf("page size".into()))?;
        let mut page = doc.start_page_with(settings);
        let mut links = Vec::new();
        {
            let mut surface = page.surface();
            for op in ops {
                match op {
                    Op::Rect { x, y, w, h, color } => {
                        if let Some(r) = Rect::from_xywh(x, y, w, h) {
                            let mut pb = PathBuilder::new();
                            pb.push_rect(r);
                            if let Some(path) = pb.finish() {
                                surface.set_fill(Some(fill(color)));
                                surface.draw_path(&path);
                            }
                        }
                    }
                    Op::Text {
                        x,
                        y,
                        face,
                        size,
                        color,
                        text,
                    } => {
                        let f = fonts.get(face);
                        let baseline = y + f.ascent / f.upem * size;
                        surface.set_fill(Some(fill(color)));
                        surface.draw_text(
                            Point::from_xy(x, baseline),
                            f.pdf.clone(),
                            size,
                            &text,
                            false,
                            TextDirection::Auto,
                        );
                    }
                    Op::Link { x, y, w, h, url } => links.push((x, y, w, h, url)),
                }
            }
            // Page footer: what made the sheet, and the page number.
            let f = &fonts.regular;
            surface.set_fill(Some(fill(MUTED)));
            let about = coverable(&fonts, sheet.t("generated"));
            let footer = format!("{}/{}", n + 1, count);
            let w = f.width(&footer, 7.0);
            surface.draw_text(
                Point::from_xy(MARGIN_X, PAGE_H - 24.0),
                fonts.italic.pdf.clone(),
                6.8,
                &about,
                false,
                TextDirection::Auto,
            );
            surface.draw_text(
                Point::from_xy(PAGE_W - MARGIN_X - w, PAGE_H - 24.0),
                f.pdf.clone(),
                7.0,
                &footer,
                false,
                TextDirection::Auto,
            );
            surface.finish();
        }
        for (x, y, w, h, url) in links {
            if let Some(r) = Rect::from_xywh(x, y, w, h) {
                let target = Target::Action(LinkAction::new(url).into());
                page.add_annotation(Annotation::new_link(LinkAnnotation::new(r, target), None));
            }
        }
        page.finish();
    }
    doc.finish().map_err(|e| Error::Pdf(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faces_cover_french() {
        let fonts = Fonts::load().expect("fonts");
        for c in "àâäçéèêëîïôöùûüÿœæÀÂÇÉÈÊËÎÏÔÙÛŒÆ«»’·→▸…\u{a0}\u{202f}".chars()
        {
            for f in [&fonts.regular, &fonts.bold, &fonts.italic] {
                assert!(f.has(c), "{c:?} ({})", c as u32);
            }
        }
        assert!(fonts.regular.width("Élu·e", 10.0) > 10.0);
    }
}
