//! Festivals: the list (times in each festival's zone, the marketer's own beside them) and the
//! form that schedules or edits one — name, tagline, dates, time zone, accent colour and the
//! deals in it. The rules are `Festival::problems`, checked here before sending and again by
//! origin against what is stored.

use std::collections::BTreeMap;

use festival_domain::{DealId, Festival};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::ConsoleState;
use crate::api::{self, ApiError};
use crate::i18n::{Said, t, tf, translated};
use crate::sales::{Field, ScheduledList, refusal};
use crate::time;

/// The festivals section: the form, then the list.
#[component]
pub fn Festivals() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let festivals = RwSignal::new(Vec::<Festival>::new());
    let editing = RwSignal::new(None::<Festival>);
    let reload = move || {
        spawn_local(async move {
            let Some(token) = state.token() else { return };
            match api::list_festivals(&token).await {
                Ok(list) => festivals.set(list),
                Err(e) => state.note(&e),
            }
        })
    };
    reload();
    view! {
        <section id="festivals" class="sales" aria-labelledby="festivals-heading">
            <div class="section-head">
                <h1 id="festivals-heading">{move || t("Festivals")}</h1>
            </div>
            <div class="sales-grid">
                <FestivalForm festivals editing on_saved=reload />
                <ScheduledList
                    heading=move || t("Scheduled festivals")
                    empty=move || t("No festival scheduled: the shop shows no hero name.")
                    listed=move || festivals.with(|f| !f.is_empty())
                >
                    {move || festivals.get().into_iter().map(|festival| view! {
                        <FestivalRow festival editing on_deleted=reload />
                    }).collect_view()}
                </ScheduledList>
            </div>
        </section>
    }
}

/// One festival in the list, with edit and delete (after a confirmation).
#[component]
fn FestivalRow(
    festival: Festival,
    editing: RwSignal<Option<Festival>>,
    on_deleted: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let confirming = RwSignal::new(false);
    let problem = RwSignal::new(None::<Said>);
    let running = festival.is_on(state.now());
    let id = festival.id.clone();
    let delete = move |_| {
        let id = id.clone();
        let Some(token) = state.token() else { return };
        spawn_local(async move {
            match api::delete_festival(&token, &id).await {
                Ok(()) => on_deleted(),
                Err(e) => {
                    state.note(&e);
                    problem.set(Some(refusal(e)));
                }
            }
            confirming.set(false);
        });
    };
    let edit = {
        let festival = festival.clone();
        move |_| editing.set(Some(festival.clone()))
    };
    let when = {
        let (starts_at, ends_at, zone) = (
            festival.starts_at,
            festival.ends_at,
            festival.time_zone.clone(),
        );
        // Read in the console's language: `Intl` names the months in it.
        move || {
            format!(
                "{} → {}",
                time::festival_time(starts_at, &zone),
                time::festival_time(ends_at, &zone)
            )
        }
    };
    let zone_and_deals = {
        let (zone, deals) = (festival.time_zone.clone(), festival.deals.len().to_string());
        move || format!("{zone} · {}", tf("{n} deal(s)", &[&deals]))
    };
    view! {
        <li class="sale" data-testid="console-festival" data-festival-id=festival.id.clone()>
            <div class="sale-main">
                <div class="sale-title">
                    <span class="swatch" style=format!("background:{}", festival.accent) aria-hidden="true"></span>
                    <strong>{festival.name.clone()}</strong>
                    {running.then(|| view! { <span class="badge badge-open">{move || t("Running")}</span> })}
                </div>
                <p class="small">{festival.tagline.clone()}</p>
                <p class="small muted">{when}</p>
                <p class="small muted">{zone_and_deals}</p>
                {move || problem.get().map(|p| view! { <p class="error" role="alert">{p.words()}</p> })}
            </div>
            <div class="sale-actions">
                <button type="button" on:click=edit>{move || t("Edit")}</button>
                <Show
                    when=move || confirming.get()
                    fallback=move || view! {
                        <button type="button" on:click=move |_| confirming.set(true)>{move || t("Delete")}</button>
                    }
                >
                    <button type="button" class="danger" data-testid="festival-delete-confirm" on:click=delete.clone()>
                        {move || t("Delete for good")}
                    </button>
                    <button type="button" on:click=move |_| confirming.set(false)>{move || t("Keep")}</button>
                </Show>
            </div>
        </li>
    }
}

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
fn FestivalForm(
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
    let problems = RwSignal::new(BTreeMap::<String, String>::new());
    let outcome = RwSignal::new(None::<(bool, Said)>);
    Effect::new(move |_| {
        fields.fill(editing.get().as_ref());
        problems.set(BTreeMap::new());
    });
    // The rules' words are English (the domain's, or origin's): shown in the console's language.
    let error_of = move |field: &'static str| {
        Signal::derive(move || problems.with(|p| p.get(field).map(|words| translated(words))))
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        outcome.set(None);
        let Some(festival) = fields.festival() else {
            problems.set(BTreeMap::from([(
                "starts_at".into(),
                t("Give both dates.").into(),
            )]));
            return;
        };
        let deal_ids: Vec<DealId> = state
            .deals
            .with_untracked(|d| d.iter().map(|d| d.id.clone()).collect());
        let found = festivals.with_untracked(|others| festival.problems(others, &deal_ids));
        problems.set(
            found
                .iter()
                .map(|p| (p.field.to_owned(), p.message.to_owned()))
                .collect(),
        );
        if !found.is_empty() {
            return;
        }
        let Some(token) = state.token() else { return };
        let new = editing.with_untracked(Option::is_none);
        spawn_local(async move {
            match api::save_festival(&token, &festival, new).await {
                Ok(saved) => {
                    editing.set(None);
                    fields.fill(None);
                    let name = saved.name;
                    outcome.set(Some((
                        true,
                        Said::new(move || {
                            tf(
                                "Saved “{n}”. The storefront follows within seconds.",
                                &[&name],
                            )
                        }),
                    )));
                    on_saved();
                }
                Err(ApiError::Invalid(found)) => {
                    problems.set(found.into_iter().map(|p| (p.field, p.message)).collect());
                    outcome.set(Some((
                        false,
                        Said::new(|| t("The shop refused this festival; see the fields.").into()),
                    )));
                }
                Err(e) => {
                    state.note(&e);
                    outcome.set(Some((false, refusal(e))));
                }
            }
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
            <fieldset class="field">
                <legend>{move || t("Deals in this festival")}</legend>
                {move || state.deals.get().into_iter().map(|deal| {
                    let id = deal.id.clone();
                    let checked = {
                        let id = id.clone();
                        move || fields.deals.with(|d| d.contains(&id))
                    };
                    let toggle = move |_| fields.deals.update(|d| {
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
                <p class="field-error" aria-live="polite">{move || error_of("deals").get()}</p>
            </fieldset>
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
