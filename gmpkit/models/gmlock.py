"""Go 1.0's ``schedlock`` as a futex lock: how GM's threads wait for it, and what
holding it costs.  (GM's scheduler is :mod:`gmpkit.models.gm`, beside ``proc.c``;
its timers are :mod:`gmpkit.models.gmtimers`.)

How the lock is modelled
------------------------
Each critical section holds ``schedlock`` for ``schedlock_hold_ns``.  A
section that creates a thread holds it ``thread_clone_ns`` longer: Go 1.0's
``matchmg`` called ``newm`` under the lock, and ``newm`` returns once
``clone()`` has created the thread (the new thread then starts on its own,
``thread_create_ns`` after ``newm`` began, and takes the lock itself in
``schedule(nil)``).  Waking an idle M handed a G follows ``mnextg`` and
``schedunlock``: the M to wake is remembered in ``mwakeup``; if a second one
is handed a G in the same section, the first is woken at once, under the
lock (its futex wake, costed as ``syscall_overhead_ns``, lengthens the hold),
and only the last is woken after the unlock.  A thread that finds the lock held does what
``runtime·lock`` in Go 1.0's ``lock_futex.c`` does: it spins for
``schedlock_spin_ns`` (4 rounds of 30 ``PAUSE`` instructions, then one
``sched_yield``), and if the lock has not come its way by then it sleeps in
``futex``.  On release a spinning thread takes the lock at once (spinners in
arrival order); if anyone sleeps, the releasing thread also wakes one sleeper,
which runs ``kernel_switch_ns`` later and tries again: it takes the lock if
free, else spins and sleeps once more.  Sleepers can be overtaken by
newcomers, as with the real lock.

:class:`FutexLock` holds that machinery: ``runtime·lock`` and ``runtime·unlock``
of Go 1.0's ``lock_futex.c`` on ``sched``, and the hold-time accounting of a
critical section.  :class:`~gmpkit.models.gm.GM` mixes it in and keeps
``proc.c``'s ``schedlock()`` and ``schedunlock()``, which call it.  The lock's
state (``lock_owner``, ``lock_spinners``, ``lock_sleepers``, ``lock_waiting``,
``_extra_hold``, ``_mwakeup``) and its stats are set up in ``GM.setup``.
"""

from __future__ import annotations

__all__ = ["FutexLock"]


class _Anon:
    """The lock holder for network completions (no M lane; see SIMPLIFIES)."""

    id = -1
    state = "running"
    curg = None

    def __repr__(self):
        return "timer"


_TIMER = _Anon()


class _Waiter:
    """One ``schedlock`` request: who, since when, and the section to run."""

    __slots__ = ("m", "since", "section", "args", "spun", "spin_from", "timer")

    def __init__(self, m, since, section, args):
        self.m = m
        self.since = since
        self.section = section
        self.args = args
        self.spun = 0          # ns spent spinning (on a CPU) so far
        self.spin_from = since
        self.timer = None


class FutexLock:
    """Mixin of :class:`~gmpkit.models.gm.GM`: Go 1.0's ``runtime·lock`` and
    ``runtime·unlock`` (``lock_futex.c``) on ``sched``, with what a section holds it."""

    def _lock_wait(self, w):
        """``runtime·lock`` (lock_futex.c) when the lock is held: spin.

        A spinning waiter takes the lock the moment it is released (spinners
        in arrival order).  One that spun ``schedlock_spin_ns`` in vain sleeps
        in ``futex`` (:meth:`_lock_sleep`).
        """
        w.spin_from = self.engine.now
        self.lock_spinners.append(w)
        w.timer = self.engine.after(self.costs["schedlock_spin_ns"], self._lock_sleep, w)

    def _lock_sleep(self, w):
        self.lock_spinners.remove(w)
        w.spun += self.engine.now - w.spin_from
        self.lock_sleepers.append(w)
        self.st["lock_sleeps"] += 1

    def _lock_release(self):
        """``runtime·unlock``: the lock is free; a spinner grabs it at once, and if
        anyone sleeps in futex one sleeper is woken (``futexwakeup``).  The
        woken thread runs ``kernel_switch_ns`` later and tries again: it takes
        the lock if it is free, else spins (and maybe sleeps) once more."""
        self.lock_owner = None
        if self.lock_sleepers:
            sleeper = self.lock_sleepers.popleft()
            self.st["lock_futex_wakeups"] += 1
            self.engine.after(self.costs["kernel_switch_ns"], self._lock_retry, sleeper)
        if self.lock_spinners:
            w = self.lock_spinners.popleft()
            self.engine.cancel(w.timer)
            w.spun += self.engine.now - w.spin_from
            self._take(w)

    def _lock_retry(self, w):
        if self.lock_owner is None:
            self._take(w)
        else:
            self._lock_wait(w)

    def _take(self, w):
        """The waiter ``w`` owns the lock now; the section runs after the hold."""
        now = self.engine.now
        m = w.m
        self.lock_owner = m
        self.lock_waiting.pop(id(w), None)
        hold = self.costs["schedlock_hold_ns"]
        self.st["lock_wait_ns"] += now - w.since
        self.st["lock_spin_ns"] += w.spun
        self.st["lock_hold_ns"] += hold
        if m is not _TIMER:
            gid = m.curg.id if m.curg is not None else -1
            self.span("lock-wait", w.since, now, m=m.id, g=gid)
            self.span("sched", now, now + hold, m=m.id, g=gid)
            m.state = "running"
        self.engine.after(hold, self._critical, m, w.section, w.args)

    def _critical(self, m, section, args):
        self._extra_hold = 0
        self._mwakeup = None
        cont = section(m, *args)
        extra, wake = self._extra_hold, self._mwakeup
        if extra:
            # newm's clone() and futex wake-ups ran under the lock: part of the hold
            now = self.engine.now
            self.st["lock_hold_ns"] += extra
            if m is not _TIMER:
                self.span("sched", now, now + extra, m=m.id,
                          g=m.curg.id if m.curg is not None else -1)
            self.engine.after(extra, self.schedunlock, m, cont, wake)
        else:
            self.schedunlock(m, cont, wake)
