//! `POST /api/console/deals/{id}/live`: a marketer ends, pauses, resumes or tops up a live sale.
//! An end is stamped with the edge's clock; origin records the action (with its audit entry)
//! and answers the deal's controls, which the edge then hands to every shard of the deal before
//! answering: once the marketer sees "done", every shard refuses orders of an ended or paused
//! sale, and sells the units added. Should a shard not answer, the console is told so; the
//! controls still reach it within seconds, with `CatalogStore`'s next stock reading.

use festival_domain::catalog::ScheduledDeal;
use festival_domain::live::LiveAction;
use worker::{Env, Method, Request, Response};

use crate::error::{EdgeError, EdgeResult};
use crate::{bindings, console, http, marketer, stock};

/// Largest action body read: `{"action":"top_up","units":…,"key":…}` is well under it.
const MAX_ACTION_BYTES: usize = 4 * 1024;

pub async fn act(mut req: Request, deal: &str, env: &Env) -> EdgeResult<Response> {
    marketer::require(&req, env)?;
    let authorization = req.headers().get("authorization")?.unwrap_or_default();
    let body = req.bytes().await?;
    let refused = |message: String| EdgeError::Rejected {
        status: 400,
        code: "invalid_live_action",
        message,
    };
    if body.len() > MAX_ACTION_BYTES {
        return Err(refused("The action's body is larger than 4 KB.".into()));
    }
    let mut action: LiveAction = serde_json::from_slice(&body).map_err(|e| {
        refused(format!(
            "Send {{\"action\": \"end\" | \"pause\" | \"resume\"}} or {{\"action\": \"top_up\", \
             \"units\": N, \"key\": K}}: {e}"
        ))
    })?;
    if let LiveAction::End { at } = &mut action {
        *at = Some(bindings::now());
    }
    let path = format!("deals/{deal}/live");
    let sent = serde_json::to_vec(&action).map_err(|e| EdgeError::Unavailable(e.into()))?;
    let mut answer =
        console::to_origin(env, &authorization, Method::Post, &path, Some(sent)).await?;
    if answer.status_code() != 200 {
        let text = answer.text().await?;
        let mut response = Response::ok(text)?.with_status(answer.status_code());
        response
            .headers_mut()
            .set("content-type", "application/json")?;
        return Ok(response);
    }
    let scheduled: ScheduledDeal = answer.json().await?;
    stock::control(env, &scheduled.deal, scheduled.live)
        .await
        .map_err(|error| {
            EdgeError::Unavailable(
                format!(
                    "{} on {deal} is recorded, but not every shard answered: {error}",
                    action.name()
                )
                .into(),
            )
        })?;
    Ok(http::json(&scheduled, 200)?)
}
