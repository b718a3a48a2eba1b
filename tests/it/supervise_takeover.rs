//! supervise's take-over of a service left running by a killed supervise cannot be aimed at
//! another process by a planted `supervise/status`: the record must be supervise's own
//! (owned by its uid, writable by nobody else, in a directory likewise) and the process must
//! run in the service directory. Otherwise a new copy starts, as 0.76 does, and the named
//! process is never signalled.

use super::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// A record naming `pid`, stamped now (so its start time matches), wanted up.
fn record_for(pid: u32) -> Vec<u8> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let secs = (1u64 << 62) + 10 + now.as_secs();
    let nanos = now.subsec_micros() * 1000 + 500;
    [
        &secs.to_be_bytes()[..],
        &nanos.to_be_bytes(),
        &pid.to_le_bytes(),
        &[0, b'u'],
    ]
    .concat()
}

/// Plants a record for a fresh `sleep` started in `victim_cwd` (relative to the sandbox),
/// lets `tamper` change the files, starts supervise, and checks that it starts its own copy
/// and that `svc -k` and `svc -d` never reach the planted process.
fn refused(victim_cwd: &str, tamper: impl Fn(&Path, &Path)) {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    let dir = sb.mkdir("s/supervise");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
    let mut victim = ProcessGuard::spawn(
        sb.command("sleep")
            .arg("100")
            .current_dir(sb.join(victim_cwd)),
    );
    let pid = victim.pid() as u32;
    let file = dir.join("status");
    fs::write(&file, record_for(pid)).unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
    tamper(&dir, &file);
    let _guard = spawn_supervise(&sb, "supervise", "s");
    let started = wait_status(&sb, "s", "a new copy", |r| {
        pid_of(r) != 0 && pid_of(r) != pid
    });
    assert!(alive(pid_of(&started)));
    run(&sb, "svc", &["-k", "s"]);
    run(&sb, "svc", &["-d", "s"]);
    wait_down(&sb, "s");
    assert!(
        victim.child.try_wait().unwrap().is_none(),
        "the planted process was signalled"
    );
    assert_eq!(stderr_of(&sb, "s"), "");
}

#[test]
fn a_record_for_a_process_outside_the_service_directory_is_refused() {
    refused(".", |_, _| {});
}

#[test]
fn a_record_others_may_write_is_refused() {
    refused("s", |_, file| {
        fs::set_permissions(file, fs::Permissions::from_mode(0o666)).unwrap();
    });
}

#[test]
fn a_record_in_a_directory_others_may_write_is_refused() {
    refused("s", |dir, _| {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o777)).unwrap();
    });
}

#[test]
fn a_record_owned_by_another_user_is_refused() {
    assert!(is_root(), "needs root (as in CI) to give the record away");
    refused("s", |_, file| {
        std::os::unix::fs::chown(file, Some(65534), None).unwrap();
    });
}

#[test]
fn a_record_reached_through_a_symbolic_link_is_refused() {
    refused("s", |dir, file| {
        let elsewhere = dir.join("planted");
        fs::rename(file, &elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, file).unwrap();
    });
}

/// The control case: the same planted record, owned and placed as supervise writes it,
/// for a process in the service directory, is taken over (so the refusals above are due
/// to the evidence, not to the planting).
#[test]
fn a_record_as_supervise_writes_it_is_taken_over() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    let dir = sb.mkdir("s/supervise");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
    let victim = ProcessGuard::spawn(sb.command("sleep").arg("100").current_dir(sb.join("s")));
    let pid = victim.pid() as u32;
    fs::write(dir.join("status"), record_for(pid)).unwrap();
    let _guard = spawn_supervise(&sb, "supervise", "s");
    wait_for(SOON, "supervise", || ok_open(&sb, "s"));
    assert_eq!(pid_of(&status(&sb, "s").unwrap()), pid);
    run(&sb, "svc", &["-d", "s"]);
    wait_down(&sb, "s");
}
