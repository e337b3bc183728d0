"""Notebook 06's G-M-P animation, without a kernel: frames, captions, the Play widget.

The captions are pure functions of events and snapshots: they are checked here on
hand-made ones, without a simulation; the frames are checked against the model's run.
"""

import re

from gmpkit.timeline import Event
from gmpkit.widgets import PANELS, animation


# ---- the animation -------------------------------------------------------------------------

def test_animation_frames_follow_the_simulation_in_time_and_stay_capped():
    d = animation.build_frames("burst + syscalls + netio", 2)
    assert 2 < len(d["snapshots"]) <= animation.MAX_FRAMES
    assert d["times"] == sorted(d["times"])
    assert len(d["captions"]) == len(d["snapshots"]) == len(d["events"])


def test_many_frames_are_merged_to_the_cap():
    d = animation.build_frames("burst + syscalls + netio", 2, cap=10)
    full = animation.build_frames("burst + syscalls + netio", 2)
    assert len(d["snapshots"]) <= 10
    assert d["snapshots"][-1]["time"] == full["snapshots"][-1]["time"]
    assert sum(len(e) for e in d["events"]) == sum(len(e) for e in full["events"])


def test_setting_the_frame_redraws_and_the_caption_names_the_steal():
    p = PANELS["06:animation"]()
    d = p.data
    i = next(k for k, ks in enumerate(d["kinds"]) if "steal" in ks)
    steal = next(e for e in d["events"][i] if e.kind == "steal")
    before = p.image.value
    p.set(frame=i)
    assert p.frame.value == i and p.image.value != before
    assert f"P{steal.p} (M{steal.m}) stole" in p.caption.value
    assert f"from P{steal.other}" in p.summary
    # the diagram shows the thief's ring: the stolen Gs (minus the one it runs) sit there
    snap = d["snapshots"][i]
    n = int(steal.detail.split("=")[1])
    assert len(snap["ps"][steal.p]["runq"]) >= n - 1
    assert p.counts["p_boxes"] == 2


def test_caption_names_sysmon_retake_and_handoff():
    d = animation.build_frames("long syscall (sysmon retake)", 2)
    i = next(k for k, ks in enumerate(d["kinds"]) if "retake" in ks)
    e = next(e for e in d["events"][i] if e.kind == "retake")
    assert f"sysmon retook P{e.p} from M{e.m}" in d["captions"][i]
    # after the retake the M in the syscall holds no P
    m = next(m for m in d["snapshots"][i]["ms"] if m["id"] == e.m)
    assert m["state"] == "syscall" and m["p"] is None


def _p_words(labels, pid):
    """The word drawn after "P<pid> " in a diagram's labels."""
    hits = [l.split("\n")[0][len(f"P{pid} "):] for l in labels if l.startswith(f"P{pid} ")]
    assert len(hits) == 1, (pid, hits)
    return hits[0]


def test_a_p_held_by_a_spinning_m_is_drawn_as_held_and_spinning_never_idle():
    """An M spins only while it holds a P (wakep/startm hand it over in nextp):
    the diagram draws that M above the P and labels the P "spinning"; a P
    handed to a thread still starting is "handed over". Every frame of every
    animation workload is checked, and the frames where it matters exist."""
    from gmpkit import plots
    checked = handed = 0
    for workload in animation.ANIMATION_WORKLOADS:
        for procs in (1, 2, 4):
            d = animation.build_frames(workload, procs)
            diagram = None
            for snap, cap in zip(d["snapshots"], d["captions"]):
                holders = {m["p"]: m for m in snap["ms"] if m["p"] is not None}
                if not any(m["state"] in ("spinning", "starting") for m in holders.values()):
                    continue
                if diagram is None:
                    diagram = plots.GMPDiagram(snap, max_ring=animation.MAX_RING)
                else:
                    diagram.update(snap)
                for pid, m in holders.items():
                    word = _p_words(diagram.labels, pid)
                    assert f"M{m['id']}\n{m['state']}" in diagram.labels
                    if m["state"] == "spinning":
                        checked += 1
                        assert word == "spinning", (workload, procs, snap["time"], pid, word)
                    elif m["state"] == "starting":
                        handed += 1
                        assert word == "handed over", (workload, procs, snap["time"], pid, word)
                if " spins" in cap:
                    assert re.search(r"M\d+ spins on P\d+", cap), cap
    assert checked > 20 and handed > 5, (checked, handed)


def test_the_frames_where_a_spinning_m_waits_for_its_thread_show_the_p_as_spinning():
    """The case from issue 9: P1 idle in the model's status while spinning M2
    (still being created) holds it in nextp."""
    from gmpkit import plots
    d = animation.build_frames("burst + syscalls + netio", 2)
    i, m = next((i, m) for i, s in enumerate(d["snapshots"]) for m in s["ms"]
                if m["state"] == "spinning" and s["ps"][m["p"]]["status"] == "idle")
    labels = plots.GMPDiagram(d["snapshots"][i], max_ring=animation.MAX_RING).labels
    assert _p_words(labels, m["p"]) == "spinning"
    assert not any(l.startswith(f"P{m['p']} idle") for l in labels)
    first = next(c for c in d["captions"] if f"M{m['id']}" in c)
    assert f"for P{m['p']}, spinning" in first, first


def test_play_is_linked_to_the_frame_slider_and_workload_change_resets_it():
    p = PANELS["06:animation"]()
    p.play.value = 3
    assert p.frame.value == 3 and p.data["frame"] == 3
    p.set(workload="network I/O (netpoller)")
    n = len(animation.build_frames("network I/O (netpoller)", 2)["snapshots"])
    assert p.frame.max == p.play.max == n - 1 and p.frame.value == 0
    assert "gmpkit-gmp-frame" in p.frame._dom_classes
    assert "gmpkit-gmp-caption" in p.caption._dom_classes


def test_netpoller_frames_show_gs_waiting_for_io():
    d = animation.build_frames("network I/O (netpoller)", 2)
    assert max(len(s["netpoll"]) for s in d["snapshots"]) == 8


def test_preemption_workload_caption_says_preempted():
    d = animation.build_frames("tight loops (preemption)", 1)
    caps = [c for c, ks in zip(d["captions"], d["kinds"]) if "preempt" in ks]
    assert caps and all("preempted" in c for c in caps)



# ---- captions, from hand-made snapshots and events ----------------------------------------

def snap(ps=(), ms=(), glob=()):
    return {"time": 0, "model": "GMP", "ps": list(ps), "ms": list(ms), "global": list(glob),
            "netpoll": [], "timers": [], "gs": {}}


def p(pid, runnext=None, runq=()):
    return {"id": pid, "status": "running", "m": None, "runnext": runnext, "runq": list(runq),
            "schedtick": 0, "timers": 0}


def m(mid, state, pid=None, g=None, **kw):
    return {"id": mid, "p": pid, "g": g, "state": state, **kw}


def ev(kind, g=-1, other=-1, p=-1, m=-1, detail=""):
    return Event(time=0, kind=kind, g=g, m=m, p=p, other=other, detail=detail)


def test_where_names_the_queue_or_the_thread_holding_a_g():
    s = snap(ps=[p(0, runnext=5, runq=[6, 7])], ms=[m(3, "running", 0, g=9)], glob=[8])
    assert [animation.where(s, g) for g in (5, 7, 8, 9, 4)] == [
        "P0's runnext", "P0's ring", "the global queue", "running on M3", ""]


def test_event_sentences_say_who_did_what_to_whom():
    after = snap(ps=[p(0), p(1, runq=[4, 5])])
    steal = animation.event_sentence(ev("steal", g=4, p=1, m=2, other=0, detail="n=3"), after)
    assert steal == "P1 (M2) stole 3 Gs from P0"
    one = animation.event_sentence(ev("steal", g=4, p=1, m=2, other=0, detail="n=1"), after)
    assert one.endswith("stole 1 G from P0")
    spawn = animation.event_sentence(ev("spawn", g=5, other=1), after)
    assert spawn == "G1 ran `go`: new G5 → P1's ring"
    timer = animation.event_sentence(ev("ready", g=4), after)
    assert "by a timer or the netpoller" in timer and "P1's ring" in timer
    retake = animation.event_sentence(ev("retake", g=7, p=0, m=3), after)
    assert retake == "sysmon retook P0 from M3 (G7 is in a syscall)"
    assert "kept its P" in animation.event_sentence(ev("syscall-exit", g=7, m=3,
                                                        detail="fast"), after)
    # an unknown handoff reason is shown as it came, not dropped
    assert animation.event_sentence(ev("handoff", p=0, detail="odd"), after).endswith(": odd")


def test_thread_sentences_follow_state_changes_between_two_snapshots():
    before = snap(ms=[m(0, "running", 0, g=1), m(1, "idle"), m(9, "sysmon")])
    after = snap(ms=[m(0, "running", 0, g=2), m(1, "spinning", 1), m(2, "starting", 0),
                     m(9, "sysmon")])
    said = animation.thread_sentences(before, after)
    assert ("run", "M0 runs G2 on P0") in said
    assert ("spin", "M1 spins on P1, looking for work") in said
    assert ("newm", "new thread M2 (newm) to run P0") in said
    assert not any("M9" in s for _, s in said), "sysmon is never narrated"
    assert animation.thread_sentences(after, after) == []


def test_a_caption_keeps_the_most_telling_four_sentences_in_order():
    before = after = snap(ps=[p(0), p(1)], ms=[m(0, "running", 0, g=1)])
    events = [ev("exit", g=3), ev("spawn", g=4, other=1), ev("exit", g=5),
              ev("steal", g=6, p=1, m=1, other=0, detail="n=2"), ev("exit", g=7),
              ev("retake", g=8, p=0, m=2)]
    text = animation.caption(events, before, after)
    parts = text.split("; ")
    # the steal and the retake outrank the spawn, which outranks the exits: the last two
    # exits are left out, and what is kept stays in the order it happened
    assert parts[-1] == "+2 more" and len(parts) == 5
    assert parts[0] == "G3 exited" and parts[1].startswith("G1 ran `go`: new G4")
    assert "stole 2 Gs" in parts[2] and parts[3].startswith("sysmon retook P0")
    assert "G5" not in text and "G7" not in text
    assert animation.caption([], before, after) == "(time passes: Gs compute)"
