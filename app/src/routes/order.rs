//! `/orders/:id`: one order, followed from "reserved" until origin confirms it (or it is
//! cancelled). Polls every second while the outcome is open, then stops.

use festival_domain::{OrderId, OrderStatus, RefusalCode};
use leptos::prelude::*;

use crate::api::{self, ApiError, Refused};
use crate::components::cancel::CancelButton;
use crate::components::purchase::RefusalNote;
use crate::i18n::{Lang, Text, date_time, money, tr, use_lang};
use crate::poll::{Next, poll_every};
use crate::shop::use_shop;
use crate::wire::ShopOrder;

/// How often an open order is re-read.
const ORDER_POLL_MS: u32 = 1_000;

/// The order page; `id` is `None` when the address holds no order id of ours.
#[component]
pub fn OrderPage(id: Option<OrderId>) -> impl IntoView {
    let lang = use_lang();
    let order = RwSignal::new(None::<ShopOrder>);
    let refusal = RwSignal::new(None::<Refused>);
    let unreachable = RwSignal::new(false);
    let text = move |text: Text| move || tr(text, lang.get());

    if let Some(id) = id.clone() {
        poll_every(ORDER_POLL_MS, move || {
            let id = id.clone();
            async move {
                match api::fetch_order(&id).await {
                    Ok(fresh) => {
                        refusal.set(None);
                        let settled = fresh.status != OrderStatus::Reserved;
                        if order.try_with_untracked(|o| o.as_ref() != Some(&fresh)) == Some(true) {
                            order.set(Some(fresh));
                        }
                        unreachable.set(false);
                        Next::from(!settled)
                    }
                    // Too many requests: say so, and keep following the order, as late as asked.
                    Err(ApiError::Refused(refused)) => {
                        let next = match refused.code == Some(RefusalCode::RateLimited) {
                            true => Next::Trouble(refused.retry_after_s),
                            false => Next::Stop,
                        };
                        refusal.set(Some(refused));
                        next
                    }
                    Err(ApiError::Unreachable(retry_after_s)) => {
                        unreachable.set(true);
                        Next::Trouble(retry_after_s)
                    }
                }
            }
        });
    }

    view! {
        <section class="panel order-page" aria-labelledby="order-heading">
            <a href="/orders" class="back-link">{move || format!("← {}", tr(Text::MyOrders, lang.get()))}</a>
            <h1 id="order-heading">{text(Text::YourOrder)}</h1>
            {id.is_none().then(|| view! { <p class="order-problem" role="alert">{text(Text::NotAnOrderNumber)}</p> })}
            {move || refusal.get().map(|refused| view! { <RefusalNote refused /> })}
            {move || unreachable.get().then(|| view! { <p class="order-problem" role="alert">{text(Text::Unreachable)}</p> })}
            {move || match order.get() {
                Some(shown) => view! { <OrderDetails order=shown on_change=order /> }.into_any(),
                None if id.is_some() && refusal.with(Option::is_none) => {
                    view! { <p class="order-loading" role="status">{text(Text::LoadingOrder)}</p> }.into_any()
                }
                None => ().into_any(),
            }}
        </section>
    }
}

/// An order's status and lines, with Cancel while it stands.
#[component]
fn OrderDetails(order: ShopOrder, on_change: RwSignal<Option<ShopOrder>>) -> impl IntoView {
    let (shop, lang) = (use_shop(), use_lang());
    let deal_name = shop.deal_name(order.deal_id.clone());
    let status = order.status;
    let code = status.as_str();
    let (currency, unit, total) = (
        order.currency.clone(),
        order.unit_price_minor,
        order.total_minor,
    );
    let price = move |minor: i64| {
        let currency = currency.clone();
        move || money(minor, &currency, lang.get())
    };
    let text = move |text: Text| move || tr(text, lang.get());
    view! {
        <p class=format!("order-status status-{code}") data-testid="order-status" data-status=code role="status">
            {(status == OrderStatus::Reserved).then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
            {move || status_words(status, lang.get())}
        </p>
        <dl class="order-lines">
            <dt>{text(Text::OrderNumber)}</dt>
            <dd class="order-id" data-testid="order-id">{order.id.to_string()}</dd>
            <dt>{text(Text::Deal)}</dt>
            <dd data-testid="order-deal">
                <a href=format!("/deals/{}", order.deal_id)>{deal_name}</a>
            </dd>
            <dt>{text(Text::Quantity)}</dt>
            <dd data-testid="order-quantity">{order.quantity}</dd>
            <dt>{text(Text::UnitPrice)}</dt>
            <dd data-testid="order-unit-price">{price(unit)}</dd>
            <dt>{text(Text::Total)}</dt>
            <dd class="order-total" data-testid="order-total">{price(total)}</dd>
            <dt>{text(Text::OrderedAt)}</dt>
            <dd>{move || date_time(order.priced_at, lang.get(), None)}</dd>
        </dl>
        {(status != OrderStatus::Cancelled).then(|| view! {
            <CancelButton
                id=order.id.clone()
                deal_name
                cancelled=Callback::new(move |fresh| on_change.set(Some(fresh)))
            />
        })}
    }
}

/// The status in words.
pub fn status_words(status: OrderStatus, lang: Lang) -> &'static str {
    let text = match status {
        OrderStatus::Reserved => Text::Reserved,
        OrderStatus::Confirmed => Text::Confirmed,
        OrderStatus::Cancelled => Text::Cancelled,
    };
    tr(text, lang)
}
