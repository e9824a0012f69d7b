use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use app::{shell, App};
use axum::Router;
use clap::Parser;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use server::pwa::BuildAssets;
use server::storage::Store;
use tower_http::compression::CompressionLayer;

/// Sąsiedzi: neighbourhood help and attendance for a social-services centre.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// Address to listen on [default: the build's site-addr, 127.0.0.1:3000]
    #[arg(long, env = "SASIEDZI_ADDR")]
    addr: Option<SocketAddr>,
    /// Directory for the SQLite database (created on first start)
    #[arg(long, env = "SASIEDZI_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
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
    let router = pages
        .merge(server::api::router(store))
        .merge(server::platform_router(assets.clone()))
        .layer(CompressionLayer::new());

    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, data_dir = %cli.data_dir.display(), build = %assets.build_id, "Sąsiedzi is listening");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
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
