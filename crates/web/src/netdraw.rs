//! The network of a territory drawn on the server: a deterministic
//! force-directed layout (Fruchterman–Reingold with a pull towards the
//! centre, so that islands stay in view) computed here in Rust, rendered
//! as SVG in which every node is a link to its record's page (`<a href>`:
//! reachable with the keyboard, its focus drawn by the stylesheet). No
//! script.
//!
//! Up to [`MAX_DRAWN`] nodes the whole network is drawn. Above, only the
//! [`MAX_KEY_DRAWN`] most central nodes (key nodes first: articulation
//! points and key people, then by betweenness and degree) and the edges
//! among them are drawn, and [`Drawing::partial`] says so; the page then
//! shows the components' summary as a table. The layout of the same
//! network is always the same (no randomness: nodes start on a spiral in
//! the order given).
//!
//! Kinds of records differ by shape (actor: circle, place: square,
//! commons: diamond) as well as by colour, bridges by a dashed thick line;
//! the page's legend says so.

use crate::charts::esc;
use crate::views::isolate;
use std::fmt::Write;

/// Whole networks up to this many nodes are drawn.
pub const MAX_DRAWN: usize = 150;
/// Above, this many of the most central nodes are drawn.
pub const MAX_KEY_DRAWN: usize = 60;
/// Layout iterations.
const ITERATIONS: usize = 250;

/// A node to draw.
#[derive(Debug, Clone)]
pub struct DrawNode {
    pub id: String,
    pub name: String,
    /// `actor`, `place` or `commons`.
    pub kind: String,
    pub href: String,
    /// An articulation point or a key person: drawn larger, labelled,
    /// drawn first when the network is too large.
    pub key: bool,
    pub betweenness: f64,
    pub degree: usize,
}

/// An edge between two nodes (indexes into the node list).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrawEdge {
    pub a: usize,
    pub b: usize,
    /// Its removal would split its component.
    pub bridge: bool,
}

/// The drawing and what it holds.
#[derive(Debug, Clone)]
pub struct Drawing {
    pub svg: String,
    /// Nodes drawn.
    pub drawn: usize,
    /// Nodes in the network.
    pub total: usize,
    /// Only the most central nodes are drawn.
    pub partial: bool,
}

/// Positions in the unit square's neighbourhood for `n` nodes and
/// `edges`, deterministic.
pub fn layout(n: usize, edges: &[(usize, usize)]) -> Vec<(f64, f64)> {
    if n == 0 {
        return Vec::new();
    }
    // A golden-angle spiral: evenly spread, no randomness.
    let golden = std::f64::consts::PI * (3.0 - 5f64.sqrt());
    let mut pos: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let r = ((i as f64 + 0.5) / n as f64).sqrt();
            let a = golden * i as f64;
            (r * a.cos(), r * a.sin())
        })
        .collect();
    if n == 1 {
        return vec![(0.0, 0.0)];
    }
    let k = (4.0 / n as f64).sqrt() * 0.6;
    let gravity = 0.08;
    let mut temp = 0.2;
    let cool = temp / ITERATIONS as f64;
    let mut disp = vec![(0.0f64, 0.0f64); n];
    for _ in 0..ITERATIONS {
        for d in disp.iter_mut() {
            *d = (0.0, 0.0);
        }
        for i in 0..n {
            for j in (i + 1)..n {
                let (dx, dy) = (pos[i].0 - pos[j].0, pos[i].1 - pos[j].1);
                let d2 = (dx * dx + dy * dy).max(1e-6);
                let f = k * k / d2;
                disp[i].0 += dx * f;
                disp[i].1 += dy * f;
                disp[j].0 -= dx * f;
                disp[j].1 -= dy * f;
            }
        }
        for &(a, b) in edges {
            if a == b || a >= n || b >= n {
                continue;
            }
            let (dx, dy) = (pos[a].0 - pos[b].0, pos[a].1 - pos[b].1);
            let d = (dx * dx + dy * dy).sqrt().max(1e-3);
            let f = d / k;
            disp[a].0 -= dx * f;
            disp[a].1 -= dy * f;
            disp[b].0 += dx * f;
            disp[b].1 += dy * f;
        }
        for (p, d) in pos.iter_mut().zip(&disp) {
            let d = (
                d.0 - gravity * p.0 * n as f64 * k,
                d.1 - gravity * p.1 * n as f64 * k,
            );
            let len = (d.0 * d.0 + d.1 * d.1).sqrt();
            if len > 0.0 {
                let step = len.min(temp);
                p.0 += d.0 / len * step;
                p.1 += d.1 / len * step;
            }
        }
        temp = (temp - cool).max(0.002);
    }
    pos
}

/// Which nodes are drawn: all of them up to [`MAX_DRAWN`], else the most
/// central ones (indexes, in the order given).
fn chosen(nodes: &[DrawNode]) -> Vec<usize> {
    if nodes.len() <= MAX_DRAWN {
        return (0..nodes.len()).collect();
    }
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&nodes[a], &nodes[b]);
        y.key
            .cmp(&x.key)
            .then(y.betweenness.total_cmp(&x.betweenness))
            .then(y.degree.cmp(&x.degree))
            .then(x.id.cmp(&y.id))
    });
    order.truncate(MAX_KEY_DRAWN);
    order.sort_unstable();
    order
}

/// Draws the network; `title` names it (the SVG's title), `kind_label`
/// gives a kind's name for each node's accessible name.
pub fn draw(
    nodes: &[DrawNode],
    edges: &[DrawEdge],
    title: &str,
    kind_label: impl Fn(&str) -> String,
) -> Drawing {
    let keep = chosen(nodes);
    let mut index = vec![usize::MAX; nodes.len()];
    for (new, &old) in keep.iter().enumerate() {
        index[old] = new;
    }
    let kept_edges: Vec<DrawEdge> = edges
        .iter()
        .filter(|e| e.a < nodes.len() && e.b < nodes.len())
        .filter(|e| index[e.a] != usize::MAX && index[e.b] != usize::MAX)
        .map(|e| DrawEdge {
            a: index[e.a],
            b: index[e.b],
            bridge: e.bridge,
        })
        .collect();
    let pairs: Vec<(usize, usize)> = kept_edges.iter().map(|e| (e.a, e.b)).collect();
    let pos = layout(keep.len(), &pairs);
    let (w, h, margin) = (800.0, 560.0, 40.0);
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in &pos {
        x0 = x0.min(p.0);
        x1 = x1.max(p.0);
        y0 = y0.min(p.1);
        y1 = y1.max(p.1);
    }
    let sx = if x1 > x0 {
        (w - 2.0 * margin) / (x1 - x0)
    } else {
        0.0
    };
    let sy = if y1 > y0 {
        (h - 2.0 * margin) / (y1 - y0)
    } else {
        0.0
    };
    let at = |i: usize| -> (f64, f64) {
        let (px, py) = pos[i];
        (
            if sx > 0.0 {
                margin + (px - x0) * sx
            } else {
                w / 2.0
            },
            if sy > 0.0 {
                margin + (py - y0) * sy
            } else {
                h / 2.0
            },
        )
    };
    let labelled = keep.len() <= 24;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="net" viewBox="0 0 {w} {h}" role="group" aria-labelledby="net-title"><title id="net-title">{}</title>"#,
        esc(title)
    );
    out.push_str(r#"<g class="edges" aria-hidden="true">"#);
    for e in &kept_edges {
        let ((ax, ay), (bx, by)) = (at(e.a), at(e.b));
        let class = if e.bridge { "edge bridge" } else { "edge" };
        let _ = write!(
            out,
            r#"<line x1="{ax:.1}" y1="{ay:.1}" x2="{bx:.1}" y2="{by:.1}" class="{class}"/>"#
        );
    }
    out.push_str("</g>");
    for (new, &old) in keep.iter().enumerate() {
        let n = &nodes[old];
        let (x, y) = at(new);
        let r = if n.key { 10.0 } else { 7.0 };
        let name = isolate(&n.name);
        let kind = match n.kind.as_str() {
            "actor" | "place" | "commons" => n.kind.as_str(),
            _ => "other",
        };
        let _ = write!(
            out,
            r#"<a href="{}" aria-label="{} ({})">"#,
            esc(&n.href),
            esc(&name),
            esc(&kind_label(&n.kind))
        );
        let class = if n.key {
            format!("shape node node-{kind} key")
        } else {
            format!("shape node node-{kind}")
        };
        match kind {
            "place" => {
                let _ = write!(
                    out,
                    r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" class="{class}"/>"#,
                    x - r * 0.9,
                    y - r * 0.9,
                    r * 1.8,
                    r * 1.8
                );
            }
            "commons" => {
                let _ = write!(
                    out,
                    r#"<polygon points="{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" class="{class}"/>"#,
                    x,
                    y - r * 1.2,
                    x + r * 1.2,
                    y,
                    x,
                    y + r * 1.2,
                    x - r * 1.2,
                    y
                );
            }
            _ => {
                let _ = write!(
                    out,
                    r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r}" class="{class}"/>"#
                );
            }
        }
        if n.key || labelled {
            // On a white ground, so that it reads over edges and nodes;
            // the whole name (the link's accessible name starts with it).
            let width = 7.2 * n.name.chars().count() as f64 + 6.0;
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{:.1}" width="{width:.1}" height="16" class="label-bg"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" class="label">{}</text>"#,
                x - width / 2.0,
                y + r + 2.0,
                y + r + 14.0,
                esc(&name)
            );
        }
        out.push_str("</a>");
    }
    out.push_str("</svg>");
    Drawing {
        svg: out,
        drawn: keep.len(),
        total: nodes.len(),
        partial: keep.len() < nodes.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(i: usize, kind: &str) -> DrawNode {
        DrawNode {
            id: format!("actor:t:{i:04}"),
            name: format!("Nœud <{i}> & \"co\""),
            kind: kind.into(),
            href: format!("/actors/actor:t:{i:04}?a=1&b=2"),
            key: i == 3,
            betweenness: 1.0 / (i as f64 + 1.0),
            degree: 1,
        }
    }

    /// Two triangles joined by a bridge, and an isolated node.
    fn small() -> (Vec<DrawNode>, Vec<DrawEdge>) {
        let kinds = ["actor", "place", "commons"];
        let nodes = (0..7).map(|i| node(i, kinds[i % 3])).collect();
        let e = |a, b, bridge| DrawEdge { a, b, bridge };
        let edges = vec![
            e(0, 1, false),
            e(1, 2, false),
            e(2, 0, false),
            e(2, 3, true),
            e(3, 4, false),
            e(4, 5, false),
            e(5, 3, false),
        ];
        (nodes, edges)
    }

    #[test]
    fn the_drawing_is_well_formed_and_every_node_a_link() {
        let (nodes, edges) = small();
        let d = draw(&nodes, &edges, "Réseau <Brest>", |k| format!("[{k}]"));
        let doc = roxmltree::Document::parse(&d.svg).unwrap_or_else(|e| panic!("{e}: {}", d.svg));
        let root = doc.root_element();
        assert_eq!(root.attribute("role"), Some("group"));
        let links: Vec<_> = root.descendants().filter(|n| n.has_tag_name("a")).collect();
        assert_eq!(links.len(), 7);
        assert_eq!(
            links[0].attribute("href"),
            Some("/actors/actor:t:0000?a=1&b=2")
        );
        let label = links[0].attribute("aria-label").unwrap();
        assert!(label.contains("Nœud <0> & \"co\"") && label.ends_with("([actor])"));
        // Shapes by kind; one bridge.
        let shape = |a: &roxmltree::Node, tag: &str| {
            a.children().any(|c| {
                c.has_tag_name(tag) && c.attribute("class").is_some_and(|k| k.contains("shape"))
            })
        };
        assert!(shape(&links[0], "circle"));
        assert!(shape(&links[1], "rect"));
        assert!(shape(&links[2], "polygon"));
        // Small networks are labelled: the whole name, escaped, inside the
        // link (its accessible name starts with it).
        let text = links[0]
            .children()
            .find(|c| c.has_tag_name("text"))
            .and_then(|t| t.text())
            .unwrap();
        assert!(
            text.contains("Nœud <0> & \"co\"") && label.contains(text),
            "{text}"
        );
        let bridges = root
            .descendants()
            .filter(|n| n.attribute("class") == Some("edge bridge"))
            .count();
        assert_eq!(bridges, 1);
        assert!(!d.partial);
        assert_eq!((d.drawn, d.total), (7, 7));
    }

    #[test]
    fn the_layout_is_deterministic_separates_nodes_and_keeps_neighbours_close() {
        let (_, edges) = small();
        let pairs: Vec<_> = edges.iter().map(|e| (e.a, e.b)).collect();
        let a = layout(7, &pairs);
        let b = layout(7, &pairs);
        assert_eq!(a, b);
        let dist =
            |i: usize, j: usize| ((a[i].0 - a[j].0).powi(2) + (a[i].1 - a[j].1).powi(2)).sqrt();
        for i in 0..7 {
            for j in (i + 1)..7 {
                assert!(dist(i, j) > 1e-3, "{i} and {j} on top of each other");
            }
        }
        // Within a triangle nearer than across the bridge's far ends.
        assert!(dist(0, 1) < dist(0, 5), "{a:?}");
        assert!(a.iter().all(|p| p.0.is_finite() && p.1.is_finite()));
    }

    #[test]
    fn a_large_network_draws_its_key_nodes_only_and_says_so() {
        let n = MAX_DRAWN + 50;
        let nodes: Vec<DrawNode> = (0..n).map(|i| node(i, "actor")).collect();
        let edges: Vec<DrawEdge> = (1..n)
            .map(|i| DrawEdge {
                a: 0,
                b: i,
                bridge: true,
            })
            .collect();
        let d = draw(&nodes, &edges, "t", |k| k.to_string());
        assert!(d.partial);
        assert_eq!(d.drawn, MAX_KEY_DRAWN);
        assert_eq!(d.total, n);
        let doc = roxmltree::Document::parse(&d.svg).unwrap();
        let hrefs: Vec<&str> = doc
            .descendants()
            .filter(|x| x.has_tag_name("a"))
            .filter_map(|x| x.attribute("href"))
            .collect();
        // The key node and the most central ones are among those drawn.
        assert!(hrefs.iter().any(|h| h.contains("0003")));
        assert!(hrefs.iter().any(|h| h.contains("0000")));
        assert!(!hrefs.iter().any(|h| h.contains(&format!("{:04}", n - 1))));
    }
}
