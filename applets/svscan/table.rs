//! The service table: which supervise processes svscan runs, and for which directory.
//!
//! Pure bookkeeping, no system calls. Entries are keyed by the directory's (device, inode)
//! as in 0.76, so two names for one directory share an entry and a renamed directory keeps
//! its supervise. There is no size limit (0.76 stops at 1000). A pid index makes reaping
//! O(1), which matters with thousands of services. The pipe type is a parameter so that the
//! wiring can hold real descriptors while the tests use `()`.

use std::collections::HashMap;
use std::time::Duration;

/// (device, inode) of a service directory.
pub type Key = (u64, u64);

/// A process id.
pub type Pid = i32;

/// A supervise that exits sooner than this after its start is restarted only by the next
/// periodic scan, as in 0.76, so one that cannot run at all (missing from PATH, lock held
/// by another svscan) is retried every 5 s instead of in a tight loop.
pub const MIN_RUN: Duration = Duration::from_secs(1);

/// A supervise that exits 0 (told to with `svc -x`) is restarted only by a periodic scan at
/// least this long after its exit (0.76: by the next scan, 0-5 s later), so the classic stop
/// procedure, `svc -dx /service/* /service/*/log` then killing svscan, has 5 s between its
/// steps instead of a random part of them.
pub const EXIT_HOLD: Duration = Duration::from_secs(5);

/// Which of a service's two supervise processes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// `supervise NAME`.
    Main,
    /// `supervise log`, run in `NAME`.
    Log,
}

/// One supervise process slot.
#[derive(Debug, Default)]
pub struct Slot {
    /// The running supervise, if any.
    pub pid: Option<Pid>,
    started: Duration,
    held: bool,
    not_before: Duration,
}

/// One service directory.
#[derive(Debug)]
pub struct Entry<P> {
    /// The name it was last met under in the scan directory.
    pub name: Vec<u8>,
    /// Met during the current scan.
    pub active: bool,
    /// The pipe to its logger, when it has a `log`.
    pub log: Option<P>,
    /// Link count of the directory when its `log` was last looked for.
    pub links: u64,
    /// `supervise NAME`.
    pub main: Slot,
    /// `supervise log`.
    pub logger: Slot,
    /// Shutdown: the main supervise has been told to stop the service and exit.
    pub stop_sent: bool,
    /// Shutdown: the log supervise has been told to exit when its logger does.
    pub exit_sent: bool,
    /// New, and waiting for its batch's pre hooks before anything starts.
    pub pending: bool,
}

impl<P> Entry<P> {
    /// The slot for `role`.
    pub fn slot(&self, role: Role) -> &Slot {
        match role {
            Role::Main => &self.main,
            Role::Log => &self.logger,
        }
    }

    fn slot_mut(&mut self, role: Role) -> &mut Slot {
        match role {
            Role::Main => &mut self.main,
            Role::Log => &mut self.logger,
        }
    }

    /// Should the supervise for `role` be started at `now`? A held slot (quick exit, or
    /// told to exit) waits for a periodic scan, and for [`EXIT_HOLD`] after an exit 0; a
    /// log slot needs a pipe.
    pub fn should_start(&self, role: Role, periodic: bool, now: Duration) -> bool {
        let slot = self.slot(role);
        slot.pid.is_none()
            && !self.pending
            && (periodic || !slot.held)
            && now >= slot.not_before
            && (role == Role::Main || self.log.is_some())
    }
}

/// Every service svscan knows about.
#[derive(Debug)]
pub struct Table<P> {
    entries: HashMap<Key, Entry<P>>,
    pids: HashMap<Pid, (Key, Role)>,
}

impl<P> Default for Table<P> {
    fn default() -> Self {
        Table {
            entries: HashMap::new(),
            pids: HashMap::new(),
        }
    }
}

impl<P> Table<P> {
    /// How many services.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// How many supervise processes are running.
    pub fn running(&self) -> usize {
        self.pids.len()
    }

    /// Starts a scan: every entry is inactive until met again.
    pub fn begin_scan(&mut self) {
        for entry in self.entries.values_mut() {
            entry.active = false;
        }
    }

    /// The entry for `key`.
    pub fn get_mut(&mut self, key: Key) -> Option<&mut Entry<P>> {
        self.entries.get_mut(&key)
    }

    /// Adds a new, active entry (replacing none: callers look first).
    pub fn insert(&mut self, key: Key, name: &[u8], log: Option<P>) -> &mut Entry<P> {
        self.entries.entry(key).or_insert(Entry {
            name: name.to_vec(),
            active: true,
            log,
            links: 0,
            main: Slot::default(),
            logger: Slot::default(),
            stop_sent: false,
            exit_sent: false,
            pending: false,
        })
    }

    /// Records that the supervise for `role` of `key` was started as `pid` at `now`.
    pub fn started(&mut self, key: Key, role: Role, pid: Pid, now: Duration) {
        if let Some(entry) = self.entries.get_mut(&key) {
            *entry.slot_mut(role) = Slot {
                pid: Some(pid),
                started: now,
                ..Slot::default()
            };
            self.pids.insert(pid, (key, role));
        }
    }

    /// Records the end of `pid`, which exited with `code` (`None`: killed by a signal);
    /// returns whose supervise it was (`None` for an orphan or any other child). One that
    /// ran less than [`MIN_RUN`] is held for a periodic scan; one that exited 0 was told to
    /// exit and is held for a periodic scan [`EXIT_HOLD`] later; any other is not held.
    pub fn reaped(&mut self, pid: Pid, code: Option<u8>, now: Duration) -> Option<(Key, Role)> {
        let (key, role) = self.pids.remove(&pid)?;
        if let Some(entry) = self.entries.get_mut(&key) {
            let slot = entry.slot_mut(role);
            let told = code == Some(0);
            slot.pid = None;
            slot.held = told || now.saturating_sub(slot.started) < MIN_RUN;
            slot.not_before = if told { now + EXIT_HOLD } else { now };
        }
        Some((key, role))
    }

    /// Removes every entry that was not met in this scan and has no supervise running;
    /// returns them so the caller can close their pipes.
    pub fn drop_inactive(&mut self) -> Vec<Entry<P>> {
        let gone: Vec<Key> = self
            .entries
            .iter()
            .filter(|(_, e)| !e.active && e.main.pid.is_none() && e.logger.pid.is_none())
            .map(|(k, _)| *k)
            .collect();
        gone.iter().filter_map(|k| self.entries.remove(k)).collect()
    }

    /// The names of every service let start (not held for hooks), in no particular order.
    pub fn names(&self) -> Vec<Vec<u8>> {
        self.entries
            .values()
            .filter(|e| !e.pending)
            .map(|e| e.name.clone())
            .collect()
    }

    /// Every entry, in no particular order.
    pub fn entries_mut(&mut self) -> impl Iterator<Item = &mut Entry<P>> {
        self.entries.values_mut()
    }

    /// Every running supervise pid.
    pub fn pids(&self) -> impl Iterator<Item = Pid> + '_ {
        self.pids.keys().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Key = (1, 10);
    const B: Key = (1, 11);
    const KILLED: Option<u8> = None;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn new_entry_starts_main_and_log_only_with_a_pipe() {
        let mut t: Table<()> = Table::default();
        t.insert(A, b"a", None);
        t.insert(B, b"b", Some(()));
        let a = t.get_mut(A).unwrap();
        assert!(a.should_start(Role::Main, false, secs(30)));
        assert!(!a.should_start(Role::Log, false, secs(30)));
        let b = t.get_mut(B).unwrap();
        assert!(b.should_start(Role::Main, false, secs(30)));
        assert!(b.should_start(Role::Log, false, secs(30)));
    }

    #[test]
    fn insert_does_not_replace() {
        let mut t: Table<()> = Table::default();
        t.insert(A, b"a", None);
        t.insert(A, b"symlink", Some(()));
        assert_eq!(t.len(), 1);
        assert_eq!(t.get_mut(A).unwrap().name, b"a");
        assert!(t.get_mut(A).unwrap().log.is_none());
    }

    #[test]
    fn running_supervise_is_not_started_again() {
        let mut t: Table<()> = Table::default();
        t.insert(A, b"a", Some(()));
        t.started(A, Role::Main, 100, secs(0));
        t.started(A, Role::Log, 101, secs(0));
        let a = t.get_mut(A).unwrap();
        assert!(!a.should_start(Role::Main, true, secs(30)));
        assert!(!a.should_start(Role::Log, true, secs(30)));
        assert_eq!(t.running(), 2);
    }

    #[test]
    fn long_run_restarts_at_once_quick_exit_waits_for_periodic_scan() {
        let mut t: Table<()> = Table::default();
        t.insert(A, b"a", Some(()));
        t.started(A, Role::Main, 100, secs(10));
        t.started(A, Role::Log, 101, secs(10));
        assert_eq!(t.reaped(100, KILLED, secs(20)), Some((A, Role::Main)));
        assert_eq!(t.reaped(101, KILLED, secs(10)), Some((A, Role::Log)));
        let a = t.get_mut(A).unwrap();
        assert!(a.should_start(Role::Main, false, secs(30)));
        assert!(!a.should_start(Role::Log, false, secs(30)));
        assert!(a.should_start(Role::Log, true, secs(30)));
        t.started(A, Role::Log, 102, secs(15));
        assert!(
            !t.get_mut(A)
                .unwrap()
                .should_start(Role::Log, true, secs(30))
        );
        assert_eq!(t.running(), 1);
    }

    #[test]
    fn told_to_exit_waits_for_a_periodic_scan_a_full_period_later() {
        let mut t: Table<()> = Table::default();
        t.insert(A, b"a", Some(()));
        t.started(A, Role::Main, 100, secs(10));
        t.started(A, Role::Log, 101, secs(10));
        t.reaped(100, Some(0), secs(20));
        t.reaped(101, Some(0), secs(20));
        let a = t.get_mut(A).unwrap();
        for role in [Role::Main, Role::Log] {
            assert!(!a.should_start(role, false, secs(20)));
            assert!(!a.should_start(role, true, secs(24)));
            assert!(!a.should_start(role, false, secs(30)));
            assert!(a.should_start(role, true, secs(25)));
        }
    }

    #[test]
    fn failed_or_killed_after_a_long_run_restarts_at_once() {
        let mut t: Table<()> = Table::default();
        t.insert(A, b"a", Some(()));
        t.started(A, Role::Main, 100, secs(10));
        t.started(A, Role::Log, 101, secs(10));
        t.reaped(100, Some(111), secs(20));
        t.reaped(101, KILLED, secs(20));
        let a = t.get_mut(A).unwrap();
        assert!(a.should_start(Role::Main, false, secs(20)));
        assert!(a.should_start(Role::Log, false, secs(20)));
    }

    #[test]
    fn pending_entries_wait_for_their_hooks() {
        let mut t: Table<()> = Table::default();
        t.insert(A, b"a", Some(())).pending = true;
        let a = t.get_mut(A).unwrap();
        assert!(!a.should_start(Role::Main, true, secs(0)));
        assert!(!a.should_start(Role::Log, true, secs(0)));
        assert!(t.names().is_empty(), "never started: not a service to stop");
        let a = t.get_mut(A).unwrap();
        a.pending = false;
        assert!(a.should_start(Role::Main, false, secs(0)));
        assert_eq!(t.names(), [b"a".to_vec()]);
    }

    #[test]
    fn unknown_pids_are_orphans() {
        let mut t: Table<()> = Table::default();
        t.insert(A, b"a", None);
        t.started(A, Role::Main, 100, secs(0));
        assert_eq!(t.reaped(999, KILLED, secs(5)), None);
        assert_eq!(t.reaped(100, KILLED, secs(5)), Some((A, Role::Main)));
        assert_eq!(t.reaped(100, KILLED, secs(5)), None);
    }

    #[test]
    fn drop_only_inactive_entries_without_supervise() {
        let mut t: Table<u8> = Table::default();
        t.insert(A, b"a", Some(7));
        t.insert(B, b"b", None);
        t.started(A, Role::Log, 100, secs(0));
        t.begin_scan();
        let gone = t.drop_inactive();
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].name, b"b");
        assert_eq!(t.len(), 1);
        t.reaped(100, KILLED, secs(9));
        t.begin_scan();
        let gone = t.drop_inactive();
        assert_eq!(gone[0].log, Some(7));
        assert_eq!(t.len(), 0);
    }

    #[test]
    fn active_entries_stay() {
        let mut t: Table<()> = Table::default();
        t.insert(A, b"a", None);
        t.begin_scan();
        t.get_mut(A).unwrap().active = true;
        assert!(t.drop_inactive().is_empty());
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn no_limit_on_services() {
        let mut t: Table<()> = Table::default();
        for i in 0..20_000u64 {
            t.insert((2, i), b"s", None);
            t.started((2, i), Role::Main, i as Pid + 2, secs(0));
        }
        assert_eq!((t.len(), t.running()), (20_000, 20_000));
        assert_eq!(
            t.reaped(19_001, KILLED, secs(3)),
            Some(((2, 18_999), Role::Main))
        );
    }
}
