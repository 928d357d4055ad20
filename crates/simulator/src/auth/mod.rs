//! Sign-in: Basic per request, NTLM per connection.
//!
//! NTLM authenticates the TCP connection, as IIS does for Exchange: after a
//! successful three-message handshake, later requests on the same kept-alive
//! connection need no `Authorization` header. A new connection starts
//! unauthenticated.

pub(crate) mod ntlm;

use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::model::{Mailbox, MailboxKind};
use crate::org::Org;

/// Per-connection sign-in state.
#[derive(Debug, Default)]
pub(crate) struct ConnectionAuth {
    state: Mutex<NtlmState>,
}

#[derive(Debug, Default)]
enum NtlmState {
    #[default]
    None,
    Challenged(ntlm::Challenge),
    Authenticated(String),
}

/// The outcome of checking a request's credentials.
#[derive(Debug)]
pub(crate) enum AuthOutcome {
    /// Signed in as this mailbox address.
    Allowed(String),
    /// Send a 401 with these `WWW-Authenticate` values.
    Challenge(Vec<String>),
}

/// Returns the `WWW-Authenticate` values offered to an unauthenticated
/// request, strongest first, as Exchange on IIS offers them.
pub(crate) fn offered_schemes() -> Vec<String> {
    vec![
        "Negotiate".to_string(),
        "NTLM".to_string(),
        "Basic realm=\"127.0.0.1\"".to_string(),
    ]
}

impl ConnectionAuth {
    /// Checks the `Authorization` header value (if any) of a request on this connection.
    pub(crate) fn check(
        &self,
        org: &Org,
        authorization: Option<&str>,
        netbios_domain: &str,
    ) -> AuthOutcome {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(header) = authorization else {
            return match &*state {
                NtlmState::Authenticated(address) => AuthOutcome::Allowed(address.clone()),
                _ => AuthOutcome::Challenge(offered_schemes()),
            };
        };
        let (scheme, token) = header.split_once(' ').unwrap_or((header, ""));
        let token = token.trim();
        if scheme.eq_ignore_ascii_case("Basic") {
            return match verify_basic(org, token) {
                Some(address) => AuthOutcome::Allowed(address),
                None => AuthOutcome::Challenge(offered_schemes()),
            };
        }
        if !scheme.eq_ignore_ascii_case("NTLM") && !scheme.eq_ignore_ascii_case("Negotiate") {
            return AuthOutcome::Challenge(offered_schemes());
        }
        let Ok(message) = STANDARD.decode(token) else {
            *state = NtlmState::None;
            return AuthOutcome::Challenge(offered_schemes());
        };
        match ntlm::message_type(&message) {
            Some(1) => {
                let challenge = ntlm::Challenge::new(&message, netbios_domain);
                let header = format!(
                    "{} {}",
                    scheme_name(scheme),
                    STANDARD.encode(challenge.to_bytes())
                );
                *state = NtlmState::Challenged(challenge);
                AuthOutcome::Challenge(vec![header])
            }
            Some(3) => {
                let previous = std::mem::take(&mut *state);
                let NtlmState::Challenged(challenge) = previous else {
                    return AuthOutcome::Challenge(offered_schemes());
                };
                match ntlm::verify_authenticate(&message, &challenge, |user, domain| {
                    find_ntlm_account(org, user, domain)
                }) {
                    Some(address) => {
                        *state = NtlmState::Authenticated(address.clone());
                        AuthOutcome::Allowed(address)
                    }
                    None => AuthOutcome::Challenge(offered_schemes()),
                }
            }
            _ => AuthOutcome::Challenge(offered_schemes()),
        }
    }
}

fn scheme_name(scheme: &str) -> &'static str {
    if scheme.eq_ignore_ascii_case("Negotiate") {
        "Negotiate"
    } else {
        "NTLM"
    }
}

fn password_of(mailbox: &Mailbox) -> Option<&str> {
    match &mailbox.kind {
        MailboxKind::User { password, .. } => Some(password.expose()),
        MailboxKind::Room { .. } => None,
    }
}

/// Verifies `user:password` and returns the mailbox address.
fn verify_basic(org: &Org, token: &str) -> Option<String> {
    let decoded = STANDARD.decode(token).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    let (domain, user) = match user.split_once('\\') {
        Some((domain, user)) => (domain, user),
        None => ("", user),
    };
    let (mailbox, expected) = find_ntlm_account(org, user, domain)?;
    let matches = ntlm::constant_time_eq(expected.as_bytes(), password.as_bytes());
    matches.then_some(mailbox)
}

/// Finds the account for an NTLM or Basic user name: an SMTP address, or a
/// NetBIOS user name with its domain (or none). Returns the address and password.
fn find_ntlm_account(org: &Org, user: &str, domain: &str) -> Option<(String, String)> {
    if user.contains('@') {
        let mailbox = org.mailbox(user)?;
        return Some((mailbox.address.clone(), password_of(mailbox)?.to_string()));
    }
    org.mailboxes.values().find_map(|mailbox| {
        let MailboxKind::User {
            domain: account_domain,
            ..
        } = &mailbox.kind
        else {
            return None;
        };
        let local = mailbox.address.split('@').next()?;
        let domain_ok = domain.is_empty()
            || account_domain
                .as_deref()
                .is_some_and(|expected| expected.eq_ignore_ascii_case(domain));
        (local.eq_ignore_ascii_case(user) && domain_ok).then(|| {
            (
                mailbox.address.clone(),
                password_of(mailbox).unwrap_or_default().to_string(),
            )
        })
    })
}
