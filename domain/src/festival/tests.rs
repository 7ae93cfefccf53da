use proptest::prelude::*;

use super::*;

fn festival(id: &str, starts_at: i64, ends_at: i64) -> Festival {
    Festival {
        id: id.to_owned(),
        name: "11.11".to_owned(),
        tagline: "The year's biggest sale".to_owned(),
        starts_at: UnixMillis(starts_at),
        ends_at: UnixMillis(ends_at),
        time_zone: "Asia/Shanghai".to_owned(),
        accent: "#b0001d".to_owned(),
        deals: vec![DealId::parse("phone").unwrap()],
    }
}

fn fields(problems: &[ScheduleProblem]) -> Vec<&'static str> {
    problems.iter().map(|p| p.field).collect()
}

fn scheduled() -> Vec<DealId> {
    vec![
        DealId::parse("phone").unwrap(),
        DealId::parse("tv").unwrap(),
    ]
}

#[test]
fn a_good_festival_has_no_problems() {
    assert!(festival("a", 0, 10).problems(&[], &scheduled()).is_empty());
}

#[test]
fn every_problem_is_named_at_once() {
    let mut bad = festival("Bad Id", 10, 10);
    bad.name = " ".into();
    bad.tagline = "x".repeat(161);
    bad.time_zone = "Mars/Olympus".into();
    bad.accent = "red".into();
    bad.deals.push(DealId::parse("ghost").unwrap());
    assert_eq!(
        fields(&bad.problems(&[], &scheduled())),
        [
            "id",
            "name",
            "tagline",
            "ends_at",
            "time_zone",
            "accent",
            "deals"
        ]
    );
}

#[test]
fn festivals_may_follow_each_other_but_not_overlap() {
    let first = festival("first", 0, 100);
    let after = festival("after", 100, 200);
    assert!(
        after
            .problems(std::slice::from_ref(&first), &scheduled())
            .is_empty()
    );
    let inside = festival("inside", 99, 200);
    assert_eq!(
        fields(&inside.problems(std::slice::from_ref(&first), &scheduled())),
        ["starts_at"]
    );
    // An edit of a festival is not refused for overlapping its own stored self.
    let moved = festival("first", 50, 150);
    assert!(moved.problems(&[first], &scheduled()).is_empty());
}

#[test]
fn time_zones_are_iana_names() {
    for zone in [
        "UTC",
        "Asia/Seoul",
        "America/Argentina/Buenos_Aires",
        "Etc/GMT+5",
        "Europe/Kyiv",
    ] {
        assert!(is_time_zone(zone), "{zone}");
    }
    for zone in [
        "",
        "utc",
        "Asia",
        "Asia/",
        "Mars/Olympus",
        "+08:00",
        "Asia/Seoul\n",
    ] {
        assert!(!is_time_zone(zone), "{zone:?}");
    }
}

#[test]
fn colours_are_six_hex_digits() {
    for good in ["#b0001d", "#FFFFFF", "#000000"] {
        assert!(is_colour(good));
    }
    for bad in ["b0001d", "#fff", "#b0001dd", "#gg0000", "#b0001", "#é0001"] {
        assert!(!is_colour(bad), "{bad}");
    }
}

#[test]
fn white_text_must_read_on_the_accent() {
    assert!((contrast_with_white("#ffffff") - 1.0).abs() < 1e-9);
    assert!((contrast_with_white("#000000") - 21.0).abs() < 1e-9);
    // The storefront's own red, 6.1:1; a pale yellow is refused.
    assert!(contrast_with_white("#c40024") > 6.0);
    let mut pale = festival("pale", 0, 10);
    pale.accent = "#ffd166".into();
    assert_eq!(fields(&pale.problems(&[], &scheduled())), ["accent"]);
    let mut grey = festival("grey", 0, 10);
    grey.accent = "#767676".into(); // 4.54:1, just passes
    assert!(grey.problems(&[], &scheduled()).is_empty());
}

#[test]
fn the_current_festival_runs_now_and_the_next_starts_soonest() {
    let festivals = [
        festival("c", 300, 400),
        festival("a", 0, 100),
        festival("b", 150, 250),
    ];
    let at = |now| {
        let (current, next) = current_and_next(&festivals, UnixMillis(now));
        (current.map(|f| f.id.clone()), next.map(|f| f.id.clone()))
    };
    let id = |id: &str| Some(id.to_owned());
    assert_eq!(at(-1), (None, id("a")));
    assert_eq!(at(0), (id("a"), id("b")));
    assert_eq!(at(100), (None, id("b")));
    assert_eq!(at(399), (id("c"), None));
    assert_eq!(at(400), (None, None));
}

proptest! {
    /// Whatever festivals pass validation one by one, no moment has two of them running.
    #[test]
    fn accepted_festivals_never_overlap(windows in prop::collection::vec((0i64..1_000, 1i64..300), 1..12), at in 0i64..1_300) {
        let mut accepted: Vec<Festival> = Vec::new();
        for (i, (start, length)) in windows.into_iter().enumerate() {
            let candidate = festival(&format!("f{i}"), start, start + length);
            if candidate.problems(&accepted, &scheduled()).is_empty() {
                accepted.push(candidate);
            }
        }
        let running = accepted.iter().filter(|f| f.is_on(UnixMillis(at))).count();
        prop_assert!(running <= 1);
        let (current, next) = current_and_next(&accepted, UnixMillis(at));
        prop_assert_eq!(current.is_some(), running == 1);
        if let Some(next) = next {
            prop_assert!(next.starts_at > UnixMillis(at));
            prop_assert!(accepted.iter().all(|f| f.starts_at <= UnixMillis(at) || f.starts_at >= next.starts_at));
        }
    }

    /// Overlap is symmetric, and an edit never collides with itself.
    #[test]
    fn overlap_is_symmetric(a in (0i64..100, 1i64..100), b in (0i64..100, 1i64..100)) {
        let x = festival("x", a.0, a.0 + a.1);
        let y = festival("y", b.0, b.0 + b.1);
        prop_assert_eq!(x.overlaps(&y), y.overlaps(&x));
        prop_assert!(x.overlaps(&x));
    }
}
