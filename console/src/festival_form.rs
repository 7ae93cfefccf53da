//! The form that schedules or edits a festival — name, tagline, dates, time zone, accent colour
//! and the deals in it. The rules are `Festival::problems`, checked here before sending and again
//! by origin against what is stored.

use std::collections::BTreeMap;

use festival_domain::{DealId, Festival};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::ConsoleState;
use crate::api::{self, ApiError};
use crate::i18n::{Said, t, tf, translated};
use crate::sales::{Field, refusal};
use crate::time;

/// The fields of a festival, as typed.
#[derive(Clone, Copy)]
struct Fields {
    id: RwSignal<String>,
    name: RwSignal<String>,
    tagline: RwSignal<String>,
    starts_at: RwSignal<String>,
    ends_at: RwSignal<String>,
    time_zone: RwSignal<String>,
    accent: RwSignal<String>,
    deals: RwSignal<Vec<DealId>>,
}

impl Fields {
    fn fill(&self, festival: Option<&Festival>) {
        let text = |read: fn(&Festival) -> String, empty: &str| {
            festival.map_or_else(|| empty.to_owned(), read)
        };
        self.id.set(text(|f| f.id.clone(), ""));
        self.name.set(text(|f| f.name.clone(), ""));
        self.tagline.set(text(|f| f.tagline.clone(), ""));
        self.starts_at
            .set(text(|f| time::to_datetime_local(f.starts_at), ""));
        self.ends_at
            .set(text(|f| time::to_datetime_local(f.ends_at), ""));
        self.time_zone
            .set(text(|f| f.time_zone.clone(), "Asia/Shanghai"));
        self.accent.set(text(|f| f.accent.clone(), "#b0001d"));
        self.deals
            .set(festival.map(|f| f.deals.clone()).unwrap_or_default());
    }

    /// The festival typed, or the problems of a date that does not parse.
    fn festival(&self) -> Option<Festival> {
        Some(Festival {
            id: self.id.get().trim().to_owned(),
            name: self.name.get().trim().to_owned(),
            tagline: self.tagline.get().trim().to_owned(),
            starts_at: time::from_datetime_local(&self.starts_at.get())?,
            ends_at: time::from_datetime_local(&self.ends_at.get())?,
            time_zone: self.time_zone.get().trim().to_owned(),
            accent: self.accent.get().to_ascii_lowercase(),
            deals: self.deals.get(),
        })
    }
}

/// Schedules a festival, or edits the one in `editing`.
#[component]
pub(crate) fn FestivalForm(
    festivals: RwSignal<Vec<Festival>>,
    editing: RwSignal<Option<Festival>>,
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let fields = Fields {
        id: RwSignal::new(String::new()),
        name: RwSignal::new(String::new()),
        tagline: RwSignal::new(String::new()),
        starts_at: RwSignal::new(String::new()),
        ends_at: RwSignal::new(String::new()),
        time_zone: RwSignal::new("Asia/Shanghai".into()),
        accent: RwSignal::new("#b0001d".into()),
        deals: RwSignal::new(Vec::new()),
    };
    let form = Form {
        fields,
        problems: RwSignal::new(BTreeMap::new()),
        outcome: RwSignal::new(None),
    };
    let (problems, outcome) = (form.problems, form.outcome);
    Effect::new(move |_| {
        fields.fill(editing.get().as_ref());
        problems.set(BTreeMap::new());
    });
    let error_of = move |field: &'static str| form.error_of(field);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        outcome.set(None);
        let Some(festival) = form.checked(festivals, state) else {
            return;
        };
        let Some(token) = state.token() else { return };
        let new = editing.with_untracked(Option::is_none);
        spawn_local(async move {
            let answer = api::save_festival(&token, &festival, new).await;
            form.answered(answer, editing, state, on_saved);
        });
    };
    // Drawn again when the language changes: its label is read in the view.
    let field = move |name: &'static str,
                      label: fn() -> &'static str,
                      value: RwSignal<String>,
                      kind: &'static str| {
        move || view! { <Field name label=label().to_owned() value kind error=error_of(name) on_touch=move || () /> }
    };
    let zone_preview = move || {
        let zone = fields.time_zone.get();
        time::from_datetime_local(&fields.starts_at.get())
            .map(|at| tf("Starts {n}", &[&time::festival_time(at, zone.trim())]))
    };

    view! {
        <form class="panel deal-form" id="festival-form" data-testid="festival-form" novalidate on:submit=submit>
            <h2>{move || if editing.with(Option::is_some) { t("Edit festival") } else { t("Schedule a festival") }}</h2>
            <div class="row">
                {field("name", || t("Name (e.g. 11.11)"), fields.name, "text")}
                <Show when=move || editing.with(Option::is_none)>
                    {field("id", || t("Id (letters, digits, -)"), fields.id, "text")}
                </Show>
            </div>
            {field("tagline", || t("Tagline"), fields.tagline, "text")}
            <div class="row">
                {field("starts_at", || t("Starts (your time)"), fields.starts_at, "datetime-local")}
                {field("ends_at", || t("Ends (your time)"), fields.ends_at, "datetime-local")}
            </div>
            <div class="row">
                {field("time_zone", || t("Time zone (IANA, e.g. Asia/Seoul)"), fields.time_zone, "text")}
                {field("accent", || t("Accent colour"), fields.accent, "color")}
            </div>
            <p class="small muted" data-testid="festival-zone-preview">{zone_preview}</p>
            <FestivalDeals chosen=fields.deals error=error_of("deals") />
            <div class="form-actions">
                <button type="submit" class="primary" data-testid="festival-submit">
                    {move || if editing.with(Option::is_some) { t("Save festival") } else { t("Schedule festival") }}
                </button>
                <Show when=move || editing.with(Option::is_some)>
                    <button type="button" on:click=move |_| editing.set(None)>{move || t("Stop editing")}</button>
                </Show>
            </div>
            {move || outcome.get().map(|(ok, words)| view! {
                <p class=if ok { "success" } else { "error" } role=if ok { "status" } else { "alert" } data-testid="festival-outcome">
                    {move || words.words()}
                </p>
            })}
        </form>
    }
}

/// The form's fields, the problems shown beside them (by field, in English: the domain's words
/// or origin's), and the outcome of the last submission.
#[derive(Clone, Copy)]
struct Form {
    fields: Fields,
    problems: RwSignal<BTreeMap<String, String>>,
    outcome: RwSignal<Option<(bool, Said)>>,
}

impl Form {
    /// The problem `field` shows, in the console's language.
    fn error_of(self, field: &'static str) -> Signal<Option<String>> {
        let problems = self.problems;
        Signal::derive(move || problems.with(|p| p.get(field).map(|words| translated(words))))
    }

    /// The festival typed, if it meets every rule against the other `festivals` and the
    /// scheduled deals; else its problems show.
    fn checked(self, festivals: RwSignal<Vec<Festival>>, state: ConsoleState) -> Option<Festival> {
        let Some(festival) = self.fields.festival() else {
            self.problems.set(BTreeMap::from([(
                "starts_at".into(),
                t("Give both dates.").into(),
            )]));
            return None;
        };
        let deal_ids: Vec<DealId> = state
            .deals
            .with_untracked(|d| d.iter().map(|d| d.id.clone()).collect());
        let found = festivals.with_untracked(|others| festival.problems(others, &deal_ids));
        self.problems.set(
            found
                .iter()
                .map(|p| (p.field.to_owned(), p.message.to_owned()))
                .collect(),
        );
        found.is_empty().then_some(festival)
    }

    /// Origin's answer to a save: done (the form empties and the list reloads), the fields it
    /// refused, or a refusal in words.
    fn answered(
        self,
        answer: Result<Festival, ApiError>,
        editing: RwSignal<Option<Festival>>,
        state: ConsoleState,
        on_saved: impl Fn(),
    ) {
        match answer {
            Ok(saved) => {
                editing.set(None);
                self.fields.fill(None);
                let name = saved.name;
                let said = Said::new(move || {
                    tf(
                        "Saved “{n}”. The storefront follows within seconds.",
                        &[&name],
                    )
                });
                self.outcome.set(Some((true, said)));
                on_saved();
            }
            Err(ApiError::Invalid(found)) => {
                self.problems
                    .set(found.into_iter().map(|p| (p.field, p.message)).collect());
                let said =
                    Said::new(|| t("The shop refused this festival; see the fields.").into());
                self.outcome.set(Some((false, said)));
            }
            Err(e) => {
                state.note(&e);
                self.outcome.set(Some((false, refusal(e))));
            }
        }
    }
}

/// The festival's deals, chosen among the scheduled sales.
#[component]
fn FestivalDeals(chosen: RwSignal<Vec<DealId>>, error: Signal<Option<String>>) -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    view! {
        <fieldset class="field">
            <legend>{move || t("Deals in this festival")}</legend>
            {move || state.deals.get().into_iter().map(|deal| {
                let id = deal.id.clone();
                let checked = {
                    let id = id.clone();
                    move || chosen.with(|d| d.contains(&id))
                };
                let toggle = move |_| chosen.update(|d| {
                    match d.iter().position(|x| *x == id) {
                        Some(at) => { d.remove(at); }
                        None => d.push(id.clone()),
                    }
                });
                view! {
                    <label class="check">
                        <input type="checkbox" prop:checked=checked on:change=toggle />
                        {deal.name}
                    </label>
                }
            }).collect_view()}
            <p class="field-error" aria-live="polite">{move || error.get()}</p>
        </fieldset>
    }
}
