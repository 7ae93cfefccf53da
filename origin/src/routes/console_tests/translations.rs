//! A deal's words in the shop's other languages: stored with the schedule, edited with it,
//! recorded in the audit log, carried to the edge, and refused clearly when wrong.

use serde_json::{Value, json};

use super::{HOUR, TOKEN, deal_json, origin};

#[tokio::test]
async fn a_deal_keeps_its_words_in_each_language() {
    let origin = origin().await;
    let mut lamp = deal_json("lamp", HOUR);
    lamp["translations"] = json!([{"lang": "ko", "name": "등불", "description": "종이 등불"}]);
    let (status, body) = origin.admin("POST", "/admin/deals", &lamp).await;
    assert_eq!(status, 201, "{body}");
    let (_, listed) = origin.admin("GET", "/admin/deals", &Value::Null).await;
    assert_eq!(listed[0]["translations"][0]["name"], "등불");

    let chinese = json!({"lang": "zh-CN", "name": "灯笼", "description": ""});
    lamp["translations"].as_array_mut().unwrap().push(chinese);
    let (status, body) = origin.admin("PUT", "/admin/deals/lamp", &lamp).await;
    assert_eq!(status, 200, "{body}");
    let (_, catalog) = origin
        .call("GET", "/internal/catalog", Some(TOKEN), "")
        .await;
    let carried = &catalog["deals"][0]["deal"]["translations"];
    assert_eq!(
        (&carried[0]["description"], &carried[1]["name"]),
        (&json!("종이 등불"), &json!("灯笼"))
    );
    let (_, page) = origin.admin("GET", "/admin/audit", &Value::Null).await;
    let edit = &page["entries"][0];
    assert_eq!(
        edit["before"]["translations"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(edit["after"]["translations"][1]["name"], "灯笼");
}

#[tokio::test]
async fn words_in_a_language_the_shop_does_not_speak_are_refused() {
    let origin = origin().await;
    let mut lamp = deal_json("lamp", HOUR);
    lamp["translations"] = json!([{"lang": "fr", "name": "Lanterne"}]);
    let (status, body) = origin.admin("POST", "/admin/deals", &lamp).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("invalid_schedule")),
        "{body}"
    );
    assert_eq!(body["problems"][0]["field"], "translations");
    lamp["translations"] = json!([{"lang": "ko", "title": "등불"}]);
    let (status, body) = origin.admin("POST", "/admin/deals", &lamp).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("bad_request")));
    let (_, listed) = origin.admin("GET", "/admin/deals", &Value::Null).await;
    assert_eq!(listed, json!([]), "nothing stored");
}
