//! `/orders/:id`: one order, followed from "reserved" until origin confirms (or it is
//! cancelled). Polls every second while the outcome is open, then stops.

use festival_domain::money::format_plain;
use festival_domain::{Order, OrderId, OrderStatus};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::{self, ApiError};
use crate::poll::poll_every;
use crate::refusal::refusal_words;

/// How often an open order is re-read.
const ORDER_POLL_MS: u32 = 1_000;

/// The order page.
#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let raw_id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let order = RwSignal::new(None::<Order>);
    let problem = RwSignal::new(None::<String>);

    // Re-runs when the address names another order; the previous poll stops with its run.
    Effect::new(move |_| {
        let raw = raw_id.get();
        order.set(None);
        problem.set(None);
        let Some(id) = OrderId::parse(&raw) else {
            problem.set(Some("That is not one of our order numbers.".to_owned()));
            return;
        };
        poll_every(ORDER_POLL_MS, move || {
            let id = id.clone();
            async move {
                let answer = api::fetch_order(&id).await;
                if raw_id.try_get_untracked().as_deref() != Some(id.as_str()) {
                    return false;
                }
                match answer {
                    Ok(fresh) => {
                        let settled = fresh.status != OrderStatus::Reserved;
                        if order.try_with_untracked(|o| o.as_ref() != Some(&fresh)) == Some(true) {
                            order.set(Some(fresh));
                        }
                        problem.set(None);
                        !settled
                    }
                    Err(ApiError::Refused(body)) => {
                        problem.set(Some(refusal_words(&body)));
                        false
                    }
                    Err(ApiError::Unreachable) => {
                        problem.set(Some(
                            "We can't reach the shop right now. Retrying…".to_owned(),
                        ));
                        true
                    }
                }
            }
        });
    });

    view! {
        <section class="panel order-page" aria-labelledby="order-heading">
            <A href="/" attr:class="back-link">"← Back to the festival"</A>
            <h1 id="order-heading">"Your order"</h1>
            {move || problem.get().map(|words| view! { <p class="order-problem" role="alert">{words}</p> })}
            {move || match order.get() {
                Some(order) => view! { <OrderDetails order /> }.into_any(),
                None if problem.with(Option::is_none) => {
                    view! { <p class="order-loading" role="status">"Loading your order…"</p> }.into_any()
                }
                None => ().into_any(),
            }}
        </section>
    }
}

/// An order's status and lines.
#[component]
fn OrderDetails(order: Order) -> impl IntoView {
    let priced = &order.priced;
    let (code, words) = status_words(order.status);
    view! {
        <p class=format!("order-status status-{code}") data-testid="order-status" data-status=code role="status">
            {(order.status == OrderStatus::Reserved).then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
            {words}
        </p>
        <dl class="order-lines">
            <dt>"Order number"</dt>
            <dd class="order-id" data-testid="order-id">{order.id.to_string()}</dd>
            <dt>"Deal"</dt>
            <dd data-testid="order-deal">{priced.deal_id.to_string()}</dd>
            <dt>"Quantity"</dt>
            <dd data-testid="order-quantity">{priced.quantity.get()}</dd>
            <dt>"Unit price"</dt>
            <dd data-testid="order-unit-price">{format_plain(priced.unit_price_minor, &priced.currency)}</dd>
            <dt>"Total"</dt>
            <dd class="order-total" data-testid="order-total">{format_plain(priced.total_minor, &priced.currency)}</dd>
        </dl>
    }
}

/// The status's wire name (for `data-status`) and its words for the shopper.
fn status_words(status: OrderStatus) -> (&'static str, &'static str) {
    match status {
        OrderStatus::Reserved => ("reserved", "Reserved — confirming…"),
        OrderStatus::Confirmed => ("confirmed", "Confirmed"),
        OrderStatus::Cancelled => ("cancelled", "Cancelled"),
    }
}
