"""Write the course's notebooks (notebooks/*.ipynb) from the lessons below.

Each lesson is a list of cells; a text cell has an English and a Korean version, a code cell
is the same in both languages but for ``LANG``, which becomes "en" or "ko". So a lesson and
its Korean twin can never drift apart. Run ``python scripts/build_notebooks.py`` after
changing a lesson; a test checks the notebooks are what this script writes.

Usage: python scripts/build_notebooks.py [FOLDER]   (default: notebooks/)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def md(en: str, ko: str) -> tuple[str, str, str]:
    return ("markdown", en.strip("\n"), ko.strip("\n"))


def both(text: str) -> tuple[str, str, str]:
    """A text cell that is the same in both languages (it holds both)."""
    return ("markdown", text.strip("\n"), text.strip("\n"))


def code(source: str) -> tuple[str, str, str]:
    return ("code", source.strip("\n"), source.strip("\n"))


# ------------------------------------------------------------------------------------------------
# 00: start here (one notebook, both languages)

START = [
    both("""
# tcpedu: how TCP opens and closes connections
# tcpedu: TCP 연결의 성립과 해제

**English.** This course teaches how TCP opens a connection (the three-way handshake), closes it
(the four-way handshake with half-close), what sequence numbers and TIME-WAIT are for, and the
cases textbooks skip: lost segments, simultaneous open and close, resets. Everything you see runs
on tcpedu's own TCP engine, which follows RFC 9293 (the TCP standard) transition by transition,
so you can try anything and the answer is what the standard says.

**한국어.** 이 과정은 TCP가 연결을 여는 방법(3-way handshake), 닫는 방법(half-close를 포함한
4-way handshake), 순서 번호(sequence number)와 TIME-WAIT가 왜 필요한지, 그리고 교과서가 잘 다루지
않는 경우들(세그먼트 유실, 동시 연결/동시 종료, RST)을 다룹니다. 모든 실습은 TCP 표준인
RFC 9293을 전이 하나하나 그대로 따르는 tcpedu 엔진 위에서 동작하므로, 무엇이든 직접 해 보고
표준이 말하는 결과를 확인할 수 있습니다.
"""),
    both("""
## How to use it / 사용법

- Run a cell with **Shift+Enter** (or *Run → Run All Cells*). / 셀은 **Shift+Enter**로 실행합니다
  (또는 *Run → Run All Cells*).
- The widgets are yours to play with: press a side's buttons (`listen`, `connect`, `send`,
  `close`, `abort`), decide what the network does with each segment (**deliver**, **drop**,
  **duplicate**, or deliver a later one first), move the clock, go **back**.
  / 위젯은 마음껏 눌러 보세요: 각 쪽의 버튼(`listen`, `connect`, `send`, `close`, `abort`)을 누르고,
  각 세그먼트를 네트워크가 어떻게 할지(**전달**, **유실**, **복제**, 나중 것을 먼저 전달) 정하고,
  시계를 움직이고, **뒤로** 갈 수 있습니다.
- Questions are checked in place: answer, press **Check**. / 문제는 그 자리에서 채점됩니다: 답하고
  **확인**을 누르세요.
- Every lesson comes in English and in Korean (`.ko.ipynb`). / 모든 강의는 영어판과 한국어판
  (`.ko.ipynb`)이 있습니다.
"""),
    both("""
## Lessons / 강의

1. The three-way handshake / 3-way handshake:
   [English](01_three_way_handshake.ipynb) · [한국어](01_three_way_handshake.ko.ipynb)

Try it now: the cell below opens a connection you drive yourself. Press the server's `listen`,
then the client's `connect`, then **deliver** each segment.
/ 지금 바로 해 보세요: 아래 셀은 직접 조작하는 연결을 엽니다. 서버의 `listen`, 클라이언트의
`connect`를 누른 뒤 각 세그먼트를 **전달**하세요.
"""),
    code("""
from tcpedu.widgets import explore

explore(client_isn=100, server_isn=300)
"""),
    both("""
The same engine works from a terminal (*File → New → Terminal*): `tcpedu list` lists the named
scenarios, `tcpedu run three-way-handshake` prints one step by step, and `tcpedu draw
three-way-handshake -o ladder.svg` draws it. / 같은 엔진을 터미널에서도 쓸 수 있습니다
(*File → New → Terminal*): `tcpedu list`는 시나리오 목록, `tcpedu run three-way-handshake`는 단계별
실행, `tcpedu draw three-way-handshake -o ladder.svg`는 그림을 그립니다.
"""),
]


# ------------------------------------------------------------------------------------------------
# 01: the three-way handshake

HANDSHAKE = [
    md(
        """
# Lesson 1: the three-way handshake

Before two programs exchange data over TCP, their two TCP endpoints open a *connection*: each
side learns that the other is there and ready, and, above all, each learns the other's
**initial sequence number** (ISN), the number from which the other will count every octet it
sends. This lesson follows a study note's three steps, checks each one against RFC 9293, and
lets you predict what happens before you see it.

*What you will be able to do:* name the five states of opening (CLOSED, LISTEN, SYN-SENT,
SYN-RECEIVED, ESTABLISHED), say which segment each step sends with which seq and ack, and
explain why ack = seq + 1 and why ISNs are not 0.
""",
        """
# 1강: 3-way handshake (연결 성립)

두 프로그램이 TCP로 데이터를 주고받기 전에, 양쪽 TCP 종단은 먼저 *연결*을 엽니다. 서로 상대가
존재하고 준비되었음을 알게 되고, 무엇보다 상대의 **초기 순서 번호**(ISN, initial sequence
number), 즉 상대가 보내는 모든 바이트를 세기 시작할 번호를 알게 됩니다. 이 강의는 학습 노트의
세 단계(STEP 1-3)를 따라가며 각 단계를 RFC 9293과 대조하고, 결과를 보기 전에 먼저 예측해 보게
합니다.

*이 강의를 마치면:* 연결 성립의 다섯 상태(CLOSED, LISTEN, SYN-SENT, SYN-RECEIVED, ESTABLISHED)를
말할 수 있고, 각 단계가 어떤 seq와 ack를 가진 어떤 세그먼트를 보내는지, 왜 ack = seq + 1인지,
왜 ISN이 0이 아닌지 설명할 수 있습니다.
""",
    ),
    code("""
from tcpedu import course, load_scenario, run_script
from tcpedu.render import Ladder, StateDiagram
from tcpedu.widgets import explore
from tcpedu.widgets.quiz import ask_segment, ask_state

LANG = "en"
"""),
    md(
        """
## The two flags

- **SYN** (*synchronize sequence numbers*): "let us open a connection; my sequence numbers start
  here". A SYN carries the sender's ISN in its sequence number field.
- **ACK** (*acknowledgment*): the acknowledgment field is valid. It does not just mean "I got a
  packet": its number is **the next sequence number I expect from you**, which says that
  everything before it arrived.

The note says the handshake makes sure "both sides are ready to send data". RFC 9293 (3.5) puts
the purpose more precisely: the handshake **synchronizes the sequence numbers** of both sides,
and that is why it needs three segments: each side's SYN must be acknowledged by the other.

Here is where the handshake lives in RFC 9293's state diagram (Figure 5): the bold solid arrows
are the client's usual path, the bold dashed ones the server's.
""",
        """
## 두 개의 플래그

- **SYN** (*synchronize sequence numbers*, 순서 번호 동기화): "연결을 열자, 내 순서 번호는 여기서
  시작한다". SYN의 sequence number 필드에는 보내는 쪽의 ISN이 들어 있습니다.
- **ACK** (*acknowledgment*, 응답 확인): acknowledgment 필드가 유효하다는 뜻입니다. 단순히 "패킷을
  받았다"가 아니라, 그 번호는 **내가 당신에게서 다음에 받기를 기대하는 순서 번호**이고, 그 앞의
  모든 것을 받았다는 뜻입니다.

노트는 handshake가 "양쪽 모두 데이터를 전송할 준비가 되었다는 것을 보장"한다고 합니다. RFC 9293
(3.5)은 목적을 더 정확히 말합니다: handshake는 양쪽의 **순서 번호를 동기화**하며, 그래서 세
세그먼트가 필요합니다. 각자의 SYN이 상대에게 확인(ACK)되어야 하기 때문입니다.

아래는 RFC 9293의 상태 다이어그램(Figure 5)입니다. 굵은 실선은 클라이언트의 일반 경로, 굵은
점선은 서버의 일반 경로입니다.
""",
    ),
    code("""
StateDiagram("figure", LANG)
"""),
    md(
        """
## Before STEP 1: the server listens

The note starts with the client's SYN, but something must happen first: the server's
application makes a **passive open** (`listen`), and its TCP moves from CLOSED to **LISTEN**. A
SYN that reaches a host where nothing listens is answered with a reset (RFC 9293 3.10.7.1; try
it below: press the client's `connect` before the server's `listen`).

## STEP 1: the client sends a SYN

The client's application makes an **active open** (`connect`): its TCP picks an ISN, sends
`SYN seq=ISN`, and moves to **SYN-SENT**. The note writes `SYN_SENT`; that is how Linux's
`netstat` and `ss` print it. RFC 9293 writes **SYN-SENT**, with a hyphen, as this course does.

Drive it yourself: press the server's `listen`, the client's `connect`, and **deliver** the SYN.
Watch the ladder diagram grow, and below it the state diagram (both sides marked) and the table
of both TCBs (the values that just changed are marked).
""",
        """
## STEP 1 이전: 서버가 listen한다

노트는 클라이언트의 SYN부터 시작하지만, 그 전에 일어나야 할 일이 있습니다. 서버의 애플리케이션이
**passive open**(`listen`)을 하고, 서버 TCP가 CLOSED에서 **LISTEN**으로 갑니다. 아무도 listen하지
않는 호스트에 SYN이 도착하면 RST로 응답합니다(RFC 9293 3.10.7.1). 아래에서 서버의 `listen`보다
클라이언트의 `connect`를 먼저 눌러 확인해 보세요.

## STEP 1: 클라이언트가 SYN을 보낸다

클라이언트의 애플리케이션이 **active open**(`connect`)을 하면, TCP는 ISN을 고르고 `SYN seq=ISN`을
보낸 뒤 **SYN-SENT** 상태가 됩니다. 노트의 `SYN_SENT`는 Linux의 `netstat`, `ss`가 출력하는
이름이고, RFC 9293은 하이픈을 쓴 **SYN-SENT**로 씁니다(이 과정도 RFC를 따릅니다).

직접 해 보세요: 서버의 `listen`, 클라이언트의 `connect`를 누르고 SYN을 **전달**하세요. 래더
다이어그램이 자라는 모습과, 그 아래 상태 다이어그램(양쪽 상태 표시)과 두 TCB 표(방금 바뀐 값이
표시됨)가 어떻게 바뀌는지 보세요.
""",
    ),
    code("""
explore(client_isn=100, server_isn=300, lang=LANG)
"""),
    md(
        """
### Predict 1

The server is in LISTEN and the client's SYN (seq=100) arrives. **Which state is the server in
afterwards?**
""",
        """
### 예측 1

서버는 LISTEN 상태이고 클라이언트의 SYN(seq=100)이 도착합니다. **그 뒤 서버는 어떤 상태일까요?**
""",
    ),
    code('''
OPEN = """
client isn 100
server isn 300
server listen
client connect
"""
ask_state(
    OPEN + "deliver",
    side="server",
    prompt={"en": "Which state is the server in after the SYN arrives?", "ko": "SYN이 도착한 뒤 서버의 상태는?"},
    lang=LANG,
)
'''),
    md(
        """
## STEP 2: the server answers SYN,ACK

The server acknowledges the client's SYN **and** sends its own SYN in the same segment:
`SYN,ACK seq=ISN(server) ack=ISN(client)+1`. It moves to **SYN-RECEIVED** and waits for the ACK
of its SYN. When the SYN,ACK reaches the client, the client moves to **ESTABLISHED** and, at the
same moment, sends the ACK of STEP 3: the note puts "the client becomes ESTABLISHED" in STEP 2,
which is right, because receiving the SYN,ACK is what completes the handshake for the client.

### Predict 2

**Which segment does the server send when the SYN arrives?** Give its flags, seq and ack.
""",
        """
## STEP 2: 서버가 SYN,ACK로 답한다

서버는 클라이언트의 SYN을 확인(ACK)**하면서** 자신의 SYN을 같은 세그먼트에 실어 보냅니다:
`SYN,ACK seq=ISN(서버) ack=ISN(클라이언트)+1`. 서버는 **SYN-RECEIVED**가 되어 자기 SYN에 대한
ACK를 기다립니다. SYN,ACK가 클라이언트에 도착하면 클라이언트는 **ESTABLISHED**가 되고, 같은
순간에 STEP 3의 ACK를 보냅니다. 노트가 "Client는 SYN+ACK를 받고 ESTABLISHED"를 STEP 2에 둔 것은
맞습니다. 클라이언트에게는 SYN,ACK 수신이 handshake의 완료이기 때문입니다.

### 예측 2

**SYN이 도착했을 때 서버는 어떤 세그먼트를 보낼까요?** 플래그, seq, ack를 적으세요.
""",
    ),
    code("""
ask_segment(
    OPEN + "deliver",
    side="server",
    prompt={"en": "Which segment does the server answer the SYN with?", "ko": "서버는 SYN에 어떤 세그먼트로 답할까?"},
    lang=LANG,
)
"""),
    md(
        """
## STEP 3: the client's ACK

The client sends `ACK seq=ISN(client)+1 ack=ISN(server)+1`. When it arrives, the server moves
from SYN-RECEIVED to **ESTABLISHED**: both sides now know both ISNs, and data can flow.

### Predict 3

The SYN,ACK has reached the client, and the client's ACK is on its way. **Which state is the
server in once that ACK arrives?**
""",
        """
## STEP 3: 클라이언트의 ACK

클라이언트는 `ACK seq=ISN(클라이언트)+1 ack=ISN(서버)+1`을 보냅니다. 이것이 도착하면 서버는
SYN-RECEIVED에서 **ESTABLISHED**로 갑니다. 이제 양쪽 모두 두 ISN을 알고, 데이터가 오갈 수 있습니다.

### 예측 3

SYN,ACK가 클라이언트에 도착했고, 클라이언트의 ACK가 가는 중입니다. **그 ACK가 도착하면 서버는
어떤 상태일까요?**
""",
    ),
    code("""
ask_state(
    OPEN + "deliver\\ndeliver\\ndeliver",
    side="server",
    prompt={
        "en": "Which state is the server in after the client's ACK?",
        "ko": "클라이언트의 ACK가 도착한 뒤 서버의 상태는?",
    },
    lang=LANG,
)
"""),
    md(
        """
## The whole handshake, and the states

Here is the handshake as a ladder diagram, the picture the note draws, with both sides' states
written where they change (the named scenario `three-way-handshake`, which also sends a few
octets of data once the connection is open):
""",
        """
## handshake 전체, 그리고 상태들

노트의 그림과 같은 래더 다이어그램입니다. 양쪽 상태가 바뀌는 곳에 상태를 적었습니다(시나리오
`three-way-handshake`, 연결이 열린 뒤 데이터도 조금 보냅니다):
""",
    ),
    code("""
handshake = run_script(load_scenario("three-way-handshake"))
Ladder(handshake.simulation.history, lang=LANG)
"""),
    code("""
course.state_table(["CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED"], lang=LANG)
"""),
    md(
        """
The note's state table matches RFC 9293 but for one point: it calls CLOSED "the default state
before a connection is set up". RFC 9293 (3.3.2) calls CLOSED **fictional**: it is the absence of
a connection, with no TCB (the record of the connection's variables) at all. That is why the TCB
table above is all dashes in CLOSED.

## The sequence-number rule: ack = seq + 1

The note: "the ACK answering a SYN carries the SYN's sequence number plus one". Why plus one?
Because **a SYN occupies one sequence number** (and so does a FIN; RFC 9293 3.4). The general
rule: an ACK carries the next sequence number expected, **seq + SEG.LEN**, where SEG.LEN counts
the data octets plus one for a SYN and one for a FIN. The table below checks the rule on every
segment of the run above:
""",
        """
노트의 상태 표는 한 가지만 빼고 RFC 9293과 같습니다. 노트는 CLOSED를 "연결 수립을 시작하기 전의
기본 상태"라고 하지만, RFC 9293(3.3.2)은 CLOSED를 **가상의(fictional)** 상태라고 합니다. 연결이
없다는 뜻이며, TCB(연결의 변수를 담는 레코드)가 아예 없습니다. 그래서 위의 TCB 표가 CLOSED에서는
모두 빈칸(—)입니다.

## 순서 번호 규칙: ack = seq + 1

노트: "SYN 패킷에 대한 응답 ACK 패킷에는 SYN 패킷의 Sequence Number에 1을 더한 수를 전송". 왜 1을
더할까요? **SYN이 순서 번호 하나를 차지**하기 때문입니다(FIN도 마찬가지; RFC 9293 3.4). 일반적인
규칙은: ACK는 다음에 기대하는 순서 번호, 즉 **seq + SEG.LEN**을 담습니다. SEG.LEN은 데이터
바이트 수에 SYN과 FIN을 각각 1로 더한 값입니다. 아래 표는 위 실행의 모든 세그먼트에서 이 규칙을
확인합니다:
""",
    ),
    code("""
course.acknowledgements(handshake.simulation.history, lang=LANG)
"""),
    md(
        """
### Predict 4

Sequence numbers are 32-bit and wrap around: after 4294967295 comes 0 (RFC 9293 3.4). The client
picks ISN 4294967295. **Which segment does the server answer its SYN with?**
""",
        """
### 예측 4

순서 번호는 32비트이고 한 바퀴 돌아갑니다: 4294967295 다음은 0입니다(RFC 9293 3.4). 클라이언트가
ISN으로 4294967295를 골랐습니다. **서버는 이 SYN에 어떤 세그먼트로 답할까요?**
""",
    ),
    code('''
WRAP = """
client isn 4294967295
server isn 300
server listen
client connect
deliver
"""
ask_segment(
    WRAP,
    side="server",
    prompt={"en": "Which segment answers a SYN with seq=4294967295?", "ko": "seq=4294967295인 SYN에 대한 응답은?"},
    lang=LANG,
)
'''),
    md(
        """
## Why is the ISN not simply 0?

The note: ports are reused over time, so a new connection can have the same ports as an old one;
if sequence numbers always started at the same place, a delayed segment of the old connection
could be taken for part of the new one, so the ISN is "a random number".

That reason is RFC 9293's own (3.4.1), but "random" is imprecise. RFC 9293 asks for an ISN
generator driven by a **clock** that ticks every 4 microseconds, so that a new incarnation of a
connection starts above the numbers its old incarnations used, plus (RFC 6528, which RFC 9293
requires) a **keyed hash** of the two addresses and ports, so that an attacker who cannot see
the traffic cannot guess the ISN and inject segments or resets. A purely random ISN could, by
bad luck, land right among an old incarnation's numbers. tcpedu's generator is RFC 6528's:
""",
        """
## 왜 ISN을 그냥 0으로 하지 않을까?

노트: 포트는 시간이 지나며 재사용되므로 새 연결이 옛 연결과 같은 포트를 가질 수 있고, 순서 번호가
늘 같은 곳에서 시작한다면 옛 연결의 늦게 도착한 세그먼트를 새 연결의 것으로 오인할 수 있어서
ISN을 "난수"로 정한다고 합니다.

이 이유는 RFC 9293(3.4.1)의 이유 그대로이지만, "난수"라는 말은 정확하지 않습니다. RFC 9293은 4
마이크로초마다 증가하는 **시계**로 ISN을 만들도록 합니다. 그래야 같은 연결의 새 인스턴스가 옛
인스턴스가 쓴 번호보다 위에서 시작합니다. 여기에 (RFC 9293이 요구하는 RFC 6528에 따라) 주소와
포트의 **키 해시**를 더해, 트래픽을 볼 수 없는 공격자가 ISN을 추측해 세그먼트나 RST를 끼워 넣지
못하게 합니다. 순수한 난수 ISN은 운이 나쁘면 옛 인스턴스의 번호 한가운데에 떨어질 수도 있습니다.
tcpedu의 생성기는 RFC 6528의 방식입니다:
""",
    ),
    code("""
course.isn_samples(lang=LANG)
"""),
    md(
        """
Same ports, later: the ISN grows with the clock (250,000 a second). Other ports, same moment: an
unrelated number. Where the course needs round numbers, scenarios fix the ISN (`client isn 100`).

## The cases textbooks skip

A handshake segment can be lost. Step through the scenario `syn-retransmission` with
**next step of the scenario** (or ▶ to play it): the client's SYN is lost three times and sent
again at 1, 3 and 7 s, the timeout doubling each time: 1, 2, 4 s (RFC 6298). Other scenarios to
open the same way: `simultaneous-open` (both sides send a SYN at once; each answers the other's
with a SYN,ACK, and both pass through SYN-RECEIVED),
`old-duplicate-syn`, `half-open-discovery`.
""",
        """
포트가 같고 시간이 나중이면 ISN은 시계와 함께 커집니다(초당 250,000). 포트가 다르면 같은 순간에도
전혀 다른 번호입니다. 과정에서 보기 쉬운 숫자가 필요할 때는 시나리오가 ISN을 고정합니다
(`client isn 100`).

## 교과서가 건너뛰는 경우들

handshake 세그먼트도 유실될 수 있습니다. 시나리오 `syn-retransmission`을 **시나리오 다음 단계**로
(또는 ▶로 자동 재생) 따라가 보세요. 클라이언트의 SYN이 세 번 유실되고 1초, 3초, 7초에
재전송되며, 타임아웃이 매번 두 배가 됩니다: 1, 2, 4초(RFC 6298). 같은 방법으로 열어 볼 시나리오:
`simultaneous-open`(양쪽이 동시에 SYN을 보내고, 서로 상대의 SYN에 SYN,ACK로 답하며, 양쪽 모두
SYN-RECEIVED를 거침),
`old-duplicate-syn`, `half-open-discovery`.
""",
    ),
    code("""
explore("syn-retransmission", lang=LANG)
"""),
    md(
        """
## Summary

- The server must **listen** first (passive open: CLOSED → LISTEN).
- STEP 1: client `SYN seq=x`, CLOSED → SYN-SENT.
- STEP 2: server `SYN,ACK seq=y ack=x+1`, LISTEN → SYN-RECEIVED; on receiving it the client goes
  SYN-SENT → ESTABLISHED.
- STEP 3: client `ACK seq=x+1 ack=y+1`; the server goes SYN-RECEIVED → ESTABLISHED.
- ack = seq + SEG.LEN; a SYN counts one. Sequence numbers wrap modulo 2^32.
- ISNs come from a clock plus a keyed hash (RFC 9293 3.4.1, RFC 6528), not from 0 and not from
  pure chance.
""",
        """
## 정리

- 서버가 먼저 **listen**해야 합니다(passive open: CLOSED → LISTEN).
- STEP 1: 클라이언트 `SYN seq=x`, CLOSED → SYN-SENT.
- STEP 2: 서버 `SYN,ACK seq=y ack=x+1`, LISTEN → SYN-RECEIVED. 이를 받은 클라이언트는
  SYN-SENT → ESTABLISHED.
- STEP 3: 클라이언트 `ACK seq=x+1 ack=y+1`. 서버는 SYN-RECEIVED → ESTABLISHED.
- ack = seq + SEG.LEN이며 SYN은 1로 셉니다. 순서 번호는 2^32를 법으로 한 바퀴 돕니다.
- ISN은 0도, 순수한 우연도 아닌, 시계와 키 해시로 만듭니다(RFC 9293 3.4.1, RFC 6528).
""",
    ),
]

# (file name, cells, language or None for a notebook holding both)
NOTEBOOKS = [
    ("00_start_here.ipynb", START, None),
    ("01_three_way_handshake.ipynb", HANDSHAKE, "en"),
    ("01_three_way_handshake.ko.ipynb", HANDSHAKE, "ko"),
]


def notebook(cells: list[tuple[str, str, str]], lang: str | None) -> dict:
    """The notebook (as JSON-ready data) of ``cells`` in ``lang``."""
    built = []
    for index, (kind, en, ko) in enumerate(cells):
        text = ko if lang == "ko" else en
        if kind == "code" and lang is not None:
            text = text.replace('LANG = "en"', f'LANG = "{lang}"')
        source = text.splitlines(keepends=True)  # as nbformat (and ruff) write it
        cell: dict = {"cell_type": kind, "id": f"cell-{index:02d}", "metadata": {}, "source": source}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        built.append(cell)
    metadata = {
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
    }
    if lang is not None:
        metadata["tcpedu"] = {"lang": lang}
    return {"cells": built, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def notebook_text(cells: list[tuple[str, str, str]], lang: str | None) -> str:
    return json.dumps(notebook(cells, lang), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _missing(written: object, found: object, where: str) -> list[str]:
    """Where ``found`` lacks or changes what ``written`` has (keys ``written`` lacks are left alone)."""
    if isinstance(written, dict) and isinstance(found, dict):
        return [
            problem
            for key, value in written.items()
            for problem in (
                _missing(value, found[key], f"{where}.{key}") if key in found else [f"{where}.{key} is missing"]
            )
        ]
    return [] if written == found else [f"{where} is {found!r}, not {written!r}"]


def differences(written: dict, found: dict) -> list[str]:
    """How notebook ``found`` differs from ``written`` (this script's notebook) in what this script
    writes: the cells (kind, id, source, metadata) and the notebook's metadata. Outputs, execution
    counts and the metadata JupyterLab adds when a learner saves a lesson (the kernel's
    language_info, the widgets' state) are the learner's, not this script's, and do not count."""
    problems = _missing(written["metadata"], found.get("metadata", {}), "metadata")
    if found.get("nbformat") != written["nbformat"]:
        problems.append(f"nbformat {found.get('nbformat')}, not {written['nbformat']}")
    cells = found.get("cells", [])
    if len(cells) != len(written["cells"]):
        problems.append(f"{len(cells)} cells, not {len(written['cells'])}")
    for index, (mine, theirs) in enumerate(zip(written["cells"], cells, strict=False)):
        source = theirs.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        seen = {"cell_type": theirs.get("cell_type"), "id": theirs.get("id"), "source": source}
        wanted = {"cell_type": mine["cell_type"], "id": mine["id"], "source": "".join(mine["source"])}
        problems += _missing(wanted, seen, f"cell {index}")
        problems += _missing(mine["metadata"], theirs.get("metadata", {}), f"cell {index} metadata")
    return problems


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else ROOT / "notebooks"
    folder.mkdir(parents=True, exist_ok=True)
    for name, cells, lang in NOTEBOOKS:
        path = folder / name
        path.write_text(notebook_text(cells, lang), encoding="utf-8")
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
