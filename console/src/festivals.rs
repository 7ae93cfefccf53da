//! Festivals: the list (times in each festival's zone, the marketer's own beside them) beside
//! the form that schedules or edits one (`festival_form`).

use festival_domain::Festival;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::ConsoleState;
use crate::api;
use crate::festival_form::FestivalForm;
use crate::i18n::{Said, t, tf};
use crate::sales::{ScheduledList, refusal};
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
