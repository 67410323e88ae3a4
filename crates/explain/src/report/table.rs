//! The one shape every report takes — named, typed columns and rows of cells — and its
//! renderings: an aligned terminal table, formula-safe CSV, and JSON objects.
//!
//! Reports only compute; how a number is shown (a duration as `2m 05s` on a terminal, as
//! integer milliseconds in CSV and JSON) is decided here, once, for all of them and for the
//! web UI.

use std::fmt::Write as _;

use serde_json::{Map, Value};

/// What a column holds, which decides how it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text (names, codes, days).
    Text,
    /// A whole number of calls or legs.
    Count,
    /// A duration in milliseconds.
    Ms,
    /// A share between 0 and 1.
    Rate,
}

/// Where a column is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// Everywhere.
    Always,
    /// Only in the terminal table (a layout aid, such as an indented tree).
    TableOnly,
    /// Only in CSV and JSON (a value a terminal reader would not need).
    DataOnly,
}

/// One column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Its name: the CSV header and JSON key.
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Where it is shown.
    pub show: Show,
}

impl Column {
    /// Its heading where values are written for people: a duration is shown readable
    /// (`6m 14s`), so `avg_ms` is headed `avg`.
    pub fn heading(&self) -> &'static str {
        match self.kind {
            Kind::Ms => self.name.strip_suffix("_ms").unwrap_or(self.name),
            _ => self.name,
        }
    }

    /// The heading as people read it: words apart (`answer rate`), a range as a range (`10-30s`).
    pub fn label(&self) -> String {
        range_heading(self.heading()).unwrap_or_else(|| self.heading().replace('_', " "))
    }
}

/// A column shown everywhere.
pub const fn col(name: &'static str, kind: Kind) -> Column {
    Column { name, kind, show: Show::Always }
}

/// One value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value (an average of nothing).
    Null,
    /// Text.
    Text(String),
    /// A whole number (counts, milliseconds).
    Int(i64),
    /// A fraction (rates).
    Float(f64),
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::Text(text.to_owned())
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell::Text(text)
    }
}

impl From<u64> for Cell {
    fn from(n: u64) -> Cell {
        Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}

impl From<Option<i64>> for Cell {
    fn from(n: Option<i64>) -> Cell {
        n.map_or(Cell::Null, Cell::Int)
    }
}

impl From<Option<f64>> for Cell {
    fn from(n: Option<f64>) -> Cell {
        n.map_or(Cell::Null, Cell::Float)
    }
}

/// A report's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, each with one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new(columns: &[Column]) -> Table {
        Table { columns: columns.to_vec(), rows: Vec::new() }
    }

    /// The index of a column by name.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    fn shown(&self, table: bool) -> Vec<usize> {
        let skip = if table { Show::DataOnly } else { Show::TableOnly };
        (0..self.columns.len()).filter(|&i| self.columns[i].show != skip).collect()
    }

    /// The aligned terminal table: durations and rates written for people, numbers right
    /// aligned, control characters replaced so a value cannot drive the terminal.
    pub fn to_text(&self) -> String {
        let shown = self.shown(true);
        let headers: Vec<&str> = shown.iter().map(|&i| self.columns[i].heading()).collect();
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| shown.iter().map(|&i| display(&r[i], self.columns[i].kind)).collect())
            .collect();
        let right: Vec<bool> = shown.iter().map(|&i| self.columns[i].kind != Kind::Text).collect();
        render_table(&headers, &rows, &right)
    }

    /// CSV with a header line; cells formula-safe.
    pub fn to_csv(&self) -> String {
        let shown = self.shown(false);
        let mut out = String::new();
        let header: Vec<&str> = shown.iter().map(|&i| self.columns[i].name).collect();
        let _ = writeln!(out, "{}", header.join(","));
        for row in &self.rows {
            let cells: Vec<String> = shown.iter().map(|&i| csv_cell(&data_text(&row[i]))).collect();
            let _ = writeln!(out, "{}", cells.join(","));
        }
        out
    }

    /// Each row as a JSON object keyed by column name; durations in milliseconds, rates as
    /// fractions.
    pub fn to_json_rows(&self) -> Vec<Value> {
        let shown = self.shown(false);
        self.rows
            .iter()
            .map(|row| {
                let mut object = Map::new();
                for &i in &shown {
                    let value = match &row[i] {
                        Cell::Null => Value::Null,
                        Cell::Text(t) => Value::String(t.clone()),
                        Cell::Int(n) => Value::from(*n),
                        Cell::Float(f) => serde_json::Number::from_f64((f * 10_000.0).round() / 10_000.0)
                            .map_or(Value::Null, Value::Number),
                    };
                    object.insert(self.columns[i].name.to_owned(), value);
                }
                Value::Object(object)
            })
            .collect()
    }
}

fn data_text(cell: &Cell) -> String {
    match cell {
        Cell::Null => String::new(),
        Cell::Text(t) => t.clone(),
        Cell::Int(n) => n.to_string(),
        Cell::Float(f) => format!("{f:.4}"),
    }
}

fn display(cell: &Cell, kind: Kind) -> String {
    match (cell, kind) {
        (Cell::Null, _) => "-".to_owned(),
        (Cell::Int(ms), Kind::Ms) => crate::story::duration(*ms),
        (Cell::Float(f), Kind::Rate) => format!("{:.1}%", f * 100.0),
        (other, _) => data_text(other),
    }
}

/// A CSV cell, quoted when needed and with spreadsheet formulas neutralised (`=`, `+`, `-`,
/// `@`, tab and carriage return lead to a `'` prefix).
pub fn csv_cell(text: &str) -> String {
    let mut value = text.to_owned();
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        value.insert(0, '\'');
    }
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// Aligned columns (right-aligned where `right` says so); control characters in values are
/// replaced so they cannot drive the terminal, and long values are cut at 48 characters.
/// Headings are written for people: words apart (`answer_rate` as `answer rate`), and on two
/// lines where one line would make a column wider than its values.
pub fn render_table(headers: &[&str], rows: &[Vec<String>], right: &[bool]) -> String {
    let clean = |s: &str| -> String {
        let mut out: String = s.chars().map(|c| if c.is_control() { '�' } else { c }).take(48).collect();
        if s.chars().nth(48).is_some() {
            out.pop();
            out.push('…');
        }
        out
    };
    let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| clean(c)).collect()).collect();
    let mut widths: Vec<usize> = vec![0; headers.len()];
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let headings: Vec<[String; 2]> = headers
        .iter()
        .zip(&widths)
        .map(|(h, &width)| heading_lines(&clean(h), if rows.is_empty() { usize::MAX } else { width }))
        .collect();
    for (width, [upper, lower]) in widths.iter_mut().zip(&headings) {
        *width = (*width).max(upper.chars().count()).max(lower.chars().count());
    }
    let mut out = String::new();
    let line = |cells: &[String], out: &mut String| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if right.get(i).copied().unwrap_or(false) {
                    format!("{c:>w$}", w = widths[i])
                } else {
                    format!("{c:<w$}", w = widths[i])
                }
            })
            .collect();
        let _ = writeln!(out, "{}", parts.join("  ").trim_end());
    };
    if headings.iter().any(|[upper, _]| !upper.is_empty()) {
        line(&headings.iter().map(|[upper, _]| upper.clone()).collect::<Vec<_>>(), &mut out);
    }
    line(&headings.iter().map(|[_, lower]| lower.clone()).collect::<Vec<_>>(), &mut out);
    line(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>(), &mut out);
    for r in &rows {
        line(r, &mut out);
    }
    out
}

/// A heading's words as two lines, the upper one empty unless the heading is wider than
/// `width` and splitting it between two words makes it narrower. A heading that names a range
/// of time is written as one (`s10_30` as `10-30s`, `under_10s` as `<10s`).
fn heading_lines(heading: &str, width: usize) -> [String; 2] {
    if let Some(range) = range_heading(heading) {
        return [String::new(), range];
    }
    let words: Vec<&str> = heading.split(['_', ' ']).filter(|w| !w.is_empty()).collect();
    let whole = words.join(" ");
    let long =
        |line: &[&str]| line.iter().map(|w| w.chars().count()).sum::<usize>() + line.len().saturating_sub(1);
    let narrowest = (1..words.len()).min_by_key(|&at| long(&words[..at]).max(long(&words[at..])));
    match narrowest {
        Some(at) if whole.chars().count() > width => [words[..at].join(" "), words[at..].join(" ")],
        _ => [String::new(), whole],
    }
}

/// The range a bucket's column name stands for, as people write it: `s10_30` → `10-30s`,
/// `m1_2` → `1-2m`, `under_10s` → `<10s`, `over_5m` → `>5m`; `None` for any other name.
fn range_heading(name: &str) -> Option<String> {
    let amount = |s: &str| {
        let digits = s.trim_end_matches(['s', 'm', 'h']);
        (!digits.is_empty() && digits.len() < s.len() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.to_owned())
    };
    if let Some(rest) = name.strip_prefix("under_") {
        return amount(rest).map(|a| format!("<{a}"));
    }
    if let Some(rest) = name.strip_prefix("over_") {
        return amount(rest).map(|a| format!(">{a}"));
    }
    let mut chars = name.chars();
    let unit = chars.next().filter(|u| matches!(u, 's' | 'm' | 'h'))?;
    let (low, high) = chars.as_str().split_once('_')?;
    let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (number(low) && number(high)).then(|| format!("{low}-{high}{unit}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_formula_safe() {
        assert_eq!(csv_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_cell("+1 555"), "'+1 555");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@x"), "'@x");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("plain"), "plain");
    }

    #[test]
    fn headings_are_written_for_people_on_two_lines_where_one_is_too_wide() {
        let lines = heading_lines;
        assert_eq!(lines("answered_within_target", 5), ["answered".to_owned(), "within target".to_owned()]);
        assert_eq!(lines("service_level_goal", 6), ["service".to_owned(), "level goal".to_owned()]);
        // Wide enough values or a single word: one line.
        assert_eq!(lines("answer_rate", 11), [String::new(), "answer rate".to_owned()]);
        assert_eq!(lines("offered", 3), [String::new(), "offered".to_owned()]);
        // A range's name is written as the range.
        assert_eq!(lines("s10_30", 2), [String::new(), "10-30s".to_owned()]);
        assert_eq!(lines("m2_5", 2), [String::new(), "2-5m".to_owned()]);
        assert_eq!(lines("under_10s", 2), [String::new(), "<10s".to_owned()]);
        assert_eq!(lines("over_5m", 2), [String::new(), ">5m".to_owned()]);
        assert_eq!(lines("over_due", 20), [String::new(), "over due".to_owned()]);
        assert_eq!(lines("s_x", 20), [String::new(), "s x".to_owned()]);
        // A table without rows keeps its headings on one line.
        let empty = render_table(&["answered_within_target"], &[], &[true]);
        assert_eq!(empty, "answered within target\n----------------------\n");
    }

    #[test]
    fn one_table_three_renderings() {
        let mut t = Table::new(&[
            col("queue", Kind::Text),
            col("calls", Kind::Count),
            col("avg_wait_ms", Kind::Ms),
            col("answer_rate", Kind::Rate),
        ]);
        t.rows.push(vec!["=Billing\u{1b}[2J".into(), 12_u64.into(), Cell::Int(65_000), Cell::Float(0.5)]);
        t.rows.push(vec!["Sales".into(), 3_u64.into(), Cell::Null, Cell::Float(1.0)]);
        let text = t.to_text();
        assert!(text.contains("1m 05s") && text.contains("50.0%") && !text.contains('\u{1b}'), "{text}");
        // Durations written for people are headed without their unit; CSV and JSON keep it.
        // A heading wider than its column's values goes on two lines.
        let head: Vec<&str> = text.lines().take(3).collect();
        assert_eq!(
            head,
            [
                "                        avg  answer",
                "queue         calls    wait    rate",
                "------------  -----  ------  ------"
            ],
            "{text}"
        );
        assert!(text.lines().nth(4).unwrap().starts_with("Sales             3       -"), "{text}");
        let csv = t.to_csv();
        assert!(csv.starts_with("queue,calls,avg_wait_ms,answer_rate\n'=Billing"), "{csv}");
        assert!(csv.contains(",65000,0.5000\n"), "{csv}");
        let json = t.to_json_rows();
        assert_eq!(json[0]["avg_wait_ms"], 65_000);
        assert_eq!(json[1]["avg_wait_ms"], Value::Null);
        assert_eq!(json[1]["answer_rate"], 1.0);
    }
}
