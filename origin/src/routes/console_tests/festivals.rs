//! Festivals over real HTTP: scheduled, listed, edited and taken out by the marketer; refused
//! with `invalid_festival` and every problem named when they break the rules (overlap, dates,
//! time zone, colour, unknown deals), nothing written; carried to the edge in the catalog
//! until they end.

use serde_json::{Value, json};

use super::{HOUR, deal_json, origin};
use crate::now;

fn festival_json(id: &str, starts_in_ms: i64, hours: i64) -> Value {
    let now = now().0;
    json!({
        "id": id, "name": "11.11", "tagline": "The year's biggest sale",
        "starts_at": now + starts_in_ms, "ends_at": now + starts_in_ms + hours * HOUR,
        "time_zone": "Asia/Shanghai", "accent": "#b0001d", "deals": ["lamp"],
    })
}

fn problem_fields(body: &Value) -> Vec<&str> {
    body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn festivals_are_scheduled_listed_edited_and_taken_out() {
    let origin = origin().await;
    origin
        .admin("POST", "/admin/deals", &deal_json("lamp", HOUR))
        .await;
    let later = festival_json("black-friday", 10 * HOUR, 2);
    let (status, body) = origin.admin("POST", "/admin/festivals", &later).await;
    assert_eq!(status, 201, "{body}");
    let first = festival_json("singles-day", HOUR, 3);
    let (status, _) = origin.admin("POST", "/admin/festivals", &first).await;
    assert_eq!(status, 201);
    let (status, listed) = origin.admin("GET", "/admin/festivals", &Value::Null).await;
    assert_eq!(status, 200);
    assert_eq!(listed, json!([first, later]), "soonest first, as written");

    let mut edited = first.clone();
    edited["tagline"] = json!("Half price at midnight");
    edited["time_zone"] = json!("Europe/Paris");
    let (status, body) = origin
        .admin("PUT", "/admin/festivals/singles-day", &edited)
        .await;
    assert_eq!((status, &body), (200, &edited));
    let (_, schedule) = origin
        .call("GET", "/internal/catalog", Some(super::TOKEN), "")
        .await;
    assert_eq!(schedule["festivals"], json!([edited, later]));

    let (status, body) = origin
        .admin("DELETE", "/admin/festivals/singles-day", &Value::Null)
        .await;
    assert_eq!((status, &body), (200, &edited));
    let (_, listed) = origin.admin("GET", "/admin/festivals", &Value::Null).await;
    assert_eq!(listed, json!([later]));
    let (status, body) = origin
        .admin("DELETE", "/admin/festivals/singles-day", &Value::Null)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("unknown_festival"))
    );

    // Each change is in the audit log, newest first, with both sides; the refused delete is not.
    let (_, page) = origin.admin("GET", "/admin/audit", &Value::Null).await;
    let festival_entries: Vec<(&str, &str)> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["subject"]["kind"] == "festival")
        .map(|e| {
            let id = e["subject"]["id"].as_str().unwrap();
            (e["action"].as_str().unwrap(), id)
        })
        .collect();
    assert_eq!(
        festival_entries,
        [
            ("delete", "singles-day"),
            ("edit", "singles-day"),
            ("schedule", "singles-day"),
            ("schedule", "black-friday"),
        ]
    );
    let edit = &page["entries"][1];
    assert_eq!(edit["before"], first);
    assert_eq!(edit["after"], edited);
    assert_eq!(page["entries"][0]["after"], Value::Null);
}

#[tokio::test]
async fn a_festival_that_breaks_the_rules_is_refused_with_every_problem() {
    let origin = origin().await;
    origin
        .admin("POST", "/admin/deals", &deal_json("lamp", HOUR))
        .await;
    let (status, _) = origin
        .admin("POST", "/admin/festivals", &festival_json("first", HOUR, 3))
        .await;
    assert_eq!(status, 201);

    let mut bad = festival_json("second", 2 * HOUR, 3);
    bad["time_zone"] = json!("Asia/Atlantis");
    bad["accent"] = json!("crimson");
    bad["deals"] = json!(["lamp", "ghost"]);
    let (status, body) = origin.admin("POST", "/admin/festivals", &bad).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("invalid_festival")),
        "{body}"
    );
    assert_eq!(
        problem_fields(&body),
        ["starts_at", "time_zone", "accent", "deals"]
    );

    let mut backwards = festival_json("third", 20 * HOUR, 1);
    backwards["ends_at"] = backwards["starts_at"].clone();
    let (status, body) = origin.admin("POST", "/admin/festivals", &backwards).await;
    assert_eq!((status, problem_fields(&body)), (422, vec!["ends_at"]));

    // Editing one festival into another's time is refused the same way, and changes nothing.
    origin
        .admin(
            "POST",
            "/admin/festivals",
            &festival_json("later", 10 * HOUR, 1),
        )
        .await;
    let (status, body) = origin
        .admin(
            "PUT",
            "/admin/festivals/later",
            &festival_json("later", 2 * HOUR, 1),
        )
        .await;
    assert_eq!((status, problem_fields(&body)), (422, vec!["starts_at"]));
    let (_, listed) = origin.admin("GET", "/admin/festivals", &Value::Null).await;
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["first", "later"]);
}

#[tokio::test]
async fn ids_bodies_and_unknown_festivals_are_refused_clearly() {
    let origin = origin().await;
    origin
        .admin("POST", "/admin/deals", &deal_json("lamp", HOUR))
        .await;
    let festival = festival_json("one", HOUR, 1);
    origin.admin("POST", "/admin/festivals", &festival).await;
    for (method, path, body, expected) in [
        (
            "POST",
            "/admin/festivals",
            festival.clone(),
            (409, "festival_exists"),
        ),
        (
            "PUT",
            "/admin/festivals/two",
            festival.clone(),
            (400, "festival_id_mismatch"),
        ),
        (
            "PUT",
            "/admin/festivals/two",
            festival_json("two", 5 * HOUR, 1),
            (404, "unknown_festival"),
        ),
        (
            "POST",
            "/admin/festivals",
            json!({"id": "x", "colour": 1}),
            (400, "bad_request"),
        ),
    ] {
        let (status, answer) = origin.admin(method, path, &body).await;
        assert_eq!(
            (status, answer["code"].as_str().unwrap()),
            expected,
            "{method} {path}: {answer}"
        );
        assert!(!answer["message"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn an_ended_festival_leaves_the_edge_catalog_but_stays_listed() {
    let origin = origin().await;
    origin
        .admin("POST", "/admin/deals", &deal_json("lamp", HOUR))
        .await;
    let (status, _) = origin
        .admin(
            "POST",
            "/admin/festivals",
            &festival_json("past", -3 * HOUR, 1),
        )
        .await;
    assert_eq!(status, 201, "a past festival may be recorded");
    let (_, schedule) = origin
        .call("GET", "/internal/catalog", Some(super::TOKEN), "")
        .await;
    assert_eq!(schedule["festivals"], json!([]));
    let (_, listed) = origin.admin("GET", "/admin/festivals", &Value::Null).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
}
