//! How the service talks to Aurora: its connection pool, and whether every task's pool fits into the
//! connections Aurora accepts at the configured maximum capacity.

use super::capacity::{Acu, TaskCount};
use super::field::bounded_integer;
use super::problem::Problem;
use serde_json::Value;

bounded_integer!(
    /// How long an Aurora Serverless v2 instance at its minimum of 0 ACUs may go without a user
    /// connection before Aurora pauses it (RDS API reference,
    /// `ServerlessV2ScalingConfiguration.SecondsUntilAutoPause`: 300 to 86,400, default 300).
    AutoPauseSeconds: u32, 300, 86_400, "a whole number of seconds from 300 to 86400 (Aurora's auto-pause range)"
);

impl AutoPauseSeconds {
    /// Aurora's own default, used when the spec asks for 0 ACUs without naming a time.
    pub fn aurora_default() -> Self {
        Self::from_constant(300)
    }
}

bounded_integer!(
    /// Database connections each task's pool keeps open (the application reads it from its
    /// environment). 100 per task already needs 16 ACUs at 10 tasks.
    DbPoolSize: u16, 1, 100, "a whole number of connections from 1 to 100"
);

/// `max_connections` of Aurora PostgreSQL at these maximum capacities, from the table in the Aurora
/// user guide, "Maximum connections for Aurora Serverless v2" (PostgreSQL column). Aurora sizes it
/// from the memory of the *maximum* ACU, so it stays fixed while the instance scales.
pub const MAX_CONNECTIONS_TABLE: [(u16, u32); 5] =
    [(1, 189), (4, 823), (8, 1669), (16, 3360), (32, 5000)];

/// Connections reserved for everything but the service: the rotation function, `rdsadmin`,
/// monitoring, an operator's `psql` (the `+ 20` of the connection budget).
pub const RESERVED_CONNECTIONS: u32 = 20;

/// The share of `max_connections` the planned connections may use; the rest is headroom for a
/// deployment, when old and new tasks hold connections at once.
pub const BUDGET_PERCENT: u32 = 80;

/// Each task may hold two pools' worth: a rolling or blue/green deployment runs the old and the new
/// task side by side for a while (minimum healthy 100 %, maximum 200 %).
pub const POOLS_PER_TASK: u32 = 2;

/// `max_connections` for a maximum capacity: the table's value where it has one, the straight line
/// between its two neighbours otherwise (rounded down, so an estimate never promises more than
/// AWS gives), 5000 from 32 ACUs on, the table's first value below 1 ACU.
pub fn aurora_max_connections(max_capacity: Acu) -> u32 {
    let acu = max_capacity.as_f64();
    let [(first_acu, first), ..] = MAX_CONNECTIONS_TABLE;
    if acu <= f64::from(first_acu) {
        return first;
    }
    for pair in MAX_CONNECTIONS_TABLE.windows(2) {
        let [(low_acu, low), (high_acu, high)] = [pair[0], pair[1]];
        let (low_acu, high_acu) = (f64::from(low_acu), f64::from(high_acu));
        if acu <= high_acu {
            let share = (acu - low_acu) / (high_acu - low_acu);
            // Between two table values, so the result lies between two u32s.
            return low + (share * f64::from(high - low)).floor() as u32;
        }
    }
    MAX_CONNECTIONS_TABLE[MAX_CONNECTIONS_TABLE.len() - 1].1
}

/// Connections the environment may need at its peak: every task at its maximum count, each with
/// [`POOLS_PER_TASK`] pools, plus [`RESERVED_CONNECTIONS`].
pub fn planned_connections(max_tasks: TaskCount, pool_size: DbPoolSize) -> u32 {
    u32::from(max_tasks.get()) * POOLS_PER_TASK * u32::from(pool_size.get()) + RESERVED_CONNECTIONS
}

/// The most connections the budget allows: [`BUDGET_PERCENT`] of `max_connections`, rounded down.
pub fn connection_budget(max_capacity: Acu) -> u32 {
    aurora_max_connections(max_capacity) * BUDGET_PERCENT / 100
}

/// The cross-field rule `maxTasks × 2 × dbPoolSize + 20 ≤ 80 % of max_connections`, reported under
/// `dbPoolSize` with the knobs that fix it.
pub fn check_connection_budget(
    max_tasks: TaskCount,
    pool_size: DbPoolSize,
    max_capacity: Acu,
) -> Option<Problem> {
    let planned = planned_connections(max_tasks, pool_size);
    let budget = connection_budget(max_capacity);
    (planned > budget).then(|| {
        let per_task = POOLS_PER_TASK * u32::from(max_tasks.get());
        let largest_pool = budget.saturating_sub(RESERVED_CONNECTIONS) / per_task;
        Problem::new(
            "dbPoolSize",
            &Value::from(pool_size.get()),
            format!(
                "maxTasks {} × {POOLS_PER_TASK} × dbPoolSize {} + {RESERVED_CONNECTIONS} = {planned} connections exceeds {budget}, {BUDGET_PERCENT} % of the {} Aurora accepts at dbMaxCapacity {}; lower dbPoolSize to at most {largest_pool}, lower maxTasks, or raise dbMaxCapacity",
                max_tasks.get(),
                pool_size.get(),
                aurora_max_connections(max_capacity),
                max_capacity.as_f64(),
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acu(value: f64) -> Acu {
        Acu::from_halves((value * 2.0) as u16)
    }
    fn tasks(count: u64) -> TaskCount {
        TaskCount::try_from(count).unwrap()
    }
    fn pool(size: u64) -> DbPoolSize {
        DbPoolSize::try_from(size).unwrap()
    }

    #[test]
    fn max_connections_match_the_aws_table_at_its_rows() {
        assert_eq!(aurora_max_connections(acu(1.0)), 189);
        assert_eq!(aurora_max_connections(acu(4.0)), 823);
        assert_eq!(aurora_max_connections(acu(8.0)), 1669);
        assert_eq!(aurora_max_connections(acu(16.0)), 3360);
        assert_eq!(aurora_max_connections(acu(32.0)), 5000);
        assert_eq!(aurora_max_connections(acu(64.0)), 5000);
        assert_eq!(aurora_max_connections(acu(256.0)), 5000);
    }

    #[test]
    fn between_rows_the_line_is_followed_and_rounded_down() {
        // 189 + (823 - 189) × 1/3 = 400.33
        assert_eq!(aurora_max_connections(acu(2.0)), 400);
        // 823 + (1669 - 823) × 2/4 = 1246
        assert_eq!(aurora_max_connections(acu(6.0)), 1246);
        assert_eq!(aurora_max_connections(acu(0.5)), 189);
        assert_eq!(aurora_max_connections(acu(0.0)), 189);
    }

    #[test]
    fn the_defaults_fit_the_budget() {
        // 10 × 2 × 10 + 20 = 220 ≤ 80 % of 823 = 658.
        assert_eq!(planned_connections(tasks(10), pool(10)), 220);
        assert_eq!(connection_budget(acu(4.0)), 658);
        assert_eq!(check_connection_budget(tasks(10), pool(10), acu(4.0)), None);
    }

    #[test]
    fn the_budget_holds_exactly_at_its_boundary() {
        // 4 ACUs: 11 × 2 × 29 + 20 = 658, exactly 80 % of 823 (658.4, rounded down): it fits.
        assert_eq!(check_connection_budget(tasks(11), pool(29), acu(4.0)), None);
        assert!(check_connection_budget(tasks(11), pool(30), acu(4.0)).is_some());
        // 1 ACU: 80 % of 189 = 151; 13 tasks × 2 × 5 + 20 = 150 fits, 151 fits …
        assert_eq!(connection_budget(acu(1.0)), 151);
        assert_eq!(check_connection_budget(tasks(13), pool(5), acu(1.0)), None);
        // … 1 task × 2 × 65 + 20 = 150 fits, × 66 = 152 does not.
        assert_eq!(check_connection_budget(tasks(1), pool(65), acu(1.0)), None);
        let problem = check_connection_budget(tasks(1), pool(66), acu(1.0)).unwrap();
        assert_eq!(problem.field, "dbPoolSize");
        assert_eq!(problem.value, "66");
        assert_eq!(
            problem.allowed,
            "maxTasks 1 × 2 × dbPoolSize 66 + 20 = 152 connections exceeds 151, 80 % of the 189 Aurora accepts at dbMaxCapacity 1; lower dbPoolSize to at most 65, lower maxTasks, or raise dbMaxCapacity"
        );
    }

    #[test]
    fn too_many_tasks_for_the_capacity_names_the_knobs() {
        let problem = check_connection_budget(tasks(100), pool(10), acu(4.0)).unwrap();
        assert!(problem.allowed.contains("= 2020 connections exceeds 658"));
        assert!(problem.allowed.contains("lower dbPoolSize to at most 3"));
    }
}
