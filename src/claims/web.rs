//! Claim pages (the claim list and the claim page come with the workflow).
