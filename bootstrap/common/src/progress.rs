//! Progress on stderr: one plain line per step when stderr is a file or pipe (CI logs), a single
//! line rewritten in place with a spinner and the current state on a terminal.

use std::io::Write;

const SPINNER: [char; 4] = ['|', '/', '-', '\\'];

pub struct Progress<'a> {
    err: &'a mut dyn Write,
    terminal: bool,
    ticks: usize,
    /// Whether the terminal line holds an unfinished status that the next line must replace.
    open: bool,
}

impl<'a> Progress<'a> {
    pub fn new(err: &'a mut dyn Write, terminal: bool) -> Self {
        Self {
            err,
            terminal,
            ticks: 0,
            open: false,
        }
    }

    /// The current state of something that takes a while; repeated calls animate the spinner.
    pub fn state(&mut self, message: &str) {
        if self.terminal {
            let frame = SPINNER[self.ticks % SPINNER.len()];
            self.ticks += 1;
            // \r and "erase line" (ECMA-48 EL, CSI 2 K) keep the state on one line.
            let _ = write!(self.err, "\r\x1b[2K{frame} {message}");
            let _ = self.err.flush();
            self.open = true;
        } else {
            let _ = writeln!(self.err, "{message}");
        }
    }

    /// A finished step: a line that stays.
    pub fn done(&mut self, message: &str) {
        if self.open {
            let _ = write!(self.err, "\r\x1b[2K");
            self.open = false;
        }
        let _ = writeln!(self.err, "{message}");
    }
}

// By hand: the stream it writes to has no Debug of its own.
impl std::fmt::Debug for Progress<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("terminal", &self.terminal)
            .field("ticks", &self.ticks)
            .field("open", &self.open)
            .finish_non_exhaustive()
    }
}

impl Drop for Progress<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = writeln!(self.err);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_output_is_one_line_per_state() {
        let mut err = Vec::new();
        let mut progress = Progress::new(&mut err, false);
        progress.state("network: IN_PROGRESS");
        progress.done("network: READY");
        drop(progress);
        assert_eq!(
            String::from_utf8(err).unwrap(),
            "network: IN_PROGRESS\nnetwork: READY\n"
        );
    }

    #[test]
    fn a_terminal_gets_one_rewritten_line_with_a_spinner() {
        let mut err = Vec::new();
        let mut progress = Progress::new(&mut err, true);
        progress.state("a");
        progress.state("b");
        progress.done("c");
        progress.state("d");
        assert_eq!(
            format!("{progress:?}"),
            "Progress { terminal: true, ticks: 3, open: true, .. }"
        );
        drop(progress);
        assert_eq!(
            String::from_utf8(err).unwrap(),
            "\r\x1b[2K| a\r\x1b[2K/ b\r\x1b[2Kc\n\r\x1b[2K- d\n"
        );
    }
}
