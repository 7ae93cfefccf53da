//! `cargo xtask package`: origin as a release tarball for a Linux server run by systemd.
//!
//! Builds `festival-origin` in release (`cargo build --release -p festival-origin`) for this
//! machine's target and writes `target/package/festival-origin-<version>-<target>.tar.gz`, one
//! folder of the same name holding:
//!
//! - `bin/festival-origin`, the binary (mode 0755);
//! - `festival-origin.service`, the systemd unit (`deploy/festival-origin.service`);
//! - `origin.env.example`, every setting origin reads, for `/etc/festival/origin.env`
//!   (`deploy/origin.env.example`).
//!
//! `docs/operations.md` says how to install it. The unit and the example are compiled in, so the
//! archive always carries the versions of this checkout.

use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::process::Command;

use festival_cli::flags::Flags;
use festival_cli::steps::Step;
use festival_stack::paths;
use festival_stack::process::exec;
use flate2::Compression;
use flate2::write::GzEncoder;

use xtask::commands;

/// The systemd unit shipped in the archive.
const UNIT: &str = include_str!("../../deploy/festival-origin.service");
/// The settings file shipped in the archive.
const ENV_EXAMPLE: &str = include_str!("../../deploy/origin.env.example");

/// The package (and binary) name.
const ORIGIN: &str = "festival-origin";
/// Where the unit has systemd read origin's settings from.
const ENV_FILE: &str = "/etc/festival/origin.env";

/// One file of the archive: its path under the archive's folder, mode and contents.
#[derive(Debug)]
struct Entry<'a> {
    path: &'static str,
    mode: u32,
    contents: &'a [u8],
}

/// The archive's files, around the release `binary`.
fn entries(binary: &[u8]) -> [Entry<'_>; 3] {
    [
        Entry {
            path: "bin/festival-origin",
            mode: 0o755,
            contents: binary,
        },
        Entry {
            path: "festival-origin.service",
            mode: 0o644,
            contents: UNIT.as_bytes(),
        },
        Entry {
            path: "origin.env.example",
            mode: 0o644,
            contents: ENV_EXAMPLE.as_bytes(),
        },
    ]
}

/// The archive's name without `.tar.gz`, which is also its one top folder.
fn archive_stem(version: &str, target: &str) -> String {
    format!("{ORIGIN}-{version}-{target}")
}

/// Writes `entries` as a gzipped tar under the folder `top`, every entry owned by root and
/// dated `mtime` (Unix seconds), to `out`.
fn write_archive(top: &str, entries: &[Entry<'_>], mtime: u64, out: impl Write) -> io::Result<()> {
    let mut tar = tar::Builder::new(GzEncoder::new(out, Compression::best()));
    let header = |kind: tar::EntryType, mode: u32, size: u64| {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(kind);
        header.set_mode(mode);
        header.set_size(size);
        header.set_mtime(mtime);
        header.set_uid(0);
        header.set_gid(0);
        header
    };
    let mut folders: Vec<String> = vec![format!("{top}/")];
    for entry in entries {
        if let Some((folder, _)) = entry.path.rsplit_once('/') {
            let folder = format!("{top}/{folder}/");
            if !folders.contains(&folder) {
                folders.push(folder);
            }
        }
    }
    for folder in &folders {
        let mut header = header(tar::EntryType::Directory, 0o755, 0);
        tar.append_data(&mut header, folder, io::empty())?;
    }
    for entry in entries {
        let size = entry.contents.len() as u64;
        let mut header = header(tar::EntryType::Regular, entry.mode, size);
        tar.append_data(&mut header, format!("{top}/{}", entry.path), entry.contents)?;
    }
    tar.into_inner()?.finish()?.flush()
}

/// The version in `cargo pkgid`'s answer (`path+file:///…/origin#festival-origin@0.1.0`, or
/// `…#0.1.0` when the folder has the package's name).
fn version_in_pkgid(pkgid: &str) -> Option<&str> {
    let (_, id) = pkgid.trim().rsplit_once('#')?;
    let version = id.rsplit_once('@').map_or(id, |(_, version)| version);
    (!version.is_empty()).then_some(version)
}

/// The host target in `rustc -vV`'s answer (`host: x86_64-unknown-linux-gnu`).
fn host_in_rustc_version(verbose_version: &str) -> Option<&str> {
    verbose_version
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::trim)
        .filter(|host| !host.is_empty())
}

/// `bytes` for a person: `4.2 MiB (4,403,123 bytes)`.
fn describe_size(bytes: u64) -> String {
    let digits = bytes.to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let mib = bytes as f64 / (1024.0 * 1024.0);
    format!("{mib:.1} MiB ({grouped} bytes)")
}

/// A command's standard output, or an error naming it.
fn output_of(command: &mut Command) -> Result<String, String> {
    command.env("PATH", paths::tool_path());
    let output = command.output().map_err(|e| format!("{command:?}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{command:?} failed: {}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("{command:?}: {e}"))
}

/// `cargo xtask package`: see the module doc.
pub fn run(args: &[String]) -> Result<(), String> {
    Flags::new(args, &commands::PACKAGE)?;
    let pkgid = output_of(Command::new("cargo").args(["pkgid", "-p", ORIGIN]))?;
    let version = version_in_pkgid(&pkgid)
        .ok_or_else(|| format!("no version in `cargo pkgid -p {ORIGIN}`: {pkgid}"))?
        .to_owned();
    let rustc = output_of(Command::new("rustc").arg("-vV"))?;
    let target = host_in_rustc_version(&rustc)
        .ok_or_else(|| format!("no host target in `rustc -vV`: {rustc}"))?
        .to_owned();

    let step = Step::new("cargo build --release -p festival-origin");
    exec(Command::new("cargo").args(["build", "--release", "-p", ORIGIN]))?;
    step.done();

    let binary_path = paths::target().join("release").join(ORIGIN);
    let binary = fs::read(&binary_path).map_err(|e| format!("{}: {e}", binary_path.display()))?;
    let mtime = fs::metadata(&binary_path)
        .and_then(|meta| meta.modified())
        .ok()
        .and_then(|at| at.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_secs());

    let stem = archive_stem(&version, &target);
    let folder = paths::target().join("package");
    fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    let archive = folder.join(format!("{stem}.tar.gz"));
    write_whole(&archive, |file| {
        write_archive(&stem, &entries(&binary), mtime, file)
    })?;
    let size = fs::metadata(&archive)
        .map_err(|e| format!("{}: {e}", archive.display()))?
        .len();
    println!("{}  {}", archive.display(), describe_size(size));
    println!(
        "    bin/{ORIGIN}, {ORIGIN}.service (reads {ENV_FILE}), origin.env.example; \
         docs/operations.md installs it"
    );
    Ok(())
}

/// Writes `path` through a temporary file beside it, renamed into place only once `write`
/// succeeded, so a failed run never leaves half an archive under the final name.
fn write_whole(
    path: &Path,
    write: impl FnOnce(&mut io::BufWriter<fs::File>) -> io::Result<()>,
) -> Result<(), String> {
    let partial = path.with_extension("gz.partial");
    let result = fs::File::create(&partial).and_then(|file| {
        let mut file = io::BufWriter::new(file);
        write(&mut file)?;
        file.into_inner()
            .map_err(io::IntoInnerError::into_error)?
            .sync_all()
    });
    match result.and_then(|()| fs::rename(&partial, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = fs::remove_file(&partial);
            Err(format!("writing {}: {e}", path.display()))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::io::Read;

    use flate2::read::GzDecoder;

    use super::*;

    /// Each entry of a written archive: path, mode, kind and contents.
    fn read_back(archive: &[u8]) -> Vec<(String, u32, tar::EntryType, Vec<u8>)> {
        let mut archive = tar::Archive::new(GzDecoder::new(archive));
        archive
            .entries()
            .unwrap()
            .map(|entry| {
                let mut entry = entry.unwrap();
                let path = entry.path().unwrap().to_string_lossy().into_owned();
                let mode = entry.header().mode().unwrap();
                let kind = entry.header().entry_type();
                let mut contents = Vec::new();
                entry.read_to_end(&mut contents).unwrap();
                (path, mode, kind, contents)
            })
            .collect()
    }

    #[test]
    fn the_archive_holds_the_binary_the_unit_and_the_settings_under_one_folder() {
        let stem = archive_stem("0.1.0", "x86_64-unknown-linux-gnu");
        assert_eq!(stem, "festival-origin-0.1.0-x86_64-unknown-linux-gnu");
        let binary = b"\x7fELF not really".as_slice();
        let mut written = Vec::new();
        write_archive(&stem, &entries(binary), 1_700_000_000, &mut written).unwrap();

        let entries = read_back(&written);
        let listed: Vec<(&str, u32)> = entries
            .iter()
            .map(|(path, mode, _, _)| (path.as_str(), *mode))
            .collect();
        assert_eq!(
            listed,
            [
                ("festival-origin-0.1.0-x86_64-unknown-linux-gnu/", 0o755),
                ("festival-origin-0.1.0-x86_64-unknown-linux-gnu/bin/", 0o755),
                (
                    "festival-origin-0.1.0-x86_64-unknown-linux-gnu/bin/festival-origin",
                    0o755
                ),
                (
                    "festival-origin-0.1.0-x86_64-unknown-linux-gnu/festival-origin.service",
                    0o644
                ),
                (
                    "festival-origin-0.1.0-x86_64-unknown-linux-gnu/origin.env.example",
                    0o644
                ),
            ]
        );
        assert!(
            entries[..2]
                .iter()
                .all(|e| e.2 == tar::EntryType::Directory)
        );
        assert_eq!(entries[2].3, binary);
        assert_eq!(entries[3].3, UNIT.as_bytes());
        assert_eq!(entries[4].3, ENV_EXAMPLE.as_bytes());
    }

    /// The unit's `Key=value` settings of its `[Service]` section.
    fn service_settings() -> Vec<(&'static str, &'static str)> {
        UNIT.lines()
            .skip_while(|line| line.trim() != "[Service]")
            .skip(1)
            .take_while(|line| !line.starts_with('['))
            .filter(|line| !line.trim_start().starts_with('#'))
            .filter_map(|line| line.split_once('='))
            .collect()
    }

    #[test]
    fn the_unit_runs_origin_as_its_own_user_from_the_settings_file_and_stops_it_gently() {
        let settings = service_settings();
        let has = |key: &str, value: &str| settings.contains(&(key, value));
        assert!(has("EnvironmentFile", ENV_FILE), "{settings:?}");
        assert!(has("Type", "simple"));
        assert!(has("ExecStart", "/usr/local/bin/festival-origin"));
        assert!(has("User", "festival") && has("Group", "festival"));
        assert!(has("Restart", "on-failure"));
        assert!(has("KillSignal", "SIGTERM"));
        assert!(has("TimeoutStopSec", "30s"));
        assert!(has("NoNewPrivileges", "yes"));
        assert!(has("ProtectSystem", "strict"));
        // The only place origin may write, and where the example puts the SQLite file.
        assert!(has("ReadWritePaths", "/var/lib/festival"));
        assert!(has("StateDirectory", "festival"));
        assert!(
            ENV_EXAMPLE.contains("\nFESTIVAL_DATABASE_URL=sqlite:///var/lib/festival/origin.db\n")
        );
        // No flag: `--dev` would take weak secrets, `--seed-demo` would add the demo festival.
        assert!(!UNIT.contains("--dev") && !UNIT.contains("--seed-demo"));
    }

    #[test]
    fn the_settings_example_names_every_setting_origin_reads() {
        let config = fs::read_to_string(paths::root().join("origin/src/config.rs")).unwrap();
        let read: BTreeSet<&str> = config
            .match_indices("FESTIVAL_")
            .map(|(at, _)| {
                let rest = &config[at..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_uppercase() || c == '_'))
                    .unwrap_or(rest.len());
                &rest[..end]
            })
            .collect();
        assert!(read.len() >= 6, "{read:?}");
        for setting in read.iter().copied().chain(["RUST_LOG"]) {
            assert!(
                ENV_EXAMPLE.contains(&format!("\n{setting}="))
                    || ENV_EXAMPLE.contains(&format!("\n#{setting}=")),
                "origin.env.example lacks {setting}"
            );
        }
        // The secrets are left empty, so origin refuses to start until they are filled in.
        for secret in ["FESTIVAL_BATCH_SECRET", "FESTIVAL_MARKETER_TOKEN"] {
            assert!(ENV_EXAMPLE.contains(&format!("\n{secret}=\n")), "{secret}");
        }
        assert!(ENV_EXAMPLE.contains("openssl rand -hex 32"));
    }

    #[test]
    fn version_target_and_size_are_read_from_the_tools() {
        assert_eq!(
            version_in_pkgid("path+file:///work/main/origin#festival-origin@0.1.0\n"),
            Some("0.1.0")
        );
        assert_eq!(
            version_in_pkgid("file:///x/festival-origin#1.2.3"),
            Some("1.2.3")
        );
        assert_eq!(version_in_pkgid("no id"), None);
        let rustc =
            "rustc 1.95.0\nbinary: rustc\nhost: aarch64-unknown-linux-gnu\nrelease: 1.95.0\n";
        assert_eq!(
            host_in_rustc_version(rustc),
            Some("aarch64-unknown-linux-gnu")
        );
        assert_eq!(host_in_rustc_version("rustc 1.95.0\n"), None);
        assert_eq!(describe_size(999), "0.0 MiB (999 bytes)");
        assert_eq!(describe_size(4_403_123), "4.2 MiB (4,403,123 bytes)");
    }
}
