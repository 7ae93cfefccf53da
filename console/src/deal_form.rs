//! The form that schedules a sale or edits one. Each rule's message shows beside its field
//! before anything is sent: the same rules as origin, re-checked on every keystroke.

use std::collections::BTreeSet;

use festival_domain::Deal;
use festival_domain::deal::Translations;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::ConsoleState;
use crate::api::{self, ApiError};
use crate::deal_words::OtherLanguages;
use crate::draft::{Draft, Problems, base36, deal_id_for};
use crate::i18n::{t, tf, translated};
use crate::sales::{Field, refusal_words};
use crate::time;

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
    translations: RwSignal<Translations>,
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
            translations: RwSignal::new(Translations::new()),
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
            translations: self.translations.get(),
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
        self.translations.set(draft.translations.clone());
    }
}

/// What the form holds besides its fields: which fields were left (their messages show), whether
/// it was submitted (all show), whether it is sending, origin's problems by field, and the
/// outcome in words (`true`: done).
#[derive(Clone, Copy)]
struct FormState {
    fields: Fields,
    touched: RwSignal<BTreeSet<&'static str>>,
    submitted: RwSignal<bool>,
    sending: RwSignal<bool>,
    server_problems: RwSignal<Problems>,
    outcome: RwSignal<Option<(bool, String)>>,
}

impl FormState {
    fn new() -> Self {
        FormState {
            fields: Fields::new(),
            touched: RwSignal::new(BTreeSet::new()),
            submitted: RwSignal::new(false),
            sending: RwSignal::new(false),
            server_problems: RwSignal::new(Problems::new()),
            outcome: RwSignal::new(None),
        }
    }

    /// `draft` in the fields, no field touched, nothing submitted, no problem from origin.
    fn fill(&self, draft: &Draft) {
        self.fields.fill(draft);
        self.touched.set(BTreeSet::new());
        self.submitted.set(false);
        self.server_problems.set(Problems::new());
    }

    /// An empty form.
    fn reset(&self) {
        self.fill(&Draft {
            currency: "USD".into(),
            per_customer_limit: "1".into(),
            ..Draft::default()
        });
    }

    /// The message `field` shows: origin's, else the rule's once the field was left or the
    /// form submitted.
    fn error_of(
        &self,
        field: &'static str,
        checked: Memo<Result<Deal, Problems>>,
    ) -> Signal<Option<String>> {
        let form = *self;
        Signal::derive(move || {
            if let Some(message) = form.server_problems.with(|p| p.get(field).cloned()) {
                return Some(message);
            }
            let shown = form.submitted.get() || form.touched.with(|t| t.contains(field));
            shown.then(|| checked.with(|c| c.as_ref().err().and_then(|p| p.get(field).cloned())))?
        })
    }

    /// `field` was left: its message shows, and origin's problem with it is forgotten.
    fn touch(&self, field: &'static str) {
        self.touched.update(|t| {
            t.insert(field);
        });
        self.server_problems.update(|p| {
            p.remove(field);
        });
    }

    /// Sends the checked deal, once it meets every rule and the marketer is signed in: a new
    /// schedule, or the edit of the sale in `editing`.
    fn submit(
        self,
        checked: Memo<Result<Deal, Problems>>,
        editing: RwSignal<Option<Deal>>,
        state: ConsoleState,
    ) {
        self.submitted.set(true);
        self.outcome.set(None);
        let Ok(deal) = checked.get_untracked() else {
            return;
        };
        let Some(token) = state.token() else { return };
        let is_edit = editing.with_untracked(Option::is_some);
        self.sending.set(true);
        spawn_local(async move {
            let answer = if is_edit {
                api::edit(&token, &deal).await
            } else {
                api::schedule(&token, &deal).await
            };
            self.sending.set(false);
            self.answered(answer, is_edit, editing, state).await;
        });
    }

    /// Origin's answer to a schedule (or, `is_edit`, an edit): done, the fields it refused, or
    /// a refusal in words.
    async fn answered(
        self,
        answer: Result<Deal, ApiError>,
        is_edit: bool,
        editing: RwSignal<Option<Deal>>,
        state: ConsoleState,
    ) {
        match answer {
            Ok(saved) => {
                editing.set(None);
                self.reset();
                let words = if is_edit {
                    tf(
                        "Saved “{n}”. It shows on the storefront within seconds.",
                        &[&saved.name],
                    )
                } else {
                    tf(
                        "Scheduled “{n}”. It shows on the storefront within seconds.",
                        &[&saved.name],
                    )
                };
                self.outcome.set(Some((true, words)));
                state.refresh_deals().await;
            }
            Err(ApiError::Invalid(problems)) => {
                let mut by_field = Problems::new();
                for p in problems {
                    if let Some(field) = FIELD_NAMES.iter().find(|f| **f == p.field) {
                        by_field.entry(*field).or_insert(translated(&p.message));
                    }
                }
                self.server_problems.set(by_field);
                self.outcome.set(Some((
                    false,
                    t("The shop refused this schedule; see the fields.").into(),
                )));
            }
            Err(e) => {
                state.note(&e);
                self.outcome.set(Some((false, refusal_words(&e))));
            }
        }
    }
}

/// The deal the fields describe, under the edited deal's id (or a new one from the name), by
/// the same rules as origin, re-checked on every keystroke and as the clock moves on.
fn checked_deal(
    state: ConsoleState,
    fields: Fields,
    editing: RwSignal<Option<Deal>>,
) -> Memo<Result<Deal, Problems>> {
    Memo::new(move |_| {
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
    })
}

/// Schedules a new sale, or edits the one in `editing`.
#[component]
pub(crate) fn DealForm(editing: RwSignal<Option<Deal>>) -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let form = FormState::new();
    let fields = form.fields;
    // Editing a sale fills the form with its schedule.
    Effect::new(move |_| {
        if let Some(deal) = editing.get() {
            form.fill(&Draft::of(&deal));
            form.outcome.set(None);
        }
    });
    let checked = checked_deal(state, fields, editing);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.submit(checked, editing, state);
    };

    let currency = move || fields.currency.with(|c| c.trim().to_ascii_uppercase());
    let title = move || {
        if editing.with(Option::is_some) {
            t("Edit sale")
        } else {
            t("Schedule a flash sale")
        }
    };
    let field = move |name: &'static str,
                      label: String,
                      value: RwSignal<String>,
                      kind: &'static str| {
        view! { <Field name label value kind error=form.error_of(name, checked) on_touch=move || form.touch(name) /> }
    };

    view! {
        <form class="panel deal-form" id="deal-form" data-testid="deal-form" novalidate on:submit=submit>
            <h2>{title}</h2>
            {move || field("name", t("Product name").into(), fields.name, "text")}
            <div class="field">
                <label for="field-description">{move || t("Description")}</label>
                <textarea
                    id="field-description"
                    data-testid="field-description"
                    rows="2"
                    bind:value=fields.description
                ></textarea>
            </div>
            {move || field("image_url", t("Image URL").into(), fields.image_url, "url")}
            <div class="row">
                {move || field("price_minor", tf("Sale price ({n})", &[&currency()]), fields.price, "text")}
                {move || field("was_price_minor", tf("Was price ({n})", &[&currency()]), fields.was_price, "text")}
            </div>
            <div class="row">
                {move || field("currency", t("Currency").into(), fields.currency, "text")}
                {move || field("stock", t("Stock (units)").into(), fields.stock, "number")}
                {move || field("per_customer_limit", t("Limit per customer").into(), fields.per_customer_limit, "number")}
            </div>
            <div class="row">
                {move || field("starts_at", t("Starts").into(), fields.starts_at, "datetime-local")}
                {move || field("ends_at", t("Ends").into(), fields.ends_at, "datetime-local")}
            </div>
            <p class="small muted">{move || tf("Times are in your time zone ({n}).", &[&time::zone()])}</p>
            <OtherLanguages words=fields.translations error=form.error_of("translations", checked) />
            <FormActions form editing />
            <ScheduleOutcome outcome=form.outcome />
        </form>
    }
}

/// The submit button (its words follow what it does) and, while editing, "Stop editing".
#[component]
fn FormActions(form: FormState, editing: RwSignal<Option<Deal>>) -> impl IntoView {
    let sending = form.sending;
    view! {
        <div class="form-actions">
            <button type="submit" class="primary" data-testid="schedule-submit" disabled=move || sending.get()>
                {move || match (sending.get(), editing.with(Option::is_some)) {
                    (true, _) => t("Sending…"),
                    (false, true) => t("Save changes"),
                    (false, false) => t("Schedule sale"),
                }}
            </button>
            <Show when=move || editing.with(Option::is_some)>
                <button
                    type="button"
                    on:click=move |_| {
                        editing.set(None);
                        form.reset();
                    }
                >
                    {move || t("Stop editing")}
                </button>
            </Show>
        </div>
    }
}

/// What came of the last submission, in words: a status when done, an alert when refused.
#[component]
fn ScheduleOutcome(outcome: RwSignal<Option<(bool, String)>>) -> impl IntoView {
    move || {
        outcome.get().map(|(ok, words)| {
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
    }
}

/// Field names the server may name in its problems.
const FIELD_NAMES: [&str; 11] = [
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
    "translations",
];
