//! The engine: owns the store, media folder, webchat client, listener and timers, and is
//! the one API every front end calls (commands here and in `commands`, events by
//! `subscribe`).

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::client::{CallContext, Target, WebchatClient};
use crate::config::Profile;
use crate::error::{EngineError, Result};
use crate::events::{EngineEvent, EventBus, Typist};
use crate::media::MediaFolder;
use crate::model::{
    Conversation, ConversationFilter, Customer, Exchange, ExchangeFilter, Media, Message, SearchHit,
};
use crate::sanitize::AgentHtml;
use crate::store::{ConversationRow, Store};

/// How to start an engine.
pub struct EngineOptions {
    /// Holds `wxsim.db` and `media/`.
    pub data_dir: PathBuf,
    /// Overrides (and becomes) the active profile; `None` keeps the stored one or the default.
    pub profile: Option<Profile>,
    /// Base URL of the embedded webchat simulator, used when the profile names no webchat.
    pub embedded_webchat: Option<String>,
    /// The bound callback/media listener.
    pub listener: TcpListener,
}

/// What the engine is: the hosting side itself, or the watcher of a real pair that
/// `wxsim proxy` stands between (it records and rebuilds, and calls nobody).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Hosting,
    Observer,
}

#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub store: Store,
    pub media: MediaFolder,
    pub client: WebchatClient,
    pub events: EventBus,
    /// Swapped whole when the profile changes: a reader holds one consistent copy, unlocked.
    pub settings: ArcSwap<Settings>,
    pub embedded_webchat: Option<String>,
    pub listen_addr: SocketAddr,
    pub role: Role,
    pub timers: Mutex<HashMap<(i64, crate::timers::TimerKind), CancellationToken>>,
    pub faults: Mutex<Vec<crate::faults::ListenerFault>>,
    /// Addresses of agent pictures kept, or being fetched, since the start.
    pub pictures_seen: Mutex<std::collections::HashSet<String>>,
    /// Customer messages being sent right now: a second send of one waits its turn.
    pub in_flight: Mutex<std::collections::HashSet<i64>>,
    pub shutdown: CancellationToken,
}

impl Engine {
    pub async fn start(options: EngineOptions) -> Result<Engine> {
        let engine = Engine::open(
            &options.data_dir,
            options.profile,
            options.embedded_webchat,
            options.listener.local_addr()?,
            Role::Hosting,
        )
        .await?;
        crate::listener::spawn(engine.clone(), options.listener);
        engine.resume_timers().await?;
        tokio::spawn(engine.clone().check_sessions());
        tracing::info!(listener = %engine.listen_addr(), webchat = %engine.webchat_base(), "engine started");
        Ok(engine)
    }

    /// The engine over its data dir, with nothing running yet: `start` adds the listener
    /// and the rounds a hosting side runs, `observe` the watcher of a proxied pair.
    pub(crate) async fn open(
        data_dir: &std::path::Path,
        profile: Option<Profile>,
        embedded_webchat: Option<String>,
        listen_addr: SocketAddr,
        role: Role,
    ) -> Result<Engine> {
        std::fs::create_dir_all(data_dir)?;
        let store = Store::open(&data_dir.join("wxsim.db")).await?;
        let media = MediaFolder::open(&data_dir.join("media"))?;
        let profile = match profile {
            Some(p) => {
                p.validate()?;
                store.activate_profile(&p).await?;
                p
            }
            None => match store.active_profile().await? {
                Some(p) => p,
                None => {
                    let p = Profile::default();
                    store.activate_profile(&p).await?;
                    p
                }
            },
        };
        let interrupted = store
            .write(crate::store::messages::fail_interrupted)
            .await?;
        if interrupted > 0 {
            tracing::warn!(
                interrupted,
                "customer messages were cut off by a stop; they are marked failed for re-sending"
            );
        }
        let events = EventBus::new();
        Ok(Engine {
            inner: Arc::new(Inner {
                client: WebchatClient::new(store.clone(), events.clone()),
                store,
                media,
                events,
                settings: ArcSwap::from_pointee(Settings::new(
                    profile,
                    embedded_webchat.as_deref(),
                )),
                embedded_webchat,
                listen_addr,
                role,
                timers: Mutex::new(HashMap::new()),
                faults: Mutex::new(Vec::new()),
                pictures_seen: Mutex::new(Default::default()),
                in_flight: Mutex::new(Default::default()),
                shutdown: CancellationToken::new(),
            }),
        })
    }

    /// Refuses a command that would call webchat (or invent a customer) while the engine
    /// only watches a proxied pair: there the hosting service is the one that acts.
    pub(crate) fn hosting(&self) -> Result<()> {
        match self.inner.role {
            Role::Hosting => Ok(()),
            Role::Observer => Err(EngineError::Observing),
        }
    }

    /// True while the engine only watches a proxied pair (`wxsim proxy`).
    pub fn observing(&self) -> bool {
        self.inner.role == Role::Observer
    }

    /// Stops the listener and timers and closes the database.
    pub async fn shutdown(&self) {
        self.inner.shutdown.cancel();
        self.inner.store.close().await;
    }

    /// Resolves once the engine is stopping: long-lived streams (the API's events) end
    /// then, so that a server draining its connections can stop.
    pub fn stopping(&self) -> tokio_util::sync::WaitForCancellationFutureOwned {
        self.inner.shutdown.clone().cancelled_owned()
    }

    pub fn listen_addr(&self) -> SocketAddr {
        self.inner.listen_addr
    }

    /// Our own base URL as webchat reaches it (`http://listener`).
    pub fn callback_base(&self) -> String {
        format!("http://{}", self.inner.listen_addr)
    }

    /// `LIVEBOT_WANADDR`: the profile's, or the listener's own address.
    pub fn wan_addr(&self) -> String {
        self.settings()
            .profile
            .wan_addr
            .clone()
            .unwrap_or_else(|| self.callback_base())
    }

    /// The webchat we talk to: the profile's URL, else the embedded simulator.
    pub fn webchat_base(&self) -> String {
        self.settings().webchat_base.clone()
    }

    /// The active profile and what follows from it, as one snapshot.
    pub(crate) fn settings(&self) -> Arc<Settings> {
        self.inner.settings.load_full()
    }

    pub fn profile(&self) -> Profile {
        self.settings().profile.clone()
    }

    /// Validates, stores and activates `profile`; running timers pick up new intervals.
    pub async fn set_profile(&self, profile: Profile) -> Result<Profile> {
        self.detached(move |e| async move { e.activate(profile).await })
            .await
    }

    async fn activate(&self, profile: Profile) -> Result<Profile> {
        profile.validate()?;
        self.inner.store.activate_profile(&profile).await?;
        self.inner.settings.store(Arc::new(Settings::new(
            profile.clone(),
            self.inner.embedded_webchat.as_deref(),
        )));
        self.publish(EngineEvent::ProfileChanged {
            profile: profile.clone(),
        });
        Ok(profile)
    }

    pub async fn profiles(&self) -> Result<Vec<Profile>> {
        self.inner.store.profiles().await
    }

    /// Forgets a stored profile; the active one cannot be removed (switch first).
    pub async fn delete_profile(&self, name: &str) -> Result<()> {
        if self.settings().profile.name == name {
            return Err(EngineError::Invalid(format!(
                "profile `{name}` is the active one; switch to another before removing it"
            )));
        }
        if self.inner.store.delete_profile(name).await? {
            Ok(())
        } else {
            Err(EngineError::Invalid(format!(
                "there is no stored profile `{name}`"
            )))
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<EngineEvent>> {
        self.inner.events.subscribe()
    }

    /// Tells the front ends that `who` is writing in the customer's chat, or stopped
    /// ([`EngineEvent::Typing`]); nothing is stored or sent.
    pub fn typing(&self, customer_id: i64, who: Typist, typing: bool) {
        self.publish(EngineEvent::Typing {
            customer_id,
            who,
            typing,
        });
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The contract checker's report over the stored exchanges, or those in a time range.
    pub async fn contract_report(
        &self,
        since: Option<i64>,
        until: Option<i64>,
    ) -> Result<crate::contract::ContractReport> {
        crate::contract::ContractReport::build(&self.inner.store, since, until).await
    }

    /// Runs a command's body on a task of its own. A caller that goes away (hyper drops a
    /// handler's future when its client hangs up) then cannot leave half a state: the body
    /// still stores its outcome and publishes what it committed.
    pub(crate) async fn detached<T, F>(&self, body: impl FnOnce(Engine) -> F) -> Result<T>
    where
        F: Future<Output = Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        match tokio::spawn(body(self.clone())).await {
            Ok(outcome) => outcome,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => Err(EngineError::Stopping),
        }
    }

    pub(crate) fn publish(&self, event: EngineEvent) {
        self.inner.events.publish(event)
    }

    pub(crate) fn target(&self) -> Target {
        let settings = self.settings();
        Target {
            base_url: settings.webchat_base.clone(),
            timeout: Duration::from_millis(settings.profile.request_timeout_ms),
        }
    }

    pub(crate) fn client(&self) -> &WebchatClient {
        &self.inner.client
    }

    pub(crate) fn context(row: &ConversationRow) -> CallContext {
        CallContext {
            open_id: Some(row.open_id.clone()),
            conversation_id: Some(row.id),
        }
    }

    /// Publishes what changed in a conversation: itself and its customer's summary.
    pub(crate) async fn announce(&self, row: &ConversationRow) -> Result<()> {
        self.publish(EngineEvent::ConversationChanged {
            conversation: row.view(),
        });
        let customer = self.inner.store.customer(row.customer_id).await?;
        self.publish(EngineEvent::CustomerChanged { customer });
        self.sync_timers(row);
        Ok(())
    }

    /// [`Engine::announce`] with the customer as the transaction that changed `row` left
    /// it: no read after the commit (a callback's answer waited for one), and the events
    /// come in the order of the commits.
    pub(crate) fn announce_read(&self, row: &ConversationRow, customer: Customer) {
        self.publish(EngineEvent::ConversationChanged {
            conversation: row.view(),
        });
        self.publish(EngineEvent::CustomerChanged { customer });
        self.sync_timers(row);
    }

    pub async fn customers(&self) -> Result<Vec<Customer>> {
        self.inner.store.customers().await
    }

    pub async fn customer(&self, id: i64) -> Result<Customer> {
        self.inner.store.customer(id).await
    }

    pub async fn conversations(&self, filter: &ConversationFilter) -> Result<Vec<Conversation>> {
        self.inner.store.conversations(filter).await
    }

    pub async fn conversation(&self, id: i64) -> Result<Conversation> {
        self.inner.store.conversation(id).await
    }

    pub async fn messages(&self, conversation_id: i64) -> Result<Vec<Message>> {
        self.inner.store.messages(conversation_id).await
    }

    pub async fn exchanges(&self, filter: &ExchangeFilter) -> Result<Vec<Exchange>> {
        self.inner.store.exchanges(filter).await
    }

    pub async fn search(&self, query: &str, limit: i64) -> Result<Vec<SearchHit>> {
        self.inner.store.search(query, limit).await
    }

    /// The files an export of `messages` shows: `files` says which.
    pub async fn embedded(
        &self,
        messages: &[Message],
        files: crate::export::Files,
    ) -> Result<crate::export::Embedded> {
        let (store, dir) = (&self.inner.store, self.inner.media.dir());
        crate::export::Embedded::gather(store, dir, messages, files).await
    }

    /// What a scenario saved from conversation `id` is made of.
    pub async fn recording(&self, id: i64) -> Result<crate::scenario_file::Recording> {
        crate::scenario_file::Recording::gather(&self.inner.store, self.inner.media.dir(), id).await
    }

    /// A stored media file and its bytes (for previews).
    pub async fn media_bytes(&self, media_id: &str) -> Result<(Media, Vec<u8>)> {
        let media = self
            .inner
            .store
            .media(media_id)
            .await?
            .ok_or_else(|| EngineError::UnknownMedia(media_id.into()))?;
        let bytes = self.inner.media.read(&media.file_name).await?;
        Ok((media, bytes))
    }
}

/// The active profile, the webchat it names (else the embedded simulator) and agent HTML's
/// sanitizer for that webchat.
pub(crate) struct Settings {
    pub profile: Profile,
    pub webchat_base: String,
    pub sanitizer: AgentHtml,
}

impl Settings {
    pub(crate) fn new(profile: Profile, embedded: Option<&str>) -> Settings {
        let webchat_base = profile
            .webchat_url
            .clone()
            .or_else(|| embedded.map(str::to_owned))
            .unwrap_or_default();
        Settings {
            sanitizer: AgentHtml::new(&webchat_base),
            webchat_base,
            profile,
        }
    }
}
