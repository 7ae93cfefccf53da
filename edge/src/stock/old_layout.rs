//! Shards written before customer records kept two keys per customer: `held:<customer>` (units
//! held, a number) and `mine:<customer>` (order ids, a JSON list). The first time such a shard
//! starts under this version it turns them into one [`CustomerRecord`] each, before anything
//! reads a customer — so units bought before a deploy still count against the limit, and still
//! show among the customer's orders. A marker key makes this one `get` per start afterwards.

use std::collections::BTreeMap;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;
use worker::{ListOptions, Result, Storage, console_warn};

use festival_domain::stock::records::{CUSTOMER_PREFIX, CustomerRecord};

use crate::bindings::STORAGE_KEYS_PER_CALL;

const HELD_PREFIX: &str = "held:";
const MINE_PREFIX: &str = "mine:";
/// Present once this shard's customers are records.
const MARKER_KEY: &str = "layout:customer-records";

/// Converts the old keys, if any, and sets the marker. Only storage is awaited, so no other
/// event of the object runs in between; interrupted, it runs again from the old keys, which go
/// last.
pub async fn convert_customer_keys(storage: &Storage) -> Result<()> {
    if storage.get::<bool>(MARKER_KEY).await?.is_some() {
        return Ok(());
    }
    let held = list(storage, HELD_PREFIX).await?;
    let mine = list(storage, MINE_PREFIX).await?;
    let held_units: Vec<(String, f64)> = held
        .iter()
        .map(|(key, value)| (key.clone(), value.as_f64().unwrap_or_default()))
        .collect();
    let order_ids: Vec<(String, String)> = mine
        .iter()
        .map(|(key, value)| (key.clone(), value.as_string().unwrap_or_default()))
        .collect();
    let records: Vec<(String, String)> = records(&held_units, &order_ids)
        .into_iter()
        .map(|(customer, record)| {
            let key = format!("{CUSTOMER_PREFIX}{customer}");
            Ok((key, serde_json::to_string(&record)?))
        })
        .collect::<Result<_>>()?;
    for part in records.chunks(STORAGE_KEYS_PER_CALL) {
        let writes = Object::new();
        for (key, json) in part {
            Reflect::set(&writes, &key.into(), &json.into())?;
        }
        storage.put_multiple_raw(writes).await?;
    }
    let old: Vec<&str> = held
        .iter()
        .chain(&mine)
        .map(|(key, _)| key.as_str())
        .collect();
    for part in old.chunks(STORAGE_KEYS_PER_CALL) {
        storage.delete_multiple(part.to_vec()).await?;
    }
    storage.put(MARKER_KEY, true).await
}

/// Every stored (key, value) under `prefix`.
async fn list(storage: &Storage, prefix: &str) -> Result<Vec<(String, JsValue)>> {
    let listed = storage
        .list_with_options(ListOptions::new().prefix(prefix))
        .await?;
    let mut entries = Vec::new();
    for entry in listed.entries() {
        let pair: Array = entry?.into();
        if let Some(key) = pair.get(0).as_string() {
            entries.push((key, pair.get(1)));
        }
    }
    Ok(entries)
}

/// Records by customer from the old keys' (key, value) pairs. A damaged list of ids is logged
/// and left empty: the units held, which the limit needs, are a separate key.
fn records(held: &[(String, f64)], mine: &[(String, String)]) -> BTreeMap<String, CustomerRecord> {
    let mut records: BTreeMap<String, CustomerRecord> = BTreeMap::new();
    for (key, units) in held {
        if let Some(customer) = key.strip_prefix(HELD_PREFIX) {
            records.entry(customer.to_owned()).or_default().held = *units as u32;
        }
    }
    for (key, json) in mine {
        let Some(customer) = key.strip_prefix(MINE_PREFIX) else {
            continue;
        };
        match serde_json::from_str(json) {
            Ok(ids) => records.entry(customer.to_owned()).or_default().orders = ids,
            Err(error) => console_warn!("{key} is damaged: {error}"),
        }
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_keys_become_one_record_per_customer() {
        let held = [("held:ann".to_owned(), 2.0), ("held:bo".to_owned(), 1.0)];
        let mine = [
            ("mine:ann".to_owned(), r#"["d.0.a","d.0.b"]"#.to_owned()),
            ("mine:cy".to_owned(), r#"["d.0.c"]"#.to_owned()),
        ];
        let records = records(&held, &mine);
        let record = |held, orders: &[&str]| CustomerRecord {
            held,
            orders: orders.iter().map(|id| id.to_string()).collect(),
            cancelled: Vec::new(),
        };
        assert_eq!(records["ann"], record(2, &["d.0.a", "d.0.b"]));
        assert_eq!(records["bo"], record(1, &[]));
        assert_eq!(records["cy"], record(0, &["d.0.c"]));
        assert_eq!(records.len(), 3);
    }
}
