use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use app::{shell, App};
use axum::Router;
use clap::{Parser, Subcommand};
use domain::account::{NewAccount, Role};
use domain::audit::AuditAction;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use server::api::ApiState;
use server::auth::SecurityConfig;
use server::pwa::BuildAssets;
use server::storage::audit::AuditEvent;
use server::storage::Store;
use tower_http::compression::CompressionLayer;

/// Sąsiedzi: neighbourhood help and attendance for a social-services centre.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Address to listen on [default: the build's site-addr, 127.0.0.1:3000]
    #[arg(long, env = "SASIEDZI_ADDR", global = true)]
    addr: Option<SocketAddr>,
    /// Directory for the SQLite database (created on first start)
    #[arg(long, env = "SASIEDZI_DATA_DIR", default_value = "data", global = true)]
    data_dir: PathBuf,
    /// Behind a reverse proxy that terminates TLS: trust its X-Forwarded-For and X-Forwarded-Proto
    /// (client address for throttling, `Secure` cookies)
    #[arg(long, env = "SASIEDZI_TRUST_PROXY", default_value_t = false)]
    trust_proxy: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the app (what runs without a command)
    Serve,
    /// Create an account; the password is read from standard input (prompted on a terminal)
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// volunteer, organiser or coordinator
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Sign a person out of every device (a lost phone, a leaked password)
    EndSessions {
        #[arg(long)]
        username: String,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| "expected volunteer, organiser or coordinator".to_owned())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let cli = Cli::parse();

    let store = Store::open(&cli.data_dir).await?;
    if let Some(Command::CreateUser {
        username,
        display_name,
        role,
    }) = cli.command
    {
        return create_user(&store, username, display_name, role).await;
    }
    if let Some(Command::EndSessions { username }) = cli.command {
        return end_sessions(&store, &username).await;
    }
    let mut leptos_options = get_configuration(None)?.leptos_options;
    if let Some(addr) = cli.addr {
        leptos_options.site_addr = addr;
    }
    let addr = leptos_options.site_addr;
    // cargo-leptos writes the hash file beside the binary it builds with hashed asset names; where the
    // environment does not say, the build does.
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(PathBuf::from));
    let hash_file = exe_dir
        .unwrap_or_default()
        .join(leptos_options.hash_file.as_ref());
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        leptos_options.hash_files = hash_file.exists();
    }
    let hash_file = leptos_options.hash_files.then_some(hash_file);
    let assets = Arc::new(BuildAssets::load(
        &leptos_options.output_name,
        hash_file.as_deref(),
    ));

    let routes = generate_route_list(App);
    let pages = Router::new()
        .leptos_routes(&leptos_options, routes, {
            let (options, css) = (leptos_options.clone(), assets.css.clone());
            move || shell(options.clone(), css.clone())
        })
        .fallback(leptos_axum::file_and_error_handler({
            let css = assets.css.clone();
            move |options| shell(options, css.clone())
        }))
        .with_state(leptos_options);
    let pages = server::api::answer_panics(pages.layer(axum::middleware::from_fn_with_state(
        store.clone(),
        server::setup_gate,
    )));
    let config = SecurityConfig {
        trust_proxy: cli.trust_proxy,
    };
    let router = pages
        .merge(server::api::router(ApiState::new(store, config)))
        .merge(server::platform_router(assets.clone()));
    let router = server::with_security_headers(router).layer(CompressionLayer::new());

    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, data_dir = %cli.data_dir.display(), build = %assets.build_id, "Sąsiedzi is listening");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    Ok(())
}

async fn end_sessions(store: &Store, username: &str) -> Result<(), Box<dyn std::error::Error>> {
    let username = domain::account::normalize_username(username);
    let Some((account, _, _)) = store.login_candidate(&username).await? else {
        return Err(format!("no account named {username}").into());
    };
    let ended = store.delete_account_sessions(account.id).await?;
    store
        .audit(AuditEvent {
            actor_id: None,
            actor: "cli",
            action: AuditAction::SignOutEverywhere,
            target: Some(account.username.clone()),
            details: serde_json::json!({"sessions": ended}),
        })
        .await?;
    println!("ended {ended} session(s) of {}", account.username);
    Ok(())
}

async fn create_user(
    store: &Store,
    username: String,
    display_name: String,
    role: Role,
) -> Result<(), Box<dyn std::error::Error>> {
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Hasło / password: ")?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    let account = NewAccount {
        username,
        display_name,
        role,
        password,
    }
    .normalized();
    if let Err(errors) = account.validate() {
        let problems: Vec<String> = errors
            .iter()
            .map(|e| format!("{:?}: {:?}", e.field, e.problem))
            .collect();
        return Err(format!("invalid account: {}", problems.join("; ")).into());
    }
    let hash = server::auth::hash_password(account.password.clone()).await;
    let created = store.create_account(&account, &hash, false).await?;
    store
        .audit(AuditEvent {
            actor_id: None,
            actor: "cli",
            action: AuditAction::UserCreated,
            target: Some(created.username.clone()),
            details: serde_json::json!({"role": created.role}),
        })
        .await?;
    println!("created {} ({})", created.username, created.role.as_str());
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
}
