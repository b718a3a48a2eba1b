//! Batch sequencing: counts and order of pre, service and post hooks, the work step, the
//! environment each hook gets, and failures reaching the post hooks.

use super::*;
use std::time::Duration;

fn dir(path: &str, names: &[&str]) -> Option<HookDir> {
    Some(HookDir {
        path: path.as_bytes().to_vec(),
        names: names.iter().map(|n| n.as_bytes().to_vec()).collect(),
        timeout: Duration::from_secs(10),
    })
}

fn hooks() -> Hooks {
    Hooks {
        pre: dir("h/pre", &["1", "2"]),
        service: dir("h/service", &["s1", "s2"]),
        post: dir("h/post", &["p"]),
    }
}

fn batch(services: &[&str], hooks: Hooks) -> Batch {
    let names = services.iter().map(|n| n.as_bytes().to_vec()).collect();
    Batch::new(Cause::Scan, names, b"/service", hooks)
}

/// Runs a batch to the end, each hook ending `ok(label)`; returns (label, env) per hook and
/// "WORK" where the work came.
fn drive(b: &mut Batch, ok: impl Fn(&str) -> bool) -> Vec<(String, Vec<String>)> {
    let base = vec![b"PATH=/bin".to_vec(), b"DAEMONBOX_EVENT=stale".to_vec()];
    let mut seen = Vec::new();
    loop {
        match b.next(&base) {
            Next::Run(job) => {
                let label = String::from_utf8(job.label.clone()).unwrap();
                let env = job
                    .env
                    .iter()
                    .map(|e| String::from_utf8(e.clone()).unwrap())
                    .collect();
                b.finished(ok(&label));
                seen.push((label, env));
            }
            Next::Work => {
                seen.push(("WORK".into(), Vec::new()));
                b.work_done();
            }
            Next::Done => return seen,
        }
    }
}

#[test]
fn pre_once_work_each_service_then_post_once_in_order() {
    let mut b = batch(&["a", "b"], hooks());
    let order: Vec<String> = drive(&mut b, |_| true)
        .into_iter()
        .map(|(l, _)| l)
        .collect();
    assert_eq!(
        order,
        [
            "h/pre/1",
            "h/pre/2",
            "WORK",
            "h/service/s1",
            "h/service/s2",
            "h/service/s1",
            "h/service/s2",
            "h/post/p"
        ]
    );
}

#[test]
fn each_hook_gets_exactly_its_own_variables() {
    let mut b = batch(&["a", "b"], hooks());
    let seen = drive(&mut b, |_| true);
    let env = |i: usize| seen[i].1.clone();
    assert_eq!(
        env(0),
        [
            "PATH=/bin",
            "DAEMONBOX_EVENT=pre",
            "DAEMONBOX_BATCH=scan",
            "DAEMONBOX_SERVICES_FILE=/proc/self/fd/3",
            "DAEMONBOX_SERVICES=a b"
        ]
    );
    assert_eq!(
        env(3),
        [
            "PATH=/bin",
            "DAEMONBOX_EVENT=service",
            "DAEMONBOX_BATCH=scan",
            "DAEMONBOX_SERVICE=a",
            "DAEMONBOX_SERVICE_DIR=/service/a"
        ]
    );
    assert_eq!(env(5)[3], "DAEMONBOX_SERVICE=b", "nothing of a's left");
    assert_eq!(env(5).len(), 5);
    assert_eq!(env(7)[1..2], ["DAEMONBOX_EVENT=post".to_string()]);
    assert_eq!(env(7).last().unwrap(), "DAEMONBOX_FAILED=");
}

#[test]
fn failures_do_not_stop_the_batch_and_reach_post() {
    let mut b = batch(&["a", "b", "c"], hooks());
    let seen = drive(&mut b, |label| {
        label != "h/pre/1" && label != "h/service/s2"
    });
    let post = seen.last().unwrap();
    assert_eq!(post.0, "h/post/p");
    assert_eq!(post.1.last().unwrap(), "DAEMONBOX_FAILED=pre/1 a b c");
    assert_eq!(seen.len(), 2 + 1 + 6 + 1, "every hook still ran");
}

#[test]
fn missing_directories_and_empty_batches() {
    let mut b = batch(&["a"], Hooks::default());
    assert_eq!(drive(&mut b, |_| true), [("WORK".into(), vec![])]);
    let only_post = Hooks {
        post: dir("h/post", &["p"]),
        ..Hooks::default()
    };
    let mut b = batch(&["a"], only_post);
    let order: Vec<String> = drive(&mut b, |_| true)
        .into_iter()
        .map(|(l, _)| l)
        .collect();
    assert_eq!(order, ["WORK", "h/post/p"]);
}

#[test]
fn a_huge_batch_keeps_its_list_out_of_the_environment() {
    let names: Vec<String> = (0..10_000).map(|i| format!("service-{i:05}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut b = batch(&names, hooks());
    let Next::Run(job) = b.next(&[]) else {
        panic!("a pre hook first")
    };
    assert!(
        job.env
            .iter()
            .all(|e| !e.starts_with(b"DAEMONBOX_SERVICES="))
    );
    let list = job.list.unwrap();
    assert_eq!(list.iter().filter(|&&c| c == b'\n').count(), 10_000);
    assert!(list.starts_with(b"service-00000\nservice-00001\n"));
}
