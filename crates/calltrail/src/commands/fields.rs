//! `calltrail fields`: the glossary of the detail record, for people and for tools.
#![allow(clippy::print_stdout)]

use std::io::Write;

use calltrail_model::glossary::{self, Field};

use crate::cli::{FieldsArgs, TextOrJson};
use crate::printer::Printer;
use crate::{Status, UsageError};

pub fn run(args: &FieldsArgs, printer: &Printer) -> anyhow::Result<Status> {
    let fields: Vec<&Field> = match &args.name {
        Some(name) => {
            let (found, how) = glossary::search(name);
            if how == glossary::Found::ByValue {
                let paths: Vec<&str> = found.iter().map(|f| f.path).collect();
                printer.say(&format!("`{}` is a value of {}", name.trim(), paths.join(" and ")));
            }
            if found.is_empty() {
                let hint = glossary::suggest(name).map_or_else(
                    || "\n\nhint: `calltrail fields` lists every field".to_owned(),
                    |s| format!("\n\nhint: did you mean `{s}`?"),
                );
                return Err(UsageError(format!("no field named `{name}` in the glossary{hint}")).into());
            }
            found
        }
        None => glossary::FIELDS.iter().collect(),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        TextOrJson::Json => {
            serde_json::to_writer_pretty(&mut out, &fields)?;
            writeln!(out)?;
        }
        TextOrJson::Text if args.name.is_none() => {
            let mut section = "";
            for f in &fields {
                if f.on != section {
                    section = f.on;
                    writeln!(out, "\n{section}")?;
                }
                let head = column_head(&mut out, "  ", f.path, 34)?;
                writeln!(out, "{}", wrap(&head, first_sentence(f.meaning), WIDTH))?;
            }
            writeln!(out, "\n`calltrail fields NAME` shows one field in full.")?;
        }
        TextOrJson::Text => {
            for f in &fields {
                writeln!(out, "{}  ({})\n", f.path, f.on)?;
                writeln!(out, "{}\n", wrap("", f.meaning, WIDTH))?;
                if !f.appears.is_empty() {
                    writeln!(out, "{}\n", wrap("Where: ", f.appears, WIDTH))?;
                }
                if !f.values.is_empty() {
                    writeln!(out, "Values:")?;
                    for (value, meaning) in f.values {
                        let head = column_head(&mut out, "  ", value, 22)?;
                        writeln!(out, "{}", wrap(&head, meaning, WIDTH))?;
                    }
                    writeln!(out)?;
                }
                if !f.pitfalls.is_empty() {
                    writeln!(out, "{}\n", wrap("Pitfalls: ", f.pitfalls, WIDTH))?;
                }
            }
        }
    }
    out.flush()?;
    Ok(Status::Success)
}

fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        Some(at) => &text[..=at],
        None => text,
    }
}

/// The longest line the glossary prints.
const WIDTH: usize = 100;

/// The head of a two-column line: `label` padded to `width` after `indent`; a longer label
/// gets a line of its own, and the text starts under the column on the next.
fn column_head(out: &mut impl Write, indent: &str, label: &str, width: usize) -> std::io::Result<String> {
    if label.chars().count() <= width {
        return Ok(format!("{indent}{label:<width$} "));
    }
    writeln!(out, "{indent}{label}")?;
    Ok(" ".repeat(indent.chars().count() + width + 1))
}

/// `text` after `head`, its words wrapped at `width` columns; the lines after the first are
/// indented to where the text began, so a value's meaning reads as a column.
fn wrap(head: &str, text: &str, width: usize) -> String {
    let indent = head.chars().count();
    let mut out = head.to_owned();
    let mut line = indent;
    let mut first = true;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if !first && line + 1 + len > width {
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', indent));
            line = indent;
        } else if !first {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += len;
        first = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrapped_text_keeps_to_the_width_and_hangs_under_its_head() {
        let text = "one two three four five six seven eight nine ten eleven twelve";
        let wrapped = wrap("  value    ", text, 30);
        assert_eq!(wrapped, "  value    one two three four\n           five six seven\n           eight nine ten\n           eleven twelve");
        assert!(wrapped.lines().all(|l| l.chars().count() <= 30));
        assert_eq!(wrap("", text, 20), "one two three four\nfive six seven eight\nnine ten eleven\ntwelve");
        // A word longer than the width stands on its own line rather than being cut.
        assert_eq!(wrap("x: ", "a averyveryverylongword b", 10), "x: a\n   averyveryverylongword\n   b");
    }
}
