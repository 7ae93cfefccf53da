//! Orders per second as an SVG bar chart, drawn by Leptos: one path for the finished buckets and
//! one for the bucket still filling, so a chart is three elements however long the window.

use leptos::prelude::*;

use crate::i18n::{t, tf};

/// Height of the drawing in SVG units; the width is one unit per bucket.
const HEIGHT: f64 = 100.0;
/// Share of a bucket's width its bar fills.
const BAR: f64 = 0.78;

/// A bar chart of `orders_per_bucket` as orders per second.
#[component]
pub fn OrdersChart(
    /// Orders per bucket, oldest first; the last bucket is still filling.
    #[prop(into)]
    orders_per_bucket: Signal<Vec<u32>>,
    /// Seconds per bucket.
    #[prop(into)]
    bucket_s: Signal<u32>,
    /// The window, in seconds, for the axis.
    #[prop(into)]
    window_s: Signal<u32>,
    /// What the chart is of, for screen readers ("all deals", a product name).
    #[prop(into)]
    subject: Signal<String>,
    /// `true` for the big total chart.
    #[prop(optional)]
    large: bool,
) -> impl IntoView {
    let rates = Memo::new(move |_| {
        let per = f64::from(bucket_s.get().max(1));
        orders_per_bucket.with(|b| b.iter().map(|n| f64::from(*n) / per).collect::<Vec<_>>())
    });
    let top =
        Memo::new(move |_| rates.with(|r| nice_ceiling(r.iter().copied().fold(0.0, f64::max))));
    let width = move || rates.with(Vec::len).max(1);
    let view_box = move || format!("0 0 {} {HEIGHT}", width());
    let done = move || rates.with(|r| bars_path(&r[..r.len().saturating_sub(1)], 0, top.get()));
    let filling = move || {
        rates.with(|r| match r.last() {
            Some(last) => bars_path(&[*last], r.len() - 1, top.get()),
            None => String::new(),
        })
    };
    let label = move || {
        let peak = rates.with(|r| r.iter().copied().fold(0.0, f64::max));
        let over = tf(
            "Orders per second for {n} over the last {m}.",
            &[&subject.get(), &window_words(window_s.get())],
        );
        format!("{over} {}", tf("Peak: {n} per second.", &[&rate(peak)]))
    };

    view! {
        <figure class="chart" class:chart-large=large>
            <div class="chart-plot">
                <span class="chart-top" aria-hidden="true">{move || tf("{n}/s", &[&rate(top.get())])}</span>
                <svg
                    data-testid="orders-chart"
                    role="img"
                    aria-label=label
                    viewBox=view_box
                    preserveAspectRatio="none"
                >
                    <line class="chart-grid" x1="0" x2=width y1="0.5" y2="0.5" />
                    <line class="chart-grid" x1="0" x2=width y1="50" y2="50" />
                    <line class="chart-base" x1="0" x2=width y1="100" y2="100" />
                    <path class="chart-bars" d=done />
                    <path class="chart-bars chart-bars-filling" d=filling />
                </svg>
            </div>
            <figcaption class="chart-axis" aria-hidden="true">
                <span>{move || format!("−{}", window_words(window_s.get()))}</span>
                <span>{move || t("now")}</span>
            </figcaption>
        </figure>
    }
}

/// The smallest of 1, 2, 5 × 10ⁿ at or above `value` (and at least 1), so the axis reads well.
pub fn nice_ceiling(value: f64) -> f64 {
    let mut step = 1.0;
    loop {
        for factor in [1.0, 2.0, 5.0] {
            if value <= step * factor {
                return step * factor;
            }
        }
        step *= 10.0;
    }
}

/// One rectangle per value, `first` buckets from the left, scaled to `top`.
pub fn bars_path(values: &[f64], first: usize, top: f64) -> String {
    let mut d = String::new();
    for (i, v) in values.iter().enumerate() {
        if *v <= 0.0 {
            continue;
        }
        let h = (v / top * HEIGHT).clamp(0.6, HEIGHT);
        let x = (first + i) as f64 + (1.0 - BAR) / 2.0;
        d.push_str(&format!(
            "M{x:.2} {HEIGHT}V{:.2}h{BAR}V{HEIGHT}Z",
            HEIGHT - h
        ));
    }
    d
}

/// Orders per second for people: `12`, `2.4`, `0.2`.
pub fn rate(per_s: f64) -> String {
    if per_s >= 10.0 || per_s == per_s.trunc() {
        format!("{per_s:.0}")
    } else {
        format!("{per_s:.1}")
    }
}

/// `5 min`, `90 s`, `1 h`, in the console's language.
pub fn window_words(window_s: u32) -> String {
    match window_s {
        s if s % 3_600 == 0 => tf("{n} h", &[&(s / 3_600).to_string()]),
        s if s % 60 == 0 => tf("{n} min", &[&(s / 60).to_string()]),
        s => tf("{n} s", &[&s.to_string()]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_top_is_a_round_number() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(1.2), 2.0);
        assert_eq!(nice_ceiling(4.9), 5.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(420.0), 500.0);
    }

    #[test]
    fn bars_skip_empty_buckets_and_scale_to_the_top() {
        assert_eq!(bars_path(&[0.0, 5.0], 0, 10.0), "M1.11 100V50.00h0.78V100Z");
        assert_eq!(bars_path(&[10.0], 3, 10.0), "M3.11 100V0.00h0.78V100Z");
    }

    #[test]
    fn words_for_rates_and_windows() {
        assert_eq!(rate(2.0), "2");
        assert_eq!(rate(2.45), "2.5");
        assert_eq!(rate(123.4), "123");
        assert_eq!(window_words(300), "5 min");
        assert_eq!(window_words(3_600), "1 h");
        assert_eq!(window_words(45), "45 s");
    }
}
