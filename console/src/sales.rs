//! The sales: the list of scheduled sales (edit or cancel before they start) beside the form
//! that schedules or edits one (`deal_form`), and the pieces every console form shares: a
//! labelled field with its message, and a refusal in words.

use festival_domain::Deal;
use leptos::prelude::*;

use crate::ConsoleState;
use crate::api::ApiError;
use crate::deal_form::DealForm;
use crate::export::DownloadCsv;
use crate::i18n::{Said, t, tf, translated};
use crate::sale_row::SaleRow;

/// The sales section: the form, then the list.
#[component]
pub fn Sales() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let editing = RwSignal::new(None::<Deal>);
    let ids = Memo::new(move |_| {
        state
            .deals
            .with(|d| d.iter().map(|d| d.id.clone()).collect::<Vec<_>>())
    });
    view! {
        <section id="sales" class="sales" aria-labelledby="sales-heading">
            <div class="section-head">
                <h1 id="sales-heading">{move || t("Sales")}</h1>
                <DownloadCsv deal=None />
            </div>
            <div class="sales-grid">
                <DealForm editing />
                <ScheduledList
                    heading=move || t("Scheduled")
                    empty=move || t("Nothing scheduled yet.")
                    listed=move || ids.with(|i| !i.is_empty())
                >
                    <For
                        each=move || ids.get()
                        key=|id| id.clone()
                        children=move |id| {
                            let deal = Memo::new(move |_| {
                                state.deals.with(|d| d.iter().find(|d| d.id == id).cloned())
                            });
                            move || deal.get().map(|deal| view! { <SaleRow deal editing /> })
                        }
                    />
                </ScheduledList>
            </div>
        </section>
    }
}

/// A section's list of what is scheduled: its heading, then the rows (`children`) while
/// `listed`, else the `empty` words.
#[component]
pub(crate) fn ScheduledList(
    heading: impl Fn() -> &'static str + Send + Sync + Copy + 'static,
    empty: impl Fn() -> &'static str + Send + Sync + Copy + 'static,
    listed: impl Fn() -> bool + Send + Sync + 'static,
    children: ChildrenFn,
) -> impl IntoView {
    view! {
        <div class="panel sale-list">
            <h2>{heading}</h2>
            <Show when=listed fallback=move || view! { <p class="muted">{empty}</p> }>
                <ul>{children()}</ul>
            </Show>
        </div>
    }
}

/// A labelled input with its message beside it.
#[component]
pub(crate) fn Field(
    name: &'static str,
    label: String,
    value: RwSignal<String>,
    kind: &'static str,
    error: Signal<Option<String>>,
    on_touch: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("field-error-{name}");
    let inputmode = match name {
        "price_minor" | "was_price_minor" => Some("decimal"),
        _ => None,
    };
    view! {
        <div class="field" class:field-invalid=move || error.with(Option::is_some)>
            <label for=id.clone()>{label}</label>
            <input
                id=id.clone()
                name=name
                type=kind
                inputmode=inputmode
                min=(kind == "number").then_some("1")
                data-testid=id
                aria-invalid=move || error.with(Option::is_some).to_string()
                aria-describedby=error_id.clone()
                bind:value=value
                on:change=move |_| on_touch()
                on:blur=move |_| on_touch()
            />
            <p class="field-error" id=error_id.clone() data-testid=error_id aria-live="polite">
                {move || error.get()}
            </p>
        </div>
    }
}

/// A refusal in words for the marketer, in the console's language now.
pub(crate) fn refusal_words(error: &ApiError) -> String {
    let words = match error {
        ApiError::Unauthorized => t("The token was refused; sign in again."),
        ApiError::Invalid(_) => t("The shop refused this schedule."),
        ApiError::Refused(body) => match body.code.as_str() {
            "sale_started" => t("This sale has started; it can no longer be changed or cancelled."),
            // Origin's words name when the freeze began (or how late a start may move).
            "schedule_frozen" => return translated(&body.message),
            "deal_exists" => t("A sale with this id exists already; change the product name."),
            "unknown_deal" => t("This sale no longer exists."),
            _ => return tf("The shop refused: {n}", &[&translated(&body.message)]),
        },
        ApiError::Unreachable => t("Can't reach the shop right now. Try again."),
    };
    words.to_owned()
}

/// A refusal kept to show, in whatever language is chosen when it shows.
pub(crate) fn refusal(error: ApiError) -> Said {
    Said::new(move || refusal_words(&error))
}
