//! Secrets (decision 21): the feed token lives in the OS keychain (Keychain on
//! macOS, Credential Manager on Windows, the Secret Service on Linux) through the
//! `keyring` crate. Where no keychain service runs (a bare Linux session, a
//! container), it falls back to a file in the data folder that only the user can
//! read (0600), and says so: Settings shows the backend and a note.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};

/// Keychain service name of the app's entries.
const SERVICE: &str = "fuelcopilot";
/// Keychain account of the feed token.
const FEED_TOKEN: &str = "feed-token";
/// The fallback file in the data folder.
pub const SECRETS_FILE: &str = "secrets.json";

/// Where secrets are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SecretBackend {
    /// The OS keychain.
    Keychain,
    /// A file in the data folder readable only by the user (no keychain service runs).
    File,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct SecretsFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    feed_token: Option<String>,
}

/// The app's secret store.
#[derive(Debug, Clone)]
pub struct Secrets {
    backend: SecretBackend,
    service: String,
    file: PathBuf,
}

fn keychain_err(e: keyring::Error) -> CoreError {
    CoreError::Invalid {
        what: "keychain".into(),
        why: format!("the system keychain refused the request ({e}); unlock it and try again"),
    }
}

impl Secrets {
    /// Opens the store: the OS keychain when its service answers, else the file in
    /// `data_dir`.
    pub fn open(data_dir: &Path) -> Secrets {
        Secrets::open_service(data_dir, SERVICE)
    }

    /// Opens the file store in `data_dir` whatever the keychain can do.
    pub fn open_file(data_dir: &Path) -> Secrets {
        Secrets {
            backend: SecretBackend::File,
            service: SERVICE.into(),
            file: data_dir.join(SECRETS_FILE),
        }
    }

    fn open_service(data_dir: &Path, service: &str) -> Secrets {
        let reachable = keyring::Entry::new(service, FEED_TOKEN)
            .map(|e| matches!(e.get_password(), Ok(_) | Err(keyring::Error::NoEntry)))
            .unwrap_or(false);
        Secrets {
            backend: if reachable {
                SecretBackend::Keychain
            } else {
                SecretBackend::File
            },
            service: service.into(),
            file: data_dir.join(SECRETS_FILE),
        }
    }

    /// Where the secrets go.
    pub fn backend(&self) -> SecretBackend {
        self.backend
    }

    /// A stable code for Settings to translate, when the user should know something:
    /// `keychain_unavailable` when the file fallback is in use.
    pub fn note(&self) -> Option<&'static str> {
        (self.backend == SecretBackend::File).then_some("keychain_unavailable")
    }

    /// The fallback file's path.
    pub fn file_path(&self) -> &Path {
        &self.file
    }

    fn entry(&self) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, FEED_TOKEN).map_err(keychain_err)
    }

    /// Stores the feed token (an empty token clears it).
    pub fn set_feed_token(&self, token: &str) -> Result<()> {
        let token = token.trim();
        if token.is_empty() {
            return self.clear();
        }
        match self.backend {
            SecretBackend::Keychain => {
                self.entry()?.set_password(token).map_err(keychain_err)?;
                // A copy left from a session without a keychain is no longer needed.
                self.write_file(&SecretsFile::default())
            }
            SecretBackend::File => self.write_file(&SecretsFile {
                feed_token: Some(token.to_string()),
            }),
        }
    }

    /// The feed token, if one is stored.
    pub fn feed_token(&self) -> Result<Option<String>> {
        if self.backend == SecretBackend::Keychain {
            match self.entry()?.get_password() {
                Ok(t) => return Ok(Some(t)),
                Err(keyring::Error::NoEntry) => {}
                Err(e) => return Err(keychain_err(e)),
            }
        }
        // The file also answers for the keychain when a token was saved without one.
        Ok(self.read_file()?.feed_token)
    }

    /// Forgets the feed token everywhere.
    pub fn clear(&self) -> Result<()> {
        if self.backend == SecretBackend::Keychain {
            match self.entry()?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                Err(e) => return Err(keychain_err(e)),
            }
        }
        self.write_file(&SecretsFile::default())
    }

    fn read_file(&self) -> Result<SecretsFile> {
        match std::fs::read(&self.file) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|_| CoreError::Invalid {
                what: self.file.display().to_string(),
                why: "the secrets file is damaged; delete it and enter the token again".into(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SecretsFile::default()),
            Err(e) => Err(CoreError::io(&self.file, e)),
        }
    }

    /// Writes the file readable by the user only; an empty store removes it.
    fn write_file(&self, content: &SecretsFile) -> Result<()> {
        if content.feed_token.is_none() {
            return match std::fs::remove_file(&self.file) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(CoreError::io(&self.file, e)),
            };
        }
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| CoreError::io(dir, e))?;
        }
        let body = serde_json::to_vec(content)
            .map_err(|e| CoreError::Internal(format!("secrets file: {e}")))?;
        let tmp = self.file.with_extension("json.tmp");
        let _ = std::fs::remove_file(&tmp);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Created 0600: the token is never readable by others, not even for a moment.
            options.mode(0o600);
        }
        let mut f = options.open(&tmp).map_err(|e| CoreError::io(&tmp, e))?;
        std::io::Write::write_all(&mut f, &body).map_err(|e| CoreError::io(&tmp, e))?;
        f.sync_all().map_err(|e| CoreError::io(&tmp, e))?;
        std::fs::rename(&tmp, &self.file).map_err(|e| CoreError::io(&self.file, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_backend_round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let s = Secrets::open_file(dir.path());
        assert_eq!(s.backend(), SecretBackend::File);
        assert_eq!(s.note(), Some("keychain_unavailable"));
        assert_eq!(s.feed_token().unwrap(), None);
        s.set_feed_token(" abc123 ").unwrap();
        assert_eq!(s.feed_token().unwrap().as_deref(), Some("abc123"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(s.file_path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }
        // A second handle (the next launch) reads the same token.
        assert_eq!(
            Secrets::open_file(dir.path())
                .feed_token()
                .unwrap()
                .as_deref(),
            Some("abc123")
        );
        s.set_feed_token("").unwrap();
        assert_eq!(s.feed_token().unwrap(), None);
        assert!(!s.file_path().exists());
        s.set_feed_token("x").unwrap();
        s.clear().unwrap();
        assert_eq!(s.feed_token().unwrap(), None);
        std::fs::write(s.file_path(), b"{ damaged").unwrap();
        assert_eq!(s.feed_token().unwrap_err().code(), "invalid_input");
    }

    #[test]
    fn the_keychain_round_trips_where_a_service_runs() {
        let dir = tempfile::tempdir().unwrap();
        // A service name of its own, so that the test never touches the app's entry.
        let service = format!("fuelcopilot-test-{}", std::process::id());
        let s = Secrets::open_service(dir.path(), &service);
        if s.backend() == SecretBackend::File {
            // No keychain service in this session: the fallback must be the one chosen.
            assert_eq!(s.note(), Some("keychain_unavailable"));
            return;
        }
        s.set_feed_token("secret-1").unwrap();
        assert_eq!(s.feed_token().unwrap().as_deref(), Some("secret-1"));
        assert!(
            !s.file_path().exists(),
            "the keychain holds it, not the file"
        );
        s.clear().unwrap();
        assert_eq!(s.feed_token().unwrap(), None);
    }
}
