//! A node's event log: one JSON object per line, appended to the config's `report` file.
//! The cluster launcher reads these files; they are also a readable trace of a node.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

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

/// Follows a report file as it grows: each [`ReportTail::poll`] parses only the complete lines
/// appended since the last one. The cluster polls the authority's report every 50 ms while
/// rounds run, and each `completed` line holds the round's sum (0.5 MB of JSON at 10^5
/// coordinates): parsing the whole file on every poll took CPU from the round it measures.
/// Of each line it keeps `node`, `round` and `event` only (what the launcher polls for), so
/// it holds a few bytes per event however long the run ([`read_lines`] reads whole lines).
#[derive(Debug)]
pub struct ReportTail {
    path: PathBuf,
    /// Bytes of the file consumed (up to the end of the last complete line).
    offset: u64,
    lines: Vec<Value>,
}

/// The fields of a report line that [`ReportTail`] keeps.
const TAIL_FIELDS: [&str; 3] = ["node", "round", "event"];

impl ReportTail {
    /// A tail of `path`, which need not exist yet.
    #[must_use]
    pub fn new(path: PathBuf) -> Self {
        ReportTail { path, offset: 0, lines: Vec::new() }
    }

    /// Parses the lines completed since the last call (a line still being written waits for
    /// its newline; bad lines are skipped) and returns every line read so far, each as an
    /// object of its `node`, `round` and `event`.
    pub fn poll(&mut self) -> &[Value] {
        let mut fresh = Vec::new();
        if let Ok(mut f) = std::fs::File::open(&self.path)
            && f.seek(SeekFrom::Start(self.offset)).is_ok()
        {
            // A read error leaves `fresh` with what was read; the next poll goes on from there.
            let _ = f.read_to_end(&mut fresh);
        }
        let complete = fresh.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let parsed = fresh.get(..complete).unwrap_or_default().split(|&b| b == b'\n');
        self.lines.extend(parsed.filter_map(|l| serde_json::from_slice::<Value>(l).ok()).map(
            |mut line| {
                if let Value::Object(m) = &mut line {
                    m.retain(|k, _| TAIL_FIELDS.contains(&k.as_str()));
                }
                line
            },
        ));
        self.offset += complete as u64;
        &self.lines
    }
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_tail_reads_complete_lines_once_each() {
        let dir = std::env::temp_dir().join(format!("gradseal-tail-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("r.jsonl");
        let mut tail = ReportTail::new(path.clone());
        assert!(tail.poll().is_empty(), "no file yet");
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&path).unwrap();
        write!(f, "{{\"event\":\"a\"}}\nnot json\n{{\"event\":").unwrap();
        f.flush().unwrap();
        let events = |t: &mut ReportTail| -> Vec<String> {
            t.poll().iter().map(|l| l["event"].as_str().unwrap().to_string()).collect()
        };
        assert_eq!(events(&mut tail), ["a"], "the half-written line waits, the bad one is skipped");
        writeln!(f, "\"b\"}}").unwrap();
        writeln!(f, "{{\"event\":\"c\",\"round\":2,\"sum\":[1,2,3]}}").unwrap();
        f.flush().unwrap();
        assert_eq!(events(&mut tail), ["a", "b", "c"]);
        assert_eq!(events(&mut tail), ["a", "b", "c"], "nothing new: nothing added");
        let last = tail.poll().last().unwrap().clone();
        assert_eq!(last, serde_json::json!({ "event": "c", "round": 2 }), "payload not kept");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
