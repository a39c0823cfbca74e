//! Session, chat history and connection cases.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use staunch::session::{ChatHistory, Connections, SessionConfig, Sessions};
use staunch_core::prelude::*;

use crate::Env;
use crate::env::unique;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Data {
    theme: String,
    count: u32,
}

fn sessions(env: &Env) -> Sessions {
    Sessions::with_config(
        env.store.clone(),
        SessionConfig::new().prefixes(unique("session"), unique("user")),
    )
}

pub async fn lifecycle_with_sliding_expiry(env: &Env) {
    let sessions = sessions(env);
    let user = "123";
    let data = Data {
        theme: "dark".into(),
        count: 0,
    };
    let s = sessions.create(user, &data).await.unwrap();
    // 24 h by default.
    let ttl = sessions.ttl(&s.id).await.unwrap().unwrap();
    assert!(ttl > Duration::from_secs(23 * 3600) && ttl <= Duration::from_secs(24 * 3600));
    let raw = env
        .store
        .get_string(&sessions.session_key(&s.id))
        .await
        .unwrap()
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(json["user_id"], "123");
    assert_eq!(json["data"]["theme"], "dark");
    let got = sessions.get::<Data>(&s.id).await.unwrap().unwrap();
    assert_eq!(got.data, data);
    // Sliding expiry on a short session.
    let short = sessions
        .create_with_ttl(user, &data, Duration::from_millis(1500))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(sessions.touch(&short.id).await.unwrap());
    assert!(sessions.ttl(&short.id).await.unwrap().unwrap() > Duration::from_millis(1200));
    let updated = sessions
        .update(&short.id, |d: &mut Data| d.count += 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(updated.data.count, 1);
    let mut listed: Vec<String> = sessions
        .list_for_user::<Data>(user)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    listed.sort();
    let mut expected = vec![s.id.clone(), short.id.clone()];
    expected.sort();
    assert_eq!(listed, expected);
    // Expiry on its own removes it from the list too.
    tokio::time::sleep(Duration::from_millis(1700)).await;
    assert!(sessions.get::<Data>(&short.id).await.unwrap().is_none());
    assert!(!sessions.touch(&short.id).await.unwrap());
    assert!(
        sessions
            .update(&short.id, |d: &mut Data| d.count += 1)
            .await
            .unwrap()
            .is_none()
    );
    let listed = sessions.list_for_user::<Data>(user).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(sessions.destroy(&s.id).await.unwrap());
    assert!(!sessions.destroy(&s.id).await.unwrap());
    assert!(
        sessions
            .list_for_user::<Data>(user)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        env.store
            .hget(&sessions.user_key(user), "last_active")
            .await
            .unwrap()
            .is_some()
    );
}

pub async fn concurrent_updates_are_not_lost(env: &Env) {
    let sessions = sessions(env);
    let s = sessions
        .create(
            "u",
            &Data {
                theme: "x".into(),
                count: 0,
            },
        )
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (sessions, id) = (sessions.clone(), s.id.clone());
        tasks.push(tokio::spawn(async move {
            sessions
                .update(&id, |d: &mut Data| d.count += 1)
                .await
                .unwrap()
                .unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(
        sessions
            .get::<Data>(&s.id)
            .await
            .unwrap()
            .unwrap()
            .data
            .count,
        20
    );
}

pub async fn chat_history_is_capped_newest_first(env: &Env) {
    let chat = ChatHistory::new(env.store.clone())
        .prefix(unique("chat"))
        .cap(3);
    chat.start("session_456", "123").await.unwrap();
    for i in 0..5 {
        let role = if i % 2 == 0 { "user" } else { "assistant" };
        chat.append("session_456", role, &format!("message {i}"))
            .await
            .unwrap();
    }
    let recent = chat.recent("session_456", 10).await.unwrap();
    let contents: Vec<&str> = recent.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(contents, ["message 4", "message 3", "message 2"]);
    assert_eq!(recent[0].role, "user");
    assert_eq!(chat.len("session_456").await.unwrap(), 3);
    let meta = env
        .store
        .get_string(&chat.meta_key("session_456"))
        .await
        .unwrap()
        .unwrap();
    assert!(meta.contains("\"user_id\":\"123\""));
    assert!(chat.clear("session_456").await.unwrap());
    assert!(chat.recent("session_456", 10).await.unwrap().is_empty());
}

pub async fn connection_routing(env: &Env) {
    let ws = Connections::new(env.store.clone()).route_ttl(Duration::from_secs(7200));
    let user = unique("");
    ws.connect("conn_abc123", &user, "456").await.unwrap();
    assert_eq!(
        ws.route(&user).await.unwrap().as_deref(),
        Some("conn_abc123")
    );
    let ttl = env.store.ttl(&ws.route_key(&user)).await.unwrap();
    assert!(ttl > 7000 && ttl <= 7200);
    // `{ws}:` on a Redis Cluster, where the registry and the routes share a slot.
    let prefix = if env.store.capabilities().cross_slot {
        "ws"
    } else {
        "{ws}"
    };
    assert_eq!(
        ws.route_key(&user),
        format!("{prefix}:user_{user}:connection")
    );
    // Reconnect elsewhere; the old connection's cleanup must not unroute the user.
    ws.connect("conn_def", &user, "456").await.unwrap();
    assert!(!ws.refresh(&user, "conn_abc123").await.unwrap());
    assert!(ws.disconnect("conn_abc123").await.unwrap());
    assert_eq!(ws.route(&user).await.unwrap().as_deref(), Some("conn_def"));
    assert!(ws.refresh(&user, "conn_def").await.unwrap());
    assert_eq!(ws.get("conn_def").await.unwrap().unwrap().session_id, "456");
    assert!(ws.list().await.unwrap().contains_key("conn_def"));
    assert!(ws.disconnect("conn_def").await.unwrap());
    assert_eq!(ws.route(&user).await.unwrap(), None);
    assert!(!ws.disconnect("conn_def").await.unwrap());
}
