//! JSON endpoints for the history (wired once accounts provide API authentication).
