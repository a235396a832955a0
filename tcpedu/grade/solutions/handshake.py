"""Exercise 2, a reference solution: the three-way handshake."""

from tcpedu.kit import Flags, Segment, seq_add


def handshake(client_isn: int, server_isn: int) -> list[Segment]:
    syn = Segment(client_isn, 0, Flags.SYN)
    syn_ack = Segment(server_isn, seq_add(client_isn, 1), Flags.SYN | Flags.ACK)
    ack = Segment(seq_add(client_isn, 1), seq_add(server_isn, 1), Flags.ACK)
    return [syn, syn_ack, ack]


def ack_for(segment: Segment) -> int:
    length = len(segment.data) + (1 if segment.has_syn else 0) + (1 if segment.has_fin else 0)
    return seq_add(segment.seq, length)
