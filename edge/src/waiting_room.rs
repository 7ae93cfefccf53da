//! The waiting room: when `ADMISSION_PER_S` is set, a shopper must be admitted before ordering.
//! One `WaitingRoom` object hands out admission moments first come, first served, spaced by the
//! rate (`festival_domain::waiting_room`); the shopper polls `POST /api/waiting-room` with their
//! session and sees their position and estimated wait until it is their turn, then gets a signed
//! pass (a cookie, and in the body for other clients). When everything they could buy is sold
//! out, the answer says so at once instead of after the wait.
//!
//! Below the rate nobody waits: each arrival is admitted on the spot, at one Durable Object call
//! per shopper (not per order).

use std::cell::Cell;

use festival_domain::token::{self, ADMISSION_COOKIE, ADMISSION_HEADER, ADMISSION_TTL_MS, Purpose};
use festival_domain::waiting_room::{self, Place};
use festival_domain::{CustomerId, SaleState, UnixMillis};
use serde::{Deserialize, Serialize};
use worker::{DurableObject, Env, Request, Response, Result, State, durable_object};

use crate::bindings::{self, SESSION_SECRET, WAITING_ROOM};
use crate::{catalog, http, objects, session};

/// Storage keys: the latest admission moment handed out, and each customer's moment.
const LAST_KEY: &str = "last";
const TICKET_PREFIX: &str = "ticket:";

/// What the Worker asks the room.
#[derive(Serialize, Deserialize)]
struct Join {
    customer: CustomerId,
    per_second: f64,
}

#[durable_object]
pub struct WaitingRoom {
    state: State,
    /// Memory copy of [`LAST_KEY`].
    last: Cell<Option<UnixMillis>>,
}

impl DurableObject for WaitingRoom {
    fn new(state: State, _env: Env) -> Self {
        Self {
            state,
            last: Cell::new(None),
        }
    }

    /// Answers the customer's admission moment, handing out the next one on first arrival.
    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let join: Join = req.json().await?;
        let storage = self.state.storage();
        let ticket_key = format!("{TICKET_PREFIX}{}", join.customer.as_str());
        if let Some(at) = storage.get::<i64>(&ticket_key).await? {
            return Response::from_json(&UnixMillis(at));
        }
        let last = match self.last.get() {
            Some(last) => Some(last),
            None => storage.get::<i64>(LAST_KEY).await?.map(UnixMillis),
        };
        let at = waiting_room::admission_time(last, bindings::now(), join.per_second);
        let writes = js_sys::Object::new();
        js_sys::Reflect::set(&writes, &LAST_KEY.into(), &(at.0 as f64).into())?;
        js_sys::Reflect::set(&writes, &ticket_key.into(), &(at.0 as f64).into())?;
        storage.put_multiple_raw(writes).await?;
        self.last.set(Some(at));
        Response::from_json(&at)
    }
}

/// The admission rate, when the waiting room is on.
pub fn admission_rate(env: &Env) -> Option<f64> {
    let rate = bindings::setting(env, "ADMISSION_PER_S")?
        .parse::<f64>()
        .ok()?;
    (rate > 0.0).then_some(rate)
}

/// Whether the request carries this customer's live admission pass.
pub fn is_admitted(
    req: &Request,
    env: &Env,
    customer: &CustomerId,
    now: UnixMillis,
) -> Result<bool> {
    let header = req.headers().get(ADMISSION_HEADER)?;
    let cookies = req.headers().get("cookie")?;
    let Some(pass) = header.as_deref().or_else(|| {
        cookies
            .as_deref()
            .and_then(|c| token::cookie(c, ADMISSION_COOKIE))
    }) else {
        return Ok(false);
    };
    let secret = bindings::secret(env, SESSION_SECRET)?;
    Ok(
        token::verify(secret.as_bytes(), Purpose::Admission, pass, now)
            .is_ok_and(|who| &who == customer),
    )
}

/// `POST /api/waiting-room`: the session's place in line, or its pass.
pub async fn join(req: Request, env: &Env) -> Result<Response> {
    let now = bindings::now();
    let customer = match session::customer(&req, env, now)? {
        Ok(customer) => customer,
        Err(refusal) => return http::refusal(&refusal),
    };
    let Some(per_second) = admission_rate(env) else {
        return admit(env, &customer, now);
    };
    if everything_sold_out(env, now).await? {
        return http::json(&Place::SoldOut, 200);
    }
    let join = Join {
        customer: customer.clone(),
        per_second,
    };
    let admit_at: UnixMillis = objects::post(env, WAITING_ROOM, "festival", &join).await?;
    // The room read its clock after ours: compare with a fresh reading.
    let now = bindings::now();
    if admit_at <= now {
        return admit(env, &customer, now);
    }
    let place = Place::Waiting {
        position: waiting_room::position(admit_at, now, per_second),
        estimated_wait_ms: now.millis_until(admit_at),
        admit_at,
    };
    http::json(&place, 200)
}

/// Signs the customer's pass, as the body and a cookie.
fn admit(env: &Env, customer: &CustomerId, now: UnixMillis) -> Result<Response> {
    let secret = bindings::secret(env, SESSION_SECRET)?;
    let pass = token::issue(
        secret.as_bytes(),
        Purpose::Admission,
        customer,
        now.plus_millis(ADMISSION_TTL_MS),
    );
    let cookie = format!(
        "{ADMISSION_COOKIE}={pass}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}",
        ADMISSION_TTL_MS / 1000
    );
    let mut response = http::json(&Place::Admitted { pass }, 200)?;
    response.headers_mut().set("set-cookie", &cookie)?;
    Ok(response)
}

/// Whether no deal that is on sale or upcoming has a unit left.
async fn everything_sold_out(env: &Env, now: UnixMillis) -> Result<bool> {
    let mut any_buyable = false;
    for deal in catalog::deals(env).await? {
        if deal.state_at(now) == SaleState::Ended {
            continue;
        }
        any_buyable = true;
        if catalog::stock_left(env, &deal).await? > 0 {
            return Ok(false);
        }
    }
    Ok(any_buyable)
}
