"""The rules every schedule obeys, checked on a Timeline (simulated or real).

``Timeline`` inherits :class:`TimelineChecks`; ``timeline.check_invariants()`` is how
tests, the property tests and the real-trace parsers use it.  Kept apart from
``gmpkit.timeline`` (how a run is recorded) because it reads a finished timeline only.
"""

from __future__ import annotations

from collections import defaultdict

RUNQ_SIZE = 256  # slots in a P's local ring (p.runq in runtime2.go)


class InvariantError(AssertionError):
    """A timeline breaks a rule that every schedule must obey."""


class TimelineChecks:
    """``check_invariants`` for :class:`gmpkit.timeline.Timeline` (a mixin: it reads
    the timeline's spans, events and counters through the Timeline's own methods)."""

    def check_invariants(self, *, raise_=True):
        """Check the rules every schedule obeys; return True or raise.

        * no span ends before it starts;
        * on each M lane, spans do not overlap (an M does one thing at a time,
          so it runs at most one G);
        * a G runs on at most one M at a time;
        * at most ``max_parallel`` Gs run at once (when known);
        * every G's running time equals the compute it asked for (when the
          simulator recorded ``expected_run_ns``);
        * no P's local ring (counters ``runq[i]``) ever exceeds 256;
        * work conservation (when the model set ``wake_latency_ns``): no P sits
          idle, with no M spinning, for longer than that while runnable Gs wait
          in the global queue or a ring (counters ``idleprocs``,
          ``spinningthreads``, ``runqueue``, ``runq[i]``).

        A run recorded with ``record="counters"`` has no spans, so only the
        running-time and ring checks apply; ``"sampled"`` checks its sample.

        With ``raise_=False`` the list of problems is returned instead.
        """
        problems: list[str] = []
        for st, s, e, lane, m, p, g in self._span_tuples():
            if e < s:
                problems.append(f"span {st!r} of M{m} P{p} G{g} ends at {e} before it starts at {s}")
                if len(problems) > 20:
                    break

        def overlaps(groups, what):
            for key, ivs in groups.items():
                ivs.sort()
                for (s1, e1), (s2, e2) in zip(ivs, ivs[1:]):
                    if s2 < e1:
                        problems.append(f"{what} {key}: [{s1}, {e1}) overlaps [{s2}, {e2})")
                        break

        by_m, by_g, by_p, by_gl = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
        running_by_lane = {"M": [], "G": []}
        for st, s, e, lane, m, p, g in self._span_tuples():
            if e == s:
                continue
            if lane == "M" and m >= 0:
                by_m[m].append((s, e))
            elif lane == "P" and p >= 0:
                by_p[p].append((s, e))
            elif lane == "G" and g >= 0:
                by_gl[g].append((s, e))
            if st == "running" and g >= 0 and lane in ("M", "G"):
                running_by_lane[lane].append((g, s, e))
        # A G's own "running" is read from the M lane when the source has one
        # (the simulator), else from the G lane (a real execution trace).
        running = running_by_lane["M"] or running_by_lane["G"]
        for g, s, e in running:
            by_g[g].append((s, e))
        overlaps(by_m, "M")
        overlaps(by_p, "P")
        overlaps(by_gl, "G lane")
        overlaps(by_g, "G running on two Ms:")

        if self.max_parallel is not None and running:
            points = sorted([(s, 1) for _, s, e in running] + [(e, -1) for _, s, e in running],
                            key=lambda x: (x[0], x[1]))
            live = 0
            for t, d in points:
                live += d
                if live > self.max_parallel:
                    problems.append(f"{live} Gs running at once at t={t} ns, more than "
                                    f"max_parallel={self.max_parallel}")
                    break

        if self.expected_run_ns is not None:
            got = self.run_ns_by_g()
            for g, want in sorted(self.expected_run_ns.items()):
                have = got.get(g, 0)
                if g in self.partial_gs:
                    # still alive when the run ended: it may not have had all it asked for
                    if have > want:
                        problems.append(f"G{g} ({self.g_names.get(g, '?')}) ran {have} ns, "
                                        f"more than the {want} ns of compute it asked for")
                elif have != want:
                    problems.append(f"G{g} ({self.g_names.get(g, '?')}) ran {have} ns "
                                    f"but asked for {want} ns of compute")
            for g in sorted(set(got) - set(self.expected_run_ns)):
                problems.append(f"G{g} ran {got[g]} ns but asked for no compute")

        for name, (times, values) in self._counters.items():
            if name.startswith("runq["):
                big = self.peak(name)
                if big > RUNQ_SIZE:
                    problems.append(f"{name} reached {big}, more than the {RUNQ_SIZE}-slot ring")
        if self.wake_latency_ns is not None:
            problems.extend(self._idle_while_work_waits(self.wake_latency_ns))
        if problems and raise_:
            raise InvariantError("timeline breaks its invariants:\n  " + "\n  ".join(problems[:20]))
        return True if not problems else problems

    def _idle_while_work_waits(self, limit):
        """Stretches longer than ``limit`` ns with an idle P, no spinning M and
        runnable Gs queued (global queue or rings), as problem strings."""
        queues = [n for n in self._counters if n == "runqueue" or n.startswith("runq[")]
        if "idleprocs" not in self._counters or not queues:
            return []
        names = ["idleprocs", "spinningthreads"] + queues
        changes = sorted((t, i, v) for i, n in enumerate(names)
                         for t, v in zip(*self._counters.get(n, ([], []))))
        cur = [0] * len(names)
        since = None
        out = []
        k = 0
        while k < len(changes):
            t = changes[k][0]
            while k < len(changes) and changes[k][0] == t:   # every change at this instant
                cur[changes[k][1]] = changes[k][2]
                k += 1
            bad = cur[0] > 0 and cur[1] == 0 and sum(cur[2:]) > 0
            if bad and since is None:
                since = t
            elif not bad and since is not None:
                if t - since > limit:
                    out.append(f"work conservation: from t={since} to t={t} ns a P was idle, no M "
                               f"was spinning, and runnable Gs waited ({t - since} ns, more than "
                               f"the model's wake-up latency of {limit} ns)")
                since = None
        if since is not None and self.end_time - since > limit:
            out.append(f"work conservation: from t={since} ns to the end ({self.end_time}) a P "
                       f"was idle, no M was spinning, and runnable Gs waited")
        return out[:5]
