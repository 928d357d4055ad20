//! TLS against a loopback server with a certificate from a throw-away CA
//! made with the `openssl` command: rejected by default, accepted with the
//! CA bundle, and accepted with verification turned off.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use roombridge_ews::auth::Credentials;
use roombridge_ews::envelope::response_xml;
use roombridge_ews::operations::*;
use roombridge_ews::retry::RetryPolicy;
use roombridge_ews::types::*;
use roombridge_ews::{EwsClientBuilder, EwsError, Secret};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, ServerConfig};

fn openssl(folder: &Path, args: &[&str]) {
    let status = Command::new("openssl")
        .args(args)
        .current_dir(folder)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("the openssl command is needed to make test certificates");
    assert!(status.success(), "openssl {args:?} failed");
}

/// Makes `ca.pem`, and `server.pem` with `server.key` for IP 127.0.0.1.
fn make_certificates(folder: &Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec![
        "req",
        "-x509",
        "-days",
        "2",
        "-subj",
        "/CN=roombridge test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ];
    ca.extend(ec);
    ca.extend([
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl(folder, &ca);
    let mut request = vec![
        "req",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ];
    request.extend(ec);
    openssl(folder, &request);
    std::fs::write(
        folder.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        folder,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.pem",
        ],
    );
}

/// Serves GetFolder responses over TLS on 127.0.0.1:0 and returns the URL.
async fn serve_tls(folder: &Path) -> String {
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(folder.join("server.pem"))
            .unwrap()
            .map(Result::unwrap)
            .collect();
    let key = PrivateKeyDer::from_pem_file(folder.join("server.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let body = response_xml(
        None,
        &GetFolderResponse {
            messages: vec![ResponseMessage::success(FoldersContent::default())],
        },
    );
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let body = body.clone();
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(stream).await else {
                    return;
                };
                let service = service_fn(move |_request| {
                    let body = body.clone();
                    async move {
                        Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(
                            Bytes::from(body),
                        )))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    format!("https://{address}/EWS/Exchange.asmx")
}

/// Counts what the NTLM test server saw.
#[derive(Default)]
struct NtlmLog {
    handshakes: usize,
    requests_without_authorization: usize,
    binding_mismatches: usize,
}

/// Serves GetFolder over TLS behind connection-level NTLMv2 that requires
/// channel bindings matching its certificate, as Exchange does with
/// Extended Protection.
async fn serve_ntlm_tls(folder: &Path, log: Arc<std::sync::Mutex<NtlmLog>>) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD as BASE64;
    use roombridge_ews::auth::ntlm;
    use sha2::Digest;

    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(folder.join("server.pem"))
            .unwrap()
            .map(Result::unwrap)
            .collect();
    let expected_bindings = ntlm::channel_bindings_hash(&sha2::Sha256::digest(chain[0].as_ref()));
    let key = PrivateKeyDer::from_pem_file(folder.join("server.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let body = response_xml(
        None,
        &GetFolderResponse {
            messages: vec![ResponseMessage::success(FoldersContent::default())],
        },
    );
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let body = body.clone();
            let log = log.clone();
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(stream).await else {
                    return;
                };
                // Per-connection state: the challenge sent, then whether the
                // connection is authenticated.
                let state = Arc::new(std::sync::Mutex::new((None::<[u8; 8]>, false)));
                let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let (body, log, state) = (body.clone(), log.clone(), state.clone());
                    async move {
                        let unauthorized = |challenge: Option<String>| {
                            let mut response = hyper::Response::new(Full::new(Bytes::new()));
                            *response.status_mut() = hyper::StatusCode::UNAUTHORIZED;
                            let value = challenge.unwrap_or_else(|| String::from("NTLM"));
                            response
                                .headers_mut()
                                .insert("WWW-Authenticate", value.parse().unwrap());
                            response
                        };
                        let ok = || hyper::Response::new(Full::new(Bytes::from(body.clone())));
                        let token = request
                            .headers()
                            .get("authorization")
                            .and_then(|value| value.to_str().ok())
                            .and_then(|value| value.strip_prefix("NTLM "))
                            .and_then(|value| BASE64.decode(value).ok());
                        let mut state = state.lock().unwrap();
                        let response = match token {
                            None if state.1 => {
                                log.lock().unwrap().requests_without_authorization += 1;
                                ok()
                            }
                            None => unauthorized(None),
                            Some(message) if message.get(8) == Some(&1) => {
                                let challenge = ntlm::ChallengeMessage {
                                    flags: ntlm::CLIENT_FLAGS | ntlm::NEGOTIATE_TARGET_INFO,
                                    server_challenge: [5; 8],
                                    target_name: String::from("EXAMPLE"),
                                    target_info: ntlm::target_info(
                                        "EXAMPLE",
                                        "EXCH01",
                                        ntlm::filetime_now(),
                                    ),
                                };
                                state.0 = Some(challenge.server_challenge);
                                unauthorized(Some(format!(
                                    "NTLM {}",
                                    BASE64.encode(challenge.to_bytes())
                                )))
                            }
                            Some(message) => {
                                let authenticate =
                                    ntlm::AuthenticateMessage::parse(&message).unwrap();
                                let verified = authenticate
                                    .verify(state.0.unwrap(), |domain, user| {
                                        (domain == "EXAMPLE" && user == "svc")
                                            .then(|| String::from("svc-password"))
                                    })
                                    .is_ok();
                                let bound =
                                    authenticate.channel_bindings() == Some(expected_bindings);
                                let mut log = log.lock().unwrap();
                                log.handshakes += 1;
                                if !bound {
                                    log.binding_mismatches += 1;
                                }
                                if verified && bound {
                                    state.1 = true;
                                    ok()
                                } else {
                                    unauthorized(None)
                                }
                            }
                        };
                        Ok::<_, std::convert::Infallible>(response)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    format!("https://{address}/EWS/Exchange.asmx")
}

fn builder(url: &str) -> EwsClientBuilder {
    let credentials = Credentials::Basic {
        username: String::from("svc@example.com"),
        password: Secret::new("svc-password"),
    };
    EwsClientBuilder::new(url, credentials).retry(RetryPolicy {
        max_attempts: 1,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(1),
    })
}

fn get_folder() -> GetFolder {
    GetFolder {
        folder_shape: Shape::new(BaseShape::IdOnly),
        folder_ids: vec![DistinguishedFolderId::new(DistinguishedFolderIdName::Calendar).into()],
    }
}

#[tokio::test]
async fn tls_verification_and_ca_bundle() {
    let folder = tempfile::tempdir().unwrap();
    make_certificates(folder.path());
    let url = serve_tls(folder.path()).await;

    let strict = builder(&url).build().unwrap();
    let error = strict.call(None, &get_folder()).await.unwrap_err();
    assert!(
        matches!(error, EwsError::Connection { not_sent: true, .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("TLS handshake failed"),
        "{error}"
    );

    let with_bundle = builder(&url)
        .ca_bundle(folder.path().join("ca.pem"))
        .build()
        .unwrap();
    let response = with_bundle.call(None, &get_folder()).await.unwrap();
    assert_eq!(response.messages[0].response_code, ResponseCode::NoError);

    let unverified = builder(&url)
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let response = unverified.call(None, &get_folder()).await.unwrap();
    assert_eq!(response.messages[0].response_code, ResponseCode::NoError);
}

#[test]
fn ca_bundle_without_certificates_is_rejected() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("empty.pem");
    std::fs::write(&path, "not a certificate\n").unwrap();
    let error = builder("https://127.0.0.1:1/EWS/Exchange.asmx")
        .ca_bundle(&path)
        .build()
        .unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("empty.pem") && text.contains("no PEM certificate"),
        "{text}"
    );
}

#[tokio::test]
async fn ntlm_over_tls_sends_channel_bindings() {
    let folder = tempfile::tempdir().unwrap();
    make_certificates(folder.path());
    let log = Arc::new(std::sync::Mutex::new(NtlmLog::default()));
    let url = serve_ntlm_tls(folder.path(), log.clone()).await;
    let client = EwsClientBuilder::new(&url, Credentials::ntlm("EXAMPLE\\svc", "svc-password"))
        .ca_bundle(folder.path().join("ca.pem"))
        .build()
        .unwrap();
    for _ in 0..3 {
        let response = client
            .call(Some("alice@example.com"), &get_folder())
            .await
            .unwrap();
        assert_eq!(response.messages[0].response_code, ResponseCode::NoError);
    }
    let log = log.lock().unwrap();
    assert_eq!(
        log.binding_mismatches, 0,
        "channel bindings did not match the certificate"
    );
    assert_eq!(
        log.handshakes, 1,
        "each call authenticated again instead of reusing the connection"
    );
    assert_eq!(log.requests_without_authorization, 2);
}
