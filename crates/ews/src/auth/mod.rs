//! Credentials: Basic, NTLMv2 and OAuth bearer tokens.

pub mod ntlm;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::secret::Secret;

/// A future returned by a [`TokenProvider`].
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<Secret, TokenError>> + Send + 'a>>;

/// Failure of a token provider to supply a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not obtain an OAuth token: {0}")]
pub struct TokenError(pub String);

/// Supplies OAuth 2.0 bearer tokens, for example from a client-credentials
/// flow; the provider caches and refreshes tokens itself.
pub trait TokenProvider: Send + Sync {
    /// Returns a valid access token.
    fn token(&self) -> TokenFuture<'_>;
}

/// Credentials the client authenticates with at the EWS endpoint.
#[derive(Clone)]
pub enum Credentials {
    /// HTTP Basic over TLS.
    Basic {
        /// User name, such as `svc-rooms@contoso.com` or `CONTOSO\svc-rooms`.
        username: String,
        /// Password.
        password: Secret,
    },
    /// NTLMv2, authenticating each kept-alive connection once.
    Ntlm {
        /// NetBIOS domain, such as `CONTOSO`; may be empty.
        domain: String,
        /// User name without domain.
        username: String,
        /// Password.
        password: Secret,
        /// Workstation name sent in the AUTHENTICATE message.
        workstation: String,
    },
    /// OAuth 2.0 bearer tokens.
    Bearer(Arc<dyn TokenProvider>),
}

impl Credentials {
    /// Creates NTLM credentials from `DOMAIN\user` or a bare user name.
    pub fn ntlm(account: &str, password: impl Into<Secret>) -> Credentials {
        let (domain, username) = match account.split_once('\\') {
            Some((domain, user)) => (domain.to_owned(), user.to_owned()),
            None => (String::new(), account.to_owned()),
        };
        Credentials::Ntlm {
            domain,
            username,
            password: password.into(),
            workstation: String::from("ROOMBRIDGE"),
        }
    }

    /// Returns the account name, for logs and error messages.
    pub fn account(&self) -> String {
        match self {
            Credentials::Basic { username, .. } => username.clone(),
            Credentials::Ntlm {
                domain, username, ..
            } if domain.is_empty() => username.clone(),
            Credentials::Ntlm {
                domain, username, ..
            } => format!("{domain}\\{username}"),
            Credentials::Bearer(_) => String::from("(OAuth application)"),
        }
    }

    /// Returns the strings that reveal these credentials when they appear
    /// in a response: the password and the Basic `user:password` encoding.
    /// A bearer token is fetched per request, so the caller adds it.
    pub(crate) fn secrets(&self) -> Vec<String> {
        use base64::Engine;
        match self {
            Credentials::Basic { username, password } => {
                let pair = format!("{username}:{}", password.expose());
                vec![
                    password.expose().to_owned(),
                    base64::engine::general_purpose::STANDARD.encode(pair),
                ]
            }
            Credentials::Ntlm { password, .. } => vec![password.expose().to_owned()],
            Credentials::Bearer(_) => Vec::new(),
        }
    }

    /// Returns the scheme name, for logs.
    pub fn scheme(&self) -> &'static str {
        match self {
            Credentials::Basic { .. } => "Basic",
            Credentials::Ntlm { .. } => "NTLM",
            Credentials::Bearer(_) => "Bearer",
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("scheme", &self.scheme())
            .field("account", &self.account())
            .finish_non_exhaustive()
    }
}
