//! The command line of the one `claimtracker` binary.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "claimtracker",
    version,
    about = "A fact-claim tracker with a source-verification workflow"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web app and API (applies pending migrations first).
    Serve {
        /// Address to listen on (overrides BIND).
        #[arg(long)]
        bind: Option<String>,
        /// Fill an empty database with demo users, articles and claims in every state.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Manage user accounts (recorded in the audit history as done by `system`).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Ingest .txt or .html articles (each file one article; the same content twice is one).
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Title for every file (default: the HTML <title>, else the file name).
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        url: Option<String>,
        #[arg(long)]
        publisher: Option<String>,
    },
    /// Work with the audit history.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Extract candidate claims from an article, without a database: JSON lines on stdout.
    Extract {
        /// A .txt or .html file, or - for standard input.
        file: Option<PathBuf>,
        /// Treat each input line as one sentence; print one JSON line per input line.
        #[arg(long)]
        sentences: bool,
        /// Treat the input as HTML (default: by file extension, or by a leading '<').
        #[arg(long)]
        html: bool,
    },
    /// Report the extractor's quality on the labelled datasets and the annotated fixture.
    Eval {
        #[arg(long)]
        checkworthiness: Option<PathBuf>,
        #[arg(long)]
        attribution: Option<PathBuf>,
        #[arg(long)]
        fixture: Option<PathBuf>,
        /// Also list each named attribution that was missed or given the wrong speaker.
        #[arg(long)]
        misses: bool,
    },
    /// Fill the database with realistic benchmark data (users, articles, claims in every state,
    /// evidence, verdicts, a valid audit chain), loaded with COPY. Refuses a database that
    /// already has articles unless --append.
    BenchData {
        #[arg(long)]
        articles: u32,
        #[arg(long)]
        claims_per_article: u32,
        #[arg(long)]
        events_per_claim: u32,
        /// Seed of the generated text and workflow mix (same seed, same data).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Add to a database that already has articles.
        #[arg(long)]
        append: bool,
    },
    /// Re-train the check-worthiness model reproducibly and write its weights file.
    TrainCheckworthiness {
        #[arg(long, default_value = "../shared/datasets/checkworthiness/train.jsonl")]
        train: PathBuf,
        #[arg(long, default_value = "../shared/datasets/checkworthiness/dev.jsonl")]
        dev: PathBuf,
        #[arg(long, default_value = "src/extraction/checkworthiness.weights")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the whole hash chain; exit 0 when intact, 1 naming the first bad event.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input (never from the command line).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, editor, reviewer or viewer.
        #[arg(long)]
        role: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Deactivate a user: their sessions and API tokens end at once.
    Deactivate {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print it, alone, on standard output (shown once).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        label: String,
    },
}
