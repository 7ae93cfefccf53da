//! Reads the edge's JSON answers (already parsed by the browser's `JSON`) into the domain's
//! types, field by field. Small by design: generic deserialisation costs far more Wasm.
//!
//! A value that does not fit is `None`: a deal that cannot be read is left out of the catalog
//! rather than breaking the page.

use festival_domain::{CatalogDeal, Deal, DealId, OrderId, OrderStatus, UnixMillis};
use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// The catalog as the storefront uses it.
pub struct WireCatalog {
    /// The edge's clock when it answered.
    pub server_time: UnixMillis,
    /// Deals with stock left.
    pub deals: Vec<CatalogDeal>,
}

/// An order as the shopper sees it: what `GET /api/orders/{id}` answers, minus who bought it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopOrder {
    /// `<deal id>.<hex>`.
    pub id: OrderId,
    /// Where it stands.
    pub status: OrderStatus,
    /// The deal bought.
    pub deal_id: DealId,
    /// Units.
    pub quantity: u32,
    /// Price per unit, in minor units.
    pub unit_price_minor: i64,
    /// `quantity × unit_price_minor`.
    pub total_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// When the edge priced it.
    pub priced_at: UnixMillis,
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn text(object: &JsValue, key: &str) -> Option<String> {
    get(object, key).as_string()
}

/// A whole number (JSON numbers are doubles; ours stay below 2^53).
fn int(object: &JsValue, key: &str) -> Option<i64> {
    get(object, key)
        .as_f64()
        .filter(|n| n.fract() == 0.0 && n.abs() < 9.0e15)
        .map(|n| n as i64)
}

fn count(object: &JsValue, key: &str) -> Option<u32> {
    int(object, key).and_then(|n| u32::try_from(n).ok())
}

/// `{server_time, deals: [{deal, stock_left}]}`.
pub fn catalog(body: &JsValue) -> Option<WireCatalog> {
    let deals: Array = get(body, "deals").dyn_into().ok()?;
    Some(WireCatalog {
        server_time: UnixMillis(int(body, "server_time")?),
        deals: deals
            .iter()
            .filter_map(|entry| {
                Some(CatalogDeal {
                    deal: deal(&get(&entry, "deal"))?,
                    stock_left: count(&entry, "stock_left")?,
                })
            })
            .collect(),
    })
}

/// One scheduled deal.
pub fn deal(v: &JsValue) -> Option<Deal> {
    Some(Deal {
        id: DealId::parse(&text(v, "id")?).ok()?,
        name: text(v, "name")?,
        description: text(v, "description").unwrap_or_default(),
        image_url: text(v, "image_url").unwrap_or_default(),
        price_minor: int(v, "price_minor")?,
        was_price_minor: int(v, "was_price_minor")?,
        currency: text(v, "currency")?,
        stock: count(v, "stock")?,
        starts_at: UnixMillis(int(v, "starts_at")?),
        ends_at: UnixMillis(int(v, "ends_at")?),
        per_customer_limit: count(v, "per_customer_limit")?,
        shards: count(v, "shards").unwrap_or(0),
    })
}

/// One order.
pub fn order(v: &JsValue) -> Option<ShopOrder> {
    let status = match text(v, "status")?.as_str() {
        "reserved" => OrderStatus::Reserved,
        "confirmed" => OrderStatus::Confirmed,
        "cancelled" => OrderStatus::Cancelled,
        _ => return None,
    };
    Some(ShopOrder {
        id: OrderId::parse(&text(v, "id")?)?,
        status,
        deal_id: DealId::parse(&text(v, "deal_id")?).ok()?,
        quantity: count(v, "quantity")?,
        unit_price_minor: int(v, "unit_price_minor")?,
        total_minor: int(v, "total_minor")?,
        currency: text(v, "currency")?,
        priced_at: UnixMillis(int(v, "priced_at")?),
    })
}
