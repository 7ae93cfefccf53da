//! Cancelling an order: the button and what the shopper is told if the shop says no.

use festival_domain::OrderId;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError, Refused};
use crate::components::purchase::RefusalNote;
use crate::i18n::{Text, tr, trf, use_lang};
use crate::wire::ShopOrder;

/// A Cancel button for order `id` (of the deal called `deal_name`); `cancelled` gets the order
/// as the shop answers it. Cancelling twice is harmless: the shop answers the same order.
#[component]
pub fn CancelButton(
    id: OrderId,
    #[prop(into)] deal_name: Signal<String>,
    cancelled: Callback<ShopOrder>,
) -> impl IntoView {
    let lang = use_lang();
    let busy = RwSignal::new(false);
    let refusal = RwSignal::new(None::<Refused>);
    let unreachable = RwSignal::new(false);
    let cancel = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        refusal.set(None);
        unreachable.set(false);
        let id = id.clone();
        spawn_local(async move {
            match api::cancel_order(&id).await {
                Ok(order) => cancelled.run(order),
                Err(ApiError::Refused(refused)) => refusal.set(Some(refused)),
                Err(ApiError::Unreachable(_)) => unreachable.set(true),
            }
            busy.set(false);
        });
    };
    view! {
        <button
            type="button"
            class="cancel-button"
            data-testid="cancel-button"
            aria-label=move || trf(Text::CancelOrderOf, lang.get(), &[&deal_name.get()])
            disabled=move || busy.get()
            on:click=cancel
        >
            {move || tr(if busy.get() { Text::Cancelling } else { Text::Cancel }, lang.get())}
        </button>
        {move || refusal.get().map(|refused| view! { <RefusalNote refused /> })}
        {move || {
            unreachable
                .get()
                .then(|| view! { <p class="buy-trouble" role="alert">{tr(Text::Unreachable, lang.get())}</p> })
        }}
    }
}
