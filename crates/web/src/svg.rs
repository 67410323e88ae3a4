//! The pictures, drawn on the server as SVG: one call's timeline (a swim lane per
//! participant, coloured phases, a time axis, transfers and who hung up marked), the IVR map
//! as a flow diagram, and the charts of the report pages (the phases report's as bars stacked
//! by phase in the timeline's colours). Text in them goes through
//! `maud`'s escaping like every other value.

use maud::{html, Markup};
use serde_json::Value;

use calltrail_explain::story::duration;

/// Phase kinds with a colour of their own (the rest are drawn as "other").
pub const KINDS: &[(&str, &str)] = &[
    ("ivr", "IVR"),
    ("queue", "queue"),
    ("alert", "alert"),
    ("talk", "talk"),
    ("hold", "hold"),
    ("wrapup", "after-call work"),
    ("voicemail", "voicemail"),
    ("dialing", "dialing"),
    ("contacting", "contacting"),
    ("callback", "callback"),
    ("monitoring", "supervisor listening, coaching or barging in"),
];

/// The colour class of a phase kind; reports' `acw` is the timeline's `wrapup`.
pub fn phase_class(kind: &str) -> &'static str {
    // Reports name after-call work as Genesys' metrics do (tAcw); the timeline as its segment.
    // A supervisor's three ways of joining share one colour.
    let kind = match kind {
        "acw" => "wrapup",
        _ if calltrail_explain::story::supervision_verb(kind).is_some() => "monitoring",
        other => other,
    };
    KINDS.iter().find(|(k, _)| *k == kind).map_or("other", |(k, _)| k)
}

struct Lane {
    key: String,
    label: String,
    phases: Vec<(i64, i64, String)>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn ms_of(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(Value::as_str).and_then(calltrail_model::Timestamp::parse).map(|t| t.0)
}

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// A tick step giving at most about ten ticks over `span` ms.
fn tick_step(span: i64) -> i64 {
    const STEPS: [i64; 19] = [
        1_000,
        5_000,
        10_000,
        15_000,
        30_000,
        60_000,
        120_000,
        300_000,
        600_000,
        900_000,
        1_800_000,
        HOUR,
        2 * HOUR,
        3 * HOUR,
        6 * HOUR,
        12 * HOUR,
        DAY,
        2 * DAY,
        7 * DAY,
    ];
    STEPS.iter().copied().find(|s| span / s <= 10).unwrap_or_else(|| (span / 10).div_euclid(DAY).max(1) * DAY)
}

/// A tick's label: `m:ss` or `h:mm:ss` while ticks are minutes apart, hours and days once
/// they are hours apart (a call still going on after a day).
fn tick_label(ms: i64, step: i64) -> String {
    if step < HOUR || ms == 0 {
        return clock(ms);
    }
    let (days, hours) = (ms / DAY, ms % DAY / HOUR);
    match (days, hours) {
        (0, h) => format!("{h}h"),
        (d, 0) => format!("{d}d"),
        (d, h) => format!("{d}d {h}h"),
    }
}

fn clock(ms: i64) -> String {
    if ms >= 3_600_000 {
        format!("{}:{:02}:{:02}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60)
    } else {
        format!("{}:{:02}", ms / 60_000, ms / 1000 % 60)
    }
}

/// One call's timeline from its call record (JSON); a call still going on is drawn up to
/// `as_of`, the last time it was seen going on. The legend names the colours drawn.
pub fn timeline(call: &Value, as_of: Option<i64>) -> Markup {
    let phases = call.get("phases").and_then(Value::as_array).cloned().unwrap_or_default();
    let start = ms_of(call, "start").or_else(|| phases.iter().filter_map(|p| ms_of(p, "start")).min());
    let Some(start) = start else { return html! { p.muted { "No timed phases to draw." } } };
    let end = phases
        .iter()
        .filter_map(|p| ms_of(p, "end").or_else(|| ms_of(p, "start")))
        .chain(ms_of(call, "end"))
        .chain(as_of)
        .max()
        .unwrap_or(start)
        .max(start + 1000);
    let mut lanes: Vec<Lane> = Vec::new();
    for p in &phases {
        let (Some(from), kind) = (ms_of(p, "start"), text(p, "kind").unwrap_or_default()) else { continue };
        let to = ms_of(p, "end").unwrap_or(end);
        let purpose = text(p, "purpose").unwrap_or_else(|| "participant".into());
        let key = text(p, "participant_id")
            .unwrap_or_else(|| format!("{purpose}:{}", text(p, "name").unwrap_or_default()));
        // A supervisor's lane: they listened in, coached or barged in, and did nothing else.
        let supervising = phase_class(&kind) == "monitoring";
        let label = match (purpose.as_str(), text(p, "name")) {
            ("agent" | "user", Some(name)) if supervising => format!("supervisor · {name}"),
            ("acd", Some(name)) => format!("queue · {name}"),
            ("ivr", Some(name)) => format!("IVR · {name}"),
            (purpose, Some(name)) => format!("{purpose} · {name}"),
            (purpose, None) => purpose.to_owned(),
        };
        match lanes.iter_mut().find(|l| l.key == key) {
            Some(lane) => lane.phases.push((from, to, kind)),
            None => lanes.push(Lane { key, label, phases: vec![(from, to, kind)] }),
        }
    }
    let (gutter, width, lane_h, top) = (190.0, 980.0, 30.0, 26.0);
    let plot = width - gutter - 20.0;
    let span = end - start;
    #[allow(clippy::cast_precision_loss)]
    let x = |ms: i64| gutter + (ms - start) as f64 / span as f64 * plot;
    #[allow(clippy::cast_precision_loss)]
    let height = top + lanes.len() as f64 * lane_h + 30.0;
    let step = tick_step(span);
    let ticks: Vec<i64> = (0..=span / step).map(|i| i * step).collect();
    let disconnect_lane = call.pointer("/disconnect/participant_id").and_then(Value::as_str);
    let hung_up_by = call.pointer("/disconnect/by").and_then(Value::as_str).unwrap_or("unknown");
    let transfers: Vec<(String, i64)> = call
        .get("agents")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|a| {
            a.get("disconnect_type")
                .and_then(Value::as_str)
                .is_some_and(|t| calltrail_model::DisconnectType::parse(t).is_transfer())
        })
        .filter_map(|a| {
            let id = text(a, "participant_id")?;
            let lane = lanes.iter().find(|l| l.key == id)?;
            // The leg was passed on when its connection ended; after-call work comes later.
            let connected = lane.phases.iter().filter(|p| p.2 != "wrapup");
            Some((id, connected.map(|p| p.1).max()?))
        })
        .collect();
    html! {
        svg.timeline xmlns="http://www.w3.org/2000/svg" role="img" viewBox=(format!("0 0 {width} {height}"))
            aria-label="Timeline of the call: one lane per participant" {
            @for t in &ticks {
                line.tick x1=(x(start + t)) x2=(x(start + t)) y1=(top - 6.0) y2=(height - 24.0) {}
                text.axis x=(x(start + t)) y=(height - 8.0) text-anchor="middle" { (tick_label(*t, step)) }
            }
            @if let Some(seen) = as_of {
                g.marker.as-of data-marker="as-of" {
                    text x=(x(seen)) y=(top - 10.0) text-anchor="end" { "still going on when last synced ▸" }
                }
            }
            @for (i, lane) in lanes.iter().enumerate() {
                @let y = top + lane_h * f64::from(u32::try_from(i).unwrap_or(u32::MAX));
                g.lane data-lane=(lane.label) {
                    text.lane-label x="6" y=(y + 19.0) { (lane.label) }
                    line.lane-line x1=(gutter) x2=(width - 20.0) y1=(y + lane_h / 2.0) y2=(y + lane_h / 2.0) {}
                    @for (from, to, kind) in &lane.phases {
                        rect class=(format!("phase {}", phase_class(kind))) data-kind=(kind)
                            x=(x(*from)) y=(y + 5.0) width=((x(*to) - x(*from)).max(1.5)) height=(lane_h - 10.0) rx="2" {
                            title { (kind) " · " (duration(to - from)) " · from " (clock(from - start)) }
                        }
                    }
                    @if disconnect_lane == Some(lane.key.as_str()) {
                        @let at = x(lane.phases.iter().map(|p| p.1).max().unwrap_or(end));
                        g.marker.hangup data-marker="hung-up" {
                            path d=(format!("M{at} {} l6 -8 h-12 z", y + 4.0)) {}
                            @if at > width - 160.0 {
                                text x=(at - 8.0) y=(y + 2.0) text-anchor="end" { "hung up (" (hung_up_by) ")" }
                            } @else {
                                text x=(at + 8.0) y=(y + 2.0) { "hung up (" (hung_up_by) ")" }
                            }
                        }
                    }
                    @for (id, at) in &transfers {
                        @if *id == lane.key {
                            g.marker.transfer data-marker="transfer" {
                                line x1=(x(*at)) x2=(x(*at)) y1=(y + 2.0) y2=(y + lane_h - 2.0) {}
                                text x=(x(*at) + 4.0) y=(y + lane_h - 3.0) { "transfer" }
                            }
                        }
                    }
                }
            }
        }
        ul.legend {
            @for (class, label) in KINDS.iter().copied().chain([("other", "other (system, delay, …)")]) {
                @if lanes.iter().flat_map(|l| &l.phases).any(|p| phase_class(&p.2) == class) {
                    li { span class=(format!("swatch {class}")) {} (label) }
                }
            }
        }
    }
}

struct Placed<'a> {
    node: &'a Value,
    depth: usize,
    y: f64,
    h: f64,
    parent: Option<usize>,
    /// Offset of this child's band inside its parent's outgoing side.
    band_y: f64,
}

/// Children shown per step; the rest are summed into one "other" box.
const MAX_CHILDREN: usize = 10;
/// Columns drawn.
const MAX_DEPTH: usize = 8;

/// The IVR map (an `IvrMap` as JSON) as a flow diagram: a column per step depth, boxes as
/// tall as the calls that reached them, bands to the steps that followed, and each box's
/// endings written beside it.
pub fn ivr_map(map: &Value) -> Markup {
    let Some(root) = map.get("root") else { return html! {} };
    let total = root.get("reached").and_then(Value::as_u64).unwrap_or(0);
    if total == 0 {
        return html! { p.muted { "No calls with an IVR path in this range." } };
    }
    let (col_w, box_w, gap, body_h) = (230.0, 14.0, 8.0, 640.0);
    #[allow(clippy::cast_precision_loss)]
    let scale = body_h / total as f64;
    let mut placed: Vec<Placed<'_>> =
        vec![Placed { node: root, depth: 0, y: 20.0, h: body_h, parent: None, band_y: 0.0 }];
    let mut next_y = [20.0_f64; MAX_DEPTH + 1];
    let mut i = 0;
    while i < placed.len() {
        let (depth, node, parent_y) = (placed[i].depth, placed[i].node, placed[i].y);
        if depth < MAX_DEPTH {
            let children = node.get("children").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
            let mut band = 0.0;
            for child in children.iter().take(MAX_CHILDREN) {
                #[allow(clippy::cast_precision_loss)]
                let h = (child.get("reached").and_then(Value::as_u64).unwrap_or(0) as f64 * scale).max(2.0);
                let y = next_y[depth + 1].max(parent_y + band);
                next_y[depth + 1] = y + h + gap;
                placed.push(Placed { node: child, depth: depth + 1, y, h, parent: Some(i), band_y: band });
                band += h;
            }
        }
        i += 1;
    }
    let height = next_y.iter().copied().fold(body_h + 40.0, f64::max) + 20.0;
    let depth = placed.iter().map(|p| p.depth).max().unwrap_or(0);
    #[allow(clippy::cast_precision_loss)]
    let width = depth.max(1) as f64 * col_w + 260.0;
    #[allow(clippy::cast_precision_loss)]
    let x = |d: usize| 10.0 + (d.max(1) - 1) as f64 * col_w;
    html! {
        svg.ivr-map xmlns="http://www.w3.org/2000/svg" role="img" viewBox=(format!("0 0 {width} {height}"))
            aria-label="IVR map: where calls go and where they end" {
            @for p in placed.iter().filter(|p| p.depth > 1) {
                @if let Some(parent) = p.parent {
                    @let from = &placed[parent];
                    @let (x0, x1) = (x(from.depth) + box_w, x(p.depth));
                    @let (y0, y1) = (from.y + p.band_y, p.y);
                    path.flow d=(format!(
                        "M{x0} {y0} C{m} {y0} {m} {y1} {x1} {y1} L{x1} {b1} C{m} {b1} {m} {b0} {x0} {b0} Z",
                        m = f64::midpoint(x0, x1), b1 = y1 + p.h, b0 = y0 + p.h
                    )) {}
                }
            }
            @for p in placed.iter().filter(|p| p.depth > 0) {
                @let reached = p.node.get("reached").and_then(Value::as_u64).unwrap_or(0);
                @let step = p.node.get("step").and_then(Value::as_str).unwrap_or("");
                @let endings = endings_of(p.node);
                g.step data-step=(step) data-reached=(reached) {
                    rect.step-box x=(x(p.depth)) y=(p.y) width=(box_w) height=(p.h) {
                        title { (step) ": " (reached) " calls" }
                    }
                    // Labels only where they fit; every box has its full text as a tooltip.
                    @let leaf = p.node.get("children").and_then(Value::as_array).is_none_or(Vec::is_empty);
                    @if p.h >= 10.0 {
                        text.step-label x=(x(p.depth) + box_w + 4.0) y=(p.y + 10.0) {
                            (truncate(step, 24)) " · " (reached)
                            @if leaf && label_lines(p.h) == 0 {
                                @if let Some((how, _)) = endings.first() {
                                    tspan class=(format!("ending {}", ending_class(how))) { " → " (truncate(how, 24)) }
                                }
                            }
                        }
                    }
                    @for (j, (how, n)) in endings.iter().take(label_lines(p.h)).enumerate() {
                        text class=(format!("ending {}", ending_class(how)))
                            x=(x(p.depth) + box_w + 4.0) y=(p.y + 21.0 + 11.0 * f64::from(u32::try_from(j).unwrap_or(0))) {
                            "→ " (truncate(how, 26)) " " (n)
                        }
                    }
                }
            }
        }
    }
}

/// Lines of endings that fit beside a box of height `h` under its label (at most three).
fn label_lines(h: f64) -> usize {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let lines = ((h - 10.0) / 11.0).floor().max(0.0) as usize;
    lines.min(3)
}

fn endings_of(node: &Value) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = node
        .get("ended")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

fn ending_class(how: &str) -> &'static str {
    calltrail_explain::report::ending_of(how).unwrap_or("in-ivr")
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut out: String = text.chars().take(max - 1).collect();
        out.truncate(out.trim_end().len());
        out.push('…');
        out
    }
}

/// A bar's label as drawn: shortened to 32 characters where longer, with the whole label as
/// its tooltip then.
fn fitted_label(label: &str) -> Markup {
    let fitted = fit_label(label, 32);
    html! {
        @if fitted != label { title { (label) } }
        (fitted)
    }
}

/// A bar's label within `max` characters. A label of parts (`Technical Support · voice ·
/// 2026-11-18`) loses letters from its longest part first, so a short part such as the day,
/// which is what tells neighbouring bars apart, is kept whole.
fn fit_label(label: &str, max: usize) -> String {
    const SEPARATOR: &str = " · ";
    let mut parts: Vec<String> = label.split(SEPARATOR).map(str::to_owned).collect();
    let length = |parts: &[String]| {
        parts.iter().map(|p| p.chars().count()).sum::<usize>() + SEPARATOR.chars().count() * (parts.len() - 1)
    };
    while length(&parts) > max {
        let Some(longest) = (0..parts.len()).max_by_key(|&i| (parts[i].chars().count(), usize::MAX - i))
        else {
            break;
        };
        let chars = parts[longest].chars().count();
        if chars <= 6 {
            return truncate(label, max);
        }
        let keep = chars - (length(&parts) - max).min(chars - 6);
        parts[longest] = truncate(&parts[longest], keep);
    }
    parts.join(SEPARATOR)
}

/// A horizontal bar chart: one bar per (label, value), longest first as given.
pub fn bars(title: &str, rows: &[(String, f64, String)]) -> Markup {
    let max = rows.iter().map(|r| r.1).fold(0.0, f64::max);
    if rows.is_empty() || max <= 0.0 {
        return html! {};
    }
    let (gutter, width, bar_h) = (230.0, 760.0, 20.0);
    #[allow(clippy::cast_precision_loss)]
    let height = rows.len() as f64 * bar_h + 30.0;
    html! {
        figure.chart {
            figcaption { (title) }
            svg.bars xmlns="http://www.w3.org/2000/svg" role="img" viewBox=(format!("0 0 {width} {height}")) aria-label=(title) {
                @for (i, (label, value, shown)) in rows.iter().enumerate() {
                    @let y = 10.0 + bar_h * f64::from(u32::try_from(i).unwrap_or(0));
                    text.bar-label x=(gutter - 6.0) y=(y + 14.0) text-anchor="end" { (fitted_label(label)) }
                    rect.bar x=(gutter) y=(y + 3.0) width=((value / max * (width - gutter - 90.0)).max(1.0)) height=(bar_h - 6.0) {}
                    text.bar-value x=(gutter + value / max * (width - gutter - 90.0) + 6.0) y=(y + 14.0) { (shown) }
                }
            }
        }
    }
}

/// One part of a stacked bar: its colour (a phase's class: `ivr`, `queue`, `talk`, …), its
/// size, and what hovering over it says.
pub struct Part {
    pub class: &'static str,
    pub value: f64,
    pub title: String,
}

/// One stacked bar: its label, its parts in order, and what its end says.
pub struct Stack {
    pub label: String,
    pub parts: Vec<Part>,
    pub total: String,
}

/// Stacked horizontal bars, a part per piece in the timeline's colours, each part titled;
/// the legend names the colours used.
pub fn stacked(title: &str, legend: &[(&str, &str)], stacks: &[Stack]) -> Markup {
    let sum = |parts: &[Part]| parts.iter().map(|p| p.value.max(0.0)).sum::<f64>();
    let max = stacks.iter().map(|s| sum(&s.parts)).fold(0.0, f64::max);
    if max <= 0.0 {
        return html! {};
    }
    let (gutter, width, bar_h) = (230.0, 760.0, 24.0);
    #[allow(clippy::cast_precision_loss)]
    let (height, scale) = (stacks.len() as f64 * bar_h + 20.0, (width - gutter - 170.0) / max);
    // Each part's left edge and width, and where the stack ends (170 px are kept for its end text).
    let placed: Vec<(Vec<(f64, f64)>, f64)> = stacks
        .iter()
        .map(|stack| {
            let mut x = gutter;
            let spans = stack
                .parts
                .iter()
                .map(|part| {
                    let w = part.value.max(0.0) * scale;
                    x += w;
                    (x - w, w)
                })
                .collect();
            (spans, x)
        })
        .collect();
    let used: Vec<&(&str, &str)> = legend
        .iter()
        .filter(|(class, _)| stacks.iter().flat_map(|s| &s.parts).any(|p| p.class == *class))
        .collect();
    html! {
        figure.chart {
            figcaption { (title) }
            svg.bars.stacked xmlns="http://www.w3.org/2000/svg" role="img" viewBox=(format!("0 0 {width} {height}")) aria-label=(title) {
                @for (i, (stack, (spans, end))) in stacks.iter().zip(&placed).enumerate() {
                    @let y = 10.0 + bar_h * f64::from(u32::try_from(i).unwrap_or(0));
                    g data-bar=(stack.label) {
                        text.bar-label x=(gutter - 6.0) y=(y + 16.0) text-anchor="end" { (fitted_label(&stack.label)) }
                        @for (part, (x, w)) in stack.parts.iter().zip(spans) {
                            rect class=(format!("phase {}", part.class)) data-part=(part.class)
                                x=(x) y=(y + 3.0) width=(w) height=(bar_h - 6.0) {
                                title { (part.title) }
                            }
                        }
                        text.bar-value x=(end + 6.0) y=(y + 16.0) { (stack.total) }
                    }
                }
            }
            ul.legend {
                @for (class, label) in used {
                    li { span class=(format!("swatch {class}")) {} (label) }
                }
            }
        }
    }
}

/// One cell of a heat map: its row and column, its value, and what hovering over it says.
pub struct Cell {
    pub row: usize,
    pub column: usize,
    pub value: f64,
    pub title: String,
}

/// Shades in a heat map, lightest to darkest.
const SHADES: u32 = 5;

/// A heat map: a row per `rows` label, a column per `columns` label, each cell shaded by its
/// value (in five steps, the darkest holding the largest) and titled; a cell without a value
/// stays blank.
pub fn heatmap(title: &str, rows: &[String], columns: &[String], cells: &[Cell]) -> Markup {
    let max = cells.iter().map(|c| c.value).fold(0.0, f64::max);
    if rows.is_empty() || columns.is_empty() || max <= 0.0 {
        return html! {};
    }
    let (gutter, top, size) = (100.0, 22.0, 28.0);
    let at = |i: usize| f64::from(u32::try_from(i).unwrap_or(0));
    let (width, height) = (gutter + at(columns.len()) * size + 10.0, top + at(rows.len()) * size + 4.0);
    // The shade of a value: 1 for the smallest above nothing, SHADES for the largest.
    let shade = |value: f64| {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let step = (value / max * f64::from(SHADES)).ceil() as u32;
        step.clamp(1, SHADES)
    };
    html! {
        figure.chart {
            figcaption { (title) }
            svg.heatmap xmlns="http://www.w3.org/2000/svg" role="img" viewBox=(format!("0 0 {width} {height}")) aria-label=(title) {
                @for (j, column) in columns.iter().enumerate() {
                    text.bar-label x=(gutter + at(j) * size + size / 2.0) y=(top - 7.0) text-anchor="middle" { (column) }
                }
                @for (i, row) in rows.iter().enumerate() {
                    text.bar-label x=(gutter - 6.0) y=(top + at(i) * size + size / 2.0 + 4.0) text-anchor="end" { (row) }
                    rect.heat-blank x=(gutter) y=(top + at(i) * size + 1.0) width=(at(columns.len()) * size) height=(size - 2.0) {}
                }
                @for cell in cells.iter().filter(|c| c.value > 0.0 && c.row < rows.len() && c.column < columns.len()) {
                    rect class=(format!("heat heat{}", shade(cell.value))) data-cell=(format!("{} {}", rows[cell.row], columns[cell.column]))
                        x=(gutter + at(cell.column) * size + 1.0) y=(top + at(cell.row) * size + 1.0) width=(size - 2.0) height=(size - 2.0) {
                        title { (cell.title) }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{fit_label, tick_label, tick_step, timeline, DAY, HOUR};

    #[test]
    fn a_long_label_loses_letters_from_its_longest_part_and_keeps_the_day() {
        assert_eq!(
            fit_label("Technical Support · voice · 2026-11-18", 32),
            "Technical… · voice · 2026-11-18"
        );
        assert_eq!(fit_label("Billing · voice · 2026-11-18", 32), "Billing · voice · 2026-11-18");
        assert_eq!(fit_label("A queue with a very long name indeed", 32), "A queue with a very long name i…");
        for label in [
            "Technical Support · voice · 2026-11-18 · 13:00",
            "x · y · z · w · v · u · t · s · r · q · p",
            "ab",
        ] {
            assert!(fit_label(label, 32).chars().count() <= 32, "{label}");
        }
    }

    #[test]
    fn a_transfer_is_marked_where_the_leg_was_passed_on_not_after_its_wrap_up() {
        let phase = |kind: &str, participant: &str, from: &str, to: &str| {
            serde_json::json!({"kind": kind, "start": from, "end": to, "participant_id": participant,
                               "purpose": "agent", "name": participant})
        };
        let call = serde_json::json!({
            "start": "2024-04-29T17:00:00.000Z", "end": "2024-04-29T17:02:00.000Z",
            "agents": [{"participant_id": "a", "disconnect_type": "transfer"}],
            "phases": [
                phase("talk", "a", "2024-04-29T17:00:00.000Z", "2024-04-29T17:01:00.000Z"),
                phase("wrapup", "a", "2024-04-29T17:01:00.000Z", "2024-04-29T17:01:30.000Z"),
                phase("talk", "b", "2024-04-29T17:01:00.000Z", "2024-04-29T17:02:00.000Z"),
            ],
        });
        let svg = timeline(&call, None).into_string();
        // The legend names the colours drawn, and only those.
        let legend = svg.split("<ul class=\"legend\">").nth(1).expect("a legend");
        assert!(legend.contains("swatch talk") && legend.contains("after-call work"), "{legend}");
        assert!(!legend.contains("swatch hold") && !legend.contains("swatch other"), "{legend}");
        let marker = svg.split("data-marker=\"transfer\"").nth(1).expect("a transfer marker");
        let x: f64 = marker.split("x1=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
        // The plot runs from x = 190 over 770 units for the two minutes: one minute in is 575.
        assert!((x - 575.0).abs() < 0.01, "the marker is at {x}");
    }

    #[test]
    fn ticks_stay_few_and_short_however_long_the_call() {
        for span in [5_000, 90_000, 40 * 60_000, 3 * HOUR, 31 * HOUR, 9 * DAY, 120 * DAY] {
            let step = tick_step(span);
            assert!(span / step <= 10, "{span}: {step}");
            let longest = (0..=span / step).map(|i| tick_label(i * step, step).len()).max().unwrap();
            assert!(longest <= 8, "{span}: {longest}");
        }
        assert_eq!(tick_label(30 * HOUR, 6 * HOUR), "1d 6h");
        assert_eq!(tick_label(2 * DAY, DAY), "2d");
        assert_eq!(tick_label(90_000, 30_000), "1:30");
    }
}
