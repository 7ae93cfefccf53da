//! What `GET /api/catalog` answers: the deals, their stock left, and the server's clock — the
//! same for every shopper, so the edge serves it from a cache; and the sale token a session
//! gets from its own route.

use serde::{Deserialize, Serialize};

use crate::deal::Deal;
use crate::festival::Festival;
use crate::live::LiveControl;
use crate::time::UnixMillis;

/// How long an ended sale stays in the public catalog (its card says "ended"); after that it
/// leaves, so a shop's catalog does not grow with every festival it ever ran. The console and
/// reconciliation still read every deal.
pub const ENDED_LISTED_MS: i64 = 60 * 60 * 1000;

/// The storefront's catalog. `server_time` lets a browser correct its clock: countdowns run on
/// the server's time, never the shopper's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// The edge's clock when it answered.
    pub server_time: UnixMillis,
    /// Deals, soonest start first.
    pub deals: Vec<CatalogDeal>,
    /// The festival running now, by the edge's clock (its hero, title and accent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub festival: Option<Festival>,
    /// The next festival to start (between festivals the shop says when).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_festival: Option<Festival>,
}

/// What origin's `GET /internal/catalog` answers and the edge keeps: every scheduled deal with
/// its live controls, and the festivals that have not ended, soonest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub deals: Vec<ScheduledDeal>,
    pub festivals: Vec<Festival>,
}

/// The answer to `POST /api/sale-token`: a short-lived token that lets this session order.
/// Bots that never load the storefront have none; a storefront asks once per session and again
/// before it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleTokenAnswer {
    pub sale_token: String,
    pub expires_at: UnixMillis,
}

/// What the edge's `CatalogStore` answers and each isolate keeps: the schedule with each deal's
/// stock left, and the festivals not yet ended (the edge picks the current and next by its own
/// clock, per request).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub deals: Vec<BoardDeal>,
    pub festivals: Vec<Festival>,
}

/// A deal with its live stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogDeal {
    /// The schedule.
    pub deal: Deal,
    /// Units not yet reserved (may lag the truth by a moment; the Durable Object decides).
    pub stock_left: u32,
    /// A marketer paused the sale: it shows, but sells nothing until resumed (the shards refuse
    /// meanwhile). Sent only while true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub paused: bool,
}

/// A deal as scheduled at origin, with what marketers changed since it went live: what origin's
/// `/internal/catalog` and `/admin/deals` answer. The deal keeps its scheduled stock (which its
/// shards pinned); units added live in `live`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledDeal {
    pub deal: Deal,
    #[serde(default)]
    pub live: LiveControl,
}

/// The edge's board: a scheduled deal with the stock left over its shards. Shoppers see
/// [`BoardDeal::shown`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardDeal {
    pub deal: Deal,
    #[serde(default)]
    pub live: LiveControl,
    pub stock_left: u32,
}

impl BoardDeal {
    /// The catalog's card: the units added counted in the stock, an early end as the end.
    pub fn shown(&self) -> CatalogDeal {
        CatalogDeal {
            deal: self.live.shown(&self.deal),
            stock_left: self.stock_left,
            paused: self.live.paused,
        }
    }

    /// [`BoardDeal::shown`] for a shopper reading language `tag` (see [`Deal::in_language`]).
    #[cfg(feature = "translations")]
    pub fn shown_in(&self, tag: &str) -> CatalogDeal {
        let shown = self.shown();
        CatalogDeal {
            deal: shown.deal.in_language(tag),
            ..shown
        }
    }
}

/// Whether the public catalog lists `deal` at `now`: until [`ENDED_LISTED_MS`] after its sale
/// ended. Only listed deals have their stock read for it.
pub fn is_listed(deal: &Deal, now: UnixMillis) -> bool {
    deal.ends_at.millis_until(now) < ENDED_LISTED_MS
}

/// Estimates the offset to add to a client clock to read server time, from one round trip:
/// the server's reading is taken as happening halfway between send and receive.
pub fn clock_offset_ms(sent_at: f64, received_at: f64, server_time: UnixMillis) -> f64 {
    server_time.0 as f64 - (sent_at + received_at) / 2.0
}

/// Where the festival as a whole stands (the storefront's hero says it): it opens with its
/// earliest deal and closes with its latest one; between festivals it is the next festival that
/// is upcoming.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FestivalPhase {
    /// No catalog yet.
    Loading,
    /// The catalog has no deals.
    NoDeals,
    /// Before the first deal opens (or, between festivals, the next festival) at `starts_at`.
    Upcoming {
        /// The earliest deal start, or the next festival's start.
        starts_at: UnixMillis,
    },
    /// At least one deal has opened and not every deal has ended.
    OnSale,
    /// On sale, but every deal open now is paused by a marketer: nothing sells until a resume.
    Paused,
    /// Every deal has ended.
    Over,
}

impl FestivalPhase {
    /// The phase of the catalog's `deals` at server time `now`. `next_festival_starts` is the
    /// next festival's start when none is running (between festivals), else `None`.
    pub fn of(
        deals: Option<&[CatalogDeal]>,
        next_festival_starts: Option<UnixMillis>,
        now: UnixMillis,
    ) -> Self {
        let Some(deals) = deals else {
            return FestivalPhase::Loading;
        };
        if let Some(starts_at) = next_festival_starts {
            return FestivalPhase::Upcoming { starts_at };
        }
        let starts = deals.iter().map(|d| d.deal.starts_at).min();
        let ends = deals.iter().map(|d| d.deal.ends_at).max();
        match (starts, ends) {
            (Some(starts_at), _) if now < starts_at => FestivalPhase::Upcoming { starts_at },
            (Some(_), Some(ends_at)) if now >= ends_at => FestivalPhase::Over,
            (Some(_), _) => {
                let mut open = deals
                    .iter()
                    .filter(|d| d.deal.starts_at <= now && now < d.deal.ends_at)
                    .peekable();
                if open.peek().is_some() && open.all(|d| d.paused) {
                    FestivalPhase::Paused
                } else {
                    FestivalPhase::OnSale
                }
            }
            (None, _) => FestivalPhase::NoDeals,
        }
    }
}

/// Between festivals (none running), the next one: the hero counts down to it. Generic, so
/// the storefront applies the same rule to its own reading of the catalog's festivals.
pub fn between_festivals<'a, F>(current: Option<&F>, next: Option<&'a F>) -> Option<&'a F> {
    current.is_none().then_some(next).flatten()
}

impl Catalog {
    /// The next festival's start when none is running: the hero counts down to it.
    pub fn between_festivals_next_start(&self) -> Option<UnixMillis> {
        between_festivals(self.festival.as_ref(), self.next_festival.as_ref())
            .map(|next| next.starts_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_assumes_the_midpoint() {
        // Client clock 10 s behind; 200 ms round trip.
        assert_eq!(
            clock_offset_ms(1_000.0, 1_200.0, UnixMillis(11_100)),
            10_000.0
        );
        assert_eq!(clock_offset_ms(0.0, 0.0, UnixMillis(-5)), -5.0);
    }

    #[test]
    fn an_ended_sale_is_listed_for_an_hour_then_leaves() {
        // On sale from t=1,000 to t=10,000.
        let deal = crate::deal::tests::sample_deal();
        assert!(is_listed(&deal, UnixMillis(0)), "upcoming");
        assert!(is_listed(&deal, UnixMillis(1_500)), "on sale");
        assert!(is_listed(&deal, UnixMillis(10_000 + ENDED_LISTED_MS - 1)));
        assert!(!is_listed(&deal, UnixMillis(10_000 + ENDED_LISTED_MS)));
    }

    #[test]
    fn the_deals_decide_the_phase_unless_between_festivals() {
        // On sale from t=1,000 to t=10,000.
        let deals = [CatalogDeal {
            deal: crate::deal::tests::sample_deal(),
            stock_left: 1,
            paused: false,
        }];
        let at = |now| FestivalPhase::of(Some(&deals), None, UnixMillis(now));
        let upcoming = FestivalPhase::Upcoming {
            starts_at: UnixMillis(1_000),
        };
        assert_eq!(at(0), upcoming);
        assert_eq!(at(1_000), FestivalPhase::OnSale);
        assert_eq!(at(10_000), FestivalPhase::Over);
        let paused = [CatalogDeal {
            paused: true,
            ..deals[0].clone()
        }];
        let paused_at = |now| FestivalPhase::of(Some(&paused), None, UnixMillis(now));
        assert_eq!(paused_at(1_000), FestivalPhase::Paused);
        assert_eq!(
            paused_at(0),
            upcoming,
            "a pause says nothing before the start"
        );
        assert_eq!(paused_at(10_000), FestivalPhase::Over);
        let later = CatalogDeal {
            deal: Deal {
                starts_at: UnixMillis(5_000),
                ..deals[0].deal.clone()
            },
            ..deals[0].clone()
        };
        let one_of_two = [paused[0].clone(), later];
        let at = |now| FestivalPhase::of(Some(&one_of_two), None, UnixMillis(now));
        assert_eq!(
            at(1_000),
            FestivalPhase::Paused,
            "the only deal open is paused"
        );
        assert_eq!(at(5_000), FestivalPhase::OnSale, "another deal sells");
        assert_eq!(
            FestivalPhase::of(Some(&deals), Some(UnixMillis(50_000)), UnixMillis(1_500)),
            FestivalPhase::Upcoming {
                starts_at: UnixMillis(50_000)
            },
            "between festivals the next one is upcoming"
        );
        assert_eq!(
            FestivalPhase::of(Some(&[]), None, UnixMillis(0)),
            FestivalPhase::NoDeals
        );
        assert_eq!(
            FestivalPhase::of(None, None, UnixMillis(0)),
            FestivalPhase::Loading
        );
    }

    #[test]
    fn only_between_festivals_is_the_next_one_counted_down_to() {
        assert_eq!(between_festivals(None, Some(&2)), Some(&2));
        assert_eq!(between_festivals(Some(&1), Some(&2)), None);
        assert_eq!(between_festivals::<i32>(None, None), None);
    }
}
