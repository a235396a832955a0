"""Exercise 2: the three-way handshake (RFC 9293 sections 3.4, 3.5 and 3.10.7).

A connection opens with three segments: the client's SYN, the server's SYN,ACK and the
client's ACK. Each side chooses its initial sequence number (ISN); each SYN takes one
sequence number, so the first data octet comes after it. Write the functions below;
``check("handshake")`` in the exercise's notebook, or ``tcpedu check handshake.py``, tells
you which parts are right.

You may use tcpedu.kit's Segment, Flags, seq_add, seq_sub, SEQ_SPACE and MAX_WINDOW:
    Segment(seq, ack, flags, wnd=65535, data=b"")   e.g. Segment(100, 0, Flags.SYN)
    Flags.SYN | Flags.ACK                           the SYN and ACK bits together
    segment.seq, segment.ack, segment.flags, segment.data, segment.has_syn, segment.has_fin
"""

from tcpedu.kit import Flags, Segment, seq_add  # noqa: F401 - what you will need


def handshake(client_isn: int, server_isn: int) -> list[Segment]:
    """The three segments of the handshake, in the order they are sent: the client's SYN,
    the server's SYN,ACK, the client's ACK. Give each its flags, seq and (when the ACK flag
    is on) ack; no data. The client's ISN is client_isn, the server's server_isn; all
    numbers are modulo 2**32.
    """
    raise NotImplementedError("write handshake")


def ack_for(segment: Segment) -> int:
    """The acknowledgement number a receiver sends once it has received ``segment`` in
    order: SEG.SEQ + SEG.LEN modulo 2**32, where SEG.LEN counts the data octets and one
    for each of the SYN and FIN flags (RFC 9293 3.4).
    """
    raise NotImplementedError("write ack_for")
