"""Exercise 5: a whole TCP endpoint (RFC 9293 section 3.10, "Event Processing").

Write the protocol of one endpoint, one connection at a time: the user calls, a segment
arriving, and the timers. tcpedu.kit's EndpointBase does the rest (the queue of segments
sent, the timers' bookkeeping, the table the widget shows), so ``Endpoint`` plugs into the
simulator, the widget and scenario scripts like tcpedu's own engine:

    Simulation(endpoints={"client": Endpoint})          in Python
    explore(endpoints={"client": Endpoint})             in the widget
    tcpedu run SCRIPT --client endpoint.py              on the command line

It is checked by differential testing: hypothesis draws runs (calls, deliveries, losses,
duplicates, reordering, waits, forged segments), plays each with tcpedu's engine and again
with your endpoint on one side or both, and your side must do at every step what the engine
did in its place: send the same segments (flags, seq, ack, window, data) at the same times,
end in the same state, deliver the same octets, refuse the same calls. Credit comes in
groups (opening, data, closing, half-close, TIME-WAIT, resets, retransmission), and each
failure shows the smallest run that breaks it, your ladder diagram beside the engine's.
``check("endpoint")`` in the exercise's notebook, or ``tcpedu check endpoint.py``.

What the engine does, beyond the RFC's words (so your endpoint can match it):
- ACKs are sent at once, one per event (no delayed ACKs); a segment that carries an ACK
  (data, a FIN) is that event's acknowledgment. The receiving application reads at once, so
  RCV.WND stays at config.window. Every segment's window field is RCV.WND; a RST's is 0.
- Data is sent in segments of at most config.mss octets, as far as SND.WND allows; a FIN goes
  after all queued data. No Nagle, no congestion control, no zero-window probing (the engine probes
  a zero window, RFC 9293 3.8.6.1, but no run of this exercise advertises one).
- Retransmission (RFC 6298): one timer; when it expires, resend the oldest unacknowledged
  segment (with the current ACK), double the RTO (kit.RtoEstimator.back_off), restart the
  timer; after config.max_retransmissions, give the connection up (CLOSED, nothing sent; the
  engine counts a SYN's apart, config.max_syn_retransmissions, but this exercise's runs set every
  count to the same number with 'retries N'). A new acknowledgment resets the count and restarts
  the timer (or stops it when all is acknowledged). RTT samples as RFC 6298 and Karn say
  (kit.RtoEstimator.sample); after a retransmitted SYN the data phase starts with RTO = 3 s
  (RFC 6298 5.7).
- RFC 5961: a RST in the window but not at RCV.NXT, and a SYN in a synchronized state, get a
  "challenge ACK"; an ACK outside SND.UNA-MAX.SND.WND .. SND.NXT gets an ACK and is dropped.
- A FIN that arrives again in TIME-WAIT (outside the window) is ACKed and restarts 2*MSL.
- Data or a FIN arriving on a SYN is kept until the connection is ESTABLISHED.

You may use tcpedu.kit's EndpointBase, EndpointConfig, CallRefused, Segment, Flags, State,
RtoEstimator, the seq_* helpers and the small rules segment_acceptable, reset_for,
updates_window and ack_covering (or your own from exercises 1 to 4).
"""

from tcpedu.kit import CallRefused, EndpointBase, Flags, RtoEstimator, Segment, State  # noqa: F401


class Endpoint(EndpointBase):
    """One TCP endpoint. Keep the state in ``self.state`` and the TCB variables as
    ``self.iss``, ``self.irs``, ``self.snd_una``, ``self.snd_nxt``, ``self.snd_wnd``,
    ``self.snd_wl1``, ``self.snd_wl2``, ``self.rcv_nxt``, ``self.rcv_wnd`` (EndpointBase's
    ``forget()`` sets them all to None and the state to CLOSED; extend it for what else you
    keep). Send with ``self.send_segment(Segment(...))``, deliver received data with
    ``self.deliver(data)``, run the timers "retransmission" and "time-wait" with
    ``self.start_timer(name, deadline_us)`` and ``self.stop_timer(name)``, choose an ISS
    with ``self.choose_iss(now_us)``. Settings are in ``self.config`` (window, mss, msl_us,
    rto_us, max_retransmissions). A call the state refuses raises
    ``CallRefused(call, self.state, reason, section)`` and changes nothing.
    """

    def listen(self, now_us: int) -> None:
        """Passive OPEN (RFC 9293 3.10.1): CLOSED becomes LISTEN; anywhere else the call is
        refused ("connection already exists")."""
        raise NotImplementedError("write listen")

    def connect(self, now_us: int) -> None:
        """Active OPEN (3.10.1): from CLOSED or LISTEN, choose the ISS, send <SEQ=ISS><CTL=SYN>,
        start the retransmission timer, enter SYN-SENT."""
        raise NotImplementedError("write connect")

    def send(self, data: bytes, now_us: int) -> None:
        """SEND (3.10.2): queue ``data``; send it in ESTABLISHED and CLOSE-WAIT (as the window
        allows); in LISTEN, open actively first; refused in CLOSED and after a CLOSE."""
        raise NotImplementedError("write send")

    def close(self, now_us: int) -> None:
        """CLOSE (3.10.4): LISTEN and SYN-SENT delete the TCB; ESTABLISHED and SYN-RECEIVED
        send a FIN and enter FIN-WAIT-1 (SYN-RECEIVED with data queued waits for ESTABLISHED);
        CLOSE-WAIT sends a FIN and enters LAST-ACK; refused when closed or closing."""
        raise NotImplementedError("write close")

    def abort(self, now_us: int) -> None:
        """ABORT (3.10.5): SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2 and CLOSE-WAIT send
        <SEQ=SND.NXT><CTL=RST>; every state but CLOSED then deletes the TCB."""
        raise NotImplementedError("write abort")

    def receive(self, segment: Segment, now_us: int) -> None:
        """A segment arrives (3.10.7): in CLOSED (3.10.7.1), LISTEN (3.10.7.2), SYN-SENT
        (3.10.7.3), and the other states (3.10.7.4: sequence number, RST, SYN, ACK, text, FIN,
        in that order)."""
        raise NotImplementedError("write receive")

    def handle_timer(self, now_us: int) -> None:
        """The earliest timer due at ``now_us`` fires (3.10.8): the retransmission timer, or
        TIME-WAIT's 2*MSL (the TCB is deleted)."""
        raise NotImplementedError("write handle_timer")
