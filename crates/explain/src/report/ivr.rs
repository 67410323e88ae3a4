//! The IVR map: every call's IVR path folded into one tree, so "where do calls end in our
//! IVR?" is answered at a glance — at each step, how many calls reached it and how many
//! ended there, and how (transferred to which queue, hung up, self-served, callback,
//! voicemail).
//!
//! A path is the call record's `ivr.path`: flow names, `outcome:<name>` for succeeded flow
//! outcomes, `<checkpoint>=<value>` for configured attributes, then one exit step. Exit steps
//! are not tree nodes; they are counted as the endings of the step before them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::table::{col, Cell, Column, Kind, Show, Table};

/// What a path's exit step says, or `None` for a step that continues the path.
pub fn ending_of(step: &str) -> Option<&'static str> {
    match step {
        "disconnect" => Some("disconnect"),
        "self_served" => Some("self_served"),
        "callback" => Some("callback"),
        "voicemail" => Some("voicemail"),
        s if s.starts_with("transfer:") => Some("transfer"),
        _ => None,
    }
}

/// One step of the map.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IvrNode {
    /// The step: a flow name, `outcome:<name>` or `<key>=<value>`.
    pub step: String,
    /// Calls that reached this step.
    pub reached: u64,
    /// Calls that left the IVR right after this step, by exit step (`transfer:Billing`,
    /// `disconnect`, `self_served`, `callback`, `voicemail`, or `(in IVR)` for calls still
    /// there).
    pub ended: BTreeMap<String, u64>,
    /// The steps that followed, most reached first.
    pub children: Vec<IvrNode>,
}

impl IvrNode {
    /// Calls that ended at this step.
    pub fn ended_total(&self) -> u64 {
        self.ended.values().sum()
    }

    fn add(&mut self, rest: &[String], calls: u64) {
        self.reached += calls;
        match rest.split_first() {
            None => *self.ended.entry("(in IVR)".to_owned()).or_default() += calls,
            Some((step, _)) if ending_of(step).is_some() => {
                *self.ended.entry(step.clone()).or_default() += calls;
            }
            Some((step, tail)) => {
                let index = self.children.iter().position(|c| &c.step == step).unwrap_or_else(|| {
                    self.children.push(IvrNode { step: step.clone(), ..IvrNode::default() });
                    self.children.len() - 1
                });
                let child = &mut self.children[index];
                child.add(tail, calls);
            }
        }
    }

    fn sort(&mut self) {
        self.children.sort_by(|a, b| b.reached.cmp(&a.reached).then_with(|| a.step.cmp(&b.step)));
        for child in &mut self.children {
            child.sort();
        }
    }
}

/// The IVR map of many calls: a tree whose root stands for every call with an IVR path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IvrMap {
    /// The root: `reached` is the number of calls with an IVR path; its children are the
    /// first steps (usually the entry flows).
    pub root: IvrNode,
}

impl Default for IvrMap {
    fn default() -> IvrMap {
        IvrMap { root: IvrNode { step: "all IVR calls".to_owned(), ..IvrNode::default() } }
    }
}

impl IvrMap {
    /// Adds one call's path (calls without an IVR path are not part of the map).
    pub fn add(&mut self, path: &[String]) {
        self.add_calls(path, 1);
    }

    /// Adds `calls` calls that took the same path.
    pub fn add_calls(&mut self, path: &[String], calls: u64) {
        if !path.is_empty() && calls > 0 {
            self.root.add(path, calls);
        }
    }

    /// Calls with an IVR path.
    pub fn calls(&self) -> u64 {
        self.root.reached
    }

    /// Children sorted, most reached first. Call once, after the last [`IvrMap::add`].
    #[must_use]
    pub fn finish(mut self) -> IvrMap {
        self.root.sort();
        self
    }

    /// The map as a table, depth first: one row per step.
    pub fn table(&self) -> Table {
        const COLUMNS: &[Column] = &[
            Column { name: "map", kind: Kind::Text, show: Show::TableOnly },
            Column { name: "path", kind: Kind::Text, show: Show::DataOnly },
            Column { name: "depth", kind: Kind::Count, show: Show::DataOnly },
            Column { name: "step", kind: Kind::Text, show: Show::DataOnly },
            col("reached", Kind::Count),
            col("share", Kind::Rate),
            col("ended", Kind::Count),
            Column { name: "transferred", kind: Kind::Count, show: Show::DataOnly },
            Column { name: "disconnected", kind: Kind::Count, show: Show::DataOnly },
            Column { name: "self_served", kind: Kind::Count, show: Show::DataOnly },
            Column { name: "callback", kind: Kind::Count, show: Show::DataOnly },
            Column { name: "voicemail", kind: Kind::Count, show: Show::DataOnly },
            col("how", Kind::Text),
        ];
        let mut table = Table::new(COLUMNS);
        let mut stack: Vec<(usize, String, &IvrNode)> = vec![(0, String::new(), &self.root)];
        while let Some((depth, path, node)) = stack.pop() {
            let kind_total = |kind: &str| -> u64 {
                node.ended.iter().filter(|(s, _)| ending_of(s) == Some(kind)).map(|(_, n)| n).sum()
            };
            let mut how: Vec<(&String, &u64)> = node.ended.iter().collect();
            how.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
            let how: Vec<String> = how.iter().map(|(s, n)| format!("{s} {n}")).collect();
            #[allow(clippy::cast_precision_loss)]
            let share =
                if self.calls() == 0 { None } else { Some(node.reached as f64 / self.calls() as f64) };
            table.rows.push(vec![
                format!("{}{}", "  ".repeat(depth), node.step).into(),
                path.clone().into(),
                u64::try_from(depth).unwrap_or(u64::MAX).into(),
                node.step.as_str().into(),
                node.reached.into(),
                share.into(),
                node.ended_total().into(),
                kind_total("transfer").into(),
                kind_total("disconnect").into(),
                kind_total("self_served").into(),
                kind_total("callback").into(),
                kind_total("voicemail").into(),
                Cell::Text(how.join(", ")),
            ]);
            for child in node.children.iter().rev() {
                let path = if depth == 0 { child.step.clone() } else { format!("{path} > {}", child.step) };
                stack.push((depth + 1, path, child));
            }
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(steps: &str) -> Vec<String> {
        steps.split(" | ").map(str::to_owned).collect()
    }

    #[test]
    fn paths_fold_into_a_tree_with_endings() {
        let mut map = IvrMap::default();
        map.add(&path("Main | outcome:Identified | Intent=Billing | transfer:Billing"));
        map.add(&path("Main | outcome:Identified | Intent=Billing | transfer:Billing"));
        map.add(&path("Main | outcome:Identified | Intent=Balance | self_served"));
        map.add(&path("Main | disconnect"));
        map.add(&path("Main"));
        map.add(&[]);
        let map = map.finish();
        assert_eq!(map.calls(), 5);
        let main = &map.root.children[0];
        assert_eq!((main.step.as_str(), main.reached, main.ended_total()), ("Main", 5, 2));
        assert_eq!(main.ended.get("(in IVR)"), Some(&1));
        let identified = &main.children[0];
        assert_eq!(identified.reached, 3);
        assert_eq!(identified.children[0].step, "Intent=Billing");
        assert_eq!(identified.children[0].ended.get("transfer:Billing"), Some(&2));
        let table = map.table();
        let rows = table.to_json_rows();
        let total = |column: &str| rows.iter().map(|r| r[column].as_u64().unwrap()).sum::<u64>();
        assert_eq!((total("transferred"), total("disconnected"), total("self_served")), (2, 1, 1));
        assert_eq!(total("ended"), 5, "the call still in the IVR ends at its last step");
        let text = table.to_text();
        assert!(text.contains("      Intent=Billing"), "{text}");
        let rows = table.to_json_rows();
        assert_eq!(rows[3]["path"], "Main > outcome:Identified > Intent=Billing");
        assert_eq!(rows[3]["transferred"], 2);
        assert_eq!(rows[1]["share"], 1.0);
        assert_eq!(rows[0]["reached"], 5);
    }
}
