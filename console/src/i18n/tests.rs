//! The packs say every word the console asks for, and nothing else.
//!
//! What the console asks for is read from its source: every `t` and `tf` call's literal, found
//! by scanning `console/src`, and every message of the domain's rules (`translated`), found by
//! breaking each rule once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use festival_domain::deal::DealWords;
use festival_domain::{Deal, DealId, Festival, UnixMillis};

use super::*;

/// The source of every `.rs` file under `dir`, with its path.
fn sources(dir: &Path, found: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).expect("console/src reads") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("a source file reads");
            found.push((path.display().to_string(), text));
        }
    }
}

/// The string literal at the start of `rest` (after blanks), unescaped; `None` if there is none.
fn literal(rest: &str) -> Option<String> {
    let mut chars = rest.trim_start().strip_prefix('"')?.chars();
    let mut words = String::new();
    loop {
        match chars.next()? {
            '"' => return Some(words),
            '\\' => match chars.next()? {
                'n' => words.push('\n'),
                other => words.push(other),
            },
            c => words.push(c),
        }
    }
}

/// Each call of a lookup (`t(` or `tf(` after a character that cannot end a name) in
/// `source`: its literal, or `Err` with the line for a call without one.
fn lookups(source: &str) -> Vec<Result<String, String>> {
    let mut found = Vec::new();
    for (at, _) in source.match_indices('(') {
        let before = &source[..at];
        let Some(name) = ["tf", "t"].into_iter().find(|n| before.ends_with(n)) else {
            continue;
        };
        let ahead = before[..before.len() - name.len()].chars().next_back();
        if ahead.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            continue;
        }
        let line = source[..at].lines().count();
        found.push(literal(&source[at + 1..]).ok_or(format!("line {line}")));
    }
    found
}

/// Every English key the console's source asks for.
fn asked_in_source() -> BTreeSet<String> {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut asked = BTreeSet::new();
    // This file's examples are not the console's words.
    let here = Path::new(file!()).file_name().expect("a file name");
    for (path, source) in files {
        if path.ends_with(&format!("i18n/{}", here.to_string_lossy())) {
            continue;
        }
        for call in lookups(&source) {
            match call {
                Ok(words) => {
                    asked.insert(words);
                }
                // Only the lookups' own definitions take words that are not a literal.
                Err(line) => assert!(
                    path.ends_with("i18n.rs"),
                    "{path} {line}: t and tf take their English words as a literal"
                ),
            }
        }
    }
    asked
}

/// Every message of the domain's rules for a sale and a festival, each rule broken once.
fn domain_messages() -> BTreeSet<String> {
    let deal = Deal {
        id: DealId::parse("lantern").expect("an id"),
        name: String::new(),
        description: String::new(),
        image_url: String::new(),
        price_minor: 0,
        was_price_minor: 0,
        currency: "dollars".into(),
        stock: 0,
        starts_at: UnixMillis(0),
        ends_at: UnixMillis(0),
        per_customer_limit: 0,
        shards: 99,
        translations: Default::default(),
    };
    let wordy = Deal {
        description: "x".repeat(2_001),
        translations: [
            ("fr", "Lanterne", ""),
            ("ko", &"가".repeat(121), ""),
            ("zh-CN", "灯笼", &"字".repeat(2_001)),
            ("ko", "등불", ""),
        ]
        .into_iter()
        .map(|(lang, name, description)| DealWords {
            lang: lang.into(),
            name: name.into(),
            description: description.into(),
        })
        .collect(),
        ..deal.clone()
    };
    let dearer = Deal {
        price_minor: 200,
        was_price_minor: 100,
        ..deal.clone()
    };
    let festival = Festival {
        id: String::new(),
        name: String::new(),
        tagline: "x".repeat(500),
        starts_at: UnixMillis(10),
        ends_at: UnixMillis(0),
        time_zone: "Nowhere/Else".into(),
        accent: "red".into(),
        deals: vec![DealId::parse("gone").expect("an id")],
    };
    let pale = Festival {
        id: "pale".into(),
        ends_at: UnixMillis(20),
        accent: "#ffffff".into(),
        ..festival.clone()
    };
    let other = Festival {
        id: "other".into(),
        ..pale.clone()
    };
    let now = UnixMillis(5);
    deal.schedule_problems(now)
        .into_iter()
        .chain(dearer.schedule_problems(now))
        .chain(wordy.schedule_problems(now))
        .chain(festival.problems(&[], &[]))
        .chain(pale.problems(&[other], &[]))
        .map(|problem| problem.message.to_owned())
        .collect()
}

#[test]
fn every_pack_says_every_word_the_console_asks_for_and_nothing_else() {
    let mut asked = asked_in_source();
    assert!(asked.len() > 100, "the scan finds the console's words");
    asked.extend(domain_messages());
    for (lang, json) in PACKS {
        let pack: BTreeMap<String, String> =
            serde_json::from_str(json).expect("a pack is a JSON object of strings");
        let keys: BTreeSet<String> = pack.keys().cloned().collect();
        let missing: Vec<_> = asked.difference(&keys).collect();
        let unused: Vec<_> = keys.difference(&asked).collect();
        assert!(missing.is_empty(), "{lang:?} lacks {missing:#?}");
        assert!(
            unused.is_empty(),
            "{lang:?} has words never asked for: {unused:#?}"
        );
        // Each translation is words, with the slots of its English (`fill` fills them).
        for (english, words) in &pack {
            assert!(!words.trim().is_empty(), "{lang:?}: {english}");
            for slot in ["{n}", "{m}"] {
                let (has, should) = (words.contains(slot), english.contains(slot));
                assert_eq!(has, should, "{lang:?}: {slot} in {words:?}");
            }
        }
    }
}

#[test]
fn the_scan_reads_literals_and_only_lookups() {
    let source =
        "a(t(\"One\"), tf(\n  \"Two {n} \\\"x\\\"\", &[]), at(\"no\"), x.t(\"no\"), t(words))";
    let found = lookups(source);
    assert_eq!(
        found,
        [
            Ok("One".to_owned()),
            Ok("Two {n} \"x\"".to_owned()),
            Err("line 2".to_owned())
        ]
    );
}

#[test]
fn words_fall_back_to_english() {
    assert_eq!(tr(Lang::En, "Sign in"), "Sign in");
    assert_eq!(tr(Lang::Ko, "Sign in"), "로그인");
    assert_eq!(tr(Lang::Zh, "Sign in"), "登录");
    assert_eq!(tr(Lang::Ko, "Words no pack has"), "Words no pack has");
    // Before the console starts (and here), the console speaks English.
    assert_eq!(t("Sign out"), "Sign out");
    assert_eq!(tf("{n} orders", &["3"]), "3 orders");
    assert_eq!(translated("Other words"), "Other words");
}
