//! One deal: what it is, its price against the regular one, live stock, and the Buy button.
//!
//! The card lives as long as its deal is in the catalog (keyed by deal id), so catalog refreshes
//! update its text in place and an unfinished purchase (its idempotency key) survives them.

use festival_domain::deal::SaleState;
use festival_domain::money::{discount_percent, format_plain};
use festival_domain::{Catalog, CatalogDeal, UnixMillis};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::api::{self, ApiError};
use crate::clock::{ServerClock, format_countdown};
use crate::refusal::refusal_words;
use crate::shopper;

/// Units per purchase: the storefront sells one at a time; limits are the edge's to enforce.
const QUANTITY: u32 = 1;

/// Whether the deal can be bought right now, by the server's clock and the last stock reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Availability {
    Upcoming { starts_at: UnixMillis },
    Open,
    SoldOut,
    Ended,
}

/// Where this card's purchase stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purchase {
    /// Nothing in flight.
    Idle,
    /// A request is on its way.
    Sending,
    /// The last attempt got no answer; the next press resends the same idempotency key.
    Unanswered,
}

/// A deal card. `initial` is the deal as first seen; later readings come from `catalog`.
#[component]
pub fn DealCard(
    initial: CatalogDeal,
    catalog: ReadSignal<Option<Catalog>>,
    clock: ServerClock,
) -> impl IntoView {
    let id = initial.deal.id.clone();
    let entry = {
        let id = id.clone();
        Memo::new(move |previous: Option<&CatalogDeal>| {
            catalog
                .with(|c| c.as_ref()?.deals.iter().find(|d| d.deal.id == id).cloned())
                .or_else(|| previous.cloned())
                .unwrap_or_else(|| initial.clone())
        })
    };
    let availability = Memo::new(move |_| {
        let now = clock.now();
        entry.with(|e| match e.deal.state_at(now) {
            SaleState::Upcoming => Availability::Upcoming {
                starts_at: e.deal.starts_at,
            },
            SaleState::Ended => Availability::Ended,
            SaleState::Open if e.stock_left == 0 => Availability::SoldOut,
            SaleState::Open => Availability::Open,
        })
    });

    let purchase = RwSignal::new(Purchase::Idle);
    let refusal = RwSignal::new(None::<String>);
    // One key per purchase intent: kept across retries after no answer, dropped after a
    // definitive one, so a retry can never buy twice.
    let intent_key = StoredValue::new(None::<String>);

    let label = Memo::new(move |_| match (availability.get(), purchase.get()) {
        (_, Purchase::Sending) => "Buying…".to_owned(),
        (Availability::Upcoming { starts_at }, _) => {
            format!(
                "Opens in {}",
                format_countdown(clock.now().millis_until(starts_at))
            )
        }
        (Availability::Ended, _) => "Sale ended".to_owned(),
        (Availability::SoldOut, _) => "Sold out".to_owned(),
        (Availability::Open, Purchase::Unanswered) => "Try again".to_owned(),
        (Availability::Open, Purchase::Idle) => "Buy now".to_owned(),
    });
    let disabled =
        move || purchase.get() == Purchase::Sending || availability.get() != Availability::Open;

    let navigate = use_navigate();
    let buy = {
        let id = id.clone();
        move |_| {
            if purchase.get_untracked() == Purchase::Sending {
                return;
            }
            let key = intent_key.get_value().unwrap_or_else(shopper::new_uuid);
            intent_key.set_value(Some(key.clone()));
            purchase.set(Purchase::Sending);
            refusal.set(None);
            let (id, navigate) = (id.clone(), navigate.clone());
            spawn_local(async move {
                let customer = shopper::customer_id();
                match api::place_order(&id, QUANTITY, &key, &customer).await {
                    Ok(order) => {
                        intent_key.set_value(None);
                        purchase.set(Purchase::Idle);
                        navigate(&format!("/orders/{}", order.id), Default::default());
                    }
                    Err(ApiError::Refused(body)) => {
                        intent_key.set_value(None);
                        purchase.set(Purchase::Idle);
                        refusal.set(Some(refusal_words(&body)));
                    }
                    Err(ApiError::Unreachable) => purchase.set(Purchase::Unanswered),
                }
            });
        }
    };

    let text = move |f: fn(&CatalogDeal) -> String| move || entry.with(f);
    let name = text(|e| e.deal.name.clone());
    let stock_pct = move || {
        entry.with(|e| (u64::from(e.stock_left) * 100 / u64::from(e.deal.stock.max(1))).min(100))
    };
    let aria_label = move || format!("{}: {}", label.get(), entry.with(|e| e.deal.name.clone()));

    view! {
        <li class="deal-card" data-testid="deal-card" data-deal-id=id.to_string()>
            {move || {
                entry
                    .with(|e| (!e.deal.image_url.is_empty()).then(|| e.deal.image_url.clone()))
                    .map(|src| view! { <img class="deal-image" src=src alt="" loading="lazy" /> })
            }}
            <p class="deal-discount" data-testid="deal-discount">
                {text(|e| format!("{}% off", discount_percent(e.deal.price_minor, e.deal.was_price_minor)))}
            </p>
            <h3 class="deal-name" data-testid="deal-name">{name}</h3>
            {move || {
                entry
                    .with(|e| (!e.deal.description.is_empty()).then(|| e.deal.description.clone()))
                    .map(|words| view! { <p class="deal-description">{words}</p> })
            }}
            <p class="deal-prices">
                <span class="visually-hidden">"Now "</span>
                <span class="deal-price" data-testid="deal-price">
                    {text(|e| format_plain(e.deal.price_minor, &e.deal.currency))}
                </span>
                " "
                <span class="visually-hidden">"was "</span>
                <s class="deal-was-price" data-testid="deal-was-price">
                    {text(|e| format_plain(e.deal.was_price_minor, &e.deal.currency))}
                </s>
            </p>
            <div class="deal-stock-row">
                <p class="deal-stock" data-testid="deal-stock">
                    {text(|e| format!("{} of {} left", e.stock_left, e.deal.stock))}
                </p>
                <div class="stock-bar" class=("low", move || stock_pct() <= 20) aria-hidden="true">
                    <span class="stock-fill" style:width=move || format!("{}%", stock_pct())></span>
                </div>
            </div>
            <p class="deal-limit">{text(|e| format!("Limit {} per shopper", e.deal.per_customer_limit))}</p>
            <button
                type="button"
                class="buy-button"
                data-testid="buy-button"
                aria-label=aria_label
                disabled=disabled
                on:click=buy
            >
                {move || label.get()}
            </button>
            {move || {
                refusal
                    .get()
                    .map(|words| view! { <p class="refusal" data-testid="refusal" role="alert">{words}</p> })
            }}
            {move || {
                (purchase.get() == Purchase::Unanswered)
                    .then(|| view! {
                        <p class="buy-trouble" data-testid="buy-trouble" role="alert">
                            "We couldn't reach the shop. Press Try again: it won't place a second order."
                        </p>
                    })
            }}
        </li>
    }
}
