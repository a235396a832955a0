"""Exercise 5, a reference solution: a whole TCP endpoint, written without tcpedu's engine.

It follows RFC 9293 section 3.10 step by step, as the engine does, but as one plain class
with the rules inline: the checker's differential tests hold it to the engine's behaviour
segment for segment, which makes it a second, independent reading of the RFC.
"""

from tcpedu.kit import (
    CallRefused,
    EndpointBase,
    Flags,
    RtoEstimator,
    Segment,
    State,
    reset_for,
    segment_acceptable,
    seq_add,
    seq_gt,
    seq_le,
    seq_lt,
    seq_sub,
    updates_window,
)

S = State
SYN, ACK, FIN, RST = Flags.SYN, Flags.ACK, Flags.FIN, Flags.RST
SYN_DATA_PHASE_RTO_US = 3_000_000  # RFC 6298 5.7
TEXT_STATES = (S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2)
SENDING_STATES = (S.ESTABLISHED, S.CLOSE_WAIT, S.FIN_WAIT_1, S.CLOSING, S.LAST_ACK)
CLOSING_STATES = (S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSING, S.LAST_ACK, S.TIME_WAIT)
ABORT_SENDS_RST = (S.SYN_RECEIVED, S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSE_WAIT)


class Endpoint(EndpointBase):
    # --- the connection's memory ----------------------------------------------------------------

    def forget(self):
        super().forget()
        self.passive = False
        self.unsent = bytearray()
        self.rtx = []  # [seq, data, syn, fin, end]: sent and not yet acknowledged, oldest first
        self.held = {}  # seq -> (data, fin): text that arrived ahead of RCV.NXT (or on a SYN)
        self.fin_queued = False
        self.fin_sent = False
        self.close_queued = False
        self.ack_owed = False
        self.retransmissions = 0
        self.rto = RtoEstimator(self.config.rto_us)
        self.timed_end = None  # the segment being timed for an RTT sample (Karn: never a resent one)
        self.timed_start = 0
        self.syn_retransmitted = False
        self.max_snd_wnd = 0
        self.now = 0

    def new_tcb(self):
        self.forget()
        self.rcv_wnd = self.config.window
        self.snd_wnd = 0

    # --- user calls (3.10.1-3.10.5) ---------------------------------------------------------------

    def refuse(self, call, reason, section):
        raise CallRefused(call, self.state, reason, section)

    def listen(self, now_us):
        if self.state is not S.CLOSED:
            self.refuse("listen", "connection already exists", "3.10.1")
        self.new_tcb()
        self.now = now_us
        self.state = S.LISTEN
        self.passive = True
        self.flush()

    def connect(self, now_us):
        if self.state not in (S.CLOSED, S.LISTEN):
            self.refuse("connect", "connection already exists", "3.10.1")
        if self.state is S.CLOSED:
            self.new_tcb()  # a new connection: a fresh TCB, RTO and clock
        self.now = now_us
        self.state = S.SYN_SENT
        self.send_syn()
        self.passive = False
        self.flush()

    def send(self, data, now_us):
        if self.state is S.CLOSED:
            self.refuse("send", "connection does not exist", "3.10.2")
        if self.state in CLOSING_STATES:
            self.refuse("send", "connection closing", "3.10.2")
        self.now = now_us
        self.unsent += data
        if self.state is S.LISTEN:  # an active open with data queued
            self.state = S.SYN_SENT
            self.send_syn()
            self.passive = False
        elif self.state in (S.ESTABLISHED, S.CLOSE_WAIT):
            self.transmit()
        self.flush()

    def close(self, now_us):
        if self.state is S.CLOSED:
            self.refuse("close", "connection does not exist", "3.10.4")
        if self.state in CLOSING_STATES:
            self.refuse("close", "connection closing", "3.10.4")
        self.now = now_us
        if self.state in (S.LISTEN, S.SYN_SENT):
            self.forget()
        elif self.state is S.SYN_RECEIVED and self.unsent:
            self.close_queued = True  # sent once ESTABLISHED, after the data
        else:
            self.state = S.LAST_ACK if self.state is S.CLOSE_WAIT else S.FIN_WAIT_1
            self.fin_queued = True
            self.transmit()
        self.flush()

    def abort(self, now_us):
        if self.state is S.CLOSED:
            self.refuse("abort", "connection does not exist", "3.10.5")
        self.now = now_us
        if self.state in ABORT_SENDS_RST:
            self.send_segment(Segment(self.snd_nxt, 0, RST, 0), "reset")
        self.forget()

    # --- timers (3.10.8, RFC 6298) ----------------------------------------------------------------

    def handle_timer(self, now_us):
        self.now = now_us
        timers = self.timers()
        tw, rtx = timers.get("time-wait"), timers.get("retransmission")
        if tw is not None and tw <= now_us and (rtx is None or tw <= rtx):
            self.forget()  # 2*MSL over: delete the TCB
        elif rtx is not None and rtx <= now_us:
            self.retransmission_timeout()
        self.flush()

    def retransmission_timeout(self):
        if self.retransmissions >= self.config.max_retransmissions:
            self.forget()  # the user timeout: give the connection up
            return
        seq, data, syn, fin, _ = self.rtx[0]
        self.retransmissions += 1
        self.rto.back_off()
        self.timed_end = None
        if syn:
            self.syn_retransmitted = True
        flags = (SYN if syn else Flags(0)) | (FIN if fin else Flags(0))
        if self.state is not S.SYN_SENT:
            flags |= ACK
        self.emit(Segment(seq, self.rcv_nxt if flags & ACK else 0, flags, self.rcv_wnd, data), "retransmission")
        self.start_timer("retransmission", self.now + self.rto.rto_us)

    # --- segments arrive (3.10.7) -----------------------------------------------------------------

    def receive(self, seg, now_us):
        self.now = now_us
        if self.state is S.CLOSED:
            if not seg.has_rst:
                self.send_segment(reset_for(seg), "reset")
        elif self.state is S.LISTEN:
            self.arrive_listen(seg)
        elif self.state is S.SYN_SENT:
            self.arrive_syn_sent(seg)
        else:
            self.arrive_other(seg)
        self.flush()

    def arrive_listen(self, seg):
        if seg.has_rst:
            return
        if seg.has_ack:
            self.emit(Segment(seg.ack, 0, RST, 0), "reset")
            return
        if not seg.has_syn:
            return
        self.irs = seg.seq
        self.rcv_nxt = seq_add(seg.seq, 1)
        self.update_window(seg.wnd, seg.seq, 0)
        self.hold_syn_text(seg)
        self.state = S.SYN_RECEIVED
        self.select_iss()
        self.send_new(SYN | ACK, b"", syn=True)

    def arrive_syn_sent(self, seg):
        ack_ok = False
        if seg.has_ack:
            if seq_le(seg.ack, self.iss) or seq_gt(seg.ack, self.snd_nxt):
                if not seg.has_rst:
                    self.emit(Segment(seg.ack, 0, RST, 0), "reset")
                return
            ack_ok = seq_lt(self.snd_una, seg.ack)
        if seg.has_rst:
            if ack_ok:
                self.forget()  # connection refused
            return
        if not seg.has_syn:
            return
        self.irs = seg.seq
        self.rcv_nxt = seq_add(seg.seq, 1)
        if ack_ok:
            self.acknowledge(seg.ack)
        self.hold_syn_text(seg)
        self.update_window(seg.wnd, seg.seq, seg.ack if seg.has_ack else self.iss)
        if seq_gt(self.snd_una, self.iss):
            self.state = S.ESTABLISHED
            self.ack_owed = True
            self.entered_established()
            if self.held and self.state in TEXT_STATES:
                self.accept_text(self.rcv_nxt, b"", False, False)
        else:  # simultaneous open: our SYN again, with an ACK now
            self.state = S.SYN_RECEIVED
            self.timed_end = None
            self.emit(Segment(self.iss, self.rcv_nxt, SYN | ACK, self.rcv_wnd), None)

    def arrive_other(self, seg):
        state = self.state
        seq = seg.seq
        # First: the sequence number (Table 6).
        if not segment_acceptable(seq, seg.seg_len, self.rcv_nxt, self.rcv_wnd):
            if seg.has_rst:
                return
            if state is S.TIME_WAIT and seg.has_fin and seq_add(seq, seg.seg_len) == self.rcv_nxt:
                self.time_wait()  # the peer's FIN again: ACK it, 2*MSL again
            self.ack_owed = True
            return
        # Second: RST, and it must be exactly RCV.NXT (RFC 5961 3.2).
        if seg.has_rst:
            if seq != self.rcv_nxt:
                self.ack_owed = "challenge ACK"
                return
            if state is S.SYN_RECEIVED and self.passive:
                self.back_to_listen()
            else:
                self.forget()
            return
        # Fourth: SYN (RFC 5961 4.2).
        if seg.has_syn:
            if state is S.SYN_RECEIVED and self.passive:
                self.back_to_listen()
                return
            self.ack_owed = "challenge ACK"
            return
        # Fifth: ACK.
        if not seg.has_ack:
            return
        ack = seg.ack
        if state is S.SYN_RECEIVED:
            if not (seq_lt(self.snd_una, ack) and seq_le(ack, self.snd_nxt)):
                self.emit(Segment(ack, 0, RST, 0), "reset")
                return
            self.update_window(seg.wnd, seq, ack, force=True)
            self.state = S.ESTABLISHED
            self.entered_established()
            state = self.state
        una, nxt = self.snd_una, self.snd_nxt
        if not (seq_le(seq_sub(una, self.max_snd_wnd), ack) and seq_le(ack, nxt)):  # RFC 5961 5.2
            self.ack_owed = True
            return
        if seq_lt(una, ack):
            self.acknowledge(ack)
        if seq_le(una, ack):
            self.update_window(seg.wnd, seq, ack)
        fin_acked = self.fin_sent and self.snd_una == self.snd_nxt
        if state is S.CLOSING:
            if not fin_acked:
                return
            self.time_wait()
            state = S.TIME_WAIT
        elif state is S.LAST_ACK and fin_acked:
            self.forget()
            return
        fin_wait_1_acked = state is S.FIN_WAIT_1 and fin_acked
        # Seventh and eighth: the text, then the FIN.
        if state in TEXT_STATES:
            if seg.data or seg.has_fin or self.held:
                self.accept_text(seq, seg.data, seg.has_fin, fin_wait_1_acked)
        elif seg.has_fin:  # CLOSE-WAIT, LAST-ACK, TIME-WAIT: ACK it and stay
            if state is S.TIME_WAIT:
                self.time_wait()
            self.ack_owed = self.ack_owed or True
        if fin_wait_1_acked and self.state is S.FIN_WAIT_1:
            self.state = S.FIN_WAIT_2

    # --- receiving text and FINs ------------------------------------------------------------------

    def hold_syn_text(self, seg):
        if seg.data or seg.has_fin:
            self.held[seq_add(seg.seq, 1)] = (seg.data, seg.has_fin)

    def accept_text(self, seq, data, fin, fin_wait_1_acked):
        fin_reached = False
        if data or fin:
            if seq_gt(seq, self.rcv_nxt):
                self.held[seq] = (data, fin)
                self.ack_owed = True
            else:
                fin_reached = self.take_text(seq, data, fin)
        while self.held and not fin_reached:
            ready = next((s for s in self.held if seq_le(s, self.rcv_nxt)), None)
            if ready is None:
                break
            held_data, held_fin = self.held.pop(ready)
            fin_reached = self.take_text(ready, held_data, held_fin)
        if fin_reached:
            self.held.clear()
            self.rcv_nxt = seq_add(self.rcv_nxt, 1)
            self.ack_owed = self.ack_owed or True
            if self.state is S.ESTABLISHED:
                self.state = S.CLOSE_WAIT
            elif self.state is S.FIN_WAIT_1 and not fin_wait_1_acked:
                self.state = S.CLOSING
            else:  # FIN-WAIT-2, or FIN-WAIT-1 with our FIN acknowledged too (note 2)
                self.time_wait()

    def take_text(self, seq, data, fin):
        old = seq_sub(self.rcv_nxt, seq)
        if old > len(data):
            return False
        new = data[old:]
        if len(new) > self.rcv_wnd:
            new = new[: self.rcv_wnd]
            fin = False
        if new:
            self.deliver(new)
            self.rcv_nxt = seq_add(self.rcv_nxt, len(new))
            self.ack_owed = self.ack_owed or True
        return fin

    # --- acknowledgments, the window, the states --------------------------------------------------

    def acknowledge(self, ack):
        self.snd_una = ack
        while self.rtx and seq_le(self.rtx[0][4], ack):
            self.rtx.pop(0)
        if self.timed_end is not None and seq_le(self.timed_end, ack):
            self.timed_end = None
            self.rto.sample(self.now - self.timed_start)
        self.retransmissions = 0
        if ack == self.snd_nxt:
            self.stop_timer("retransmission")
        else:
            self.start_timer("retransmission", self.now + self.rto.rto_us)

    def update_window(self, wnd, seq, ack, force=False):
        if force or updates_window(self.snd_wl1, self.snd_wl2, seq, ack):
            self.snd_wnd, self.snd_wl1, self.snd_wl2 = wnd, seq, ack
            self.max_snd_wnd = max(self.max_snd_wnd, wnd)

    def entered_established(self):
        if self.syn_retransmitted and self.config.rto_us < SYN_DATA_PHASE_RTO_US:
            self.rto.rto_us = SYN_DATA_PHASE_RTO_US
        if self.close_queued:
            self.close_queued = False
            self.state = S.FIN_WAIT_1
            self.fin_queued = True
            self.transmit()

    def time_wait(self):
        self.state = S.TIME_WAIT
        self.start_timer("time-wait", self.now + 2 * self.config.msl_us)
        self.stop_timer("retransmission")

    def back_to_listen(self):
        self.new_tcb()
        self.state = S.LISTEN
        self.passive = True

    # --- sending ----------------------------------------------------------------------------------

    def select_iss(self):
        self.iss = self.snd_una = self.snd_nxt = self.choose_iss(self.now)

    def send_syn(self):
        self.select_iss()
        self.send_new(SYN, b"", syn=True)

    def transmit(self):
        if self.state not in SENDING_STATES or self.fin_sent:
            return
        while self.unsent:
            room = self.snd_wnd - seq_sub(self.snd_nxt, self.snd_una)
            if room <= 0:
                return
            size = min(self.config.mss, room, len(self.unsent))
            data = bytes(self.unsent[:size])
            del self.unsent[:size]
            self.send_new(ACK, data)
        if self.fin_queued:
            self.fin_sent = True
            self.send_new(FIN | ACK, b"", fin=True)

    def send_new(self, flags, data, syn=False, fin=False):
        seq = self.snd_nxt
        end = seq_add(seq, len(data) + syn + fin)
        self.rtx.append([seq, data, syn, fin, end])
        self.emit(Segment(seq, self.rcv_nxt if flags & ACK else 0, flags, self.rcv_wnd, data), None)
        self.snd_nxt = end
        if "retransmission" not in self.timers():
            self.start_timer("retransmission", self.now + self.rto.rto_us)
        if self.timed_end is None:
            self.timed_end, self.timed_start = end, self.now

    def emit(self, seg, tag):
        if seg.has_ack:
            self.ack_owed = False  # this segment carries the acknowledgment
        self.send_segment(seg, tag)

    def flush(self):
        """After every event: send what became sendable, then one ACK if one is owed."""
        if self.unsent or (self.fin_queued and not self.fin_sent):
            self.transmit()
        if self.ack_owed and self.state is not S.CLOSED and self.rcv_nxt is not None:
            tag = "challenge ACK" if self.ack_owed == "challenge ACK" else None
            self.ack_owed = False
            self.send_segment(Segment(self.snd_nxt, self.rcv_nxt, ACK, self.rcv_wnd), tag)
