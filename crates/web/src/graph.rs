//! The small neighbourhood graph on a record's page: the record in the
//! middle, the records it is related to around it, drawn as inline SVG on
//! the server (no script needed). The relations table next to it says the
//! same in text, for screen readers and without images.

use crate::views::isolate;

/// At most this many neighbours are drawn.
pub const MAX_NODES: usize = 16;

pub struct Node {
    pub x: f64,
    pub y: f64,
    pub label: String,
    pub full: String,
    pub kind: String,
    pub href: String,
    pub anchor: &'static str,
    pub lx: f64,
    pub ly: f64,
    /// The relation(s) as seen from the centre, for the edge's tooltip.
    pub edge: String,
}

pub struct Graph {
    pub width: u32,
    pub height: u32,
    pub cx: f64,
    pub cy: f64,
    pub center_label: String,
    pub center_kind: String,
    pub nodes: Vec<Node>,
    /// Neighbours left out.
    pub more: usize,
}

/// A neighbour: id-link, name, kind, relation label.
pub struct Neighbour {
    pub href: String,
    pub name: String,
    pub kind: String,
    pub relation: String,
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n - 1).collect();
        out.push('…');
        out
    }
}

/// Lays the neighbours out on a circle; `None` when there are none.
pub fn layout(center: &str, center_kind: &str, neighbours: Vec<Neighbour>) -> Option<Graph> {
    if neighbours.is_empty() {
        return None;
    }
    let (width, height) = (720u32, 440u32);
    let (cx, cy) = (f64::from(width) / 2.0, f64::from(height) / 2.0);
    let total = neighbours.len();
    let shown: Vec<Neighbour> = neighbours.into_iter().take(MAX_NODES).collect();
    let n = shown.len();
    let (rx, ry) = (210.0, 165.0);
    let nodes = shown
        .into_iter()
        .enumerate()
        .map(|(i, nb)| {
            let a = -std::f64::consts::FRAC_PI_2 + (i as f64) * std::f64::consts::TAU / (n as f64);
            let (x, y) = (cx + rx * a.cos(), cy + ry * a.sin());
            let anchor = if a.cos() > 0.25 {
                "start"
            } else if a.cos() < -0.25 {
                "end"
            } else {
                "middle"
            };
            let (lx, ly) = match anchor {
                "start" => (x + 12.0, y + 4.0),
                "end" => (x - 12.0, y + 4.0),
                _ if a.sin() < 0.0 => (x, y - 14.0),
                _ => (x, y + 22.0),
            };
            Node {
                x,
                y,
                label: isolate(&shorten(&nb.name, 26)),
                full: isolate(&nb.name),
                kind: nb.kind,
                href: nb.href,
                anchor,
                lx,
                ly,
                edge: nb.relation,
            }
        })
        .collect();
    Some(Graph {
        width,
        height,
        cx,
        cy,
        center_label: isolate(&shorten(center, 34)),
        center_kind: center_kind.to_string(),
        nodes,
        more: total.saturating_sub(MAX_NODES),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lays_out_and_caps() {
        assert!(layout("x", "actor", vec![]).is_none());
        let nbs = (0..20)
            .map(|i| Neighbour {
                href: format!("/actors/actor:t:{i}"),
                name: format!("Voisin numéro {i} au nom vraiment très long"),
                kind: "actor".into(),
                relation: "utilise".into(),
            })
            .collect();
        let g = layout("Centre", "commons", nbs).unwrap();
        assert_eq!(g.nodes.len(), MAX_NODES);
        assert_eq!(g.more, 4);
        assert!(g.nodes.iter().all(|n| n.label.chars().count() <= 26 + 2));
        assert!(g
            .nodes
            .iter()
            .all(|n| n.x > 0.0 && n.x < 720.0 && n.y > 0.0 && n.y < 440.0));
    }
}
