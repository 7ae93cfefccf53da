//! What a shopper sends the waiting room — a join, a poll with a ticket — and the shop with a
//! pass, and how many joins the room's object has answered.

use festival_domain::token::{ADMISSION_HEADER, SESSION_HEADER, TICKET_HEADER};
use libtest_mimic::Failed;
use serde_json::Value;

use crate::stack::{Shopper, Stack, check, order_body};

/// Joins the waiting room as `shopper`, and answers its place in line.
pub async fn join(stack: &Stack, shopper: &Shopper) -> Result<Value, Failed> {
    let response = stack
        .http
        .post(format!("{}/api/waiting-room", stack.edge))
        .header(SESSION_HEADER, &shopper.session)
        .send()
        .await?;
    check(
        response.status() == 200,
        format!("joining: {}", response.status()),
    )?;
    Ok(response.json().await?)
}

/// Orders one unit of `deal` with `key`, showing the admission `pass` when given: the status
/// and the body.
pub async fn order_with_pass(
    stack: &Stack,
    shopper: &Shopper,
    pass: Option<&str>,
    key: &str,
    deal: &festival_domain::Deal,
) -> Result<(u16, Value), Failed> {
    let mut request = stack
        .http
        .post(format!("{}/api/orders", stack.edge))
        .header(SESSION_HEADER, &shopper.session)
        .json(&order_body(deal, 1, key, shopper));
    if let Some(pass) = pass {
        request = request.header(ADMISSION_HEADER, pass);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await?))
}

/// Posts to the waiting room as `shopper`, with `ticket` when given: status, the ticket cookie
/// set (if any) and the body.
pub(super) async fn poll(
    stack: &Stack,
    shopper: &Shopper,
    ticket: Option<&str>,
) -> Result<(u16, Option<String>, Value), Failed> {
    let mut request = stack
        .http
        .post(format!("{}/api/waiting-room", stack.edge))
        .header(SESSION_HEADER, &shopper.session);
    if let Some(ticket) = ticket {
        request = request.header(TICKET_HEADER, ticket);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("festival_ticket="))
        .map(str::to_owned);
    Ok((status, cookie, response.json().await?))
}

/// The joins the `WaitingRoom` object has answered, as `GET /api/ops/costs` counts them.
pub(super) async fn joins_counted(stack: &Stack) -> Result<u64, Failed> {
    let (status, costs) = stack
        .call_with_token(
            reqwest::Method::GET,
            "/api/ops/costs",
            Some(crate::stack::MARKETER_TOKEN),
            None,
        )
        .await?;
    check(status == 200, format!("costs: {status} {costs}"))?;
    Ok(costs["waiting_room"]["requests"]["join"]
        .as_u64()
        .unwrap_or(0))
}
