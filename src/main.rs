use std::net::TcpListener;

use anyhow::Context;
use clap::Parser;

use claimtracker::cli::{AuditCommand, Cli, Command, TokenCommand, UserCommand};
use claimtracker::config::Config;
use claimtracker::{db, startup, telemetry};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init();
    match cli.command {
        Command::Extract {
            file,
            sentences,
            html,
        } => extract(file, sentences, html),
        Command::Eval {
            checkworthiness,
            attribution,
            fixture,
            misses,
        } => eval(checkworthiness, attribution, fixture, misses),
        Command::TrainCheckworthiness { train, dev, out } => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            claimtracker::evaluation::train::run_train(&train, &dev, &out, &mut lock)
        }
        Command::Import {
            files,
            title,
            url,
            publisher,
        } => {
            let (_database, mut conn) = open_database()?;
            let config = Config::from_env()?;
            let failed = claimtracker::articles::import::run(
                &mut conn,
                &files,
                claimtracker::articles::import::Options {
                    title,
                    url,
                    publisher,
                    limits: claimtracker::articles::model::Limits {
                        max_text_bytes: config.max_text_bytes,
                        max_html_bytes: config.max_html_bytes,
                    },
                },
                &mut std::io::stdout(),
                &mut std::io::stderr(),
            )?;
            if failed > 0 {
                anyhow::bail!("{failed} of {} files failed", files.len());
            }
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let (_database, mut conn) = open_database()?;
            let report = claimtracker::audit::service::verify(&mut conn)?;
            if report.ok {
                println!("ok: {} events, head {}", report.events, report.head);
                Ok(())
            } else {
                let seq = report.first_bad_seq.unwrap_or_default();
                // An error return exits 1 after the private cluster (if any) is stopped.
                anyhow::bail!(
                    "audit chain broken at event {seq}: {} ({} events verified before it)",
                    report.problem.unwrap_or_default(),
                    report.events
                );
            }
        }
        Command::BenchData {
            articles,
            claims_per_article,
            events_per_claim,
            seed,
            append,
        } => {
            let (_database, mut conn) = open_database()?;
            let options = claimtracker::benchdata::Options {
                articles,
                claims_per_article,
                events_per_claim,
                seed,
                append,
            };
            let started = std::time::Instant::now();
            let summary =
                claimtracker::benchdata::run(&mut conn, &options, &mut std::io::stderr())?;
            println!(
                "loaded {} articles, {} claims, {} audit events, {} new users in {:.1}s",
                summary.articles,
                summary.claims,
                summary.events,
                summary.users,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::User { command } => user(command),
        Command::Token { command } => token(command),
        Command::Migrate => {
            let config = Config::from_env()?;
            let database = db::resolve(config.database_url.as_deref(), &config.data_dir)?;
            let mut conn = connect(&database.url)?;
            let applied = db::run_migrations(&mut conn)?;
            if applied.is_empty() {
                println!("database is up to date");
            } else {
                for name in applied {
                    println!("applied {name}");
                }
            }
            Ok(())
        }
        Command::Serve { bind, demo } => {
            let mut config = Config::from_env()?;
            if let Some(bind) = bind {
                config.bind = bind.parse().with_context(|| {
                    format!("--bind: {bind:?} is not an address such as 127.0.0.1:8080")
                })?;
            }
            serve(config, demo)
        }
    }
}

fn user(command: UserCommand) -> anyhow::Result<()> {
    use claimtracker::audit::AuditContext;
    use claimtracker::auth::service;
    match command {
        UserCommand::Add {
            email,
            name,
            role,
            password_stdin,
        } => {
            if !password_stdin {
                anyhow::bail!(
                    "pass --password-stdin and the password on standard input (never on the command line)"
                );
            }
            let password = read_password()?;
            let (_database, mut conn) = open_database()?;
            let user = service::create_user(
                &mut conn,
                &AuditContext::system(),
                &service::NewAccount {
                    email: &email,
                    name: &name,
                    role: &role,
                    password: &password,
                },
            )
            .map_err(cli_error)?;
            println!("created {} {} ({})", user.role, user.email, user.name);
            Ok(())
        }
        UserCommand::Deactivate { email } => {
            let (_database, mut conn) = open_database()?;
            let user = service::user_by_email(&mut conn, &email).map_err(cli_error)?;
            let was_active = user.active;
            service::deactivate_user(&mut conn, &AuditContext::system(), user.id)
                .map_err(cli_error)?;
            if was_active {
                println!(
                    "deactivated {}; their sessions and API tokens have ended",
                    user.email
                );
            } else {
                println!("{} was already deactivated", user.email);
            }
            Ok(())
        }
    }
}

fn token(command: TokenCommand) -> anyhow::Result<()> {
    use claimtracker::audit::AuditContext;
    use claimtracker::auth::service;
    match command {
        TokenCommand::Create { email, label } => {
            let (_database, mut conn) = open_database()?;
            let user = service::user_by_email(&mut conn, &email).map_err(cli_error)?;
            let (_, secret) =
                service::create_token(&mut conn, &AuditContext::system(), user.id, &label)
                    .map_err(cli_error)?;
            // Alone on stdout, so `TOKEN=$(claimtracker token create ...)` works.
            println!("{secret}");
            Ok(())
        }
    }
}

/// The first line of standard input, without its line ending.
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("could not read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn cli_error(e: claimtracker::auth::service::AuthError) -> anyhow::Error {
    use claimtracker::auth::service::AuthError;
    match e {
        AuthError::NotFound => anyhow::anyhow!("no such user"),
        AuthError::Invalid { field, message } => anyhow::anyhow!("--{field}: {message}"),
        other => anyhow::anyhow!("{other}"),
    }
}

/// Finds the database and applies pending migrations, as every database subcommand does.
fn open_database() -> anyhow::Result<(db::ResolvedDatabase, diesel::PgConnection)> {
    let config = Config::from_env()?;
    let database = db::resolve(config.database_url.as_deref(), &config.data_dir)?;
    let mut conn = connect(&database.url)?;
    db::run_migrations(&mut conn)?;
    Ok((database, conn))
}

fn connect(url: &str) -> anyhow::Result<diesel::PgConnection> {
    use diesel::Connection;
    diesel::PgConnection::establish(url).context("could not connect to PostgreSQL")
}

fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let database = db::resolve(config.database_url.as_deref(), &config.data_dir)?;
    {
        let mut conn = connect(&database.url)?;
        let applied = db::run_migrations(&mut conn)?;
        if !applied.is_empty() {
            tracing::info!(count = applied.len(), "applied migrations");
        }
        if demo {
            let seeded = claimtracker::demo::seed(&mut conn)?;
            if seeded.created {
                println!(
                    "Demo data created. Sign in as any of these (password: {}):",
                    claimtracker::demo::DEMO_PASSWORD
                );
                for (email, name, role) in claimtracker::demo::DEMO_USERS {
                    println!("  {role:<9} {email:<34} {name}");
                }
            } else {
                println!(
                    "The database already has users, so no demo data was added. The demo accounts (if this \
                     database was seeded by --demo) use the password {}.",
                    claimtracker::demo::DEMO_PASSWORD
                );
            }
        }
    }
    let pool = db::build_pool(&database.url, config.db_pool_size)?;
    let listener = TcpListener::bind(config.bind)
        .with_context(|| format!("could not listen on {} (BIND)", config.bind))?;
    let address = listener.local_addr()?;
    let app = startup::Application::build(config, pool, listener)?;
    println!("claimtracker is listening on http://{address}/");
    actix_web::rt::System::new().block_on(app.run_until_stopped())?;
    // `database` (and a private cluster behind it) is dropped here, after the server stopped.
    drop(database);
    Ok(())
}

fn extract(file: Option<std::path::PathBuf>, sentences: bool, html: bool) -> anyhow::Result<()> {
    let input = match file.as_deref() {
        None => read_stdin()?,
        Some(p) if p.as_os_str() == "-" => read_stdin()?,
        Some(p) => {
            std::fs::read_to_string(p).with_context(|| format!("could not read {}", p.display()))?
        }
    };
    let is_html = html
        || file
            .as_deref()
            .and_then(|p| p.extension())
            .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
        || (!sentences && input.trim_start().starts_with('<'));
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    claimtracker::evaluation::run_extract(&input, is_html, sentences, &mut out)
}

fn eval(
    checkworthiness: Option<std::path::PathBuf>,
    attribution: Option<std::path::PathBuf>,
    fixture: Option<std::path::PathBuf>,
    misses: bool,
) -> anyhow::Result<()> {
    let args = claimtracker::evaluation::EvalArgs {
        checkworthiness,
        attribution,
        fixture,
        misses,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    claimtracker::evaluation::run_eval(&args, &mut out)
}

fn read_stdin() -> anyhow::Result<String> {
    use std::io::Read;
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("standard input is not valid UTF-8")?;
    Ok(s)
}
