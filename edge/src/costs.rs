//! What the shop's Durable Objects did, as each counts it (`festival_domain::costs`): each
//! object answers `GET /costs` with its counts, and `GET /api/ops/costs` (marketer token) sums
//! them over every shard of the catalog's deals, every `KeyClaims` object, the `CatalogStore`
//! and the `WaitingRoom`.

use std::cell::RefCell;

use festival_domain::costs::{CostsReport, ObjectCosts};
use festival_domain::key_claims::{self, CLAIM_OBJECTS};
use worker::{Env, Method, Request, Response, Result};

use crate::bindings::{CATALOG, CATALOG_OBJECT, DEAL_STOCK, KEY_CLAIMS, WAITING_ROOM};
use crate::error::EdgeResult;
use crate::stock::shard_name;
use crate::{catalog, http, marketer, objects, waiting_room};

/// The path an object answers its counts on (not counted itself).
const COSTS_PATH: &str = "/costs";

/// An object's answer to `GET /costs`, when `req` is one.
pub fn answer(req: &Request, costs: &RefCell<ObjectCosts>) -> Option<Result<Response>> {
    (req.method() == Method::Get && req.path() == COSTS_PATH)
        .then(|| Response::from_json(&*costs.borrow()))
}

/// `GET /api/ops/costs`: the sums, by kind of object.
pub async fn report(req: Request, env: &Env) -> EdgeResult<Response> {
    marketer::require(&req, env)?;
    let mut report = CostsReport::default();
    for deal in catalog::deals(env).await? {
        for index in 0..deal.shard_count() {
            let name = shard_name(&deal.id, index);
            report.deal_stock.add(&read(env, DEAL_STOCK, &name).await?);
        }
    }
    for index in 0..CLAIM_OBJECTS {
        let name = key_claims::object_name(index);
        report.key_claims.add(&read(env, KEY_CLAIMS, &name).await?);
    }
    report.catalog = read(env, CATALOG, CATALOG_OBJECT).await?;
    report.waiting_room = read(env, WAITING_ROOM, waiting_room::OBJECT_NAME).await?;
    Ok(http::json(&report, 200)?)
}

async fn read(env: &Env, namespace: &str, name: &str) -> Result<ObjectCosts> {
    objects::get(env, namespace, name, COSTS_PATH).await
}
