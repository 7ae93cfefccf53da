//! The readers hold to what serde writes: each domain value the edge answers is serialized with
//! serde_json, and the text, parsed again, is fed to the reader that reads it in the shop.

use festival_domain::catalog::SaleTokenAnswer;
use festival_domain::order::OrdersPage;
use festival_domain::waiting_room::Place;
use festival_domain::{
    Catalog, CatalogDeal, CustomerId, Deal, DealId, Festival, IdempotencyKey, Order, OrderId,
    OrderStatus, PricedOrder, Quantity, Refusal, RefusalCode, UnixMillis,
};
use serde::Serialize;
use serde_json::Value;

use super::*;

impl Json for Value {
    fn field(&self, key: &str) -> Self {
        self.get(key).cloned().unwrap_or(Value::Null)
    }

    fn text(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }

    fn number(&self) -> Option<f64> {
        self.as_f64()
    }

    fn items(&self) -> Option<Vec<Self>> {
        self.as_array().cloned()
    }

    fn is_true(&self) -> bool {
        self == &Value::Bool(true)
    }
}

/// What the edge sends for `value`, as the browser's `JSON.parse` hands it over.
fn sent<T: Serialize>(value: &T) -> Value {
    serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap()
}

fn deal(id: &str, description: &str, shards: u32) -> Deal {
    Deal {
        id: DealId::parse(id).unwrap(),
        name: "Silk lantern".into(),
        description: description.into(),
        image_url: format!("/img/{id}.webp"),
        price_minor: 7_500,
        was_price_minor: 10_000,
        currency: "KRW".into(),
        stock: 100,
        starts_at: UnixMillis(1_800_000_000_000),
        ends_at: UnixMillis(1_800_000_600_000),
        per_customer_limit: 2,
        shards,
        translations: Default::default(),
    }
}

fn order(status: OrderStatus, nonce: u128) -> Order {
    let deal_id = DealId::parse("lantern").unwrap();
    Order {
        id: OrderId::new(&deal_id, 3, nonce),
        status,
        priced: PricedOrder {
            deal_id,
            customer_id: CustomerId::from_random(7),
            idempotency_key: IdempotencyKey::new("key-12345678").unwrap(),
            quantity: Quantity::new(2).unwrap(),
            unit_price_minor: 7_500,
            total_minor: 15_000,
            currency: "KRW".into(),
            priced_at: UnixMillis(1_800_000_000_123 + nonce as i64),
        },
    }
}

/// What the shopper is shown of `order`.
fn shown(order: &Order) -> ShopOrder {
    let p = &order.priced;
    ShopOrder {
        id: order.id.clone(),
        status: order.status,
        deal_id: p.deal_id.clone(),
        quantity: p.quantity.get(),
        unit_price_minor: p.unit_price_minor,
        total_minor: p.total_minor,
        currency: p.currency.clone(),
        priced_at: p.priced_at,
    }
}

/// A refusal of each code: the match is exhaustive, so a new code must be added here.
fn refusal_of(code: RefusalCode) -> Refusal {
    use RefusalCode as C;
    match code {
        C::MalformedJson => Refusal::MalformedJson,
        C::MissingField => Refusal::MissingField("quantity".into()),
        C::UnknownField => Refusal::UnknownField("price".into()),
        C::WrongType => Refusal::WrongType("quantity".into()),
        C::BodyTooLarge => Refusal::BodyTooLarge,
        C::InvalidQuantity => Refusal::InvalidQuantity,
        C::OverLimit => Refusal::OverLimit { limit: 2 },
        C::LimitReached => Refusal::LimitReached { limit: 2 },
        C::InvalidIdempotencyKey => Refusal::InvalidIdempotencyKey,
        C::IdempotencyKeyReused => Refusal::IdempotencyKeyReused,
        C::UnknownDeal => Refusal::UnknownDeal,
        C::SaleNotOpen => Refusal::SaleNotOpen,
        C::SaleEnded => Refusal::SaleEnded,
        C::SalePaused => Refusal::SalePaused,
        C::SoldOut => Refusal::SoldOut,
        C::UnknownOrder => Refusal::UnknownOrder,
        C::SessionRequired => Refusal::SessionRequired,
        C::SessionInvalid => Refusal::SessionInvalid,
        C::SessionExpired => Refusal::SessionExpired,
        C::SaleTokenInvalid => Refusal::SaleTokenInvalid,
        C::NotAdmitted => Refusal::NotAdmitted,
        C::TicketInvalid => Refusal::TicketInvalid,
        C::TicketExpired => Refusal::TicketExpired,
        C::NotYourOrder => Refusal::NotYourOrder,
        C::RateLimited => Refusal::RateLimited { retry_after_s: 7 },
        C::NotFound => Refusal::NotFound,
        C::MethodNotAllowed => Refusal::MethodNotAllowed,
    }
}

#[test]
fn the_catalog_reads_every_deal_serde_writes() {
    let written = Catalog {
        server_time: UnixMillis(1_800_000_000_500),
        deals: vec![
            CatalogDeal {
                deal: deal("lantern", "Hand-sewn, 40 cm.", 4),
                stock_left: 37,
                paused: true,
            },
            CatalogDeal {
                deal: deal("kite", "", 0),
                stock_left: 0,
                paused: false,
            },
        ],
        festival: None,
        next_festival: Some(Festival {
            id: "black-friday".into(),
            name: "Black Friday".into(),
            tagline: String::new(),
            starts_at: UnixMillis(1_800_000_100_000),
            ends_at: UnixMillis(1_800_000_200_000),
            time_zone: "America/New_York".into(),
            accent: "#1d4ed8".into(),
            deals: Vec::new(),
        }),
    };
    let read = catalog(&sent(&written)).unwrap();
    assert_eq!(read.server_time, written.server_time);
    assert_eq!(read.deals, written.deals);
    assert_eq!(read.festivals.current, None);
    let next = read.festivals.next.unwrap();
    assert_eq!(
        (next.name.as_str(), next.starts_at, next.time_zone.as_str()),
        (
            "Black Friday",
            UnixMillis(1_800_000_100_000),
            "America/New_York"
        )
    );
    assert_eq!(next.accent, "#1d4ed8");
}

#[test]
fn a_deal_serde_writes_reads_back_whole() {
    let written = deal("lantern", "Hand-sewn.", 8);
    assert_eq!(super::deal(&sent(&written)), Some(written));
}

#[test]
fn orders_read_back_in_every_status() {
    for (nonce, status) in OrderStatus::ALL.into_iter().enumerate() {
        let written = order(status, nonce as u128);
        assert_eq!(super::order(&sent(&written)), Some(shown(&written)));
    }
}

#[test]
fn a_page_of_orders_reads_every_order() {
    let page = OrdersPage {
        orders: vec![
            order(OrderStatus::Confirmed, 2),
            order(OrderStatus::Cancelled, 1),
        ],
        next: Some(DealId::parse("kite").unwrap()),
    };
    let read = orders(&sent(&page)).unwrap();
    assert_eq!(read, page.orders.iter().map(shown).collect::<Vec<_>>());
}

#[test]
fn the_sale_token_is_read() {
    let answer = SaleTokenAnswer {
        sale_token: "v1.sale.abc".into(),
        expires_at: UnixMillis(1_800_000_300_000),
    };
    assert_eq!(sale_token(&sent(&answer)), Some(answer.sale_token));
}

#[test]
fn every_place_in_the_waiting_room_is_read() {
    let admitted = Place::Admitted { pass: "p".into() };
    assert_eq!(turn(&sent(&admitted)), Some(Turn::Admitted));
    let waiting = Place::Waiting {
        position: 12,
        estimated_wait_ms: 2_400,
        admit_at: UnixMillis(1_800_000_002_400),
    };
    assert_eq!(
        turn(&sent(&waiting)),
        Some(Turn::Waiting {
            position: 12,
            wait_ms: 2_400.0
        })
    );
    assert_eq!(turn(&sent(&Place::SoldOut)), Some(Turn::SoldOut));
}

#[test]
fn every_refusal_code_is_read_with_its_words() {
    for code in RefusalCode::ALL {
        let written = refusal_of(code);
        assert_eq!(written.kind(), code);
        assert_eq!(
            refusal(&sent(&written.body())),
            (Some(code), written.to_string())
        );
    }
    let unknown = serde_json::json!({"code": "from_a_newer_edge", "message": "Later."});
    assert_eq!(refusal(&unknown), (None, "Later.".to_owned()));
}
