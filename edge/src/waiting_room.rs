//! The waiting room: when `ADMISSION_PER_S` is set, a shopper must be admitted before ordering.
//! One `WaitingRoom` object hands out admission moments first come, first served, spaced by the
//! rate (`festival_domain::waiting_room`). It is asked once per shopper: the join. The answer is
//! a signed ticket carrying the customer and the moment (a cookie, and in the body for other
//! clients), and every later poll of `POST /api/waiting-room` is answered from the ticket and
//! the edge's clock alone — the position and estimated wait until the moment, then a signed
//! admission pass. So a line of any length costs the object one request per shopper, and polls
//! spread over every isolate. A ticket is good until an hour past its moment
//! (`waiting_room::TICKET_TTL_MS`); a forged, borrowed or expired one is refused and removed, and
//! the next poll joins again (the room keeps the customer's moment, so that is no way forward in
//! line). Joins are limited per address (`rate_limit::join`).
//!
//! When everything a shopper could buy is sold out, every poll says so at once, from the
//! isolate's catalog and stock figures (shared with catalog polls), instead of at its turn.
//! Below the rate nobody waits: each arrival is admitted on the spot.

use std::cell::{Cell, RefCell};

use festival_domain::costs::ObjectCosts;
use festival_domain::token::{
    self, ADMISSION_COOKIE, ADMISSION_HEADER, ADMISSION_TTL_MS, Purpose, TICKET_COOKIE,
    TICKET_HEADER,
};
use festival_domain::waiting_room::{self, Place, TICKET_TTL_MS};
use festival_domain::{CustomerId, SaleState, UnixMillis};
use serde::{Deserialize, Serialize};
use worker::{DurableObject, Env, Request, Response, Result, State, durable_object};

use crate::bindings::{self, SESSION_SECRET, WAITING_ROOM};
use crate::error::{EdgeError, EdgeResult};
use crate::{catalog, costs, http, objects, rate_limit, session};

/// The one `WaitingRoom` object's name.
pub const OBJECT_NAME: &str = "festival";

/// Storage keys: the latest admission moment handed out, and each customer's moment.
const LAST_KEY: &str = "last";
const TICKET_PREFIX: &str = "ticket:";

/// What the Worker asks the room.
#[derive(Serialize, Deserialize)]
struct Join {
    customer: CustomerId,
    per_second: f64,
}

/// The answer to a poll while waiting: the place, and the ticket for clients without cookies.
#[derive(Serialize)]
struct Waiting {
    #[serde(flatten)]
    place: Place,
    ticket: String,
}

#[durable_object]
pub struct WaitingRoom {
    state: State,
    /// Memory copy of [`LAST_KEY`].
    last: Cell<Option<UnixMillis>>,
    /// Joins answered since this object started (`GET /costs`).
    costs: RefCell<ObjectCosts>,
}

impl DurableObject for WaitingRoom {
    fn new(state: State, _env: Env) -> Self {
        Self {
            state,
            last: Cell::new(None),
            costs: RefCell::new(ObjectCosts::default()),
        }
    }

    /// Answers the customer's admission moment, handing out the next one on first arrival.
    async fn fetch(&self, mut req: Request) -> Result<Response> {
        if let Some(answer) = costs::answer(&req, &self.costs) {
            return answer;
        }
        self.costs.borrow_mut().request("join");
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
        self.costs.borrow_mut().storage_writes += 1;
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

/// The value of the header `header`, or else of the cookie `cookie`.
fn presented(req: &Request, header: &str, cookie: &str) -> Result<Option<String>> {
    if let Some(value) = req.headers().get(header)? {
        return Ok(Some(value));
    }
    let cookies = req.headers().get("cookie")?;
    Ok(cookies
        .as_deref()
        .and_then(|c| token::cookie(c, cookie))
        .map(str::to_owned))
}

/// Whether the request carries this customer's live admission pass.
pub fn is_admitted(
    req: &Request,
    env: &Env,
    customer: &CustomerId,
    now: UnixMillis,
) -> Result<bool> {
    let Some(pass) = presented(req, ADMISSION_HEADER, ADMISSION_COOKIE)? else {
        return Ok(false);
    };
    let secret = bindings::secret(env, SESSION_SECRET)?;
    Ok(
        token::verify(secret.as_bytes(), Purpose::Admission, &pass, now)
            .is_ok_and(|who| &who == customer),
    )
}

/// `POST /api/waiting-room`: the session's place in line, or its pass. With a ticket, a poll:
/// no object is asked. Without, a join: limited per address, then the room is asked once.
pub async fn join(req: Request, env: &Env) -> EdgeResult<Response> {
    let now = bindings::now();
    let customer = session::customer(&req, env, now)?;
    let secret = bindings::secret(env, SESSION_SECRET)?;
    let pass = || sign_pass(secret.as_bytes(), &customer, now);
    let Some(per_second) = admission_rate(env) else {
        return Ok(answer(
            &req,
            secret.as_bytes(),
            &customer,
            Place::Admitted { pass: pass() },
        )?);
    };
    let ticket = presented(&req, TICKET_HEADER, TICKET_COOKIE)?;
    let known = match ticket.as_deref() {
        Some(ticket) => {
            match waiting_room::read_ticket(secret.as_bytes(), ticket, &customer, now) {
                Ok(admit_at) => Some(admit_at),
                Err(refusal) => {
                    // Removed with the refusal, so the shopper's next poll joins again: the
                    // refusal's own answer, with the cookie cleared.
                    let mut response = EdgeError::from(refusal).into_response()?;
                    http::set_cookie(&mut response, &req, TICKET_COOKIE, "", 0)?;
                    return Ok(response);
                }
            }
        }
        None => None,
    };
    if everything_sold_out(env, now).await? {
        return Ok(http::json(&Place::SoldOut, 200)?);
    }
    let admit_at = match known {
        Some(admit_at) => admit_at,
        None => {
            let address = rate_limit::client_address(&req)?;
            rate_limit::join(env, &address, now).await?;
            let join = Join {
                customer: customer.clone(),
                per_second,
            };
            objects::post(env, WAITING_ROOM, OBJECT_NAME, &join).await?
        }
    };
    // The room read its clock after ours: compare with a fresh reading.
    let now = bindings::now();
    let place = waiting_room::standing(admit_at, now, per_second, pass);
    let mut response = answer(&req, secret.as_bytes(), &customer, place)?;
    if known.is_none() {
        let ticket = waiting_room::issue_ticket(secret.as_bytes(), &customer, admit_at);
        let max_age_s = now.millis_until(admit_at.plus_millis(TICKET_TTL_MS)) / 1000;
        http::set_cookie(&mut response, &req, TICKET_COOKIE, &ticket, max_age_s)?;
    }
    Ok(response)
}

/// The customer's admission pass, good for [`ADMISSION_TTL_MS`] from `now`.
fn sign_pass(secret: &[u8], customer: &CustomerId, now: UnixMillis) -> String {
    token::issue(
        secret,
        Purpose::Admission,
        customer,
        now.plus_millis(ADMISSION_TTL_MS),
    )
}

/// Answers `place`: an admission's pass goes in a cookie too; a wait carries the ticket in the
/// body, for clients without cookies.
fn answer(req: &Request, secret: &[u8], customer: &CustomerId, place: Place) -> Result<Response> {
    match place {
        Place::Admitted { ref pass } => {
            let mut response = http::json(&place, 200)?;
            http::set_cookie(
                &mut response,
                req,
                ADMISSION_COOKIE,
                pass,
                ADMISSION_TTL_MS / 1000,
            )?;
            Ok(response)
        }
        Place::Waiting { admit_at, .. } => {
            let ticket = waiting_room::issue_ticket(secret, customer, admit_at);
            http::json(&Waiting { place, ticket }, 200)
        }
        Place::SoldOut => http::json(&place, 200),
    }
}

/// Whether no deal that is on sale or upcoming has a unit left, from this isolate's catalog and
/// stock figures (each at most a second old, shared with the catalog's polls).
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
