//! The demo's running system: the Exchange simulator with its sample
//! organisation, and roombridge against it (configuration file, SQLite in a
//! temporary folder, rooms read from Exchange, users with tokens, the REST
//! API on loopback and the sync engine).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use hyper::Method;
use roombridge_domain::{ResponseMode, Room, User};
use roombridge_ews::auth::Credentials;
use roombridge_ews::operations::{GetRoomLists, GetRooms};
use roombridge_ews::types::{EmailAddress, ExchangeVersion, ResponseClass};
use roombridge_ews::{EwsClient, EwsClientBuilder};
use roombridge_simulator::{RunningSimulator, Simulator, SimulatorConfig};
use roombridge_store::Store;
use roombridge_sync::SyncEngine;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::http::Call;
use crate::config::{Config, ExchangeAuth, ExchangeConfig};

/// The service account of the simulator's sample organisation, as an NTLM
/// account name. Public sample data, printed by `--keep-running`.
pub(super) const SERVICE_ACCOUNT: &str = "EXAMPLE\\svc";

/// Password of [`SERVICE_ACCOUNT`] in the sample organisation.
pub(super) const SERVICE_PASSWORD: &str = "svc-password";

/// A user of the sample organisation, printed by `--keep-running` for
/// trying EWS by hand.
pub(super) const SAMPLE_USER: &str = "alice@example.com";

/// [`SAMPLE_USER`] as an NTLM account name.
pub(super) const SAMPLE_NTLM_USER: &str = "EXAMPLE\\alice";

/// Password of [`SAMPLE_USER`] in the sample organisation.
pub(super) const SAMPLE_PASSWORD: &str = "alice-password";

/// Time between scheduled syncs while `--keep-running` waits, so that
/// changes made by hand show up within a minute.
const SYNC_INTERVAL: &str = "1m";

/// The task serving the REST API.
type ServerTask = JoinHandle<std::io::Result<()>>;

/// Everything the demo started; [`Environment::stop`] stops it.
#[derive(Debug)]
pub(super) struct Environment {
    /// The Exchange simulator.
    pub(super) simulator: RunningSimulator,
    /// Address of roombridge's REST API.
    pub(super) api: SocketAddr,
    /// The sync engine between the store and the simulator.
    pub(super) engine: SyncEngine,
    /// API token of each user, by address.
    pub(super) tokens: BTreeMap<String, String>,
    /// Rooms read from Exchange, by address.
    pub(super) rooms: BTreeMap<String, Room>,
    server_stop: oneshot::Sender<()>,
    server: ServerTask,
    _folder: tempfile::TempDir,
}

impl Environment {
    /// Starts the simulator and roombridge against it, with the sample
    /// organisation's rooms and users.
    ///
    /// # Errors
    ///
    /// Returns a message naming the part that failed to start.
    pub(super) async fn start() -> Result<Environment, String> {
        let folder = tempfile::Builder::new()
            .prefix("roombridge-demo-")
            .tempdir()
            .map_err(|error| format!("cannot create a temporary folder: {error}"))?;
        let simulator = Simulator::start(SimulatorConfig::default())
            .await
            .map_err(|error| format!("cannot start the Exchange simulator: {error}"))?;
        let config = write_config(folder.path(), &simulator.ews_url())?;
        let exchange = config
            .exchange
            .as_ref()
            .ok_or("the demo configuration has no [exchange] section")?;
        let client = ews_client(exchange)?;
        check_sample_sign_in(&simulator.ews_url()).await?;

        let store = Store::connect(&config.database_url)
            .await
            .map_err(|error| format!("cannot open the demo database: {error}"))?;
        store
            .migrate()
            .await
            .map_err(|error| format!("cannot migrate the demo database: {error}"))?;
        let mailboxes = admin_mailboxes(simulator.local_addr()).await?;
        let rooms = import_rooms(&client, &mailboxes).await?;
        for room in rooms.values() {
            store
                .upsert_room(room.clone())
                .await
                .map_err(|error| format!("cannot save room `{}`: {error}", room.address))?;
        }
        let tokens = import_users(&store, &mailboxes).await?;

        let engine = super::super::sync::build_engine(&config, store.clone())
            .map_err(|failure| failure.to_string())?;
        let (api, server_stop, server) = serve_api(&config, store, engine.clone()).await?;
        Ok(Environment {
            simulator,
            api,
            engine,
            tokens,
            rooms,
            server_stop,
            server,
            _folder: folder,
        })
    }

    /// Returns the API token of `user`.
    pub(super) fn token(&self, user: &str) -> &str {
        self.tokens
            .get(user)
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// Returns the display name of a room, or its address when unknown.
    pub(super) fn room_name<'a>(&'a self, address: &'a str) -> &'a str {
        self.rooms
            .get(address)
            .map(|room| room.display_name.as_str())
            .unwrap_or(address)
    }

    /// Stops the API (letting requests in flight finish) and the simulator.
    pub(super) async fn stop(self) {
        let _ = self.server_stop.send(());
        match self.server.await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "the demo API stopped with an error"),
            Err(error) => tracing::warn!(%error, "the demo API task failed"),
        }
        self.simulator.shutdown().await;
    }
}

/// Serves the REST API, with `POST /api/v1/sync` running `engine`, on the
/// configured address; returns the bound address, the stop signal and
/// the server task.
async fn serve_api(
    config: &Config,
    store: Store,
    engine: SyncEngine,
) -> Result<(SocketAddr, oneshot::Sender<()>, ServerTask), String> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", config.listen))?;
    let address = listener
        .local_addr()
        .map_err(|error| format!("cannot read the API's address: {error}"))?;
    let (stop, stopped) = oneshot::channel::<()>();
    let state = roombridge_api::AppState::new(store).with_sync_engine(engine);
    let server = tokio::spawn(roombridge_api::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    Ok((address, stop, server))
}

/// Writes the demo's configuration file and password file into `folder`
/// and loads them the way `roombridge --config` does, ignoring the
/// environment so that no ROOMBRIDGE_* variable can point the demo at a
/// real database or server.
fn write_config(folder: &Path, ews_url: &str) -> Result<Config, String> {
    let password_file = folder.join("exchange-password");
    std::fs::write(&password_file, SERVICE_PASSWORD)
        .map_err(|error| format!("cannot write {}: {error}", password_file.display()))?;

    let database = folder.join("roombridge.db");
    let mut exchange = toml::Table::new();
    exchange.insert("url".into(), ews_url.into());
    exchange.insert("auth".into(), "ntlm".into());
    exchange.insert("username".into(), SERVICE_ACCOUNT.into());
    exchange.insert(
        "password_file".into(),
        password_file.display().to_string().into(),
    );
    let mut sync = toml::Table::new();
    sync.insert("interval".into(), SYNC_INTERVAL.into());
    let mut root = toml::Table::new();
    root.insert(
        "database_url".into(),
        format!("sqlite://{}", database.display()).into(),
    );
    root.insert("listen".into(), "127.0.0.1:0".into());
    root.insert("exchange".into(), exchange.into());
    root.insert("sync".into(), sync.into());

    let path = folder.join("roombridge.toml");
    let text = toml::to_string(&root)
        .map_err(|error| format!("cannot write the demo configuration: {error}"))?;
    std::fs::write(&path, text)
        .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    Config::load_with_env(Some(&path), &|_| None).map_err(|error| error.to_string())
}

/// Builds an EWS client from the configuration, for the room import. The
/// sync engine builds its own with `roombridge sync`'s code.
fn ews_client(exchange: &ExchangeConfig) -> Result<EwsClient, String> {
    let password = roombridge_ews::Secret::new(exchange.password()?.expose());
    let username = exchange.username.clone().unwrap_or_default();
    let credentials = match exchange.auth {
        ExchangeAuth::Ntlm => Credentials::ntlm(&username, password),
        ExchangeAuth::Basic => Credentials::Basic { username, password },
        ExchangeAuth::Bearer => {
            return Err("the demo signs in with NTLM or Basic, not bearer tokens".to_owned());
        }
    };
    let version = ExchangeVersion::from_wire(&exchange.server_version).ok_or_else(|| {
        format!(
            "unknown server version `{}` in the demo configuration",
            exchange.server_version
        )
    })?;
    EwsClientBuilder::new(exchange.url.clone(), credentials)
        .server_version(version)
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|error| format!("cannot build the EWS client: {error}"))
}

/// Signs in as [`SAMPLE_USER`], so that the sign-in `--keep-running`
/// prints is known to work.
async fn check_sample_sign_in(ews_url: &str) -> Result<(), String> {
    let credentials = Credentials::Basic {
        username: SAMPLE_USER.to_owned(),
        password: roombridge_ews::Secret::new(SAMPLE_PASSWORD),
    };
    let client = EwsClientBuilder::new(ews_url, credentials)
        .build()
        .map_err(|error| format!("cannot build the EWS client: {error}"))?;
    client
        .call(None, &GetRoomLists)
        .await
        .map(|_| ())
        .map_err(|error| format!("the sample user {SAMPLE_USER} cannot sign in: {error}"))
}

/// Lists the simulator's mailboxes through its admin interface.
async fn admin_mailboxes(simulator: SocketAddr) -> Result<Vec<Value>, String> {
    let reply = Call::new(Method::GET, "/admin/mailboxes")
        .send(simulator)
        .await?;
    match reply.body {
        Value::Array(mailboxes) if reply.status.is_success() => Ok(mailboxes),
        other => Err(format!(
            "the simulator listed no mailboxes ({}): {other}",
            reply.status
        )),
    }
}

/// Reads the rooms from Exchange with GetRoomLists and GetRooms, as an
/// operator's import would. EWS does not expose a room's processing
/// settings, so the response mode comes from the simulator's admin
/// listing, the counterpart of `Get-CalendarProcessing`. Rooms that
/// process requests themselves become `auto-accept`, and roombridge
/// accepts or declines for the others (`accept-as-room`).
async fn import_rooms(
    client: &EwsClient,
    mailboxes: &[Value],
) -> Result<BTreeMap<String, Room>, String> {
    let lists = client
        .call(None, &GetRoomLists)
        .await
        .map_err(|error| format!("GetRoomLists failed: {error}"))?;
    if lists.message.response_class == ResponseClass::Error {
        return Err(format!(
            "GetRoomLists failed: {}",
            lists.message.message_text.unwrap_or_default()
        ));
    }
    let mut rooms = BTreeMap::new();
    for list in lists.message.content.room_lists {
        let request = GetRooms {
            room_list: list.clone(),
        };
        let name = list.email_address.as_deref().unwrap_or("a room list");
        let reply = client
            .call(None, &request)
            .await
            .map_err(|error| format!("GetRooms for {name} failed: {error}"))?;
        if reply.message.response_class == ResponseClass::Error {
            return Err(format!(
                "GetRooms for {name} failed: {}",
                reply.message.message_text.unwrap_or_default()
            ));
        }
        for found in reply.message.content.rooms {
            if let Some(room) = to_room(&found, mailboxes) {
                rooms.insert(room.address.clone(), room);
            }
        }
    }
    if rooms.is_empty() {
        return Err("Exchange listed no rooms in any room list".to_owned());
    }
    Ok(rooms)
}

fn to_room(found: &EmailAddress, mailboxes: &[Value]) -> Option<Room> {
    let address = found.email_address.as_deref()?.to_ascii_lowercase();
    let auto_accept = mailboxes
        .iter()
        .find(|mailbox| mailbox["address"].as_str() == Some(address.as_str()))
        .map(|mailbox| mailbox["room_settings"]["automate_processing"] == "AutoAccept")
        .unwrap_or(true);
    Some(Room {
        display_name: found.name.clone().unwrap_or_else(|| address.clone()),
        address,
        capacity: None,
        location: None,
        response_mode: if auto_accept {
            ResponseMode::AutoAccept
        } else {
            ResponseMode::AcceptAsRoom
        },
    })
}

/// Saves the organisation's people (every user mailbox without the
/// impersonation role) and creates an API token for each.
async fn import_users(
    store: &Store,
    mailboxes: &[Value],
) -> Result<BTreeMap<String, String>, String> {
    let mut tokens = BTreeMap::new();
    for mailbox in mailboxes {
        let (Some(address), Some(name)) = (mailbox["address"].as_str(), mailbox["name"].as_str())
        else {
            continue;
        };
        if mailbox["kind"] != "user" || mailbox["impersonation"] == true {
            continue;
        }
        store
            .upsert_user(User {
                address: address.to_owned(),
                display_name: name.to_owned(),
            })
            .await
            .map_err(|error| format!("cannot save user `{address}`: {error}"))?;
        let token = store
            .create_token(address)
            .await
            .map_err(|error| format!("cannot create a token for `{address}`: {error}"))?;
        tokens.insert(address.to_ascii_lowercase(), token);
    }
    Ok(tokens)
}
