//! `calltrail fields`: the glossary of the detail record, for people and for tools.
#![allow(clippy::print_stdout)]

use std::io::Write;

use calltrail_model::glossary::{self, Field};

use crate::cli::{FieldsArgs, TextOrJson};
use crate::printer::Printer;
use crate::{Status, UsageError};

pub fn run(args: &FieldsArgs, _printer: &Printer) -> anyhow::Result<Status> {
    let fields: Vec<&Field> = match &args.name {
        Some(name) => {
            let found = glossary::find(name);
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
                writeln!(out, "  {:<34} {}", f.path, first_sentence(f.meaning))?;
            }
            writeln!(out, "\n`calltrail fields NAME` shows one field in full.")?;
        }
        TextOrJson::Text => {
            for f in &fields {
                writeln!(out, "{}  ({})\n", f.path, f.on)?;
                writeln!(out, "{}\n", wrap(f.meaning, 96))?;
                if !f.appears.is_empty() {
                    writeln!(out, "Where: {}\n", wrap(f.appears, 96))?;
                }
                if !f.values.is_empty() {
                    writeln!(out, "Values:")?;
                    for (value, meaning) in f.values {
                        writeln!(out, "  {value:<22} {meaning}")?;
                    }
                    writeln!(out)?;
                }
                if !f.pitfalls.is_empty() {
                    writeln!(out, "Pitfalls: {}\n", wrap(f.pitfalls, 96))?;
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

fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split_whitespace() {
        if line > 0 && line + 1 + word.len() > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.len();
    }
    out
}
