//! Operational log: what flows did that the journal does not say (retries, lost answers, XRC
//! failures, transactions signed and included), with a priority, the source location and the
//! time. Kept in heap ring buffers, one per priority (so chatter at `Debug` never pushes an
//! `Error` out), and lost at upgrade on purpose: the journal is the durable record of money; this
//! is for operators, served at `/logs` as JSON (filters `priority` and `time`) and also written to
//! the canister log (`dfx canister logs`) through the runtime.

use std::collections::VecDeque;

/// Lines kept per priority; the oldest of that priority are dropped beyond this.
pub const MAX_LOG_LINES_PER_PRIORITY: usize = 1_000;
/// A `/logs` answer stops adding entries at this size (the IC caps a query's answer at 3 MB);
/// ask again with `time` set past the last entry for the rest.
pub const MAX_LOGS_RESPONSE_BYTES: usize = 1_000_000;

/// How much an operator needs to know about a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// Needs an operator: a bug, books or configuration out of line, a deposit left unresolved.
    Error,
    /// Something went wrong that the flow retries or works around.
    Warn,
    /// Normal progress worth a line: keys registered, transactions signed and included, settlements.
    Info,
    /// Detail for debugging: one endpoint's failed answer among several asked.
    Debug,
}

/// The priority's older name, kept for call sites written before priorities had four levels.
pub type Level = Priority;

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::Error, Priority::Warn, Priority::Info, Priority::Debug];

    /// The name in `/logs` entries and in its `priority` filter.
    pub fn name(self) -> &'static str {
        match self {
            Priority::Error => "error",
            Priority::Warn => "warn",
            Priority::Info => "info",
            Priority::Debug => "debug",
        }
    }

    /// From a `priority` filter (case-insensitive).
    pub fn parse(text: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.name().eq_ignore_ascii_case(text))
    }

    fn index(self) -> usize {
        self as usize
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub timestamp_nanos: u64,
    /// Order of the line among all lines since the canister (re)started: ties on time are
    /// broken by it, and it shows where lines were dropped.
    pub counter: u64,
    pub priority: Priority,
    pub file: &'static str,
    pub line: u32,
    pub message: String,
}

impl LogLine {
    /// The line as the canister log gets it (which adds its own timestamp).
    pub fn canister_log_text(&self) -> String {
        format!("[{}] {}:{} {}", self.priority.name().to_ascii_uppercase(), self.file, self.line, self.message)
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "timestamp": self.timestamp_nanos,
            "counter": self.counter,
            "priority": self.priority.name(),
            "file": self.file,
            "line": self.line,
            "message": self.message,
        })
    }
}

/// What `/logs` selects: one priority or all, and lines at or after a time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogFilter {
    pub priority: Option<Priority>,
    /// Nanoseconds since the epoch: lines older than this are left out.
    pub since_nanos: u64,
}

impl LogFilter {
    /// From a URL's query (`priority=warn&time=1700000000000000000`); unknown parameters are
    /// ignored, a bad value is an error naming it.
    pub fn from_query(query: &str) -> Result<LogFilter, String> {
        let mut f = LogFilter::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "priority" => {
                    let p = Priority::parse(value).ok_or_else(|| format!("priority must be error, warn, info or debug, not {value:?}"))?;
                    f.priority = Some(p);
                }
                "time" => f.since_nanos = value.parse().map_err(|_| format!("time must be nanoseconds since the epoch, not {value:?}"))?,
                _ => {}
            }
        }
        Ok(f)
    }

    fn accepts(&self, l: &LogLine) -> bool {
        self.priority.is_none_or(|p| p == l.priority) && l.timestamp_nanos >= self.since_nanos
    }
}

#[derive(Default)]
pub struct Logs {
    by_priority: [VecDeque<LogLine>; 4],
    next_counter: u64,
}

impl Logs {
    /// Appends a line (dropping the oldest of its priority when full) and returns it.
    pub fn push(&mut self, timestamp_nanos: u64, priority: Priority, file: &'static str, line: u32, message: String) -> &LogLine {
        let ring = &mut self.by_priority[priority.index()];
        if ring.len() == MAX_LOG_LINES_PER_PRIORITY {
            ring.pop_front();
        }
        let counter = self.next_counter;
        self.next_counter += 1;
        ring.push_back(LogLine { timestamp_nanos, counter, priority, file, line, message });
        ring.back().expect("BUG: just pushed")
    }

    /// Every line kept, oldest first.
    pub fn lines(&self) -> impl Iterator<Item = &LogLine> {
        self.select(&LogFilter::default()).into_iter()
    }

    /// The lines `filter` accepts, oldest first.
    pub fn select(&self, filter: &LogFilter) -> Vec<&LogLine> {
        let mut out: Vec<&LogLine> = self.by_priority.iter().flatten().filter(|l| filter.accepts(l)).collect();
        out.sort_by_key(|l| (l.timestamp_nanos, l.counter));
        out
    }

    /// `{"entries":[{"timestamp","counter","priority","file","line","message"}...]}`, oldest
    /// first, cut before [`MAX_LOGS_RESPONSE_BYTES`].
    pub fn render_json(&self, filter: &LogFilter) -> String {
        let mut body = String::from("{\"entries\":[");
        let mut first = true;
        for l in self.select(filter) {
            let entry = l.json().to_string();
            if body.len() + entry.len() + 3 > MAX_LOGS_RESPONSE_BYTES {
                break;
            }
            if !first {
                body.push(',');
            }
            first = false;
            body.push_str(&entry);
        }
        body.push_str("]}");
        body
    }

    /// One line per entry, oldest first: `<nanos> <PRIORITY> <file>:<line> <message>`.
    pub fn render_text(&self, filter: &LogFilter) -> String {
        let mut out = String::new();
        for l in self.select(filter) {
            out.push_str(&format!("{} {}\n", l.timestamp_nanos, l.canister_log_text()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(logs: &mut Logs, t: u64, p: Priority, m: &str) {
        logs.push(t, p, "src/x.rs", 7, m.to_string());
    }

    #[test]
    fn each_priority_is_bounded_and_keeps_its_newest() {
        let mut logs = Logs::default();
        push(&mut logs, 0, Priority::Error, "the one error");
        for i in 0..(MAX_LOG_LINES_PER_PRIORITY as u64 + 5) {
            push(&mut logs, i + 1, Priority::Debug, &format!("line {i}"));
        }
        let debug = logs.select(&LogFilter { priority: Some(Priority::Debug), since_nanos: 0 });
        assert_eq!(debug.len(), MAX_LOG_LINES_PER_PRIORITY);
        assert_eq!(debug[0].message, "line 5");
        let errors = logs.select(&LogFilter { priority: Some(Priority::Error), since_nanos: 0 });
        assert_eq!(errors.len(), 1, "debug lines never push an error out");
        assert_eq!(logs.lines().count(), MAX_LOG_LINES_PER_PRIORITY + 1);
        assert!(logs.render_text(&LogFilter::default()).ends_with(&format!("[DEBUG] src/x.rs:7 line {}\n", MAX_LOG_LINES_PER_PRIORITY + 4)));
    }

    #[test]
    fn filters_select_by_priority_and_time_in_time_order() {
        let mut logs = Logs::default();
        push(&mut logs, 30, Priority::Info, "c");
        push(&mut logs, 10, Priority::Warn, "a");
        push(&mut logs, 20, Priority::Info, "b");
        push(&mut logs, 20, Priority::Error, "b2");
        let all: Vec<&str> = logs.lines().map(|l| l.message.as_str()).collect();
        assert_eq!(all, ["a", "b", "b2", "c"]);
        let f = LogFilter::from_query("priority=INFO&time=20&other=1").unwrap();
        assert_eq!(f, LogFilter { priority: Some(Priority::Info), since_nanos: 20 });
        let info: Vec<&str> = logs.select(&f).iter().map(|l| l.message.as_str()).collect();
        assert_eq!(info, ["b", "c"]);
        assert!(LogFilter::from_query("priority=loud").unwrap_err().contains("loud"));
        assert!(LogFilter::from_query("time=yesterday").unwrap_err().contains("yesterday"));
    }

    #[test]
    fn json_is_well_formed_escaped_and_bounded() {
        let mut logs = Logs::default();
        push(&mut logs, 5, Priority::Warn, "quote \" backslash \\ newline \n end");
        let v: serde_json::Value = serde_json::from_str(&logs.render_json(&LogFilter::default())).unwrap();
        let e = &v["entries"][0];
        assert_eq!(e["message"], "quote \" backslash \\ newline \n end");
        assert_eq!((e["timestamp"].as_u64(), e["priority"].as_str(), e["file"].as_str(), e["line"].as_u64()), (Some(5), Some("warn"), Some("src/x.rs"), Some(7)));
        let big = "x".repeat(2_000);
        for p in Priority::ALL {
            for i in 0..MAX_LOG_LINES_PER_PRIORITY as u64 {
                push(&mut logs, i, p, &big);
            }
        }
        let body = logs.render_json(&LogFilter::default());
        assert!(body.len() <= MAX_LOGS_RESPONSE_BYTES);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let n = v["entries"].as_array().unwrap().len();
        assert!(n > 100 && n < 4 * MAX_LOG_LINES_PER_PRIORITY, "{n}");
        assert_eq!(v["entries"][0]["timestamp"], 0, "oldest first, so `time` pages on");
    }
}
