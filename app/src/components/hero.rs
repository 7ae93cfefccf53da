//! The festival's banner: the current festival's name, tagline and accent colour (else the
//! next one's), and where it stands, counting down in server time — to the first deal's start,
//! or between festivals to the next festival's, saying when that is in the festival's time zone
//! and the shopper's — and switching to "On sale now" without a reload ("Paused" while a marketer
//! has paused every deal open).

use festival_domain::catalog::FestivalPhase;
use festival_domain::time::format_countdown;
use leptos::prelude::*;

use crate::clock::ServerClock;
use crate::i18n::{Text, date_time, tr, trf, use_lang};
use crate::shop::use_shop;
use crate::wire::ShownFestival;

/// The hero banner.
#[component]
pub fn Hero(phase: Memo<FestivalPhase>, clock: ServerClock) -> impl IntoView {
    let (festivals, lang) = (use_shop().festivals, use_lang());
    let shown =
        move |read: fn(&ShownFestival) -> String| move || festivals.with(|f| f.shown().map(read));
    // Between festivals: the next one's start, said in its zone and the shopper's.
    let next_starts = move || {
        festivals.with(|f| {
            f.next_between()
                .map(|next| (next.starts_at, next.time_zone.clone()))
        })
    };
    // Text changes once a second even though the clock ticks faster: the memo keeps the DOM
    // still between seconds.
    let countdown = Memo::new(move |_| match phase.get() {
        FestivalPhase::Upcoming { starts_at } => Some(format_countdown(
            clock.now().millis_until(starts_at),
            tr(Text::DaysShort, lang.get()),
        )),
        _ => None,
    });

    // One element whose words, role and test id follow the phase: a view per phase would cost
    // the shopper's Wasm a kilobyte more (BENCHMARKS.md (e)). The pulse shows on sale only (CSS).
    let look = move || match phase.get() {
        FestivalPhase::Loading | FestivalPhase::NoDeals => {
            ("hero-when hero-wait", "", Text::GetReady)
        }
        FestivalPhase::Upcoming { .. } => ("hero-when countdown", "countdown", Text::StartsIn),
        FestivalPhase::OnSale => ("hero-when on-sale", "on-sale", Text::OnSaleNow),
        FestivalPhase::Paused => ("hero-when paused", "paused", Text::StatePaused),
        FestivalPhase::Over => ("hero-when", "festival-over", Text::FestivalOver),
    };
    let role = move || {
        let timer = matches!(phase.get(), FestivalPhase::Upcoming { .. });
        if timer { "timer" } else { "status" }
    };
    let kicker = move || {
        let between = next_starts().is_some();
        tr(
            if between {
                Text::NextFestival
            } else {
                Text::HeroKicker
            },
            lang.get(),
        )
    };

    view! {
        <section class="hero" aria-labelledby="festival-name">
            <p class="hero-kicker">{kicker}</p>
            <h1 id="festival-name" class="hero-title" data-testid="festival-name">
                {move || shown(|f| f.name.clone())().unwrap_or_else(|| tr(Text::BrandName, lang.get()).into())}
            </h1>
            <p class="hero-tagline" data-testid="festival-tagline">{shown(|f| f.tagline.clone())}</p>
            <p class=move || look().0 data-testid=move || look().1 role=role>
                <span class="pulse" aria-hidden="true"></span>
                <span class="hero-label">{move || tr(look().2, lang.get())}</span>
                " "
                <span class="countdown-digits">{move || countdown.get().unwrap_or_default()}</span>
            </p>
            // Always there, empty (and hidden by CSS) but between festivals: cheaper in Wasm
            // than a node that comes and goes.
            <p class="hero-next" data-testid="next-festival">
                {move || next_starts().map(|(at, zone)| trf(Text::NextStarts, lang.get(), &[&date_time(at, lang.get(), Some(&zone))])).unwrap_or_default()}
            </p>
        </section>
    }
}
