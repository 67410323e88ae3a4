//! placeholder
use serde::Serialize;
#[derive(Debug, Serialize)]
pub struct Field { pub path: &'static str, pub on: &'static str, pub meaning: &'static str, pub appears: &'static str, pub values: &'static [(&'static str, &'static str)], pub pitfalls: &'static str }
pub static FIELDS: &[Field] = &[];
pub fn find(_n: &str) -> Vec<&'static Field> { Vec::new() }
pub fn suggest(_n: &str) -> Option<&'static str> { None }
