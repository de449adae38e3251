//! A node's event log: one JSON object per line, appended to the config's `report` file.
//! The cluster launcher reads these files; they are also a readable trace of a node.

use std::io::Write;
use std::path::Path;

use serde_json::Value;

/// Appends JSON lines to a file (or nowhere).
#[derive(Debug)]
pub struct Reporter {
    file: Option<std::fs::File>,
    node: u32,
}

impl Reporter {
    /// A reporter writing to `path` (created or appended), or a silent one.
    ///
    /// # Errors
    /// [`crate::Error::Io`] naming the file.
    pub fn open(path: Option<&Path>, node: u32) -> Result<Self, crate::Error> {
        let file = match path {
            None => None,
            Some(p) => {
                Some(std::fs::OpenOptions::new().create(true).append(true).open(p).map_err(
                    |e| crate::Error::Io(format!("cannot open report {}: {e}", p.display())),
                )?)
            }
        };
        Ok(Reporter { file, node })
    }

    /// Records `event` for `round` with extra fields `fields` (a JSON object).
    pub fn record(&mut self, round: u64, event: &str, fields: Value) {
        let mut obj = serde_json::Map::new();
        obj.insert("node".into(), self.node.into());
        obj.insert("round".into(), round.into());
        obj.insert("event".into(), event.into());
        obj.insert("unix_ms".into(), unix_ms().into());
        if let Value::Object(m) = fields {
            obj.extend(m);
        }
        if let Some(f) = self.file.as_mut() {
            let line = Value::Object(obj).to_string();
            // A failed report write must not stop the node; it is logged instead.
            if let Err(e) = writeln!(f, "{line}").and_then(|()| f.flush()) {
                eprintln!("node {}: report write failed: {e}", self.node);
            }
        }
    }
}

/// Reads every JSON line of a report file (missing file: none; bad lines are skipped).
pub fn read_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .map(|t| t.lines().filter_map(|l| serde_json::from_str(l).ok()).collect())
        .unwrap_or_default()
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
