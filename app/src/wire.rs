//! Reads the edge's JSON answers (already parsed by the browser's `JSON`) into the domain's
//! types, field by field. Small by design: generic deserialisation costs far more Wasm.
//!
//! Every answer the storefront reads is read here, over [`Json`], so the unit tests below feed
//! these readers what serde writes for the domain's types and prove the two agree.
//!
//! A value that does not fit is `None`: a deal that cannot be read is left out of the catalog
//! rather than breaking the page.

use festival_domain::{CatalogDeal, Deal, DealId, OrderId, OrderStatus, RefusalCode, UnixMillis};
use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// A parsed JSON value the readers can look into: the browser's in the shop, serde_json's in
/// the tests.
pub trait Json: Sized {
    /// The value of `key` (an absent one reads as nothing at all).
    fn field(&self, key: &str) -> Self;
    /// The value as a string, if it is one.
    fn text(&self) -> Option<String>;
    /// The value as a number, if it is one.
    fn number(&self) -> Option<f64>;
    /// The value's items, if it is an array.
    fn items(&self) -> Option<Vec<Self>>;
    /// Whether the value is `true` (an absent one is not). The shop's reader takes any value
    /// JavaScript counts as true: it needs no glue of its own (`is_falsy` is there already).
    fn is_true(&self) -> bool;
}

impl Json for JsValue {
    fn field(&self, key: &str) -> Self {
        Reflect::get(self, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    fn text(&self) -> Option<String> {
        self.as_string()
    }

    fn number(&self) -> Option<f64> {
        self.as_f64()
    }

    fn items(&self) -> Option<Vec<Self>> {
        Some(self.dyn_ref::<Array>()?.iter().collect())
    }

    fn is_true(&self) -> bool {
        !self.is_falsy()
    }
}

/// The catalog as the storefront uses it.
pub struct WireCatalog {
    /// The edge's clock when it answered.
    pub server_time: UnixMillis,
    /// Deals with stock left.
    pub deals: Vec<CatalogDeal>,
    /// The festival running now and the next one, as the edge's clock has them.
    pub festivals: Festivals,
}

/// A festival as the storefront shows it (its deals are the catalog's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownFestival {
    pub name: String,
    pub tagline: String,
    pub starts_at: UnixMillis,
    /// An IANA name the browser's `Intl` formats times in.
    pub time_zone: String,
    /// `#rrggbb`, checked by origin.
    pub accent: String,
}

/// The festival running now, and the next one to start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Festivals {
    pub current: Option<ShownFestival>,
    pub next: Option<ShownFestival>,
}

impl Festivals {
    /// The festival the hero shows: the running one, else the next.
    pub fn shown(&self) -> Option<&ShownFestival> {
        self.current.as_ref().or(self.next.as_ref())
    }

    /// Between festivals (none running), the next one: the hero counts down to it.
    pub fn next_between(&self) -> Option<&ShownFestival> {
        festival_domain::catalog::between_festivals(self.current.as_ref(), self.next.as_ref())
    }
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

/// Where a shopper stands in the waiting room (`festival_domain::waiting_room::Place`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Turn {
    /// Let in: the admission pass came as a cookie.
    Admitted,
    /// Still waiting: how many go first, and about how long (ms).
    Waiting { position: u32, wait_ms: f64 },
    /// Nothing left to wait for.
    SoldOut,
}

fn text(object: &impl Json, key: &str) -> Option<String> {
    object.field(key).text()
}

/// A whole number (JSON numbers are doubles; ours stay below 2^53).
fn int(object: &impl Json, key: &str) -> Option<i64> {
    object
        .field(key)
        .number()
        .filter(|n| n.fract() == 0.0 && n.abs() < 9.0e15)
        .map(|n| n as i64)
}

fn count(object: &impl Json, key: &str) -> Option<u32> {
    int(object, key).and_then(|n| u32::try_from(n).ok())
}

/// `{server_time, deals: [{deal, stock_left, paused?}], festival?, next_festival?}`.
pub fn catalog(body: &impl Json) -> Option<WireCatalog> {
    let deals = body.field("deals").items()?;
    Some(WireCatalog {
        server_time: UnixMillis(int(body, "server_time")?),
        festivals: Festivals {
            current: festival(&body.field("festival")),
            next: festival(&body.field("next_festival")),
        },
        deals: deals
            .iter()
            .filter_map(|entry| {
                Some(CatalogDeal {
                    deal: deal(&entry.field("deal"))?,
                    stock_left: count(entry, "stock_left")?,
                    paused: entry.field("paused").is_true(),
                })
            })
            .collect(),
    })
}

/// A festival; `None` when absent.
fn festival(v: &impl Json) -> Option<ShownFestival> {
    Some(ShownFestival {
        name: text(v, "name")?,
        tagline: text(v, "tagline").unwrap_or_default(),
        starts_at: UnixMillis(int(v, "starts_at")?),
        time_zone: text(v, "time_zone")?,
        accent: text(v, "accent")?,
    })
}

/// One scheduled deal.
pub fn deal(v: &impl Json) -> Option<Deal> {
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
        translations: Default::default(),
    })
}

/// One order.
pub fn order(v: &impl Json) -> Option<ShopOrder> {
    Some(ShopOrder {
        id: OrderId::parse(&text(v, "id")?)?,
        status: OrderStatus::parse(&text(v, "status")?)?,
        deal_id: DealId::parse(&text(v, "deal_id")?).ok()?,
        quantity: count(v, "quantity")?,
        unit_price_minor: int(v, "unit_price_minor")?,
        total_minor: int(v, "total_minor")?,
        currency: text(v, "currency")?,
        priced_at: UnixMillis(int(v, "priced_at")?),
    })
}

/// `{orders: [...], next}`: the orders of a page (those that can be read).
pub fn orders(body: &impl Json) -> Option<Vec<ShopOrder>> {
    let list = body.field("orders").items()?;
    Some(list.iter().filter_map(order).collect())
}

/// `{sale_token, expires_at}`: the token.
pub fn sale_token(body: &impl Json) -> Option<String> {
    text(body, "sale_token")
}

/// `{status: "admitted" | "waiting" | "sold_out", …}`: where the shopper stands.
pub fn turn(body: &impl Json) -> Option<Turn> {
    match text(body, "status")?.as_str() {
        "admitted" => Some(Turn::Admitted),
        "waiting" => {
            let number = |name| body.field(name).number().unwrap_or(0.0);
            Some(Turn::Waiting {
                position: number("position") as u32,
                wait_ms: number("estimated_wait_ms").max(0.0),
            })
        }
        "sold_out" => Some(Turn::SoldOut),
        _ => None,
    }
}

/// `{code, message}`: the refusal's code (`None` for one this build does not know) and the
/// edge's words.
pub fn refusal(body: &impl Json) -> (Option<RefusalCode>, String) {
    let code = text(body, "code").and_then(|code| RefusalCode::parse(&code));
    (code, text(body, "message").unwrap_or_default())
}

#[cfg(test)]
mod tests;
