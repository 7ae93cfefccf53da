//! One scheduled sale in the console's list: what it is and when, its orders as CSV, and —
//! while it has not started — edit and cancel (with a confirmation); while it is on sale, its
//! live controls.

use festival_domain::money::format_plain;
use festival_domain::{Deal, DealId, SaleState};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::ConsoleState;
use crate::api;
use crate::export::DownloadCsv;
use crate::i18n::{Said, t, tf};
use crate::live_control::LiveControls;
use crate::sales::refusal;
use crate::time;

/// One scheduled sale, with edit and cancel while it has not started.
#[component]
pub fn SaleRow(deal: Deal, editing: RwSignal<Option<Deal>>) -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let confirming = RwSignal::new(false);
    let problem = RwSignal::new(None::<Said>);
    let upcoming = deal.state_at(state.now()) == SaleState::Upcoming;
    let open = deal.state_at(state.now()) == SaleState::Open;
    let stands: (fn() -> &'static str, &str) = match deal.state_at(state.now()) {
        SaleState::Upcoming => (|| t("Upcoming"), "badge badge-soon"),
        SaleState::Open => (|| t("On sale"), "badge badge-open"),
        SaleState::Ended => (|| t("Ended"), "badge"),
    };
    let cancel = cancel_sale(state, deal.id.clone(), editing, confirming, problem);
    let edit = {
        let deal = deal.clone();
        Callback::new(move |()| {
            editing.set(Some(deal.clone()));
            if let Some(form) = document().get_element_by_id("deal-form") {
                form.scroll_into_view();
            }
        })
    };
    let is_edited = {
        let id = deal.id.clone();
        move || editing.with(|e| e.as_ref().is_some_and(|e| e.id == id))
    };

    view! {
        <li class="sale" class:sale-edited=is_edited data-testid="console-deal" data-deal-id=deal.id.to_string()>
            <div class="sale-main">
                <div class="sale-title">
                    <strong>{deal.name.clone()}</strong>
                    <span class=stands.1>{stands.0}</span>
                </div>
                <p class="small">
                    <span class="price">{format_plain(deal.price_minor, &deal.currency)}</span>
                    " "
                    <s class="muted">{format_plain(deal.was_price_minor, &deal.currency)}</s>
                    {
                        let (stock, limit) = (deal.stock.to_string(), deal.per_customer_limit.to_string());
                        move || tf(" · stock {n} · limit {m} per customer", &[&stock, &limit])
                    }
                </p>
                <p class="small muted">
                    {format!("{} → {}", time::date_time(deal.starts_at), time::date_time(deal.ends_at))}
                </p>
                {open.then(|| view! { <LiveControls deal=deal.clone() /> })}
            </div>
            <div class="sale-actions">
                <DownloadCsv deal=Some(deal.id.clone()) />
                <Show when=move || upcoming>
                    <EditOrCancel confirming edit cancel />
                </Show>
            </div>
            {move || problem.get().map(|p| view! { <p class="error small" role="alert">{p.words()}</p> })}
        </li>
    }
}

/// Cancels the sale `id` at origin: the list is read again (and the form stops editing it), or
/// the refusal shows in `problem` and the confirmation closes.
fn cancel_sale(
    state: ConsoleState,
    id: DealId,
    editing: RwSignal<Option<Deal>>,
    confirming: RwSignal<bool>,
    problem: RwSignal<Option<Said>>,
) -> Callback<()> {
    Callback::new(move |()| {
        let id = id.clone();
        let Some(token) = state.token() else { return };
        spawn_local(async move {
            match api::cancel(&token, &id).await {
                Ok(()) => {
                    if editing.with_untracked(|e| e.as_ref().is_some_and(|e| e.id == id)) {
                        editing.set(None);
                    }
                    state.refresh_deals().await;
                }
                Err(e) => {
                    state.note(&e);
                    confirming.set(false);
                    problem.set(Some(refusal(e)));
                }
            }
        });
    })
}

/// Edit and "Cancel sale"; after the latter, the confirmation: cancel, or keep it.
#[component]
fn EditOrCancel(
    confirming: RwSignal<bool>,
    edit: Callback<()>,
    cancel: Callback<()>,
) -> impl IntoView {
    view! {
        <Show
            when=move || confirming.get()
            fallback=move || {
                view! {
                    <button type="button" data-testid="edit-button" on:click=move |_| edit.run(())>
                        {move || t("Edit")}
                    </button>
                    <button
                        type="button"
                        class="danger-outline"
                        data-testid="cancel-sale-button"
                        on:click=move |_| confirming.set(true)
                    >
                        {move || t("Cancel sale")}
                    </button>
                }
            }
        >
            <span class="small">{move || t("Take it off the storefront?")}</span>
            <button
                type="button"
                class="danger"
                data-testid="confirm-cancel-button"
                on:click=move |_| cancel.run(())
            >
                {move || t("Yes, cancel sale")}
            </button>
            <button type="button" on:click=move |_| confirming.set(false)>
                {move || t("Keep it")}
            </button>
        </Show>
    }
}
