//! Operational log: a bounded, in-heap record of what flows did that the journal does not say
//! (retries, lost answers, XRC failures). Lost at upgrade on purpose: the journal is the durable
//! record of money; this is for operators, served at `/logs`.

use std::collections::VecDeque;

/// Oldest lines are dropped beyond this.
pub const MAX_LOG_LINES: usize = 1_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    /// Something went wrong that the flow retries or works around.
    Warn,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub timestamp_nanos: u64,
    pub level: Level,
    pub message: String,
}

#[derive(Default)]
pub struct Logs {
    lines: VecDeque<LogLine>,
}

impl Logs {
    pub fn push(&mut self, timestamp_nanos: u64, level: Level, message: String) {
        if self.lines.len() == MAX_LOG_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(LogLine { timestamp_nanos, level, message });
    }

    pub fn lines(&self) -> impl Iterator<Item = &LogLine> {
        self.lines.iter()
    }

    /// One line per entry, oldest first: `<nanos> <INFO|ERROR> <message>`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for l in &self.lines {
            let level = match l.level {
                Level::Info => "INFO",
                Level::Warn => "WARN",
                Level::Error => "ERROR",
            };
            out.push_str(&format!("{} {level} {}\n", l.timestamp_nanos, l.message));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_are_bounded_and_keep_the_newest() {
        let mut logs = Logs::default();
        for i in 0..(MAX_LOG_LINES as u64 + 5) {
            logs.push(i, Level::Info, format!("line {i}"));
        }
        assert_eq!(logs.lines().count(), MAX_LOG_LINES);
        assert_eq!(logs.lines().next().unwrap().timestamp_nanos, 5);
        assert!(logs.render().ends_with(&format!("INFO line {}\n", MAX_LOG_LINES + 4)));
    }
}
