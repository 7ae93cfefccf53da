//! A live sale's controls in its row: pause or resume, add stock, end now — each asked again
//! before it is sent ("End this sale now? …"), and answered only once every shard has it. A
//! top-up carries a key made when the marketer asks for it, so a double click or a retry adds
//! its units once.

use festival_domain::live::{LiveAction, LiveControl, MAX_TOP_UP};
use festival_domain::{Deal, DealId};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::ConsoleState;
use crate::api;
use crate::i18n::{Said, t, tf};
use crate::sales::refusal;
use crate::time;

/// What the confirmation asks, and its two buttons, in the console's language now.
fn question(action: &LiveAction) -> (String, String, &'static str) {
    match action {
        LiveAction::End { .. } => (
            t("End this sale now? Orders are refused from this moment; it cannot be undone.")
                .into(),
            t("Yes, end now").into(),
            t("Keep selling"),
        ),
        LiveAction::Pause => (
            t("Pause this sale? Orders are refused until you resume it.").into(),
            t("Yes, pause").into(),
            t("Keep selling"),
        ),
        LiveAction::Resume => (
            t("Resume this sale? Orders are taken again at once.").into(),
            t("Yes, resume").into(),
            t("Stay paused"),
        ),
        LiveAction::TopUp { units, .. } => {
            let units = units.to_string();
            (
                tf(
                    "Add {n} units to the stock? Shoppers can buy them at once.",
                    &[&units],
                ),
                tf("Yes, add {n}", &[&units]),
                t("Don't add"),
            )
        }
    }
}

/// Where the sale stands, as a badge and words, if a marketer changed it.
fn standing(live: &LiveControl) -> Option<(String, &'static str)> {
    if let Some(at) = live.ended_at {
        return Some((
            tf("Ended early at {n}", &[&time::clock(at)]),
            "badge badge-ended",
        ));
    }
    if live.paused {
        return Some((t("Paused").into(), "badge badge-paused"));
    }
    None
}

/// The live controls of an open sale.
#[component]
pub fn LiveControls(deal: Deal) -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let id: DealId = deal.id.clone();
    let live = {
        let id = id.clone();
        Memo::new(move |_| {
            state
                .live
                .with(|all| all.get(&id).copied().unwrap_or_default())
        })
    };
    let asking = RwSignal::new(None::<LiveAction>);
    let units = RwSignal::new(String::from("10"));
    let problem = RwSignal::new(None::<Said>);
    let sending = RwSignal::new(false);
    let send = Callback::new(move |action: LiveAction| {
        let Some(token) = state.token() else { return };
        let id = id.clone();
        sending.set(true);
        spawn_local(async move {
            match api::act(&token, &id, &action).await {
                Ok(changed) => {
                    state.live.update(|all| {
                        all.insert(changed.deal.id, changed.live);
                    });
                    asking.set(None);
                    problem.set(None);
                }
                Err(e) => {
                    state.note(&e);
                    problem.set(Some(refusal(e)));
                }
            }
            sending.set(false);
        });
    });
    let ended = move || live.get().ended_at.is_some();

    view! {
        <div class="live-controls" data-testid="live-controls">
            {move || standing(&live.get()).map(|(words, class)| view! {
                <span class=class data-testid="live-standing">{words}</span>
            })}
            {move || (live.get().added_units > 0).then(|| view! {
                <span class="small muted">
                    {move || tf("+{n} units added live", &[&live.get().added_units.to_string()])}
                </span>
            })}
            <Show when=move || !ended()>
                {move || match asking.get() {
                    None => view! { <LiveButtons live asking units problem /> }.into_any(),
                    Some(action) => view! { <LiveConfirm action asking sending send /> }.into_any(),
                }}
            </Show>
            {move || problem.get().map(|p| view! { <p class="error small" role="alert">{p.words()}</p> })}
        </div>
    }
}

/// Pause or resume, the units to add and "Add stock" (a key made as it is asked for), and "End
/// now": each only asks, in `asking`.
#[component]
fn LiveButtons(
    live: Memo<LiveControl>,
    asking: RwSignal<Option<LiveAction>>,
    units: RwSignal<String>,
    problem: RwSignal<Option<Said>>,
) -> impl IntoView {
    let ask_top_up = move |_| match units.get_untracked().trim().parse::<u32>() {
        Ok(n) if (1..=MAX_TOP_UP).contains(&n) => {
            let key = format!(
                "console-{}-{}",
                js_sys::Date::now() as u64,
                (js_sys::Math::random() * 1e9) as u64
            );
            problem.set(None);
            asking.set(Some(LiveAction::TopUp { units: n, key }));
        }
        _ => problem.set(Some(Said::new(|| {
            t("Add between 1 and 1,000,000 units.").into()
        }))),
    };
    view! {
        <div class="live-buttons">
            {move || if live.get().paused {
                view! { <button type="button" data-testid="resume-button" on:click=move |_| asking.set(Some(LiveAction::Resume))>{move || t("Resume")}</button> }.into_any()
            } else {
                view! { <button type="button" data-testid="pause-button" on:click=move |_| asking.set(Some(LiveAction::Pause))>{move || t("Pause")}</button> }.into_any()
            }}
            <label class="top-up">
                <span class="visually-hidden">{move || t("Units to add")}</span>
                <input type="number" min="1" max="1000000" inputmode="numeric" data-testid="top-up-units"
                    prop:value=move || units.get()
                    on:input=move |e| units.set(event_target_value(&e)) />
            </label>
            <button type="button" data-testid="top-up-button" on:click=ask_top_up>{move || t("Add stock")}</button>
            <button type="button" class="danger-outline" data-testid="end-now-button"
                on:click=move |_| asking.set(Some(LiveAction::End { at: None }))>
                {move || t("End now")}
            </button>
        </div>
    }
}

/// The question `action` asks, with "yes" (sends it) and "no" (asks nothing).
#[component]
fn LiveConfirm(
    action: LiveAction,
    asking: RwSignal<Option<LiveAction>>,
    sending: RwSignal<bool>,
    send: Callback<LiveAction>,
) -> impl IntoView {
    let danger = matches!(action, LiveAction::End { .. } | LiveAction::Pause);
    let asked = action.clone();
    let words = Memo::new(move |_| question(&asked));
    view! {
        <div class="live-confirm" role="group" aria-label=move || t("Confirm")>
            <span class="small">{move || words.get().0}</span>
            <button type="button" class:danger=danger data-testid="confirm-live-button"
                disabled=move || sending.get()
                on:click=move |_| send.run(action.clone())>
                {move || words.get().1}
            </button>
            <button type="button" on:click=move |_| asking.set(None)>{move || words.get().2}</button>
        </div>
    }
}
