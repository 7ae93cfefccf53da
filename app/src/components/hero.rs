//! The festival's banner: its name and where it stands, counting down to the first deal's start
//! in server time and switching to "On sale now" without a reload.

use festival_domain::{CatalogDeal, UnixMillis};
use leptos::prelude::*;

use crate::clock::{ServerClock, format_countdown};
use crate::i18n::{Text, tr, use_lang};

/// Where the festival as a whole stands: it opens with its earliest deal and closes with its
/// latest one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FestivalPhase {
    /// No catalog yet.
    Loading,
    /// The catalog has no deals.
    NoDeals,
    /// Before the first deal opens at `starts_at`.
    Upcoming {
        /// The earliest deal start.
        starts_at: UnixMillis,
    },
    /// At least one deal has opened and not every deal has ended.
    OnSale,
    /// Every deal has ended.
    Over,
}

impl FestivalPhase {
    /// The phase of the catalog's `deals` at server time `now`.
    pub fn of(deals: Option<&[CatalogDeal]>, now: UnixMillis) -> Self {
        let Some(deals) = deals else {
            return FestivalPhase::Loading;
        };
        let starts = deals.iter().map(|d| d.deal.starts_at).min();
        let ends = deals.iter().map(|d| d.deal.ends_at).max();
        match (starts, ends) {
            (Some(starts_at), _) if now < starts_at => FestivalPhase::Upcoming { starts_at },
            (Some(_), Some(ends_at)) if now >= ends_at => FestivalPhase::Over,
            (Some(_), _) => FestivalPhase::OnSale,
            (None, _) => FestivalPhase::NoDeals,
        }
    }
}

/// The hero banner.
#[component]
pub fn Hero(phase: Memo<FestivalPhase>, clock: ServerClock) -> impl IntoView {
    let lang = use_lang();
    let text = move |text: Text| move || tr(text, lang.get());
    // Text changes once a second even though the clock ticks faster: the memo keeps the DOM
    // still between seconds.
    let countdown = Memo::new(move |_| match phase.get() {
        FestivalPhase::Upcoming { starts_at } => Some(format_countdown(
            clock.now().millis_until(starts_at),
            tr(Text::DaysShort, lang.get()),
        )),
        _ => None,
    });

    let banner = move || match phase.get() {
        FestivalPhase::Loading | FestivalPhase::NoDeals => view! {
            <p class="hero-when hero-wait">{text(Text::GetReady)}</p>
        }
        .into_any(),
        FestivalPhase::Upcoming { .. } => view! {
            <p class="hero-when countdown" data-testid="countdown" role="timer">
                <span class="hero-label">{text(Text::StartsIn)}</span>
                " "
                <span class="countdown-digits">{move || countdown.get().unwrap_or_default()}</span>
            </p>
        }
        .into_any(),
        FestivalPhase::OnSale => view! {
            <p class="hero-when on-sale" data-testid="on-sale" role="status">
                <span class="pulse" aria-hidden="true"></span>
                {text(Text::OnSaleNow)}
            </p>
        }
        .into_any(),
        FestivalPhase::Over => view! {
            <p class="hero-when" data-testid="festival-over" role="status">
                {text(Text::FestivalOver)}
            </p>
        }
        .into_any(),
    };

    view! {
        <section class="hero" aria-labelledby="festival-name">
            <p class="hero-kicker">{text(Text::HeroKicker)}</p>
            <h1 id="festival-name" class="hero-title">
                <span class="hero-date">"11.11"</span>
                {text(Text::HeroTitle)}
            </h1>
            <p class="hero-tagline">{text(Text::HeroTagline)}</p>
            {banner}
        </section>
    }
}
