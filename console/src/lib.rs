//! Festival's marketer console: a Leptos client-side page at `/console/`, built by Trunk apart
//! from the storefront so shoppers never download it.
//!
//! Map: [`api`] makes every HTTP call; [`sign_in`] is the gate; [`sales`] lists, edits and
//! cancels sales, [`deal_form`] schedules or edits one ([`draft`] turns the form into a `Deal`),
//! and [`live_control`] ends, pauses,
//! resumes and tops up a live one; [`festivals`] schedules the festivals the storefront's hero
//! follows; [`audit`] lists every change; [`dashboard`] is the live big
//! screen with its SVG [`chart`] and, while orders wait as dead letters, [`dead_letters`].
//! Every word goes through [`i18n`]: the console speaks English, Korean and Chinese.
//! Rules come from `festival_domain`, never restated here.

pub mod api;
pub mod audit;
pub mod chart;
pub mod dashboard;
pub mod dead_letters;
pub mod deal_form;
pub mod deal_words;
pub mod delivery;
pub mod draft;
pub mod export;
pub mod festival_form;
pub mod festivals;
pub mod i18n;
pub mod live_control;
pub mod poll;
pub mod sale_row;
pub mod sales;
pub mod session;
pub mod sign_in;
pub mod time;

use festival_domain::dashboard::{DEFAULT_WINDOW_S, Dashboard};
use festival_domain::dead_letter::Summary;
use festival_domain::stock::BacklogReport;
use std::collections::BTreeMap;

use festival_domain::live::LiveControl;
use festival_domain::{Deal, DealId, UnixMillis};
use leptos::prelude::*;

use crate::api::{ApiError, Token};
use crate::i18n::{Lang, t};
use crate::poll::poll_every;

/// How often the dashboard, the dead letters and the list of sales are re-read.
const REFRESH_MS: u32 = 2_000;

/// What the signed-in console shares: the token, the latest readings, and the shop's clock.
#[derive(Debug, Clone, Copy)]
pub struct ConsoleState {
    /// The marketer's token; `None` signs out.
    pub token: RwSignal<Option<Token>>,
    /// Scheduled sales, soonest first.
    pub deals: RwSignal<Vec<Deal>>,
    /// What marketers changed on each sale since it went live.
    pub live: RwSignal<BTreeMap<DealId, LiveControl>>,
    /// The latest dashboard.
    pub dashboard: RwSignal<Option<Dashboard>>,
    /// What waits in the edge's dead-letter store, as last read.
    pub dead_letters: RwSignal<Option<Summary>>,
    /// What waits for origin at the edge, as last read.
    pub backlog: RwSignal<Option<BacklogReport>>,
    /// The dashboard's window, in seconds.
    pub window_s: RwSignal<u32>,
    /// Milliseconds to add to the device clock to read origin's.
    pub offset_ms: RwSignal<f64>,
    /// Set when a refresh failed; cleared by the next good one.
    pub unreachable: RwSignal<bool>,
    /// Set when the server refused the token.
    pub denied: RwSignal<bool>,
    /// The language the console speaks.
    pub lang: RwSignal<Lang>,
}

impl ConsoleState {
    /// The shop's clock now (not reactive: read it when acting or validating).
    pub fn now(&self) -> UnixMillis {
        UnixMillis((js_sys::Date::now() + self.offset_ms.get_untracked()) as i64)
    }

    /// The token, for a call; `None` once signed out.
    pub fn token(&self) -> Option<Token> {
        self.token.get_untracked()
    }

    /// Handles an answer's failure that concerns the whole console: a refused token signs out.
    pub fn note(&self, error: &ApiError) {
        if *error == ApiError::Unauthorized {
            self.sign_out(true);
        }
    }

    /// Forgets the token; `denied` says the server refused it.
    pub fn sign_out(&self, denied: bool) {
        session::clear();
        self.token.set(None);
        self.deals.set(Vec::new());
        self.dashboard.set(None);
        self.dead_letters.set(None);
        self.backlog.set(None);
        self.denied.set(denied);
    }

    /// Re-reads the list of sales.
    pub async fn refresh_deals(self) {
        let Some(token) = self.token() else { return };
        match api::list_deals(&token).await {
            Ok(deals) => self.deals.set(deals),
            Err(e) => self.note(&e),
        }
        match api::live(&token).await {
            Ok(deals) => self
                .live
                .set(deals.into_iter().map(|d| (d.deal.id, d.live)).collect()),
            Err(e) => self.note(&e),
        }
    }

    /// Re-reads the dead letters. A failed read keeps the last count: letters that waited a
    /// moment ago are not taken as gone because one read failed.
    pub async fn refresh_dead_letters(self) {
        let Some(token) = self.token() else { return };
        match api::dead_letters(&token).await {
            Ok(summary) => self.dead_letters.set(Some(summary)),
            Err(e) => self.note(&e),
        }
        match api::backlog(&token).await {
            Ok(report) => self.backlog.set(Some(report)),
            Err(e) => self.note(&e),
        }
    }
}

/// The console: the sign-in gate, then the live dashboard and the sales.
#[component]
pub fn Console() -> impl IntoView {
    let state = ConsoleState {
        token: RwSignal::new(session::load()),
        deals: RwSignal::new(Vec::new()),
        live: RwSignal::new(BTreeMap::new()),
        dashboard: RwSignal::new(None),
        dead_letters: RwSignal::new(None),
        backlog: RwSignal::new(None),
        window_s: RwSignal::new(DEFAULT_WINDOW_S),
        offset_ms: RwSignal::new(0.0),
        unreachable: RwSignal::new(false),
        denied: RwSignal::new(false),
        lang: i18n::choose_from_browser(),
    };
    provide_context(state);
    let signed_in = move || state.token.with(Option::is_some);

    view! {
        <header class="bar">
            <span class="bar-brand">
                <span class="bar-mark" aria-hidden="true">"11.11"</span>
                " "
                {move || t("Festival console")}
            </span>
            <Show when=signed_in>
                <nav class="bar-nav" aria-label=move || t("Console")>
                    <a href="#live">{move || t("Live")}</a>
                    <a href="#sales">{move || t("Sales")}</a>
                    <a href="#festivals">{move || t("Festivals")}</a>
                    <a href="#audit">{move || t("Audit")}</a>
                    <button
                        type="button"
                        class="link-button"
                        data-testid="console-sign-out"
                        on:click=move |_| state.sign_out(false)
                    >
                        {move || t("Sign out")}
                    </button>
                </nav>
            </Show>
            <i18n::LanguageSwitch lang=state.lang />
        </header>
        <main class="console" id="main">
            <Show when=signed_in fallback=sign_in::SignIn>
                <SignedIn />
            </Show>
        </main>
    }
}

/// Everything behind the token; keeps the readings fresh while it is shown.
#[component]
fn SignedIn() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    poll_every(REFRESH_MS, move || async move {
        let Some(token) = state.token() else {
            return false;
        };
        let sent_at = js_sys::Date::now();
        match api::dashboard(&token, state.window_s.get_untracked()).await {
            Ok(dashboard) => {
                let received_at = js_sys::Date::now();
                state
                    .offset_ms
                    .set(festival_domain::catalog::clock_offset_ms(
                        sent_at,
                        received_at,
                        dashboard.now,
                    ));
                state.dashboard.set(Some(dashboard));
                state.unreachable.set(false);
            }
            Err(ApiError::Unauthorized) => {
                state.sign_out(true);
                return false;
            }
            Err(_) => state.unreachable.set(true),
        }
        state.refresh_dead_letters().await;
        state.refresh_deals().await;
        state.token.with_untracked(Option::is_some)
    });

    view! {
        <Show when=move || state.unreachable.get()>
            <p class="notice" role="status">{move || t("Can't reach the shop right now. Retrying…")}</p>
        </Show>
        <dashboard::LiveDashboard />
        <sales::Sales />
        <festivals::Festivals />
        <audit::AuditLog />
    }
}
