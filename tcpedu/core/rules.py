"""RFC 9293's small rules as pure functions: what the engine decides from a few numbers.

Each is a rule the exercises ask learners to write, so each stands alone, with the section
that states it: the acceptability test of a segment (Table 6), the acknowledgement number
that covers a segment, the reset that answers a segment where no connection exists, and
when a segment may update the send window.
"""

from __future__ import annotations

from .segment import Flags, Segment
from .seqnum import in_window, seq_add, seq_le, seq_lt

__all__ = ["ack_covering", "reset_for", "segment_acceptable", "updates_window"]


def segment_acceptable(seq: int, seg_len: int, rcv_nxt: int, rcv_wnd: int) -> bool:
    """RFC 9293 3.10.7.4, first check (Table 6): may a segment of SEG.LEN ``seg_len`` starting
    at SEG.SEQ ``seq`` be processed, given RCV.NXT and RCV.WND?

    ==========  ========  =========================================================
    SEG.LEN     RCV.WND   test
    ==========  ========  =========================================================
    0           0         SEG.SEQ = RCV.NXT
    0           >0        RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
    >0          0         not acceptable
    >0          >0        RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND, or
                          RCV.NXT =< SEG.SEQ+SEG.LEN-1 < RCV.NXT+RCV.WND
    ==========  ========  =========================================================
    """
    if seg_len == 0:
        return seq == rcv_nxt if rcv_wnd == 0 else in_window(seq, rcv_nxt, rcv_wnd)
    return rcv_wnd > 0 and (in_window(seq, rcv_nxt, rcv_wnd) or in_window(seq_add(seq, seg_len - 1), rcv_nxt, rcv_wnd))


def ack_covering(seg: Segment) -> int:
    """The acknowledgement number that covers ``seg`` once it is received in order:
    SEG.SEQ + SEG.LEN, where SEG.LEN counts the data and one for each of SYN and FIN (3.4)."""
    return seq_add(seg.seq, seg.seg_len)


def reset_for(seg: Segment) -> Segment:
    """The RST that answers ``seg`` where no connection exists (3.5.2 rule 1, 3.10.7.1): if the
    segment has an ACK, ``<SEQ=SEG.ACK><CTL=RST>``; otherwise ``<SEQ=0><ACK=SEG.SEQ+SEG.LEN>
    <CTL=RST,ACK>``. A RST is never answered, so ``seg`` must not carry one. Its window is 0,
    as stacks send it."""
    if seg.has_rst:
        raise ValueError("a RST is never answered with a RST (RFC 9293 3.10.7.1)")
    if seg.has_ack:
        return Segment(seg.ack, 0, Flags.RST, 0)
    return Segment(0, ack_covering(seg), Flags.RST | Flags.ACK, 0)


def updates_window(snd_wl1: int | None, snd_wl2: int | None, seq: int, ack: int) -> bool:
    """May a segment (SEG.SEQ ``seq``, SEG.ACK ``ack``) set SND.WND? Only if it is newer than
    the one that last did: SND.WL1 < SEG.SEQ, or SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK
    (3.10.7.4, fifth check), so an old segment cannot shrink the window again. With no
    window yet (SND.WL1 unset), any may."""
    if snd_wl1 is None:
        return True
    return seq_lt(snd_wl1, seq) or (snd_wl1 == seq and seq_le(snd_wl2, ack))
