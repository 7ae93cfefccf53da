//! A live sale's controls and the audit log over real HTTP: each action is recorded with who
//! made it and the deal before and after; a top-up's key adds its units once; an action waits
//! for the freeze; an ended sale takes no more changes.

use serde_json::{Value, json};

use super::{HOUR, deal_json, insert_deal, origin};

async fn act(origin: &super::Origin, id: &str, action: Value) -> (u16, Value) {
    origin
        .admin("POST", &format!("/admin/deals/{id}/live"), &action)
        .await
}

#[tokio::test]
async fn live_actions_are_recorded_once_with_before_and_after() {
    let origin = origin().await;
    insert_deal(&origin, deal_json("live", -60_000)).await;
    let (status, paused) = act(&origin, "live", json!({"action": "pause"})).await;
    assert_eq!(status, 200, "{paused}");
    assert_eq!(paused["live"]["paused"], true);
    let top_up = json!({"action": "top_up", "units": 4, "key": "delivery-1"});
    for _ in 0..2 {
        let (status, added) = act(&origin, "live", top_up.clone()).await;
        assert_eq!(status, 200, "{added}");
        assert_eq!(added["live"]["added_units"], 4, "the same key adds once");
    }
    let (status, again) = act(&origin, "live", json!({"action": "pause"})).await;
    assert_eq!(
        (status, again["code"].as_str()),
        (409, Some("live_action_refused"))
    );
    let (status, ended) = act(&origin, "live", json!({"action": "end", "at": 123})).await;
    assert_eq!(status, 200, "{ended}");
    assert_eq!(ended["live"]["ended_at"], 123);
    let (status, late) = act(&origin, "live", json!({"action": "resume"})).await;
    assert_eq!(status, 409, "an ended sale takes no change: {late}");
    let (status, bad) = act(&origin, "live", json!({"action": "explode"})).await;
    assert_eq!((status, bad["code"].as_str()), (400, Some("bad_request")));

    let (status, page) = origin.admin("GET", "/admin/audit", &Value::Null).await;
    assert_eq!(status, 200, "{page}");
    let actions: Vec<&str> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["end", "top_up", "pause", "schedule"],
        "newest first, once each"
    );
    let pause = &page["entries"][2];
    assert_eq!(pause["actor"], "test-marketer");
    assert_eq!(pause["subject"], json!({"kind": "deal", "id": "live"}));
    assert_eq!(pause["before"]["live"]["paused"], false);
    assert_eq!(pause["after"]["live"]["paused"], true);
    let (_, first) = origin
        .admin("GET", "/admin/audit?limit=1", &Value::Null)
        .await;
    assert_eq!(first["entries"].as_array().unwrap().len(), 1);
    let next = first["next"].as_i64().unwrap();
    let (_, older) = origin
        .admin(
            "GET",
            &format!("/admin/audit?limit=1&before={next}"),
            &Value::Null,
        )
        .await;
    assert_eq!(older["entries"][0]["action"], "top_up");
    let (status, _) = origin
        .admin("GET", "/admin/audit?limit=0", &Value::Null)
        .await;
    assert_eq!(status, 400);

    let (_, listed) = origin.admin("GET", "/admin/live", &Value::Null).await;
    assert_eq!(listed[0]["live"]["added_units"], 4);
}

#[tokio::test]
async fn a_sale_that_can_still_be_edited_is_not_controlled_live() {
    let origin = origin().await;
    let (status, body) = origin
        .admin("POST", "/admin/deals", &deal_json("later", HOUR))
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, refused) = act(&origin, "later", json!({"action": "pause"})).await;
    assert_eq!(status, 409, "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("edit"));
    let (status, _) = act(&origin, "nope", json!({"action": "pause"})).await;
    assert_eq!(status, 404);
}
