//! As the AutoBot configuration and the Transform Army guide keep them: user sessions with a 24 h sliding expiry, chat history per session,
//! and the WebSocket connection registry.
//!
//! ```text
//! cargo run --example sessions
//! ```

use serde::{Deserialize, Serialize};
use staunch::config::{Settings, Staunch};
use staunch::session::{ChatHistory, Connections, Sessions};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Profile {
    name: String,
    requests: u32,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = Staunch::open(Settings::load()?.only_databases(&["sessions"])).await?;
    let store = app.db("sessions")?;
    let sessions = Sessions::new(store.clone());
    let chat = ChatHistory::new(store.clone()).cap(50);
    let ws = Connections::new(store);

    let profile = Profile {
        name: "John Doe".into(),
        requests: 0,
    };
    let session = sessions.create("123", &profile).await?;
    println!(
        "session {} expires in {:?}",
        session.id,
        sessions.ttl(&session.id).await?
    );

    // Each request slides the expiry and updates the data atomically.
    for _ in 0..3 {
        sessions
            .update(&session.id, |p: &mut Profile| p.requests += 1)
            .await?;
    }
    let now = sessions.get::<Profile>(&session.id).await?;
    println!("after 3 requests: {:?}", now.map(|s| s.data));

    chat.start(&session.id, "123").await?;
    chat.append(&session.id, "user", "Hello").await?;
    chat.append(&session.id, "assistant", "Hi there!").await?;
    chat.append(&session.id, "user", "What can you do?").await?;
    println!("chat, newest first:");
    for m in chat.recent(&session.id, 10).await? {
        println!("  [{}] {}: {}", m.timestamp, m.role, m.content);
    }

    ws.connect("conn_abc123", "123", &session.id).await?;
    println!("user 123 is routed to {:?}", ws.route("123").await?);
    ws.disconnect("conn_abc123").await?;

    println!(
        "sessions of user 123: {}",
        sessions.list_for_user::<Profile>("123").await?.len()
    );
    sessions.destroy(&session.id).await?;
    chat.clear(&session.id).await?;
    app.close().await?;
    Ok(())
}
