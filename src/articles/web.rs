//! Article pages.
