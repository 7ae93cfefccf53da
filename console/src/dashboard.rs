//! The festival's big screen: orders per second, revenue, units left and sell-out time, in total
//! and per deal, refreshed every two seconds; above them, orders waiting as dead letters.

use festival_domain::dashboard::{Dashboard, DealDashboard};
use festival_domain::money::format_plain;
use festival_domain::{SaleState, UnixMillis};
use leptos::prelude::*;

use crate::ConsoleState;
use crate::chart::{OrdersChart, rate, window_words};
use crate::dead_letters::DeadLetters;
use crate::delivery::DeliveryLine;
use crate::i18n::{t, tf};
use crate::time;

/// Windows a marketer can choose, in seconds.
const WINDOWS: [u32; 3] = [60, 300, 900];

/// The live dashboard section.
#[component]
pub fn LiveDashboard() -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let loaded = move || state.dashboard.with(Option::is_some);
    let bucket_s = Signal::derive(move || {
        state
            .dashboard
            .with(|d| d.as_ref().map_or(1, |d| d.bucket_s))
    });
    let window_s = Signal::derive(move || state.window_s.get());
    let deal_ids = Memo::new(move |_| {
        state.dashboard.with(|d| {
            d.as_ref()
                .map(|d| {
                    d.deals
                        .iter()
                        .map(|x| x.deal_id.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });

    view! {
        <section id="live" class="dashboard" data-testid="dashboard" aria-labelledby="live-heading">
            <div class="section-head">
                <h1 id="live-heading">{move || t("Live")}</h1>
                <div class="segmented" role="group" aria-label=move || t("Chart window")>
                    {WINDOWS
                        .into_iter()
                        .map(|seconds| {
                            view! {
                                <button
                                    type="button"
                                    aria-pressed=move || (state.window_s.get() == seconds).to_string()
                                    on:click=move |_| state.window_s.set(seconds)
                                >
                                    {move || window_words(seconds)}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            </div>
            // Outside the loaded figures: the edge answers it, so it shows while origin is down.
            <DeliveryLine />
            <DeadLetters />
            <Show when=loaded fallback=|| view! { <p class="muted">{move || t("Loading the live figures…")}</p> }>
                <TotalPanel bucket_s window_s />
                <Show
                    when=move || deal_ids.with(|ids| !ids.is_empty())
                    fallback=|| view! { <p class="muted">{move || t("No sales scheduled yet. Schedule one below.")}</p> }
                >
                    <ul class="deal-tiles">
                        <For
                            each=move || deal_ids.get()
                            key=|id| id.clone()
                            children=move |id| {
                                let deal = Memo::new(move |_| {
                                    state.dashboard.with(|d| {
                                        d.as_ref().and_then(|d| d.deals.iter().find(|x| x.deal_id == id).cloned())
                                    })
                                });
                                view! {
                                    {move || deal.get().map(|deal| view! { <DealTile deal bucket_s window_s /> })}
                                }
                            }
                        />
                    </ul>
                </Show>
            </Show>
        </section>
    }
}

/// All deals together: the headline figures and the big chart.
#[component]
fn TotalPanel(bucket_s: Signal<u32>, window_s: Signal<u32>) -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let read = move |f: fn(&Dashboard) -> String| {
        move || {
            state
                .dashboard
                .with(|d| d.as_ref().map(f).unwrap_or_default())
        }
    };
    let series = Signal::derive(move || {
        state.dashboard.with(|d| {
            d.as_ref()
                .map(|d| d.total.orders_per_bucket.clone())
                .unwrap_or_default()
        })
    });
    let (now_rate, peak_rate) = rates(series, bucket_s);
    view! {
        <div class="panel total" data-testid="dashboard-total">
            <dl class="figures">
                <div class="figure figure-hot">
                    <dt>{move || t("Orders/s now")}</dt>
                    <dd data-testid="orders-per-second">{now_rate}</dd>
                </div>
                <div class="figure">
                    <dt>{move || t("Peak")}</dt>
                    <dd>{peak_rate}</dd>
                </div>
                <div class="figure figure-wide">
                    <dt>{move || t("Revenue")}</dt>
                    <dd data-testid="revenue">
                        {read(|d| {
                            if d.total.revenue.is_empty() {
                                "—".into()
                            } else {
                                d.total.revenue.iter().map(|m| format_plain(m.minor, &m.currency)).collect::<Vec<_>>().join(" · ")
                            }
                        })}
                    </dd>
                </div>
                <div class="figure">
                    <dt>{move || t("Orders")}</dt>
                    <dd>{read(|d| d.total.orders.to_string())}</dd>
                </div>
                <div class="figure">
                    <dt>{move || t("Units sold")}</dt>
                    <dd>{read(|d| d.total.units_sold.to_string())}</dd>
                </div>
                <div class="figure">
                    <dt>{move || t("Units left")}</dt>
                    <dd data-testid="units-left">{read(|d| d.total.units_left.to_string())}</dd>
                </div>
            </dl>
            <OrdersChart
                orders_per_bucket=series
                bucket_s
                window_s
                subject=Signal::derive(move || t("all deals").to_owned())
                large=true
            />
        </div>
    }
}

/// One deal's tile.
#[component]
fn DealTile(deal: DealDashboard, bucket_s: Signal<u32>, window_s: Signal<u32>) -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let now = state
        .dashboard
        .with_untracked(|d| d.as_ref().map_or(UnixMillis(0), |d| d.now));
    // Where the sale stands is the domain's call, asked of the full schedule.
    let stands = state.deals.with_untracked(|deals| {
        deals
            .iter()
            .find(|d| d.id == deal.deal_id)
            .map(|d| d.state_at(now))
    });
    let sale = badge(deal.sold_out_at, stands);
    let sold_share = sold_share(&deal);
    let sold_out = {
        let deal = deal.clone();
        move || sold_out_words(&deal)
    };
    let opens = {
        let deal = deal.clone();
        move || opens_or_closes(&deal, now)
    };
    let stock = deal.stock.to_string();
    let id = deal.deal_id.clone();
    let series = Signal::derive(move || {
        state.dashboard.with(|d| {
            d.as_ref()
                .and_then(|d| d.deals.iter().find(|x| x.deal_id == id))
                .map(|x| x.orders_per_bucket.clone())
                .unwrap_or_default()
        })
    });
    let (now_rate, _) = rates(series, bucket_s);
    let name = deal.name.clone();

    view! {
        <li class="panel tile" data-testid="dashboard-deal" data-deal-id=deal.deal_id.to_string()>
            <div class="tile-head">
                <h2>{deal.name.clone()}</h2>
                <span class=sale.1>{sale.0}</span>
            </div>
            <p class="muted small">{opens}</p>
            <dl class="figures figures-small">
                <div class="figure figure-wide">
                    <dt>{move || t("Revenue")}</dt>
                    <dd data-testid="revenue">{format_plain(deal.revenue.minor, &deal.revenue.currency)}</dd>
                </div>
                <div class="figure">
                    <dt>{move || t("Orders/s")}</dt>
                    <dd>{now_rate}</dd>
                </div>
                <div class="figure">
                    <dt>{move || t("Units left")}</dt>
                    <dd>
                        <span data-testid="units-left">{deal.units_left}</span>
                        <span class="muted">{move || tf(" of {n}", &[&stock])}</span>
                    </dd>
                </div>
            </dl>
            <div
                class="stock-bar"
                role="progressbar"
                aria-label=move || t("Share of stock sold")
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=format!("{sold_share:.0}")
            >
                <span style=format!("width: {sold_share:.1}%")></span>
            </div>
            <p class="small">
                {move || t("Sold out at: ")}
                <strong data-testid="sold-out-at" data-sold-out=deal.sold_out_at.map(|t| t.0.to_string())>
                    {sold_out}
                </strong>
            </p>
            <OrdersChart orders_per_bucket=series bucket_s window_s subject=name />
        </li>
    }
}

/// The tile's badge, words (made when shown) and class: sold out, else where the sale stands.
fn badge(
    sold_out_at: Option<UnixMillis>,
    stands: Option<SaleState>,
) -> (fn() -> &'static str, &'static str) {
    match (sold_out_at, stands) {
        (Some(_), _) => (|| t("Sold out"), "badge badge-out"),
        (None, Some(SaleState::Upcoming)) => (|| t("Upcoming"), "badge badge-soon"),
        (None, Some(SaleState::Open)) => (|| t("On sale"), "badge badge-open"),
        (None, Some(SaleState::Ended)) => (|| t("Ended"), "badge"),
        (None, None) => (|| "", "badge"),
    }
}

/// Percent of the stock sold, 0–100.
fn sold_share(deal: &DealDashboard) -> f64 {
    if deal.stock == 0 {
        0.0
    } else {
        deal.units_sold.min(u64::from(deal.stock)) as f64 / f64::from(deal.stock) * 100.0
    }
}

/// When the deal sold out, and how long after opening; a dash while it has not.
fn sold_out_words(deal: &DealDashboard) -> String {
    match deal.sold_out_at {
        Some(at) => tf(
            "{n} ({m} after opening)",
            &[
                &time::clock(at),
                &time::span(deal.starts_at.millis_until(at)),
            ],
        ),
        None => "—".into(),
    }
}

/// When it opens, before it does (and has not sold out); else when it closes.
fn opens_or_closes(deal: &DealDashboard, now: UnixMillis) -> String {
    match deal.sold_out_at {
        None if now < deal.starts_at => tf("Opens {n}", &[&time::date_time(deal.starts_at)]),
        _ => tf("Closes {n}", &[&time::date_time(deal.ends_at)]),
    }
}

/// The rate of the last finished bucket and the peak of the window, as text.
fn rates(series: Signal<Vec<u32>>, bucket_s: Signal<u32>) -> (Signal<String>, Signal<String>) {
    let per = move || f64::from(bucket_s.get().max(1));
    let now = Signal::derive(move || {
        let last_done = series.with(|s| s.len().checked_sub(2).map(|i| s[i]).unwrap_or(0));
        rate(f64::from(last_done) / per())
    });
    let peak = Signal::derive(move || {
        let top = series.with(|s| s.iter().copied().max().unwrap_or(0));
        rate(f64::from(top) / per())
    });
    (now, peak)
}
