//! Sign-in over HTTP: Basic, NTLMv2 on one connection, and impersonation.

mod support;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use md4::{Digest, Md4};
use support::*;

type HmacMd5 = Hmac<md5::Md5>;

const GET_CALENDAR: &str = r#"<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="calendar"/></m:FolderIds></m:GetFolder>"#;

fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn negotiate() -> String {
    let mut message = b"NTLMSSP\0".to_vec();
    message.extend_from_slice(&1u32.to_le_bytes());
    message.extend_from_slice(&0x0008_8207u32.to_le_bytes());
    message.extend_from_slice(&[0; 16]);
    format!("NTLM {}", STANDARD.encode(message))
}

fn buffer(out: &mut Vec<u8>, len: usize, offset: usize) {
    out.extend_from_slice(&(len as u16).to_le_bytes());
    out.extend_from_slice(&(len as u16).to_le_bytes());
    out.extend_from_slice(&(offset as u32).to_le_bytes());
}

/// Computes the AUTHENTICATE_MESSAGE for a CHALLENGE_MESSAGE header value.
fn authenticate(challenge_header: &str, user: &str, domain: &str, password: &str) -> String {
    let challenge = STANDARD
        .decode(challenge_header.trim_start_matches("NTLM "))
        .unwrap();
    assert_eq!(&challenge[..8], b"NTLMSSP\0");
    assert_eq!(u32::from_le_bytes(challenge[8..12].try_into().unwrap()), 2);
    let server_challenge = &challenge[24..32];
    let info_len = u16::from_le_bytes(challenge[40..42].try_into().unwrap()) as usize;
    let info_offset = u32::from_le_bytes(challenge[44..48].try_into().unwrap()) as usize;
    let target_info = &challenge[info_offset..info_offset + info_len];

    let nt_hash = Md4::digest(utf16(password));
    let mut mac = HmacMd5::new_from_slice(&nt_hash).unwrap();
    mac.update(&utf16(&(user.to_uppercase() + domain)));
    let key = mac.finalize().into_bytes();
    let mut blob = vec![1, 1, 0, 0, 0, 0, 0, 0];
    blob.extend_from_slice(&[0x11; 8]);
    blob.extend_from_slice(&[0x22; 8]);
    blob.extend_from_slice(&[0; 4]);
    blob.extend_from_slice(target_info);
    blob.extend_from_slice(&[0; 4]);
    let mut mac = HmacMd5::new_from_slice(&key).unwrap();
    mac.update(server_challenge);
    mac.update(&blob);
    let mut nt = mac.finalize().into_bytes().to_vec();
    nt.extend_from_slice(&blob);

    let (domain, user) = (utf16(domain), utf16(user));
    let mut message = b"NTLMSSP\0".to_vec();
    message.extend_from_slice(&3u32.to_le_bytes());
    let base = 64;
    buffer(&mut message, 0, base);
    buffer(&mut message, nt.len(), base);
    buffer(&mut message, domain.len(), base + nt.len());
    buffer(&mut message, user.len(), base + nt.len() + domain.len());
    buffer(&mut message, 0, base);
    buffer(&mut message, 0, base);
    message.extend_from_slice(&0x0008_8205u32.to_le_bytes());
    message.extend_from_slice(&nt);
    message.extend_from_slice(&domain);
    message.extend_from_slice(&user);
    format!("NTLM {}", STANDARD.encode(message))
}

/// Runs the handshake on `connection` and returns the final reply.
async fn ntlm_sign_in(
    connection: &mut Connection,
    user: &str,
    domain: &str,
    password: &str,
    soap: &str,
) -> Reply {
    let first = connection.ews(Some(&negotiate()), soap).await.unwrap();
    assert_eq!(first.status, 401);
    let challenge = first
        .challenges()
        .into_iter()
        .find(|value| value.starts_with("NTLM "))
        .expect("an NTLM challenge");
    connection
        .ews(
            Some(&authenticate(&challenge, user, domain, password)),
            soap,
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn unauthenticated_request_offers_schemes() {
    let sim = start().await;
    let mut connection = Connection::open(&sim).await;
    let reply = connection
        .ews(None, &envelope(None, GET_CALENDAR))
        .await
        .unwrap();
    assert_eq!(reply.status, 401);
    let offered = reply.challenges();
    assert!(offered.contains(&"Negotiate".to_string()), "{offered:?}");
    assert!(offered.contains(&"NTLM".to_string()), "{offered:?}");
    assert!(
        offered.iter().any(|value| value.starts_with("Basic")),
        "{offered:?}"
    );
}

#[tokio::test]
async fn basic_accepts_address_and_rejects_wrong_password() {
    let sim = start().await;
    let mut connection = Connection::open(&sim).await;
    let ok = connection
        .ews(
            Some(&basic("alice@example.com", "alice-password")),
            &envelope(None, GET_CALENDAR),
        )
        .await
        .unwrap();
    assert_eq!(ok.status, 200);
    assert_eq!(codes(&ok.body), vec!["NoError"]);
    let domain_form = connection
        .ews(
            Some(&basic("EXAMPLE\\bob", "bob-password")),
            &envelope(None, GET_CALENDAR),
        )
        .await
        .unwrap();
    assert_eq!(domain_form.status, 200);
    let wrong = connection
        .ews(
            Some(&basic("alice@example.com", "nope")),
            &envelope(None, GET_CALENDAR),
        )
        .await
        .unwrap();
    assert_eq!(wrong.status, 401);
    let room = connection
        .ews(
            Some(&basic("room-101@example.com", "")),
            &envelope(None, GET_CALENDAR),
        )
        .await
        .unwrap();
    assert_eq!(room.status, 401);
}

#[tokio::test]
async fn ntlm_signs_in_the_connection_not_the_request() {
    let sim = start().await;
    let mut connection = Connection::open(&sim).await;
    let signed_in = ntlm_sign_in(
        &mut connection,
        "svc",
        "EXAMPLE",
        "svc-password",
        &envelope(None, GET_CALENDAR),
    )
    .await;
    assert_eq!(signed_in.status, 200);
    assert_eq!(codes(&signed_in.body), vec!["NoError"]);

    let same_connection = connection
        .ews(None, &envelope(Some("alice@example.com"), GET_CALENDAR))
        .await
        .unwrap();
    assert_eq!(
        same_connection.status, 200,
        "later requests on the signed-in connection need no header"
    );

    let mut other = Connection::open(&sim).await;
    let new_connection = other
        .ews(None, &envelope(None, GET_CALENDAR))
        .await
        .unwrap();
    assert_eq!(
        new_connection.status, 401,
        "a new connection starts unauthenticated"
    );
}

#[tokio::test]
async fn ntlm_accepts_address_with_empty_domain() {
    let sim = start().await;
    let mut connection = Connection::open(&sim).await;
    let reply = ntlm_sign_in(
        &mut connection,
        "svc@example.com",
        "",
        "svc-password",
        &envelope(None, GET_CALENDAR),
    )
    .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn ntlm_rejects_wrong_password() {
    let sim = start().await;
    let mut connection = Connection::open(&sim).await;
    let reply = ntlm_sign_in(
        &mut connection,
        "svc",
        "EXAMPLE",
        "not-the-password",
        &envelope(None, GET_CALENDAR),
    )
    .await;
    assert_eq!(reply.status, 401);
    let after = connection
        .ews(None, &envelope(None, GET_CALENDAR))
        .await
        .unwrap();
    assert_eq!(after.status, 401, "a failed handshake signs nobody in");
}

#[tokio::test]
async fn ntlm_authenticate_replayed_on_new_connection() {
    let sim = start().await;
    let soap = envelope(None, GET_CALENDAR);
    let mut first = Connection::open(&sim).await;
    let challenge_reply = first.ews(Some(&negotiate()), &soap).await.unwrap();
    let challenge = challenge_reply
        .challenges()
        .into_iter()
        .find(|value| value.starts_with("NTLM "))
        .expect("an NTLM challenge");
    let authenticate = authenticate(&challenge, "svc", "EXAMPLE", "svc-password");
    let signed_in = first.ews(Some(&authenticate), &soap).await.unwrap();
    assert_eq!(signed_in.status, 200);

    // The captured AUTHENTICATE message answers the first connection's
    // challenge, so a second connection must not accept it.
    let mut second = Connection::open(&sim).await;
    let replayed = second.ews(Some(&authenticate), &soap).await.unwrap();
    assert_eq!(replayed.status, 401, "{}", replayed.body);

    // Nor after its own negotiate, whose challenge differs.
    let mut third = Connection::open(&sim).await;
    let own_challenge = third.ews(Some(&negotiate()), &soap).await.unwrap();
    assert_eq!(own_challenge.status, 401);
    let replayed = third.ews(Some(&authenticate), &soap).await.unwrap();
    assert_eq!(replayed.status, 401, "{}", replayed.body);

    // Nor a second time on the first connection after the handshake.
    let again = first.ews(Some(&authenticate), &soap).await.unwrap();
    assert_ne!(again.status, 500, "{}", again.body);
}

#[tokio::test]
async fn ntlm_rejects_wrong_domain() {
    let sim = start().await;
    for domain in ["WRONG", "EXAMPLE.COM", "example.com"] {
        let mut connection = Connection::open(&sim).await;
        let reply = ntlm_sign_in(
            &mut connection,
            "svc",
            domain,
            "svc-password",
            &envelope(None, GET_CALENDAR),
        )
        .await;
        assert_eq!(reply.status, 401, "{domain}: {}", reply.body);
    }
}

#[tokio::test]
async fn ntlm_garbage_authenticate_is_rejected() {
    let sim = start().await;
    let soap = envelope(None, GET_CALENDAR);
    let mut header = b"NTLMSSP\0".to_vec();
    header.extend_from_slice(&3u32.to_le_bytes());
    let garbage = [
        header.clone(),
        [header.clone(), vec![0xff; 60]].concat(),
        [
            header,
            [0xffu8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f].repeat(8),
        ]
        .concat(),
        b"NTLMSSP\0\x02\0\0\0".to_vec(),
        vec![0; 2],
    ];
    for message in garbage {
        let mut connection = Connection::open(&sim).await;
        let first = connection.ews(Some(&negotiate()), &soap).await.unwrap();
        assert_eq!(first.status, 401);
        let value = format!("NTLM {}", STANDARD.encode(&message));
        let reply = connection.ews(Some(&value), &soap).await.unwrap();
        assert_eq!(reply.status, 401, "{message:?}: {}", reply.body);
    }
    let mut connection = Connection::open(&sim).await;
    let reply = ntlm_sign_in(&mut connection, "svc", "EXAMPLE", "svc-password", &soap).await;
    assert_eq!(
        reply.status, 200,
        "the simulator still signs in after garbage"
    );
}

#[tokio::test]
async fn impersonation_needs_the_role() {
    let sim = start().await;
    let mut connection = Connection::open(&sim).await;
    let alice = basic("alice@example.com", "alice-password");
    let denied = connection
        .ews(
            Some(&alice),
            &envelope(Some("bob@example.com"), GET_CALENDAR),
        )
        .await
        .unwrap();
    assert_eq!(denied.status, 500);
    assert_eq!(
        text(&denied.body, "faultcode"),
        "a:ErrorImpersonateUserDenied"
    );
    assert_eq!(
        text(&denied.body, "ResponseCode"),
        "ErrorImpersonateUserDenied"
    );
    assert_eq!(
        attributes(&denied.body, "ServerVersionInfo", "MajorVersion"),
        vec!["15"]
    );

    let allowed = connection
        .ews(
            Some(&svc()),
            &envelope(Some("bob@example.com"), GET_CALENDAR),
        )
        .await
        .unwrap();
    assert_eq!(allowed.status, 200);

    let missing = connection
        .ews(
            Some(&svc()),
            &envelope(Some("nobody@example.com"), GET_CALENDAR),
        )
        .await
        .unwrap();
    assert_eq!(
        text(&missing.body, "ResponseCode"),
        "ErrorNonExistentMailbox"
    );
}

#[tokio::test]
async fn other_mailboxes_need_impersonation() {
    let sim = start().await;
    let mut connection = Connection::open(&sim).await;
    let body = format!(
        r#"<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds>{}</m:FolderIds></m:GetFolder>"#,
        folder("calendar", "bob@example.com")
    );
    let reply = connection
        .ews(
            Some(&basic("alice@example.com", "alice-password")),
            &envelope(None, &body),
        )
        .await
        .unwrap();
    assert_eq!(codes(&reply.body), vec!["ErrorAccessDenied"]);
}
