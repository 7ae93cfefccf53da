//! The console's routes over real HTTP against origin on a fresh database (see
//! `db::testing`: an SQLite file, or PostgreSQL).

use std::sync::Arc;

use festival_domain::Deal;
use festival_domain::freeze::EditFreeze;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::db::testing::TestDatabase;
use crate::{AppState, Config, db, now};

const TOKEN: &str = "console-test-token";
const HOUR: i64 = 3_600_000;

mod dashboard;
mod festivals;
mod freeze;
mod live;
mod translations;

/// Origin on a fresh temporary database, serving on a loopback port until the test ends.
struct Origin {
    addr: std::net::SocketAddr,
    db: sqlx::AnyPool,
    /// Removed when the test ends.
    _database: TestDatabase,
}

async fn origin() -> Origin {
    origin_freezing(EditFreeze::default()).await
}

/// [`origin`] with its schedules freezing `edit_freeze` before the start.
async fn origin_freezing(edit_freeze: EditFreeze) -> Origin {
    let database = TestDatabase::fresh("console").await;
    let database_url = database.url.clone();
    let db = db::connect(&database_url)
        .await
        .expect("the database opens");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Config {
        marketer_label: "test-marketer".into(),
        addr,
        database_url,
        batch_secret: "console-test-batch-secret".into(),
        marketer_token: TOKEN.into(),
        seed_demo: false,
        dev: false,
        edit_freeze,
    };
    let state = AppState {
        db: db.clone(),
        config: Arc::new(config),
    };
    tokio::spawn(crate::serve(listener, state, std::future::pending()));
    Origin {
        addr,
        db,
        _database: database,
    }
}

impl Origin {
    /// One HTTP/1.1 request; the status and the JSON body (Null when empty).
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &str,
    ) -> (u16, Value) {
        let mut stream = TcpStream::connect(self.addr).await.unwrap();
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: origin\r\nConnection: close\r\n{auth}\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.unwrap();
        let raw = String::from_utf8(raw).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        let body = if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            dechunk(body)
        } else {
            body.to_owned()
        };
        (status, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    async fn admin(&self, method: &str, path: &str, body: &Value) -> (u16, Value) {
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        self.call(method, path, Some(TOKEN), &body).await
    }

    async fn catalog_ids(&self) -> Vec<String> {
        let (_, schedule) = self.call("GET", "/internal/catalog", Some(TOKEN), "").await;
        schedule["deals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["deal"]["id"].as_str().unwrap().to_owned())
            .collect()
    }

    async fn insert_order(
        &self,
        id: &str,
        deal: &str,
        quantity: u32,
        total: i64,
        status: &str,
        at: i64,
    ) {
        sqlx::query(
            "INSERT INTO orders (id, deal_id, customer_id, idempotency_key, quantity,
                                 unit_price_minor, total_minor, currency, status, priced_at,
                                 stored_at)
             VALUES ($1, $2, 'c', 'key-12345678', $3, 1, $4, 'USD', $5, $6, $7)",
        )
        .bind(id)
        .bind(deal)
        .bind(i64::from(quantity))
        .bind(total)
        .bind(status)
        .bind(at)
        .bind(at)
        .execute(&self.db)
        .await
        .unwrap();
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

/// A valid schedule for `id` starting `starts_in_ms` from now (negative: already started).
fn deal_json(id: &str, starts_in_ms: i64) -> Value {
    let now = now().0;
    json!({
        "id": id, "name": format!("Deal {id}"), "description": "", "image_url": "",
        "price_minor": 1_250, "was_price_minor": 2_500, "currency": "USD", "stock": 10,
        "starts_at": now + starts_in_ms, "ends_at": now + starts_in_ms + HOUR,
        "per_customer_limit": 2,
    })
}

/// Puts a deal in the schedule directly, bypassing the rule that it starts in the future.
async fn insert_deal(origin: &Origin, deal: Value) {
    let deal: Deal = serde_json::from_value(deal).unwrap();
    assert!(
        db::insert_deal(&origin.db, &deal, now(), "test")
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn console_routes_need_the_marketer_token() {
    let origin = origin().await;
    for (method, path) in [
        ("GET", "/admin/deals"),
        ("PUT", "/admin/deals/x"),
        ("DELETE", "/admin/deals/x"),
        ("GET", "/admin/dashboard"),
        ("GET", "/admin/festivals"),
        ("POST", "/admin/festivals"),
        ("PUT", "/admin/festivals/x"),
        ("DELETE", "/admin/festivals/x"),
    ] {
        for token in [None, Some("wrong")] {
            let (status, body) = origin.call(method, path, token, "{}").await;
            assert_eq!(
                (status, body["code"].as_str()),
                (401, Some("unauthorized")),
                "{method} {path}"
            );
        }
    }
}

#[tokio::test]
async fn lists_and_edits_a_sale_before_it_starts() {
    let origin = origin().await;
    let (status, _) = origin
        .admin("POST", "/admin/deals", &deal_json("lamp", HOUR))
        .await;
    assert_eq!(status, 201);
    let (status, listed) = origin.admin("GET", "/admin/deals", &Value::Null).await;
    assert_eq!(status, 200);
    assert_eq!(listed[0]["id"], "lamp");

    let mut edited = deal_json("lamp", HOUR);
    edited["price_minor"] = json!(999);
    edited["stock"] = json!(3);
    let (status, body) = origin.admin("PUT", "/admin/deals/lamp", &edited).await;
    assert_eq!(status, 200, "{body}");
    let (_, catalog) = origin
        .call("GET", "/internal/catalog", Some(TOKEN), "")
        .await;
    assert_eq!(catalog["deals"][0]["deal"]["price_minor"], 999);
    assert_eq!(catalog["deals"][0]["deal"]["stock"], 3);
    let (_, page) = origin.admin("GET", "/admin/audit", &Value::Null).await;
    let edit = &page["entries"][0];
    assert_eq!(edit["action"], "edit");
    assert_eq!(edit["before"]["price_minor"], 1_250);
    assert_eq!(edit["after"]["price_minor"], 999);
}

#[tokio::test]
async fn an_edit_follows_the_same_rules_and_refuses_clearly() {
    let origin = origin().await;
    origin
        .admin("POST", "/admin/deals", &deal_json("lamp", HOUR))
        .await;
    insert_deal(&origin, deal_json("open", -60_000)).await;

    let mut dearer = deal_json("lamp", HOUR);
    dearer["price_minor"] = json!(3_000);
    dearer["stock"] = json!(0);
    let (status, body) = origin.admin("PUT", "/admin/deals/lamp", &dearer).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("invalid_schedule"))
    );
    let fields: Vec<_> = body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].clone())
        .collect();
    assert_eq!(fields, [json!("price_minor"), json!("stock")]);

    let cases = [
        (
            "/admin/deals/lamp",
            deal_json("other", HOUR).to_string(),
            400,
            "deal_id_mismatch",
        ),
        (
            "/admin/deals/lamp",
            "{not json".to_string(),
            400,
            "bad_request",
        ),
        (
            "/admin/deals/lamp",
            json!({"id": "lamp", "price_minor": "12"}).to_string(),
            400,
            "bad_request",
        ),
        (
            "/admin/deals/ghost",
            deal_json("ghost", HOUR).to_string(),
            404,
            "unknown_deal",
        ),
        (
            "/admin/deals/Not%20An%20Id",
            deal_json("lamp", HOUR).to_string(),
            404,
            "unknown_deal",
        ),
        // A started sale keeps its schedule, even when the edit itself is valid.
        (
            "/admin/deals/open",
            deal_json("open", HOUR).to_string(),
            409,
            "sale_started",
        ),
    ];
    for (path, body, want_status, want_code) in cases {
        let (status, answer) = origin.call("PUT", path, Some(TOKEN), &body).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (want_status, Some(want_code)),
            "{path} {body}"
        );
    }
    // Nothing changed.
    let (_, listed) = origin.admin("GET", "/admin/deals", &Value::Null).await;
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["price_minor"] == 1_250 && d["stock"] == 10)
    );
}

#[tokio::test]
async fn a_cancelled_sale_leaves_the_catalog_and_a_started_one_stays() {
    let origin = origin().await;
    origin
        .admin("POST", "/admin/deals", &deal_json("lamp", HOUR))
        .await;
    insert_deal(&origin, deal_json("open", -60_000)).await;
    assert_eq!(origin.catalog_ids().await, ["open", "lamp"]);

    let (status, body) = origin
        .admin("DELETE", "/admin/deals/lamp", &Value::Null)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["id"], "lamp");
    assert_eq!(origin.catalog_ids().await, ["open"]);
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cancelled_deals WHERE id = 'lamp'")
        .fetch_one(&origin.db)
        .await
        .unwrap();
    assert_eq!(kept, 1);

    let (status, body) = origin
        .admin("DELETE", "/admin/deals/lamp", &Value::Null)
        .await;
    assert_eq!((status, body["code"].as_str()), (404, Some("unknown_deal")));
    let (status, body) = origin
        .admin("DELETE", "/admin/deals/open", &Value::Null)
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("sale_started")));
    assert_eq!(origin.catalog_ids().await, ["open"]);
}
