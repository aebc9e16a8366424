//! The `rustls` backend: reqwest's blocking client over rustls (ring), with the system's trusted
//! roots (`rustls-native-certs`, which honours `SSL_CERT_FILE` and `SSL_CERT_DIR`).

use url::Url;

use super::{Backend, Body, DownloadError, Limits, user_agent};

/// reqwest + rustls.
pub(super) struct Rustls {
    client: reqwest::blocking::Client,
}

/// Most redirects followed before giving up.
const MAX_REDIRECTS: usize = 10;

impl Rustls {
    pub(super) fn new(limits: Limits) -> Result<Rustls, DownloadError> {
        let policy = reqwest::redirect::Policy::custom(|attempt| {
            let downgrade = attempt.previous().last().is_some_and(|p| p.scheme() == "https") && attempt.url().scheme() == "http";
            if downgrade {
                let to = attempt.url().to_string();
                attempt.error(format!("refusing redirect from https to insecure {to}"))
            } else if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
            } else {
                attempt.follow()
            }
        });
        let client = reqwest::blocking::Client::builder()
            .user_agent(user_agent("rustls"))
            .use_rustls_tls()
            .min_tls_version(reqwest::tls::Version::TLS_1_2)
            .connect_timeout(limits.connect_timeout)
            // In the blocking client this bounds each wait for bytes, i.e. a stall.
            .timeout(limits.stall_timeout)
            .redirect(policy)
            .build()
            .map_err(|e| DownloadError::Transport {
                url: "(client set-up)".to_owned(),
                backend: "rustls",
                message: format!("cannot initialise the HTTP client: {}", chain(&e)),
            })?;
        Ok(Rustls { client })
    }
}

impl Backend for Rustls {
    fn name(&self) -> &'static str {
        "rustls"
    }

    fn get(&self, url: &Url) -> Result<Body, DownloadError> {
        let resp = self.client.get(url.clone()).send().map_err(|e| DownloadError::Transport {
            url: url.to_string(),
            backend: "rustls",
            message: chain(&e),
        })?;
        let status = resp.status().as_u16();
        match status {
            200..=299 => Ok(Body { len: resp.content_length(), body: Box::new(resp) }),
            403 | 404 | 410 => Err(DownloadError::NotFound { url: url.to_string(), status }),
            _ => Err(DownloadError::Status { url: url.to_string(), status }),
        }
    }
}

/// An error and its sources on one line (reqwest's top-level message alone says little).
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        src = s.source();
    }
    out
}
