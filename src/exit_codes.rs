//! The process's exit codes, in one place: what a pipeline gates on.

use backscratch::report::Gate;

/// How a run of `backscratch` ended, as its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 0: the run finished and nothing reached `--fail-on` (or `--exit-zero`).
    Clean,
    /// 1: a finding (with `check`: one concerning a candidate) at or above `--fail-on`.
    Findings,
    /// 2: a usage or input error, a report not written, a search cut short, a candidate not
    /// found or ambiguous.
    Error,
    /// 3: `check` only: nothing reached `--fail-on`, but a candidate's verdict cannot be told.
    CannotTell,
}

impl Exit {
    /// The number the process exits with.
    pub(crate) fn code(self) -> u8 {
        match self {
            Exit::Clean => 0,
            Exit::Findings => 1,
            Exit::Error => 2,
            Exit::CannotTell => 3,
        }
    }

    /// The exit for a code agreed over the wire (a cluster's processes); an unknown one is an error.
    pub(crate) fn from_code(code: u8) -> Exit {
        match code {
            0 => Exit::Clean,
            1 => Exit::Findings,
            3 => Exit::CannotTell,
            _ => Exit::Error,
        }
    }

    /// The exit for a report's gate; `--exit-zero` turns findings and "cannot tell" into 0.
    pub(crate) fn of_gate(gate: Gate, exit_zero: bool) -> Exit {
        match gate {
            Gate::Findings | Gate::CannotTell if exit_zero => Exit::Clean,
            Gate::Clean => Exit::Clean,
            Gate::Findings => Exit::Findings,
            Gate::Error => Exit::Error,
            Gate::CannotTell => Exit::CannotTell,
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_follow_the_gate() {
        for exit in [Exit::Clean, Exit::Findings, Exit::Error, Exit::CannotTell] {
            assert_eq!(Exit::from_code(exit.code()), exit);
        }
        assert_eq!(Exit::from_code(101), Exit::Error);
        for gate in [Gate::Clean, Gate::Findings, Gate::Error, Gate::CannotTell] {
            assert_eq!(Exit::of_gate(gate, false).code(), gate.code());
        }
        assert_eq!(Exit::of_gate(Gate::Findings, true), Exit::Clean);
        assert_eq!(Exit::of_gate(Gate::CannotTell, true), Exit::Clean);
        assert_eq!(Exit::of_gate(Gate::Error, true), Exit::Error);
    }
}
