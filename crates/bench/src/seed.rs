//! `wxsim-bench seed`: a history database of many generated messages, written through the
//! engine's bulk seeding (its own schema, FTS index included).

use std::path::Path;
use std::time::Instant;

use wxsim_engine::store::{SeedPlan, SeededConversation, Store};
use wxsim_engine::ConversationState;

/// Adds `messages` messages over `conversations` conversations (default: one per 1,000
/// messages) to the database in `data_dir`, creating it when needed. `chatting` leaves
/// them chatting with session ids `{prefix}0 …`.
pub async fn run(
    data_dir: &Path,
    messages: u64,
    conversations: Option<u64>,
    chatting: bool,
    prefix: Option<&str>,
) -> anyhow::Result<Vec<SeededConversation>> {
    std::fs::create_dir_all(data_dir)?;
    let store = Store::open(&data_dir.join("wxsim.db")).await?;
    let conversations = conversations.unwrap_or((messages / 1000).max(1));
    let plan = SeedPlan {
        conversations,
        messages_per_conversation: messages / conversations,
        state: if chatting {
            ConversationState::Chatting
        } else {
            ConversationState::Closed
        },
        prefix: prefix.map_or_else(
            || format!("seed-{}-", wxsim_engine::store::now_ms()),
            str::to_owned,
        ),
    };
    let started = Instant::now();
    let seeded = store.seed(&plan).await?;
    let secs = started.elapsed().as_secs_f64();
    store.close().await;
    let written = plan.conversations * plan.messages_per_conversation;
    println!(
        "seeded {written} messages in {} conversations in {secs:.1} s ({:.0} messages/s)",
        plan.conversations,
        written as f64 / secs.max(1e-9)
    );
    if let (Some(first), Some(last)) = (seeded.first(), seeded.last()) {
        println!("conversations {}..={}", first.id, last.id);
    }
    Ok(seeded)
}
