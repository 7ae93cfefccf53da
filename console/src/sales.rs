//! The sales: the list of scheduled sales (edit or cancel before they start) and the form that
//! schedules or edits one. Each rule's message shows beside its field before anything is sent.

use std::collections::BTreeSet;

use festival_domain::Deal;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::ConsoleState;
use crate::api::{self, ApiError};
use crate::draft::{Draft, Problems, base36, deal_id_for};
use crate::export::DownloadCsv;
use crate::sale_row::SaleRow;
use crate::time;

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
                <h1 id="sales-heading">"Sales"</h1>
                <DownloadCsv deal=None />
            </div>
            <div class="sales-grid">
                <DealForm editing />
                <div class="panel sale-list">
                    <h2>"Scheduled"</h2>
                    <Show
                        when=move || ids.with(|i| !i.is_empty())
                        fallback=|| view! { <p class="muted">"Nothing scheduled yet."</p> }
                    >
                        <ul>
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
                        </ul>
                    </Show>
                </div>
            </div>
        </section>
    }
}

/// The fields of a sale, as typed.
#[derive(Clone, Copy)]
struct Fields {
    name: RwSignal<String>,
    description: RwSignal<String>,
    image_url: RwSignal<String>,
    price: RwSignal<String>,
    was_price: RwSignal<String>,
    currency: RwSignal<String>,
    stock: RwSignal<String>,
    starts_at: RwSignal<String>,
    ends_at: RwSignal<String>,
    per_customer_limit: RwSignal<String>,
}

impl Fields {
    fn new() -> Self {
        let s = |v: &str| RwSignal::new(v.to_owned());
        Fields {
            name: s(""),
            description: s(""),
            image_url: s(""),
            price: s(""),
            was_price: s(""),
            currency: s("USD"),
            stock: s(""),
            starts_at: s(""),
            ends_at: s(""),
            per_customer_limit: s("1"),
        }
    }

    fn draft(&self) -> Draft {
        Draft {
            name: self.name.get(),
            description: self.description.get(),
            image_url: self.image_url.get(),
            price: self.price.get(),
            was_price: self.was_price.get(),
            currency: self.currency.get(),
            stock: self.stock.get(),
            starts_at: time::from_datetime_local(&self.starts_at.get()),
            ends_at: time::from_datetime_local(&self.ends_at.get()),
            per_customer_limit: self.per_customer_limit.get(),
        }
    }

    fn fill(&self, draft: &Draft) {
        self.name.set(draft.name.clone());
        self.description.set(draft.description.clone());
        self.image_url.set(draft.image_url.clone());
        self.price.set(draft.price.clone());
        self.was_price.set(draft.was_price.clone());
        self.currency.set(draft.currency.clone());
        self.stock.set(draft.stock.clone());
        let local = |at: Option<_>| at.map(time::to_datetime_local).unwrap_or_default();
        self.starts_at.set(local(draft.starts_at));
        self.ends_at.set(local(draft.ends_at));
        self.per_customer_limit
            .set(draft.per_customer_limit.clone());
    }
}

/// Schedules a new sale, or edits the one in `editing`.
#[component]
fn DealForm(editing: RwSignal<Option<Deal>>) -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let fields = Fields::new();
    let touched = RwSignal::new(BTreeSet::<&'static str>::new());
    let submitted = RwSignal::new(false);
    let sending = RwSignal::new(false);
    let server_problems = RwSignal::new(Problems::new());
    let outcome = RwSignal::new(None::<(bool, String)>);

    let reset = move || {
        fields.fill(&Draft {
            currency: "USD".into(),
            per_customer_limit: "1".into(),
            ..Draft::default()
        });
        touched.set(BTreeSet::new());
        submitted.set(false);
        server_problems.set(Problems::new());
    };
    // Editing a sale fills the form with its schedule.
    Effect::new(move |_| {
        if let Some(deal) = editing.get() {
            fields.fill(&Draft::of(&deal));
            touched.set(BTreeSet::new());
            submitted.set(false);
            server_problems.set(Problems::new());
            outcome.set(None);
        }
    });

    // The same rules as origin, re-checked on every keystroke and as the clock moves on.
    let checked = Memo::new(move |_| {
        state.dashboard.track();
        let draft = fields.draft();
        let (id, shards) = editing.with(|e| match e {
            Some(deal) => (deal.id.clone(), deal.shards),
            None => (
                deal_id_for(&draft.name, &base36(js_sys::Date::now() as u64 % 1_679_616)),
                0,
            ),
        });
        draft.to_deal(id, shards, state.now())
    });
    let error_of = move |field: &'static str| {
        Signal::derive(move || {
            if let Some(message) = server_problems.with(|p| p.get(field).cloned()) {
                return Some(message);
            }
            let shown = submitted.get() || touched.with(|t| t.contains(field));
            shown.then(|| checked.with(|c| c.as_ref().err().and_then(|p| p.get(field).cloned())))?
        })
    };
    let touch = move |field: &'static str| {
        touched.update(|t| {
            t.insert(field);
        });
        server_problems.update(|p| {
            p.remove(field);
        });
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        outcome.set(None);
        let Ok(deal) = checked.get_untracked() else {
            return;
        };
        let Some(token) = state.token() else { return };
        let is_edit = editing.with_untracked(Option::is_some);
        sending.set(true);
        spawn_local(async move {
            let answer = if is_edit {
                api::edit(&token, &deal).await
            } else {
                api::schedule(&token, &deal).await
            };
            sending.set(false);
            match answer {
                Ok(saved) => {
                    editing.set(None);
                    reset();
                    let words = if is_edit { "Saved" } else { "Scheduled" };
                    outcome.set(Some((
                        true,
                        format!(
                            "{words} “{}”. It shows on the storefront within seconds.",
                            saved.name
                        ),
                    )));
                    state.refresh_deals().await;
                }
                Err(ApiError::Invalid(problems)) => {
                    let mut by_field = Problems::new();
                    for p in problems {
                        if let Some(field) = FIELD_NAMES.iter().find(|f| **f == p.field) {
                            by_field.entry(*field).or_insert(p.message);
                        }
                    }
                    server_problems.set(by_field);
                    outcome.set(Some((
                        false,
                        "The shop refused this schedule; see the fields.".into(),
                    )));
                }
                Err(e) => {
                    state.note(&e);
                    outcome.set(Some((false, refusal_words(&e))));
                }
            }
        });
    };

    let currency = move || fields.currency.with(|c| c.trim().to_ascii_uppercase());
    let title = move || {
        if editing.with(Option::is_some) {
            "Edit sale"
        } else {
            "Schedule a flash sale"
        }
    };
    let field = move |name: &'static str,
                      label: String,
                      value: RwSignal<String>,
                      kind: &'static str| {
        view! { <Field name label value kind error=error_of(name) on_touch=move || touch(name) /> }
    };

    view! {
        <form class="panel deal-form" id="deal-form" data-testid="deal-form" novalidate on:submit=submit>
            <h2>{title}</h2>
            {field("name", "Product name".into(), fields.name, "text")}
            <div class="field">
                <label for="field-description">"Description"</label>
                <textarea
                    id="field-description"
                    data-testid="field-description"
                    rows="2"
                    bind:value=fields.description
                ></textarea>
            </div>
            {field("image_url", "Image URL".into(), fields.image_url, "url")}
            <div class="row">
                {move || field("price_minor", format!("Sale price ({})", currency()), fields.price, "text")}
                {move || field("was_price_minor", format!("Was price ({})", currency()), fields.was_price, "text")}
            </div>
            <div class="row">
                {field("currency", "Currency".into(), fields.currency, "text")}
                {field("stock", "Stock (units)".into(), fields.stock, "number")}
                {field("per_customer_limit", "Limit per customer".into(), fields.per_customer_limit, "number")}
            </div>
            <div class="row">
                {field("starts_at", "Starts".into(), fields.starts_at, "datetime-local")}
                {field("ends_at", "Ends".into(), fields.ends_at, "datetime-local")}
            </div>
            <p class="small muted">{format!("Times are in your time zone ({}).", time::zone())}</p>
            <div class="form-actions">
                <button type="submit" class="primary" data-testid="schedule-submit" disabled=move || sending.get()>
                    {move || match (sending.get(), editing.with(Option::is_some)) {
                        (true, _) => "Sending…",
                        (false, true) => "Save changes",
                        (false, false) => "Schedule sale",
                    }}
                </button>
                <Show when=move || editing.with(Option::is_some)>
                    <button
                        type="button"
                        on:click=move |_| {
                            editing.set(None);
                            reset();
                        }
                    >
                        "Stop editing"
                    </button>
                </Show>
            </div>
            {move || {
                outcome
                    .get()
                    .map(|(ok, words)| {
                        view! {
                            <p
                                class=if ok { "success" } else { "error" }
                                role=if ok { "status" } else { "alert" }
                                data-testid="schedule-outcome"
                            >
                                {words}
                            </p>
                        }
                    })
            }}
        </form>
    }
}

/// Field names the server may name in its problems.
const FIELD_NAMES: [&str; 10] = [
    "name",
    "description",
    "image_url",
    "price_minor",
    "was_price_minor",
    "currency",
    "stock",
    "per_customer_limit",
    "starts_at",
    "ends_at",
];

/// A labelled input with its message beside it.
#[component]
fn Field(
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

/// A refusal in words for the marketer.
pub(crate) fn refusal_words(error: &ApiError) -> String {
    match error {
        ApiError::Unauthorized => "The token was refused; sign in again.".into(),
        ApiError::Invalid(_) => "The shop refused this schedule.".into(),
        ApiError::Refused(body) => match body.code.as_str() {
            "sale_started" => {
                "This sale has started; it can no longer be changed or cancelled.".into()
            }
            // Origin's words name when the freeze began (or how late a start may move).
            "schedule_frozen" => body.message.clone(),
            "deal_exists" => "A sale with this id exists already; change the product name.".into(),
            "unknown_deal" => "This sale no longer exists.".into(),
            _ => format!("The shop refused: {}", body.message),
        },
        ApiError::Unreachable => "Can't reach the shop right now. Try again.".into(),
    }
}
