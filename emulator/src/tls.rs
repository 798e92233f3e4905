//! The local certificate authority and the server certificate.
//!
//! On first start the data directory receives `ca.pem` (a local CA), `server.pem` and
//! `server-key.pem` (a leaf for `IP:127.0.0.1` and `DNS:localhost` signed by that CA) and
//! `bundle.pem` (the system roots followed by the CA, for `REQUESTS_CA_BUNDLE`). Later starts
//! reuse them, so clients configured once keep trusting the emulator.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, SanType,
};

/// Paths of the TLS material in the data directory.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
    pub bundle: PathBuf,
}

impl TlsFiles {
    pub fn in_dir(dir: &Path) -> TlsFiles {
        TlsFiles {
            ca: dir.join("ca.pem"),
            cert: dir.join("server.pem"),
            key: dir.join("server-key.pem"),
            bundle: dir.join("bundle.pem"),
        }
    }
}

/// Writes a file readable only by its owner.
pub fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(data)
}

/// Creates the CA, certificate and bundle if any is missing; returns their paths.
pub fn ensure(dir: &Path) -> std::io::Result<TlsFiles> {
    std::fs::create_dir_all(dir)?;
    let f = TlsFiles::in_dir(dir);
    if !(f.ca.exists() && f.cert.exists() && f.key.exists()) {
        generate(&f).map_err(|e| std::io::Error::other(format!("certificate generation failed: {e}")))?;
    }
    if !f.bundle.exists() {
        write_bundle(&f)?;
    }
    Ok(f)
}

fn generate(f: &TlsFiles) -> Result<(), rcgen::Error> {
    let mut ca = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "armemu local CA");
    dn.push(DnType::OrganizationName, "armemu");
    ca.distinguished_name = dn;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    ca.not_before = rcgen::date_time_ymd(2024, 1, 1);
    ca.not_after = rcgen::date_time_ymd(2049, 12, 31);
    let ca_key = KeyPair::generate()?;
    let ca_cert = ca.self_signed(&ca_key)?;

    let mut leaf = CertificateParams::new(vec!["localhost".to_string()])?;
    leaf.subject_alt_names.push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    leaf.subject_alt_names.push(SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)));
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "localhost");
    leaf.distinguished_name = dn;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.use_authority_key_identifier_extension = true;
    leaf.not_before = rcgen::date_time_ymd(2024, 1, 1);
    leaf.not_after = rcgen::date_time_ymd(2049, 12, 31);
    let leaf_key = KeyPair::generate()?;
    let leaf_cert = leaf.signed_by(&leaf_key, &ca_cert, &ca_key)?;

    let io = |e: std::io::Error| rcgen::Error::PemError(e.to_string());
    std::fs::write(&f.ca, ca_cert.pem()).map_err(io)?;
    std::fs::write(&f.cert, leaf_cert.pem()).map_err(io)?;
    write_private(&f.key, leaf_key.serialize_pem().as_bytes()).map_err(io)?;
    // A new CA invalidates an old bundle.
    let _ = std::fs::remove_file(&f.bundle);
    Ok(())
}

/// The system trust store, so a bundle keeps unrelated HTTPS (package indexes) working.
fn system_roots() -> Option<Vec<u8>> {
    let candidates = [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/ca-bundle.pem",
        "/etc/ssl/cert.pem",
        "/usr/local/etc/openssl/cert.pem",
    ];
    candidates.iter().find_map(|p| std::fs::read(p).ok())
}

fn write_bundle(f: &TlsFiles) -> std::io::Result<()> {
    let mut out = system_roots().unwrap_or_default();
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    out.extend_from_slice(b"# armemu local CA\n");
    out.extend_from_slice(&std::fs::read(&f.ca)?);
    std::fs::write(&f.bundle, out)
}

/// The rustls server configuration for the HTTPS listener.
pub fn server_config(f: &TlsFiles) -> std::io::Result<Arc<rustls::ServerConfig>> {
    let certs = rustls_pemfile::certs(&mut std::io::BufReader::new(std::fs::File::open(&f.cert)?))
        .collect::<Result<Vec<_>, _>>()?;
    let key = rustls_pemfile::private_key(&mut std::io::BufReader::new(std::fs::File::open(&f.key)?))?
        .ok_or_else(|| std::io::Error::other(format!("no private key in {}", f.key.display())))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(std::io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(std::io::Error::other)?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}
