//! The SVG figures of `make bench` (`--plots DIR`, default `docs/bench`; `--no-plots`): pure
//! functions that take figures already measured and printed and write one SVG file each.
//!
//! - `throughput.svg`: requests/s and p99 latency against keep-alive connections, `armemu`
//!   against `barehyper` (GET workspace, GET resource group, PUT resource group).
//! - `create-latency.svg`: the per-create latencies of the in-process workspace create (a
//!   histogram with logarithmic bins and the cumulative distribution, one series per variant).
//! - `workspaces-growth.svg`: RSS and list-page time against the number of loaded workspaces.
//!
//! `plotters` is built without font crates: its SVG backend writes `<text>` elements (the viewer
//! picks the font) and lays text out with a built-in size estimate, so no font file is read.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A point in pixels (`plotters_backend::BackendCoord`).
type BackendCoord = (i32, i32);

pub(super) const THROUGHPUT: &str = "throughput.svg";
pub(super) const CREATE_LATENCY: &str = "create-latency.svg";
pub(super) const GROWTH: &str = "workspaces-growth.svg";

const FONT: &str = "sans-serif";
const PANEL: (u32, u32) = (620, 460);

/// The series of one request kind on one server, at each measured connection count.
pub(super) struct ConnSeries<'a> {
    pub label: &'a str,
    /// The bare hyper server (drawn dashed) rather than the emulator.
    pub bare: bool,
    /// The bar series (drawn bold); the others are for reference.
    pub main: bool,
    /// `(connections, requests/s, p99 in ms)`.
    pub points: Vec<(usize, f64, f64)>,
}

/// The per-create latencies (ms) of one variant.
pub(super) struct Samples<'a> {
    pub label: &'a str,
    pub ms: Vec<f64>,
}

/// The figures of one state size.
pub(super) struct GrowthPoint {
    pub workspaces: usize,
    /// VmRSS right after loading and VmHWM (the peak while loading), MB (10^6 bytes).
    pub rss_mb: f64,
    pub hwm_mb: f64,
    /// First list page (`$top=10`): median and p99 in ms.
    pub first_ms: (f64, f64),
    /// The page half-way through the listing (states of 2,000 workspaces or more).
    pub deep_ms: Option<(f64, f64)>,
}

/// Prints where a plot went, or why it did not (a plot that cannot be written does not stop
/// the run: the figures are printed already).
pub(super) fn report(written: Result<PathBuf, String>) {
    match written {
        Ok(p) => println!("  plot: {}", p.display()),
        Err(e) => eprintln!("armbench: warning: plot not written: {e}"),
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Ticks at 1, 2, 3, 5 × 10^k inside `[lo, hi]` (for the logarithmic axes); every 1..9 × 10^k
/// when that gives fewer than 4.
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let some = ticks(lo, hi, &[1.0, 2.0, 3.0, 5.0]);
    if some.len() >= 4 {
        some
    } else {
        ticks(lo, hi, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
    }
}

fn ticks(lo: f64, hi: f64, multiples: &[f64]) -> Vec<f64> {
    let mut out = Vec::new();
    let (first, last) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    for k in first..=last {
        for &m in multiples {
            // Exact for the decades at and above 1; `m / 10^-k` keeps 0.2 and 0.05 exact below.
            let v = if k >= 0 { m * 10f64.powi(k) } else { m / 10f64.powi(-k) };
            if v >= lo && v <= hi {
                out.push(v);
            }
        }
    }
    out
}

/// A number for an axis label: no trailing zeros, at most 3 significant digits below 100.
fn num(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let digits = (2 - v.abs().log10().floor() as i32).clamp(0, 6) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A workspace count: 10, 1k, 25k, 100k.
fn count(v: f64) -> String {
    if v >= 1000.0 {
        format!("{}k", num(v / 1000.0))
    } else {
        num(v)
    }
}

/// Largest value with some headroom; at least `floor`.
fn top(values: impl Iterator<Item = f64>, floor: f64) -> f64 {
    values.fold(floor, f64::max) * 1.15
}

fn new_file(dir: &Path, name: &str) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    Ok(dir.join(name))
}

fn legend<'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, CT>,
    pos: SeriesLabelPosition,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(pos)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font((FONT, 13))
        .draw()
        .map_err(err)
}

/// The legend's sample of a line: solid, or dashed as the series is.
fn key(
    colour: RGBAColor,
    width: u32,
    dashed: bool,
) -> impl Fn(BackendCoord) -> DashedPathElement<std::vec::IntoIter<BackendCoord>, i32> {
    let (dash, gap) = if dashed { (5, 3) } else { (20, 0) };
    move |(x, y)| DashedPathElement::new(vec![(x - 8, y), (x + 12, y)], dash, gap, colour.stroke_width(width))
}

const EMU: RGBColor = RGBColor(31, 99, 180);
const BARE: RGBColor = RGBColor(214, 76, 40);
const GREY: RGBColor = RGBColor(90, 90, 90);
/// Colours of the series after the first two.
const MORE: [RGBColor; 4] = [RGBColor(46, 150, 70), RGBColor(140, 80, 170), RGBColor(200, 150, 20), GREY];

/// Requests/s (left) and p99 latency (right) against connections, one line per series; the
/// p99 panel shows `p99_bar_ms` as a horizontal line.
pub(super) fn throughput(dir: &Path, series: &[ConnSeries<'_>], p99_bar_ms: f64) -> Result<PathBuf, String> {
    let path = new_file(dir, THROUGHPUT)?;
    // The backend borrows the path until the end of the function.
    let file = path.clone();
    let conns: Vec<f64> = series.iter().flat_map(|s| s.points.iter().map(|p| p.0 as f64)).collect();
    if conns.is_empty() {
        return Err(format!("{THROUGHPUT}: no figures"));
    }
    let (cmin, cmax) = conns.iter().fold((f64::MAX, f64::MIN), |(a, b), &c| (a.min(c), b.max(c)));
    let (xlo, xhi) = (cmin / 1.4, cmax * 1.4);
    let mut keys: Vec<f64> = conns.clone();
    keys.sort_by(f64::total_cmp);
    keys.dedup();

    let root = SVGBackend::new(&file, (2 * PANEL.0, PANEL.1)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let root = root
        .titled("armemu against a bare hyper server (plain HTTP, keep-alive connections, 127.0.0.1)", (FONT, 20))
        .map_err(err)?;
    let (left, right) = root.split_horizontally(PANEL.0);
    let style = |i: usize, s: &ConnSeries<'_>| -> (RGBColor, u32) {
        let colour = match i {
            0 => EMU,
            1 => BARE,
            _ => MORE[(i - 2) % MORE.len()],
        };
        (colour, if s.main { 3 } else { 2 })
    };
    let panels: [(&DrawingArea<SVGBackend<'_>, Shift>, &str, f64, bool); 2] = [
        (&left, "requests/s", top(series.iter().flat_map(|s| s.points.iter().map(|p| p.1)), 1.0), false),
        (&right, "p99 latency (ms)", top(series.iter().flat_map(|s| s.points.iter().map(|p| p.2)), p99_bar_ms), true),
    ];
    for (area, ydesc, ymax, is_p99) in panels {
        let mut chart = ChartBuilder::on(area)
            .caption(if is_p99 { "p99 latency" } else { "throughput" }, (FONT, 17))
            .margin(12)
            .x_label_area_size(46)
            .y_label_area_size(70)
            .build_cartesian_2d((xlo..xhi).log_scale().with_key_points(keys.clone()), 0.0..ymax)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("connections (log scale)")
            .y_desc(ydesc)
            .x_label_formatter(&|v| num(*v))
            .y_label_formatter(&|v| if is_p99 { num(*v) } else { format!("{v:.0}") })
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(err)?;
        for (i, s) in series.iter().enumerate() {
            let (colour, width) = style(i, s);
            let pts: Vec<(f64, f64)> =
                s.points.iter().map(|&(c, rps, p99)| (c as f64, if is_p99 { p99 } else { rps })).collect();
            let line = colour.stroke_width(width);
            if s.bare {
                chart.draw_series(DashedLineSeries::new(pts.clone(), 8, 5, line)).map_err(err)?;
            } else {
                chart.draw_series(LineSeries::new(pts.clone(), line)).map_err(err)?;
            }
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, width + 1, colour.filled())))
                .map_err(err)?
                .label(s.label)
                .legend(key(colour.to_rgba(), width, s.bare));
        }
        if is_p99 {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(xlo, p99_bar_ms), (xhi, p99_bar_ms)],
                    4,
                    4,
                    GREY.stroke_width(1),
                ))
                .map_err(err)?
                .label(format!("bar: p99 <= {} ms (GET workspace)", num(p99_bar_ms)))
                .legend(key(GREY.to_rgba(), 1, true));
        }
        legend(&mut chart, if is_p99 { SeriesLabelPosition::UpperLeft } else { SeriesLabelPosition::LowerRight })?;
    }
    root.present().map_err(err)?;
    Ok(path)
}

/// Nearest-rank percentile of sorted values.
fn pct(sorted: &[f64], q: f64) -> f64 {
    let idx = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[idx]
}

/// Histogram with logarithmic bins (left) and cumulative distribution (right) of per-create
/// latencies, one series per variant; both show `bar_ms` (the bar on the first variant's
/// median) as a vertical line.
pub(super) fn create_latency(dir: &Path, variants: &[Samples<'_>], bar_ms: f64) -> Result<PathBuf, String> {
    const BINS: usize = 60;
    let path = new_file(dir, CREATE_LATENCY)?;
    // The backend borrows the path until the end of the function.
    let file = path.clone();
    let sorted: Vec<Vec<f64>> = variants
        .iter()
        .map(|v| {
            let mut s: Vec<f64> = v.ms.iter().copied().filter(|x| x.is_finite() && *x > 0.0).collect();
            s.sort_by(f64::total_cmp);
            s
        })
        .collect();
    if sorted.iter().all(Vec::is_empty) {
        return Err(format!("{CREATE_LATENCY}: no samples"));
    }
    let lo = sorted.iter().filter_map(|s| s.first()).copied().fold(f64::MAX, f64::min).min(bar_ms) / 1.1;
    let hi = sorted.iter().filter_map(|s| s.last()).copied().fold(f64::MIN, f64::max).max(bar_ms) * 1.1;
    let step = (hi / lo).ln() / BINS as f64;
    let edge = |i: usize| lo * (step * i as f64).exp();
    let counts: Vec<Vec<usize>> = sorted
        .iter()
        .map(|s| {
            let mut c = vec![0usize; BINS];
            for &x in s {
                c[(((x / lo).ln() / step) as usize).min(BINS - 1)] += 1;
            }
            c
        })
        .collect();
    let cmax = counts.iter().flatten().copied().max().unwrap_or(1) as f64;
    let keys = log_ticks(lo, hi);
    let colour = |i: usize| match i {
        0 => EMU,
        1 => BARE,
        _ => MORE[(i - 2) % MORE.len()],
    };
    let label = |i: usize| {
        let s = &sorted[i];
        if s.is_empty() {
            format!("{} (no samples)", variants[i].label)
        } else {
            format!("{}: median {} ms, p99 {} ms", variants[i].label, num(pct(s, 0.5)), num(pct(s, 0.99)))
        }
    };

    let root = SVGBackend::new(&file, (2 * PANEL.0, PANEL.1)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let n: usize = sorted.iter().map(Vec::len).max().unwrap_or(0);
    let root = root
        .titled(
            &format!("Workspace create through armctl, LRO included, emulator in-process ({n} creates per variant)"),
            (FONT, 20),
        )
        .map_err(err)?;
    let (left, right) = root.split_horizontally(PANEL.0);

    let mut hist = ChartBuilder::on(&left)
        .caption("histogram (logarithmic bins)", (FONT, 17))
        .margin(12)
        .x_label_area_size(46)
        .y_label_area_size(60)
        .build_cartesian_2d((lo..hi).log_scale().with_key_points(keys.clone()), 0.0..cmax * 1.15)
        .map_err(err)?;
    hist.configure_mesh()
        .x_desc("latency per create (ms, log scale)")
        .y_desc("creates per bin")
        .x_label_formatter(&|v| num(*v))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 14))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(err)?;
    for (i, c) in counts.iter().enumerate() {
        let col = colour(i);
        hist.draw_series(
            c.iter()
                .enumerate()
                .filter(|(_, &k)| k > 0)
                .map(|(b, &k)| Rectangle::new([(edge(b), 0.0), (edge(b + 1), k as f64)], col.mix(0.35).filled())),
        )
        .map_err(err)?;
        // The outline of the bins as a step line, so overlapping variants stay readable.
        let mut outline = Vec::with_capacity(2 * BINS + 2);
        outline.push((edge(0), 0.0));
        for (b, &k) in c.iter().enumerate() {
            outline.push((edge(b), k as f64));
            outline.push((edge(b + 1), k as f64));
        }
        outline.push((edge(BINS), 0.0));
        hist.draw_series(LineSeries::new(outline, col.stroke_width(1)))
            .map_err(err)?
            .label(label(i))
            .legend(move |(x, y)| Rectangle::new([(x - 8, y - 5), (x + 12, y + 5)], col.mix(0.5).filled()));
    }
    hist.draw_series(DashedLineSeries::new(vec![(bar_ms, 0.0), (bar_ms, cmax * 1.15)], 4, 4, GREY.stroke_width(1)))
        .map_err(err)?
        .label(format!("bar: median <= {} ms (first variant)", num(bar_ms)))
        .legend(key(GREY.to_rgba(), 1, true));
    legend(&mut hist, SeriesLabelPosition::UpperRight)?;

    let mut cdf = ChartBuilder::on(&right)
        .caption("cumulative distribution", (FONT, 17))
        .margin(12)
        .x_label_area_size(46)
        .y_label_area_size(60)
        .build_cartesian_2d((lo..hi).log_scale().with_key_points(keys), 0.0..100.0)
        .map_err(err)?;
    cdf.configure_mesh()
        .x_desc("latency per create (ms, log scale)")
        .y_desc("creates at or below (%)")
        .x_label_formatter(&|v| num(*v))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 14))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(err)?;
    for (i, s) in sorted.iter().enumerate() {
        if s.is_empty() {
            continue;
        }
        let col = colour(i);
        // At most ~1000 points per line: every k-th sample, and always the last.
        let k = s.len().div_ceil(1000);
        let len = s.len() as f64;
        let pts: Vec<(f64, f64)> = s
            .iter()
            .enumerate()
            .filter(|(j, _)| j % k == 0 || *j == s.len() - 1)
            .map(|(j, &x)| (x, (j + 1) as f64 / len * 100.0))
            .collect();
        cdf.draw_series(LineSeries::new(pts, col.stroke_width(2))).map_err(err)?.label(variants[i].label).legend(key(
            col.to_rgba(),
            2,
            false,
        ));
    }
    for (q, name) in [(50.0, "median"), (99.0, "p99")] {
        cdf.draw_series(DashedLineSeries::new(vec![(lo, q), (hi, q)], 2, 4, GREY.mix(0.6).stroke_width(1)))
            .map_err(err)?;
        let style = (FONT, 13).into_font().color(&GREY).pos(Pos::new(HPos::Right, VPos::Top));
        cdf.draw_series(std::iter::once(Text::new(name, (hi / 1.03, q - 1.0), style))).map_err(err)?;
    }
    cdf.draw_series(DashedLineSeries::new(vec![(bar_ms, 0.0), (bar_ms, 100.0)], 4, 4, GREY.stroke_width(1)))
        .map_err(err)?
        .label(format!("bar: median <= {} ms", num(bar_ms)))
        .legend(key(GREY.to_rgba(), 1, true));
    legend(&mut cdf, SeriesLabelPosition::LowerRight)?;
    root.present().map_err(err)?;
    Ok(path)
}

/// RSS after loading and peak RSS (left) and list-page time (right) against the number of
/// workspaces loaded; the left panel shows the two RSS bars as horizontal lines.
pub(super) fn growth(
    dir: &Path,
    points: &[GrowthPoint],
    rss_bar_mb: f64,
    hwm_bar_mb: f64,
    note: &str,
) -> Result<PathBuf, String> {
    let path = new_file(dir, GROWTH)?;
    // The backend borrows the path until the end of the function.
    let file = path.clone();
    if points.is_empty() {
        return Err(format!("{GROWTH}: no figures"));
    }
    let mut pts: Vec<&GrowthPoint> = points.iter().collect();
    pts.sort_by_key(|p| p.workspaces);
    let xmax = pts.last().map(|p| p.workspaces).unwrap_or(1) as f64 * 1.05;

    let root = SVGBackend::new(&file, (2 * PANEL.0, PANEL.1)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let root = root.titled(&format!("Workspaces loaded with armemu --load ({note})"), (FONT, 20)).map_err(err)?;
    let (left, right) = root.split_horizontally(PANEL.0);

    let ymax = top(pts.iter().flat_map(|p| [p.rss_mb, p.hwm_mb]), hwm_bar_mb);
    let mut mem = ChartBuilder::on(&left)
        .caption("memory", (FONT, 17))
        .margin(12)
        .x_label_area_size(46)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..xmax, 0.0..ymax)
        .map_err(err)?;
    mem.configure_mesh()
        .x_desc("workspaces")
        .y_desc("MB (10^6 bytes)")
        .x_label_formatter(&|v| count(*v))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 14))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(err)?;
    // The peak is dashed: with a small heap it lies on the RSS line.
    type Mb = fn(&GrowthPoint) -> f64;
    let lines: [(&str, RGBColor, bool, Mb); 2] = [
        ("RSS after loading (VmRSS)", EMU, false, |p| p.rss_mb),
        ("peak RSS while loading (VmHWM)", BARE, true, |p| p.hwm_mb),
    ];
    for (label, col, dashed, f) in lines {
        let xy: Vec<(f64, f64)> = pts.iter().map(|p| (p.workspaces as f64, f(p))).collect();
        if dashed {
            mem.draw_series(DashedLineSeries::new(xy.clone(), 6, 4, col.stroke_width(2))).map_err(err)?;
        } else {
            mem.draw_series(LineSeries::new(xy.clone(), col.stroke_width(3))).map_err(err)?;
        }
        mem.draw_series(xy.into_iter().map(|p| Circle::new(p, 3, col.filled())))
            .map_err(err)?
            .label(label)
            .legend(key(col.to_rgba(), 2, dashed));
    }
    for (label, col, v) in [("bar: RSS <= ", EMU, rss_bar_mb), ("bar: peak <= ", BARE, hwm_bar_mb)] {
        mem.draw_series(DashedLineSeries::new(vec![(0.0, v), (xmax, v)], 6, 4, col.mix(0.6).stroke_width(1)))
            .map_err(err)?
            .label(format!("{label}{} MB", num(v)))
            .legend(key(col.mix(0.6), 1, true));
    }
    legend(&mut mem, SeriesLabelPosition::UpperLeft)?;

    let ymax = top(pts.iter().flat_map(|p| [p.first_ms.1, p.deep_ms.map_or(0.0, |d| d.1)]), 0.01);
    let mut page = ChartBuilder::on(&right)
        .caption("one list page ($top=10)", (FONT, 17))
        .margin(12)
        .x_label_area_size(46)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..xmax, 0.0..ymax)
        .map_err(err)?;
    page.configure_mesh()
        .x_desc("workspaces")
        .y_desc("time per page (ms)")
        .x_label_formatter(&|v| count(*v))
        .y_label_formatter(&|v| num(*v))
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 14))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(err)?;
    type Pick = fn(&GrowthPoint) -> Option<f64>;
    let series: [(&str, RGBColor, bool, Pick); 4] = [
        ("first page, median", EMU, false, |p| Some(p.first_ms.0)),
        ("first page, p99", EMU, true, |p| Some(p.first_ms.1)),
        ("page half-way, median", BARE, false, |p| p.deep_ms.map(|d| d.0)),
        ("page half-way, p99", BARE, true, |p| p.deep_ms.map(|d| d.1)),
    ];
    for (label, col, dashed, f) in series {
        let xy: Vec<(f64, f64)> = pts.iter().filter_map(|p| f(p).map(|y| (p.workspaces as f64, y))).collect();
        if xy.is_empty() {
            continue;
        }
        if dashed {
            page.draw_series(DashedLineSeries::new(xy.clone(), 6, 4, col.stroke_width(2))).map_err(err)?;
        } else {
            page.draw_series(LineSeries::new(xy.clone(), col.stroke_width(2))).map_err(err)?;
        }
        page.draw_series(xy.into_iter().map(|p| Circle::new(p, 3, col.filled())))
            .map_err(err)?
            .label(label)
            .legend(key(col.to_rgba(), 2, dashed));
    }
    legend(&mut page, SeriesLabelPosition::UpperLeft)?;
    root.present().map_err(err)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_svg(p: &Path) -> String {
        let text = std::fs::read_to_string(p).expect("the plot file");
        assert!(text.trim_start().starts_with("<svg"), "not an SVG: {}", &text[..text.len().min(80)]);
        assert!(text.trim_end().ends_with("</svg>"), "the SVG is not closed");
        text
    }

    /// The contents of the SVG's `<text>` elements, unescaped.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                let body = &t[t.find('>')? + 1..t.find("</text>")?];
                Some(body.trim().replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
            })
            .collect()
    }

    /// Every `what` is the whole text of one of the SVG's text elements (a label, a title, a tick).
    fn assert_has(svg: &str, what: &[&str]) {
        let t = texts(svg);
        for w in what {
            assert!(t.iter().any(|x| x == w), "the SVG has no text {w:?}; it has {t:?}");
        }
    }

    #[test]
    fn throughput_plot_has_both_panels_series_and_bar() {
        let dir = tempfile::tempdir().unwrap();
        let series = [
            ConnSeries {
                label: "armemu GET workspace",
                bare: false,
                main: true,
                points: vec![(1, 11_000.0, 0.15), (16, 80_000.0, 0.55), (64, 62_000.0, 3.1)],
            },
            ConnSeries {
                label: "bare hyper, workspace-sized body",
                bare: true,
                main: true,
                points: vec![(1, 16_000.0, 0.10), (16, 104_000.0, 0.36), (64, 72_000.0, 3.2)],
            },
            ConnSeries {
                label: "armemu PUT resource group",
                bare: false,
                main: false,
                points: vec![(1, 12_000.0, 0.15), (16, 55_000.0, 0.8), (64, 42_000.0, 8.4)],
            },
        ];
        let p = throughput(dir.path(), &series, 5.0).unwrap();
        assert_eq!(p, dir.path().join(THROUGHPUT));
        let svg = read_svg(&p);
        assert_has(
            &svg,
            &[
                "requests/s",
                "p99 latency (ms)",
                "connections (log scale)",
                "armemu GET workspace",
                "bare hyper, workspace-sized body",
                "armemu PUT resource group",
                "bar: p99 <= 5 ms (GET workspace)",
                "throughput",
                "p99 latency",
                "1",
                "16",
                "64",
            ],
        );
        let t = texts(&svg);
        // Each series has a legend entry in both panels.
        assert_eq!(t.iter().filter(|x| *x == "armemu GET workspace").count(), 2);
        // The requests/s axis reaches the largest figure (104,000): a tick at 100000 or above.
        let ticks: Vec<f64> = t.iter().filter_map(|x| x.parse().ok()).collect();
        assert!(ticks.iter().any(|&v| v >= 100_000.0), "no requests/s tick at 100000 or above: {ticks:?}");
        // The connection axis has the measured counts only (no 2, 5, 10, …).
        assert!(!t.iter().any(|x| x == "10"), "unexpected tick 10 on the connections axis");
    }

    #[test]
    fn throughput_plot_without_figures_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(throughput(dir.path(), &[], 5.0).is_err());
    }

    #[test]
    fn create_latency_plot_has_histogram_cdf_and_variant_figures() {
        let dir = tempfile::tempdir().unwrap();
        // 0.20 .. 0.39 ms, then a tail at 3 ms: median 0.3, p99 3.
        let mut http: Vec<f64> = (0..980).map(|i| 0.2 + (i % 20) as f64 * 0.01).collect();
        http.extend(std::iter::repeat_n(3.0, 20));
        let lro: Vec<f64> = (0..1000).map(|i| 0.5 + (i % 10) as f64 * 0.02).collect();
        let variants =
            [Samples { label: "plain HTTP, sync", ms: http }, Samples { label: "plain HTTP, polls:1", ms: lro }];
        let p = create_latency(dir.path(), &variants, 1.0).unwrap();
        assert_eq!(p, dir.path().join(CREATE_LATENCY));
        let svg = read_svg(&p);
        assert_has(
            &svg,
            &[
                "histogram (logarithmic bins)",
                "cumulative distribution",
                "latency per create (ms, log scale)",
                "creates per bin",
                "creates at or below (%)",
                "plain HTTP, sync: median 0.3 ms, p99 3 ms",
                "plain HTTP, polls:1: median 0.58 ms, p99 0.68 ms",
                "bar: median <= 1 ms (first variant)",
                "bar: median <= 1 ms",
                "plain HTTP, sync",
                "median",
                "p99",
            ],
        );
        assert!(texts(&svg).iter().any(|t| t.contains("(1000 creates per variant)")), "title without the count");
        // The histogram's bins are rectangles.
        assert!(svg.matches("<rect").count() > 10, "too few histogram bins");
    }

    #[test]
    fn create_latency_plot_without_samples_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(create_latency(dir.path(), &[Samples { label: "x", ms: vec![] }], 1.0).is_err());
    }

    #[test]
    fn growth_plot_has_memory_and_page_panels() {
        let dir = tempfile::tempdir().unwrap();
        let pts: Vec<GrowthPoint> = [10usize, 1_000, 10_000, 50_000, 100_000]
            .iter()
            .map(|&n| GrowthPoint {
                workspaces: n,
                rss_mb: 8.0 + n as f64 * 0.0012,
                hwm_mb: 9.0 + n as f64 * 0.0025,
                first_ms: (0.1, 0.2),
                deep_ms: (n >= 2_000).then_some((0.12, 0.25)),
            })
            .collect();
        let p = growth(dir.path(), &pts, 250.0, 400.0, "test note").unwrap();
        assert_eq!(p, dir.path().join(GROWTH));
        let svg = read_svg(&p);
        assert_has(
            &svg,
            &[
                "Workspaces loaded with armemu --load (test note)",
                "memory",
                "one list page ($top=10)",
                "workspaces",
                "MB (10^6 bytes)",
                "time per page (ms)",
                "RSS after loading (VmRSS)",
                "peak RSS while loading (VmHWM)",
                "bar: RSS <= 250 MB",
                "bar: peak <= 400 MB",
                "first page, median",
                "first page, p99",
                "page half-way, median",
                "page half-way, p99",
                "100k",
            ],
        );
    }

    #[test]
    fn axis_numbers() {
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(0.25), "0.25");
        assert_eq!(num(3.0), "3");
        assert_eq!(num(64.0), "64");
        assert_eq!(num(1234.0), "1234");
        assert_eq!(count(25_000.0), "25k");
        assert_eq!(count(10.0), "10");
        assert_eq!(log_ticks(0.15, 12.0), vec![0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0]);
        assert_eq!(log_ticks(0.22, 0.9), vec![0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    }
}
