//! `GET /admin/dashboard`: the console's live big screen, from origin's stored orders.

use axum::Json;
use axum::extract::{RawQuery, State};
use festival_domain::dashboard::{self, DEFAULT_WINDOW_S, Dashboard, DashboardWindow};

use super::marketer::Marketer;
use crate::db::sales;
use crate::{AppState, OriginError, now};

/// `GET /admin/dashboard?window_s=300[&bucket_s=5]`: the live big screen.
pub(super) async fn dashboard(
    _: Marketer,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Dashboard>, OriginError> {
    let (window_s, bucket_s) = parse_window_query(query.as_deref().unwrap_or(""))?;
    let window = DashboardWindow::new(now(), window_s, bucket_s)
        .map_err(|e| OriginError::InvalidWindow(e.to_string()))?;
    let (deals, sales, per_second) = sales::dashboard_inputs(&state.db, &window).await?;
    Ok(Json(dashboard::build(&window, &deals, &sales, &per_second)))
}

/// Reads `window_s` and `bucket_s` (whole seconds); anything else in the query is refused, so a
/// misspelt parameter is not silently ignored.
fn parse_window_query(query: &str) -> Result<(u32, Option<u32>), OriginError> {
    let bad = |what: &str| {
        OriginError::InvalidWindow(format!("{what} must be a whole number of seconds"))
    };
    let (mut window_s, mut bucket_s) = (DEFAULT_WINDOW_S, None);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "window_s" => window_s = value.parse().map_err(|_| bad("window_s"))?,
            "bucket_s" => bucket_s = Some(value.parse().map_err(|_| bad("bucket_s"))?),
            _ => {
                return Err(OriginError::InvalidWindow(
                    "the dashboard takes only window_s and bucket_s".into(),
                ));
            }
        }
    }
    Ok((window_s, bucket_s))
}
