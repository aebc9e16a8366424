//! A backend built on its first attempt. Setting up a TLS stack is most of a short command's CPU
//! time: rustls and native-tls each load and parse the system's trusted roots (about 140
//! certificates; measured: 0.35 s of user time for `tcup check` with all three built up front),
//! and most runs only ever use the first backend. So only the backends a run actually tries are
//! built (an `SSL_CERT_FILE` bundle too is parsed only by the backends that use it;
//! [`super::make_all`] checks up front that it holds a certificate).

use std::sync::{Arc, OnceLock};

use super::super::dns::Resolver;
use super::make;
use crate::download::{AttemptError, Backend, DownloadError, Kind, Request, Sink};
use crate::env::{BackendKind, DownloadConfig};

pub(super) struct Lazy {
    kind: BackendKind,
    config: DownloadConfig,
    resolver: Arc<Resolver>,
    built: OnceLock<Result<Arc<dyn Backend>, DownloadError>>,
}

impl Lazy {
    pub(super) fn new(kind: BackendKind, config: &DownloadConfig, resolver: &Arc<Resolver>) -> Lazy {
        Lazy { kind, config: config.clone(), resolver: resolver.clone(), built: OnceLock::new() }
    }
}

impl Backend for Lazy {
    fn name(&self) -> &'static str {
        self.kind.name()
    }

    /// Builds the backend on the first call (concurrent first calls wait for one build); a
    /// backend that cannot be built fails every attempt with [`Kind::Other`], so the next
    /// backend takes over.
    fn fetch(&self, req: &Request, sink: &mut dyn Sink) -> Result<(), AttemptError> {
        match self.built.get_or_init(|| make(self.kind, &self.config, &self.resolver)) {
            Ok(backend) => backend.fetch(req, sink),
            Err(e) => Err(AttemptError { kind: Kind::Other, message: e.to_string() }),
        }
    }
}
