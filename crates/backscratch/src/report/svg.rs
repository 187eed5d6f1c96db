//! The picture of one finding for the HTML report: members on a circle (a ring reads
//! clockwise), each recommendation a curved arrow bent to its right, so that the two
//! directions of a reciprocal pair never overlap, with the date at the arrow's middle. Names
//! and dates are escaped; long names are shortened in the drawing and given whole in a
//! `<title>` tooltip.

use std::f64::consts::PI;
use std::fmt::Write as _;

use super::describe::day;
use super::escape::markup;
use super::model::Finding;

/// Radius of a member's dot.
const NODE_RADIUS: f64 = 9.0;
/// Room above and below the circle for the names.
const MARGIN_Y: f64 = 40.0;
/// Width of a character of a name, roughly, at the drawing's font size.
const CHAR_WIDTH: f64 = 7.0;
/// Longest name drawn whole.
const MAX_LABEL: usize = 22;

/// A point.
#[derive(Debug, Clone, Copy, PartialEq)]
struct P {
    x: f64,
    y: f64,
}

impl P {
    fn towards(self, to: P, by: f64) -> P {
        let (dx, dy) = (to.x - self.x, to.y - self.y);
        let len = (dx * dx + dy * dy).sqrt().max(1e-9);
        P { x: self.x + dx / len * by, y: self.y + dy / len * by }
    }
}

fn label(name: &str) -> String {
    if name.chars().count() <= MAX_LABEL {
        name.to_string()
    } else {
        let mut s: String = name.chars().take(MAX_LABEL - 1).collect();
        s.push('…');
        s
    }
}

/// Positions of `n` members on a circle of radius `r` around `c`, first at the top.
fn layout(n: usize, r: f64, c: P) -> Vec<P> {
    (0..n)
        .map(|i| {
            let a = -PI / 2.0 + 2.0 * PI * i as f64 / n as f64;
            P { x: c.x + r * a.cos(), y: c.y + r * a.sin() }
        })
        .collect()
}

/// The inline SVG for `f`, `id` making its marker ids unique in the page.
pub(super) fn drawing(f: &Finding, id: usize) -> String {
    let n = f.members.len().max(2);
    let r = (30.0 * n as f64).max(120.0);
    // Names stand left and right of the circle: leave room for the longest.
    let longest = f.members.iter().map(|m| label(m).chars().count()).max().unwrap_or(0);
    let margin_x = 24.0 + CHAR_WIDTH * longest as f64;
    let (width, height) = (2.0 * (r + margin_x), 2.0 * (r + MARGIN_Y));
    let c = P { x: r + margin_x, y: r + MARGIN_Y };
    let at = layout(n, r, c);
    let colour = match f.severity.as_str() {
        "high" => "#c0392b",
        "medium" => "#d68910",
        _ => "#7f8c8d",
    };
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"ring\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" \
         height=\"{height:.0}\" role=\"img\" aria-label=\"{} {}: {} members, {} recommendations\">",
        f.severity.as_str(),
        f.kind.as_str(),
        f.members.len(),
        f.edges.len()
    );
    let _ = write!(
        s,
        "<defs><marker id=\"arrow{id}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" \
         orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{colour}\"/></marker></defs>"
    );
    let index = |name: &str| f.members.iter().position(|m| m == name);
    let mut labels = String::new();
    for e in &f.edges {
        let (Some(a), Some(b)) = (index(&e.from), index(&e.to)) else { continue };
        let (pa, pb) = (at[a], at[b]);
        // Bend to the left of the direction of travel (on screen, y down) by a fifth of the
        // chord: a clockwise ring bows outwards, and a pair's two arrows part.
        let (dx, dy) = (pb.x - pa.x, pb.y - pa.y);
        let mid = P { x: (pa.x + pb.x) / 2.0, y: (pa.y + pb.y) / 2.0 };
        let ctrl = P { x: mid.x + dy * 0.2, y: mid.y - dx * 0.2 };
        let start = pa.towards(ctrl, NODE_RADIUS + 2.0);
        let end = pb.towards(ctrl, NODE_RADIUS + 3.0);
        let _ = write!(
            s,
            "<path class=\"edge\" d=\"M{:.1},{:.1} Q{:.1},{:.1} {:.1},{:.1}\" fill=\"none\" stroke=\"{colour}\" \
             stroke-width=\"2\" marker-end=\"url(#arrow{id})\"><title>{} → {}, {}</title></path>",
            start.x,
            start.y,
            ctrl.x,
            ctrl.y,
            end.x,
            end.y,
            markup(&e.from),
            markup(&e.to),
            day(&e.created)
        );
        // The curve's middle: a quarter of each end and half the control point.
        // The date sits on the bulging side, so the two dates of a pair do not collide.
        let lx = 0.25 * pa.x + 0.5 * ctrl.x + 0.25 * pb.x;
        let ly = 0.25 * pa.y + 0.5 * ctrl.y + 0.25 * pb.y;
        let (ox, oy) = (ctrl.x - mid.x, ctrl.y - mid.y);
        let anchor = if ox.abs() < oy.abs() * 0.5 {
            "middle"
        } else if ox > 0.0 {
            "start"
        } else {
            "end"
        };
        let (lx, ly) = (lx + ox.signum() * 4.0, ly + if oy > 0.0 { 12.0 } else { -4.0 });
        let _ = write!(
            labels,
            "<text class=\"date\" x=\"{lx:.1}\" y=\"{ly:.1}\" text-anchor=\"{anchor}\">{}</text>",
            day(&e.created)
        );
    }
    s.push_str(&labels);
    for (i, name) in f.members.iter().enumerate() {
        let p = at[i];
        let out = c.towards(p, r + NODE_RADIUS + 8.0);
        let anchor = if (out.x - c.x).abs() < 1.0 {
            "middle"
        } else if out.x > c.x {
            "start"
        } else {
            "end"
        };
        let dy = if out.y > c.y + 1.0 { 12.0 } else { 0.0 };
        let _ = write!(
            s,
            "<g class=\"member\"><title>{}</title><circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{NODE_RADIUS}\" fill=\"#2c3e50\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" direction=\"ltr\" unicode-bidi=\"isolate\">{}</text></g>",
            markup(name),
            p.x,
            p.y,
            out.x,
            out.y + dy,
            markup(&label(name))
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_sit_on_the_circle_and_labels_are_shortened() {
        let ps = layout(4, 100.0, P { x: 200.0, y: 200.0 });
        assert!((ps[0].x - 200.0).abs() < 1e-9 && (ps[0].y - 100.0).abs() < 1e-9);
        assert!((ps[1].x - 300.0).abs() < 1e-9);
        assert_eq!(label("short"), "short");
        assert_eq!(label(&"x".repeat(40)).chars().count(), MAX_LABEL);
    }
}
