//! A rig for end-to-end tests: the engine and the webchat simulator on real loopback
//! ports, with a real SQLite file in a temporary data dir.

#![allow(dead_code)]

use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use wxsim_engine::{
    Conversation, ConversationState, Customer, Engine, EngineOptions, NewCustomer, Profile,
};
use wxsim_webchat::{SimConfig, SimHandle};

pub struct Rig {
    pub engine: Engine,
    pub sim: SimHandle,
    pub dir: tempfile::TempDir,
}

/// Fast timings so whole conversations take well under a second.
pub fn quick_sim(ari_base: String) -> SimConfig {
    SimConfig {
        ari_base,
        accept_delay_ms: 30,
        reply_delay_ms: 10,
        ..SimConfig::default()
    }
}

pub fn quick_profile() -> Profile {
    Profile {
        pulse_interval_ms: 100,
        queue_poll_interval_ms: 100,
        request_timeout_ms: 2_000,
        ..Profile::default()
    }
}

pub async fn start_engine(
    dir: &Path,
    webchat: Option<String>,
    listener: TcpListener,
    profile: Option<Profile>,
) -> Engine {
    Engine::start(EngineOptions {
        data_dir: dir.to_path_buf(),
        profile,
        embedded_webchat: webchat,
        listener,
    })
    .await
    .expect("engine starts")
}

impl Rig {
    pub async fn start() -> Rig {
        Rig::start_with(quick_sim).await
    }

    pub async fn start_with(sim_config: impl FnOnce(String) -> SimConfig) -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ari = format!("http://{}", listener.local_addr().unwrap());
        let sim = wxsim_webchat::spawn(
            sim_config(ari),
            TcpListener::bind("127.0.0.1:0").await.unwrap(),
        )
        .await
        .unwrap();
        let engine = start_engine(
            dir.path(),
            Some(sim.base_url()),
            listener,
            Some(quick_profile()),
        )
        .await;
        Rig { engine, sim, dir }
    }

    pub async fn customer(&self, nickname: &str, skill_group: i64) -> Customer {
        self.engine
            .create_customer(NewCustomer {
                open_id: None,
                nickname: nickname.into(),
                head_img_url: None,
                source: None,
                brand: None,
                skill_group,
                agent_id: None,
                tracks: None,
            })
            .await
            .unwrap()
    }

    /// The customer's newest conversation.
    pub async fn conversation(&self, customer: &Customer) -> Conversation {
        let filter = wxsim_engine::ConversationFilter {
            customer_id: Some(customer.id),
            limit: Some(1),
            ..Default::default()
        };
        self.engine.conversations(&filter).await.unwrap().remove(0)
    }

    pub async fn wait_state(&self, customer: &Customer, state: ConversationState) -> Conversation {
        eventually(
            &format!("{} to be {state:?}", customer.nickname),
            || async {
                let c = self.conversation(customer).await;
                (c.state == state).then_some(c)
            },
        )
        .await
    }

    /// The simulator's view of the customer's session.
    pub async fn sim_session(&self, customer: &Customer) -> wxsim_webchat::Session {
        self.sim
            .control()
            .state()
            .sessions
            .into_iter()
            .find(|s| s.open_id.key() == customer.open_id)
            .expect("webchat has a session for the customer")
    }

    /// Requests a chat and waits for an agent and the agent's greeting (so that the
    /// simulator's opening callbacks are all in before a test goes on).
    pub async fn chatting(&self, nickname: &str, skill_group: i64) -> (Customer, Conversation) {
        let customer = self.customer(nickname, skill_group).await;
        self.engine.request_chat(customer.id).await.unwrap();
        let conversation = self
            .wait_state(&customer, ConversationState::Chatting)
            .await;
        eventually("the agent's greeting", || async {
            let messages = self.engine.messages(conversation.id).await.unwrap();
            messages
                .iter()
                .any(|m| m.direction == wxsim_engine::Direction::In)
                .then_some(())
        })
        .await;
        (customer, conversation)
    }
}

/// Posts a JSON body (any bytes) to the listener, optionally with the shared secret header;
/// the HTTP status and the answer's JSON (null when it is not JSON).
pub async fn post(
    url: &str,
    body: impl Into<reqwest::Body>,
    secret: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    if let Some(secret) = secret {
        request = request.header("x-wxsim-secret", secret);
    }
    let resp = request.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}

/// Polls `probe` until it yields a value, failing after ten seconds.
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
