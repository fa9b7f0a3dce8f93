//! Inline SVG charts for the audit's HTML report (no script, no external request): ROC curves on
//! linear or log-log axes, and bar charts. Plain strings; every label is escaped.

use std::fmt::Write;

/// One colour per series, in order (colour-blind-safe, Okabe–Ito).
pub const COLOURS: [&str; 7] = [
    "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000",
];

const W: f64 = 420.0;
const H: f64 = 320.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 44.0;

/// Text made safe for HTML and SVG.
pub fn escape(s: &str) -> String {
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

/// A curve: its name and points.
pub struct Series<'a> {
    pub name: String,
    pub x: &'a [f64],
    pub y: &'a [f64],
}

/// An axis: linear on [0, 1], or logarithmic on [min, 1].
#[derive(Clone, Copy)]
pub enum Scale {
    Linear,
    Log(f64),
}

impl Scale {
    /// Position in [0, 1] of `v` (values below a log axis's minimum sit at it).
    fn at(self, v: f64) -> f64 {
        match self {
            Scale::Linear => v.clamp(0.0, 1.0),
            Scale::Log(min) => {
                let (lo, v) = (min.log10(), v.max(min).log10());
                ((v - lo) / -lo).clamp(0.0, 1.0)
            }
        }
    }

    fn ticks(self) -> Vec<f64> {
        match self {
            Scale::Linear => vec![0.0, 0.25, 0.5, 0.75, 1.0],
            Scale::Log(min) => {
                let mut t = vec![1.0];
                let mut v = 0.1;
                while v >= min * 0.999 {
                    t.push(v);
                    v /= 10.0;
                }
                t.reverse();
                t
            }
        }
    }
}

fn px(x: f64) -> f64 {
    LEFT + x * (W - LEFT - RIGHT)
}

fn py(y: f64) -> f64 {
    H - BOTTOM - y * (H - TOP - BOTTOM)
}

fn tick_label(v: f64) -> String {
    if v >= 0.01 || v == 0.0 {
        format!("{}", (v * 1000.0).round() / 1000.0)
    } else {
        format!("{v:.0e}")
    }
}

/// Axes, grid and labels of a unit square chart.
fn frame(o: &mut String, title: &str, xs: Scale, ys: Scale, xlabel: &str, ylabel: &str) {
    let _ = write!(
        o,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{}"><rect width="{W}" height="{H}" fill="#fff"/>"##,
        escape(title)
    );
    for t in xs.ticks() {
        let x = px(xs.at(t));
        let _ = write!(
            o,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#ddd"/><text x="{x:.1}" y="{:.1}" font-size="11" text-anchor="middle">{}</text>"##,
            py(0.0),
            py(1.0),
            py(0.0) + 14.0,
            tick_label(t)
        );
    }
    for t in ys.ticks() {
        let y = py(ys.at(t));
        let _ = write!(
            o,
            r##"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"##,
            px(0.0),
            px(1.0),
            px(0.0) - 4.0,
            y + 4.0,
            tick_label(t)
        );
    }
    let _ = write!(
        o,
        r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="#333"/><text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle">{}</text><text transform="translate(14 {:.1}) rotate(-90)" font-size="12" text-anchor="middle">{}</text>"##,
        px(0.0),
        py(1.0),
        px(1.0) - px(0.0),
        py(0.0) - py(1.0),
        (px(0.0) + px(1.0)) / 2.0,
        H - 8.0,
        escape(xlabel),
        (py(0.0) + py(1.0)) / 2.0,
        escape(ylabel)
    );
}

/// ROC curves (false-positive rate on x, true-positive rate on y) with the chance line.
pub fn roc_chart(title: &str, series: &[Series], scale: Scale) -> String {
    let mut o = String::new();
    frame(
        &mut o,
        title,
        scale,
        scale,
        "false-positive rate",
        "true-positive rate",
    );
    // chance: TPR = FPR
    let chance: Vec<String> = (0..=50)
        .map(|i| {
            let v = match scale {
                Scale::Linear => i as f64 / 50.0,
                Scale::Log(min) => 10f64.powf(min.log10() * (1.0 - i as f64 / 50.0)),
            };
            format!("{:.1},{:.1}", px(scale.at(v)), py(scale.at(v)))
        })
        .collect();
    let _ = write!(
        o,
        r##"<polyline points="{}" fill="none" stroke="#999" stroke-dasharray="4 3"/>"##,
        chance.join(" ")
    );
    for (i, s) in series.iter().enumerate() {
        let c = COLOURS[i % COLOURS.len()];
        let pts: Vec<String> =
            s.x.iter()
                .zip(s.y)
                .filter(|(x, _)| !matches!(scale, Scale::Log(_)) || **x > 0.0)
                .map(|(x, y)| format!("{:.1},{:.1}", px(scale.at(*x)), py(scale.at(*y))))
                .collect();
        let _ = write!(
            o,
            r##"<polyline points="{}" fill="none" stroke="{c}" stroke-width="1.6"/>"##,
            pts.join(" ")
        );
        // The legend in the lower right, where a ROC curve above chance never runs.
        let ly = py(0.0) - 12.0 - 15.0 * (series.len() - 1 - i) as f64;
        let _ = write!(
            o,
            r##"<line x1="{:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{c}" stroke-width="3"/><text x="{:.1}" y="{:.1}" font-size="11">{}</text>"##,
            px(0.55),
            px(0.55) + 16.0,
            px(0.55) + 20.0,
            ly + 4.0,
            escape(&s.name)
        );
    }
    o.push_str("</svg>");
    o
}

/// A bar: its label, value in [0, 1] of the axis and the text written on it.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
    /// Index into `COLOURS`.
    pub colour: usize,
}

/// Horizontal bars on a [`lo`, `hi`] axis, with a dashed reference line at `mark` (e.g. chance).
pub fn bar_chart(
    title: &str,
    bars: &[Bar],
    lo: f64,
    hi: f64,
    mark: Option<f64>,
    axis: &str,
) -> String {
    let row = 22.0;
    let (left, right) = (150.0, 60.0);
    let h = TOP + row * bars.len() as f64 + 36.0;
    let x = |v: f64| left + ((v - lo) / (hi - lo)).clamp(0.0, 1.0) * (W - left - right);
    let mut o = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {h}" width="{W}" height="{h}" role="img" aria-label="{}"><rect width="{W}" height="{h}" fill="#fff"/>"##,
        escape(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = TOP + row * i as f64;
        let c = COLOURS[b.colour % COLOURS.len()];
        let _ = write!(
            o,
            r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text><rect x="{left}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{c}"/><text x="{:.1}" y="{:.1}" font-size="11">{}</text>"##,
            left - 6.0,
            y + 14.0,
            escape(&b.label),
            y + 3.0,
            (x(b.value) - left).max(0.5),
            row - 6.0,
            x(b.value) + 4.0,
            y + 14.0,
            escape(&b.text)
        );
    }
    let base = TOP + row * bars.len() as f64;
    if let Some(m) = mark {
        let _ = write!(
            o,
            r##"<line x1="{:.1}" y1="{TOP}" x2="{:.1}" y2="{base:.1}" stroke="#555" stroke-dasharray="4 3"/>"##,
            x(m),
            x(m)
        );
    }
    let _ = write!(
        o,
        r##"<line x1="{left}" y1="{base:.1}" x2="{:.1}" y2="{base:.1}" stroke="#333"/><text x="{left}" y="{:.1}" font-size="11">{}</text><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text><text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle">{}</text></svg>"##,
        x(hi),
        base + 14.0,
        tick_label(lo),
        x(hi),
        base + 14.0,
        tick_label(hi),
        (left + x(hi)) / 2.0,
        base + 30.0,
        escape(axis)
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_closed_svg_with_escaped_labels() {
        let x = [0.0, 0.001, 0.5, 1.0];
        let y = [0.0, 0.2, 0.9, 1.0];
        let s = [Series {
            name: "a<b>&\"".into(),
            x: &x,
            y: &y,
        }];
        for scale in [Scale::Linear, Scale::Log(0.001)] {
            let svg = roc_chart("t", &s, scale);
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
            assert!(svg.contains("a&lt;b&gt;&amp;&quot;") && !svg.contains("a<b>"));
            assert_eq!(svg.matches("<polyline").count(), 2);
        }
        // the log axis starts at its minimum and drops points at FPR 0
        assert_eq!(Scale::Log(0.001).ticks(), vec![0.001, 0.01, 0.1, 1.0]);
        assert_eq!(Scale::Log(0.001).at(0.01), 1.0 / 3.0);
        let bars = [Bar {
            label: "x".into(),
            value: 0.75,
            text: "0.750".into(),
            colour: 1,
        }];
        let b = bar_chart("t", &bars, 0.5, 1.0, Some(0.5), "ROC-AUC");
        assert!(b.starts_with("<svg") && b.ends_with("</svg>") && b.contains("0.750"));
    }
}
