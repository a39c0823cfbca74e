//! Events cases.

use std::time::Duration;

use futures_util::StreamExt;
use staunch::events::{Delivery, Events, EventsConfig};

use crate::Env;
use crate::env::unique;

pub async fn emit_reaches_global_and_tenant_subscribers(env: &Env) {
    let events = Events::new(env.store.clone());
    let topic = unique("workflow");
    let global = Events::topic_channel(&topic);
    let tenant = Events::tenant_channel(&topic, "tenant-1");
    let mut all = events
        .subscribe::<serde_json::Value>(&[&global])
        .await
        .unwrap();
    let mut mine = events
        .subscribe::<serde_json::Value>(&[&tenant])
        .await
        .unwrap()
        .sse();
    let sent = events
        .emit(
            &topic,
            Some("tenant-1"),
            "workflow.started",
            serde_json::json!({"workflow_id": "123"}),
        )
        .await
        .unwrap();
    let got = tokio::time::timeout(Duration::from_secs(5), all.next())
        .await
        .unwrap()
        .unwrap();
    match got {
        Delivery::Event { channel, event } => {
            assert_eq!(channel, global);
            assert_eq!(event.id, sent.id);
            assert_eq!(event.event_type, "workflow.started");
            assert_eq!(event.tenant_id.as_deref(), Some("tenant-1"));
            assert_eq!(event.data["workflow_id"], "123");
        }
        other => panic!("expected an event, got {other:?}"),
    }
    let frame = tokio::time::timeout(Duration::from_secs(5), mine.next())
        .await
        .unwrap()
        .unwrap();
    assert!(
        frame.starts_with(&format!(
            "id: {}\nevent: workflow.started\ndata: {{",
            sent.id
        )),
        "{frame}"
    );
    assert!(frame.ends_with("}\n\n"));
    // An event of another tenant does not reach tenant-1's channel, only the global one.
    events
        .emit(
            &topic,
            Some("tenant-2"),
            "workflow.completed",
            serde_json::json!({}),
        )
        .await
        .unwrap();
    let next = tokio::time::timeout(Duration::from_secs(5), all.next())
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(next, Delivery::Event { ref event, .. } if event.event_type == "workflow.completed")
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(200), mine.next())
            .await
            .is_err()
    );
}

pub async fn log_is_capped_newest_first(env: &Env) {
    let events = Events::with_config(env.store.clone(), EventsConfig::new().log_cap(3));
    let channel = unique("system:alerts:");
    for i in 0..5 {
        let event = staunch::events::Event::new("alert", None, i);
        events.publish(&channel, &event).await.unwrap();
    }
    let recent = events.recent::<i32>(&channel, 10).await.unwrap();
    assert_eq!(
        recent.iter().map(|e| e.data).collect::<Vec<_>>(),
        vec![4, 3, 2]
    );
    assert_eq!(events.recent::<i32>(&channel, 1).await.unwrap().len(), 1);
}
