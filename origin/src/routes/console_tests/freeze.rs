//! The edit freeze over real HTTP: inside it an edit or a cancel is refused 409
//! `schedule_frozen` with words naming when the freeze began, and nothing changes; scheduling a
//! new sale is not an edit; the freeze is configurable (0 turns it off).

use festival_domain::UnixMillis;
use festival_domain::freeze::EditFreeze;
use festival_domain::time::format_utc;
use serde_json::{Value, json};

use super::{HOUR, deal_json, origin, origin_freezing};

const MINUTE: i64 = 60_000;

fn starts_at(deal: &Value) -> UnixMillis {
    UnixMillis(deal["starts_at"].as_i64().unwrap())
}

#[tokio::test]
async fn edits_and_cancels_are_refused_inside_the_default_freeze() {
    let origin = origin().await;
    // Scheduling a sale five minutes ahead is not an edit: it is allowed.
    let soon = deal_json("soon", 5 * MINUTE);
    let (status, body) = origin.admin("POST", "/admin/deals", &soon).await;
    assert_eq!(status, 201, "{body}");

    let mut cheaper = soon.clone();
    cheaper["price_minor"] = json!(999);
    let froze_at = format_utc(starts_at(&soon).plus_millis(-10 * MINUTE));
    for (method, body) in [("PUT", &cheaper), ("DELETE", &Value::Null)] {
        let (status, answer) = origin.admin(method, "/admin/deals/soon", body).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (409, Some("schedule_frozen")),
            "{method}: {answer}"
        );
        let message = answer["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("froze at {froze_at}, 10 minutes before it starts")),
            "{method}: {message}"
        );
    }
    assert_eq!(origin.catalog_ids().await, ["soon"], "still scheduled");
    let (_, listed) = origin.admin("GET", "/admin/deals", &Value::Null).await;
    assert_eq!(listed[0]["price_minor"], 1_250, "unchanged");
}

#[tokio::test]
async fn an_edit_may_not_move_the_start_into_the_freeze() {
    let origin = origin().await;
    origin
        .admin("POST", "/admin/deals", &deal_json("later", HOUR))
        .await;
    let earlier = deal_json("later", 5 * MINUTE);
    let (status, answer) = origin.admin("PUT", "/admin/deals/later", &earlier).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (409, Some("schedule_frozen")),
        "{answer}"
    );
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("cannot move the start less than 10 minutes away"),
        "{answer}"
    );

    // Outside the freeze, the same sale may still move.
    let (status, answer) = origin
        .admin(
            "PUT",
            "/admin/deals/later",
            &deal_json("later", 20 * MINUTE),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
}

#[tokio::test]
async fn the_freeze_is_configurable() {
    let origin = origin_freezing(EditFreeze::seconds(0)).await;
    origin
        .admin("POST", "/admin/deals", &deal_json("soon", MINUTE))
        .await;
    let (status, answer) = origin
        .admin("PUT", "/admin/deals/soon", &deal_json("soon", 2 * MINUTE))
        .await;
    assert_eq!(
        status, 200,
        "with no freeze a sale changes until it starts: {answer}"
    );
    let (status, _) = origin
        .admin("DELETE", "/admin/deals/soon", &Value::Null)
        .await;
    assert_eq!(status, 200);
}
