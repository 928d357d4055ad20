//! HTTP/1.1 transport with TLS and a small pool of kept-alive connections.
//!
//! NTLM authenticates a connection rather than a request, so the handshake
//! must run on one connection and the connection must then be reused.
//! hyper's connection-level client (`hyper::client::conn::http1`) gives that
//! control; a pooled client such as reqwest picks connections itself.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Request, StatusCode, Uri, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

use crate::auth::{Credentials, ntlm};
use crate::retry::MAX_SERVER_WAIT;

/// Location of the EWS endpoint, parsed from its URL.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    /// Whole URL, for messages.
    pub(crate) url: String,
    tls: bool,
    host: String,
    port: u16,
    authority: String,
    path: String,
}

impl Endpoint {
    pub(crate) fn parse(url: &str) -> Result<Endpoint, String> {
        let uri: Uri = url.parse().map_err(|error| {
            format!(
                "endpoint `{url}` is not a URL ({error}); expected https://HOST/EWS/Exchange.asmx"
            )
        })?;
        let tls = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => {
                return Err(format!(
                    "endpoint `{url}` must start with https:// (or http:// for tests)"
                ));
            }
        };
        let host = uri
            .host()
            .ok_or_else(|| format!("endpoint `{url}` has no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
        let authority = uri
            .authority()
            .map(|a| a.to_string())
            .unwrap_or_else(|| host.clone());
        let path = uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_else(|| String::from("/"));
        Ok(Endpoint {
            url: url.to_owned(),
            tls,
            host,
            port,
            authority,
            path,
        })
    }
}

/// TLS settings.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    /// PEM file of CA certificates trusted in addition to the system's.
    pub ca_bundle: Option<PathBuf>,
    /// Skips certificate verification entirely. Only for tests against a
    /// server with a throw-away certificate; the client logs a warning.
    pub danger_accept_invalid_certs: bool,
}

/// The reply to one HTTP exchange.
#[derive(Debug)]
pub(crate) struct HttpReply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// A transport failure.
#[derive(Debug)]
pub(crate) enum TransportError {
    /// Nothing was sent: connect, TLS or a pooled connection that closed first.
    NotSent(String),
    /// The request may have reached the server.
    Failed(String),
    /// The response exceeded the size limit.
    TooLarge(usize),
    /// The NTLM handshake failed before the request was processed.
    NtlmRejected,
}

struct Connection {
    sender: SendRequest<Full<Bytes>>,
    authenticated: bool,
    /// NTLM channel bindings of the TLS session, for Extended Protection.
    channel_bindings: Option<[u8; 16]>,
    /// When the connection was returned to the pool.
    idle_since: std::time::Instant,
}

/// Maximum time a connection waits in the pool. IIS closes inactive
/// connections after `<limits connectionTimeout>`, 2 minutes by default
/// (IIS settings schema, `siteDefaults/limits`), so reusing one close to
/// that limit risks a request the server drops unread.
const MAX_IDLE: Duration = Duration::from_secs(90);

/// Opens, authenticates and pools connections to one endpoint.
pub(crate) struct Transport {
    endpoint: Endpoint,
    tls: Option<TlsConnector>,
    credentials: Credentials,
    idle: Mutex<Vec<Connection>>,
    max_idle: usize,
    max_response_bytes: usize,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("endpoint", &self.endpoint.url)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

fn tls_config(options: &TlsOptions) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|error| format!("TLS setup failed: {error}"))?;
    if options.danger_accept_invalid_certs {
        let verifier = Arc::new(danger::AcceptAnyCertificate { provider });
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth());
    }
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for certificate in native.certs {
        // A system certificate rustls cannot use is skipped, as browsers do.
        let _ = roots.add(certificate);
    }
    if let Some(path) = &options.ca_bundle {
        use rustls_pki_types::CertificateDer;
        use rustls_pki_types::pem::PemObject;
        let iter = CertificateDer::pem_file_iter(path)
            .map_err(|error| format!("cannot read CA bundle `{}`: {error}", path.display()))?;
        let mut added = 0;
        for certificate in iter {
            let certificate = certificate.map_err(|error| {
                format!("invalid PEM in CA bundle `{}`: {error}", path.display())
            })?;
            roots.add(certificate).map_err(|error| {
                format!(
                    "unusable certificate in CA bundle `{}`: {error}",
                    path.display()
                )
            })?;
            added += 1;
        }
        if added == 0 {
            return Err(format!(
                "CA bundle `{}` contains no PEM certificate",
                path.display()
            ));
        }
    }
    if roots.is_empty() {
        return Err(String::from(
            "no trusted CA certificates: the system store is empty; install ca-certificates or set a CA bundle",
        ));
    }
    Ok(builder.with_root_certificates(roots).with_no_client_auth())
}

mod danger {
    use std::sync::Arc;

    use tokio_rustls::rustls::client::danger::{
        HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
    };
    use tokio_rustls::rustls::crypto::{
        CryptoProvider, verify_tls12_signature, verify_tls13_signature,
    };
    use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use tokio_rustls::rustls::{DigitallySignedStruct, Error, SignatureScheme};

    /// Accepts any server certificate but still checks handshake signatures.
    #[derive(Debug)]
    pub(super) struct AcceptAnyCertificate {
        pub(super) provider: Arc<CryptoProvider>,
    }

    impl ServerCertVerifier for AcceptAnyCertificate {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp_response: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            verify_tls12_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            verify_tls13_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.provider
                .signature_verification_algorithms
                .supported_schemes()
        }
    }
}

impl Transport {
    pub(crate) fn new(
        endpoint: Endpoint,
        credentials: Credentials,
        tls: &TlsOptions,
        max_idle: usize,
        max_response_bytes: usize,
    ) -> Result<Transport, String> {
        let connector = if endpoint.tls {
            Some(TlsConnector::from(Arc::new(tls_config(tls)?)))
        } else {
            None
        };
        Ok(Transport {
            endpoint,
            tls: connector,
            credentials,
            idle: Mutex::new(Vec::new()),
            max_idle,
            max_response_bytes,
        })
    }

    pub(crate) fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    pub(crate) fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Returns the number of idle pooled connections.
    pub(crate) fn idle_connections(&self) -> usize {
        self.idle.lock().map(|idle| idle.len()).unwrap_or(0)
    }

    async fn connect(&self) -> Result<Connection, TransportError> {
        let endpoint = &self.endpoint;
        let tcp = TcpStream::connect((endpoint.host.as_str(), endpoint.port))
            .await
            .map_err(|error| TransportError::NotSent(format!("TCP connect failed: {error}")))?;
        let _ = tcp.set_nodelay(true);
        let (sender, channel_bindings) = match &self.tls {
            Some(connector) => {
                let name = rustls_pki_types::ServerName::try_from(endpoint.host.clone()).map_err(
                    |error| TransportError::NotSent(format!("invalid TLS server name: {error}")),
                )?;
                let stream = connector.connect(name, tcp).await.map_err(|error| {
                    TransportError::NotSent(format!("TLS handshake failed: {error}"))
                })?;
                let bindings = stream
                    .get_ref()
                    .1
                    .peer_certificates()
                    .and_then(|chain| chain.first())
                    .map(|certificate| {
                        ntlm::channel_bindings_hash(&ntlm::tls_server_end_point(certificate))
                    });
                (handshake(TokioIo::new(stream)).await?, bindings)
            }
            None => (handshake(TokioIo::new(tcp)).await?, None),
        };
        Ok(Connection {
            sender,
            authenticated: false,
            channel_bindings,
            idle_since: std::time::Instant::now(),
        })
    }

    fn take_idle(&self) -> Option<Connection> {
        let mut idle = self.idle.lock().ok()?;
        while let Some(connection) = idle.pop() {
            if !connection.sender.is_closed() && connection.idle_since.elapsed() < MAX_IDLE {
                return Some(connection);
            }
        }
        None
    }

    fn put_idle(&self, mut connection: Connection) {
        if connection.sender.is_closed() {
            return;
        }
        connection.idle_since = std::time::Instant::now();
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < self.max_idle
        {
            idle.push(connection);
        }
    }

    fn request(
        &self,
        body: Bytes,
        anchor_mailbox: Option<&str>,
        authorization: Option<&str>,
    ) -> Request<Full<Bytes>> {
        let mut builder = Request::post(self.endpoint.path.as_str())
            .header(header::HOST, self.endpoint.authority.as_str())
            .header(header::CONTENT_TYPE, "text/xml; charset=utf-8")
            .header(header::ACCEPT, "text/xml");
        if let Some(mailbox) = anchor_mailbox
            && let Ok(value) = HeaderValue::from_str(mailbox)
        {
            builder = builder.header("X-AnchorMailbox", value);
        }
        if let Some(value) = authorization
            && let Ok(mut value) = HeaderValue::from_str(value)
        {
            value.set_sensitive(true);
            builder = builder.header(header::AUTHORIZATION, value);
        }
        // OK to expect: method, URI path and the header values above were
        // validated when the endpoint was parsed or are constants.
        builder
            .body(Full::new(body))
            .expect("request parts are valid")
    }

    async fn exchange(
        &self,
        connection: &mut Connection,
        request: Request<Full<Bytes>>,
    ) -> Result<HttpReply, TransportError> {
        if connection.sender.ready().await.is_err() {
            return Err(TransportError::NotSent(String::from(
                "pooled connection closed",
            )));
        }
        let response = connection
            .sender
            .try_send_request(request)
            .await
            .map_err(|error| {
                if error.message().is_some() {
                    TransportError::NotSent(format!(
                        "connection closed before the request was sent: {}",
                        error.error()
                    ))
                } else {
                    TransportError::Failed(format!("HTTP exchange failed: {}", error.error()))
                }
            })?;
        let (parts, body) = response.into_parts();
        let collected = Limited::new(body, self.max_response_bytes)
            .collect()
            .await
            .map_err(|error| {
                if error
                    .downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some()
                {
                    TransportError::TooLarge(self.max_response_bytes)
                } else {
                    TransportError::Failed(format!("reading the response failed: {error}"))
                }
            })?;
        Ok(HttpReply {
            status: parts.status,
            headers: parts.headers,
            body: collected.to_bytes(),
        })
    }

    /// Sends one SOAP request, authenticating a new connection first when
    /// the credentials are NTLM, and returns the reply.
    pub(crate) async fn send(
        &self,
        body: Bytes,
        anchor_mailbox: Option<&str>,
        bearer_token: Option<&str>,
    ) -> Result<HttpReply, TransportError> {
        // A pooled connection the server closed in the meantime fails before
        // anything is sent; the request then goes out on a new connection.
        if let Some(connection) = self.take_idle() {
            match self
                .send_on(connection, body.clone(), anchor_mailbox, bearer_token)
                .await
            {
                Err(TransportError::NotSent(_)) => {}
                result => return result,
            }
        }
        let connection = self.connect().await?;
        self.send_on(connection, body, anchor_mailbox, bearer_token)
            .await
    }

    async fn send_on(
        &self,
        mut connection: Connection,
        body: Bytes,
        anchor_mailbox: Option<&str>,
        bearer_token: Option<&str>,
    ) -> Result<HttpReply, TransportError> {
        let reply = match &self.credentials {
            Credentials::Basic { username, password } => {
                let encoded = BASE64.encode(format!("{username}:{}", password.expose()));
                let request = self.request(body, anchor_mailbox, Some(&format!("Basic {encoded}")));
                self.exchange(&mut connection, request).await?
            }
            Credentials::Bearer(_) => {
                let authorization = bearer_token.map(|token| format!("Bearer {token}"));
                let request = self.request(body, anchor_mailbox, authorization.as_deref());
                self.exchange(&mut connection, request).await?
            }
            Credentials::Ntlm { .. } if connection.authenticated => {
                let request = self.request(body, anchor_mailbox, None);
                self.exchange(&mut connection, request).await?
            }
            Credentials::Ntlm {
                domain,
                username,
                password,
                workstation,
            } => {
                let negotiate = format!("NTLM {}", BASE64.encode(ntlm::negotiate_message()));
                let first = self.request(Bytes::new(), anchor_mailbox, Some(&negotiate));
                let challenge_reply = self.exchange(&mut connection, first).await?;
                if challenge_reply.status != StatusCode::UNAUTHORIZED {
                    // The server did not request NTLM, and its response to the
                    // empty negotiate request is not the operation's result.
                    return Err(TransportError::Failed(format!(
                        "expected HTTP 401 with an NTLM challenge, but the server returned {}",
                        challenge_reply.status
                    )));
                }
                let Some(challenge) = ntlm_challenge(&challenge_reply.headers) else {
                    return Err(TransportError::NtlmRejected);
                };
                let challenge = ntlm::ChallengeMessage::parse(&challenge)
                    .map_err(|error| TransportError::Failed(error.to_string()))?;
                let client_challenge: [u8; 8] = rand::random();
                let binding = ntlm::Binding {
                    channel_bindings: connection.channel_bindings,
                    target_name: Some(format!("HTTP/{}", self.endpoint.host)),
                };
                let message = ntlm::authenticate_message(
                    &challenge,
                    (domain, username, password.expose()),
                    workstation,
                    client_challenge,
                    &binding,
                );
                let authenticate = format!("NTLM {}", BASE64.encode(message.to_bytes()));
                let request = self.request(body, anchor_mailbox, Some(&authenticate));
                let reply = self.exchange(&mut connection, request).await?;
                if reply.status == StatusCode::UNAUTHORIZED {
                    return Err(TransportError::NtlmRejected);
                }
                connection.authenticated = true;
                reply
            }
        };
        if reply.status != StatusCode::UNAUTHORIZED {
            self.put_idle(connection);
        }
        Ok(reply)
    }
}

async fn handshake<T>(io: TokioIo<T>) -> Result<SendRequest<Full<Bytes>>, TransportError>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let (sender, connection) = http1::handshake(io)
        .await
        .map_err(|error| TransportError::NotSent(format!("HTTP handshake failed: {error}")))?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(target: "roombridge::ews", %error, "EWS connection closed with an error");
        }
    });
    Ok(sender)
}

/// Returns the decoded NTLM challenge from `WWW-Authenticate`.
fn ntlm_challenge(headers: &HeaderMap) -> Option<Vec<u8>> {
    headers
        .get_all(header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| value.strip_prefix("NTLM "))
        .and_then(|encoded| BASE64.decode(encoded.trim()).ok())
}

/// Parses `Retry-After` as seconds or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit()) {
        // Digits too many for a u64 are a wait far above the cap.
        let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds).min(MAX_SERVER_WAIT));
    }
    let when = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = when.duration_since(jiff::Timestamp::now());
    Some(
        Duration::try_from(wait)
            .unwrap_or(Duration::ZERO)
            .min(MAX_SERVER_WAIT),
    )
}
