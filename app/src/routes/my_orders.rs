//! `/orders`: this session's orders, newest first, each with Cancel while it stands. Re-read every
//! few seconds so "reserved" turns "confirmed" in place.

use festival_domain::OrderStatus;
use leptos::prelude::*;

use crate::api::{self, ApiError, Refused};
use crate::components::cancel::CancelButton;
use crate::components::purchase::RefusalNote;
use crate::i18n::{Text, date_time, money, tr, use_lang};
use crate::poll::{Next, poll_every};
use crate::routes::order::status_words;
use crate::shop::use_shop;
use crate::wire::ShopOrder;

/// How often the list is re-read.
const LIST_POLL_MS: u32 = 3_000;

/// The "my orders" page.
#[component]
pub fn MyOrdersPage() -> impl IntoView {
    let lang = use_lang();
    let orders = RwSignal::new(None::<Vec<ShopOrder>>);
    let refusal = RwSignal::new(None::<Refused>);
    let unreachable = RwSignal::new(false);
    poll_every(LIST_POLL_MS, move || async move {
        match api::fetch_my_orders().await {
            Ok(fresh) => {
                if orders.try_with_untracked(|o| o.as_ref() != Some(&fresh)) == Some(true) {
                    orders.set(Some(fresh));
                }
                unreachable.set(false);
                refusal.set(None);
                Next::Again
            }
            Err(error) => {
                let next = Next::Trouble(error.retry_after_s());
                match error {
                    ApiError::Refused(refused) => refusal.set(Some(refused)),
                    ApiError::Unreachable(_) => unreachable.set(true),
                }
                next
            }
        }
    });
    // A cancel answer replaces its row at once, without waiting for the next reading.
    let replace = Callback::new(move |fresh: ShopOrder| {
        orders.update(|list| {
            if let Some(order) = list.iter_mut().flatten().find(|o| o.id == fresh.id) {
                *order = fresh;
            }
        });
    });
    let status = move || {
        let text = match orders.with(|o| o.as_ref().map(Vec::is_empty)) {
            None if unreachable.get() => Text::Unreachable,
            None if refusal.with(Option::is_some) => return None,
            None => Text::LoadingOrders,
            Some(true) => Text::NoOrders,
            Some(false) => return None,
        };
        Some(view! { <p class="deals-status" role="status">{tr(text, lang.get())}</p> })
    };
    let rows = move || orders.get().unwrap_or_default();

    view! {
        <section class="panel my-orders-page" aria-labelledby="my-orders-heading">
            <h1 id="my-orders-heading">{move || tr(Text::MyOrders, lang.get())}</h1>
            {move || refusal.get().map(|refused| view! { <RefusalNote refused /> })}
            {status}
            <ul class="my-orders">
                <For
                    each=rows
                    // A status change rebuilds the row: its Cancel button comes or goes with it.
                    key=|o: &ShopOrder| (o.id.clone(), o.status.as_str())
                    children=move |order| view! { <MyOrderRow order replace /> }
                />
            </ul>
        </section>
    }
}

/// One order in the list.
#[component]
fn MyOrderRow(order: ShopOrder, replace: Callback<ShopOrder>) -> impl IntoView {
    let (shop, lang) = (use_shop(), use_lang());
    let deal_name = shop.deal_name(order.deal_id.clone());
    let code = order.status.as_str();
    let status = order.status;
    let summary = {
        let order = order.clone();
        move || {
            let lang = lang.get();
            format!(
                "{} × {} = {}",
                order.quantity,
                money(order.unit_price_minor, &order.currency, lang),
                money(order.total_minor, &order.currency, lang),
            )
        }
    };
    view! {
        <li class="my-order" data-testid="my-order" data-order-id=order.id.to_string()>
            <div class="my-order-head">
                <a class="my-order-name" href=format!("/orders/{}", order.id)>{deal_name}</a>
                <span class=format!("order-chip status-{code}") data-testid="my-order-status" data-status=code>
                    {move || status_words(status, lang.get())}
                </span>
            </div>
            <p class="my-order-summary">{summary}</p>
            <p class="my-order-when">{move || date_time(order.priced_at, lang.get(), None)}</p>
            {(status != OrderStatus::Cancelled).then(|| view! {
                <div class="my-order-actions">
                    <CancelButton id=order.id.clone() deal_name cancelled=replace />
                </div>
            })}
        </li>
    }
}
