//! Pages of the verification workflow (dashboard, tasks, activity, the claim forms).
