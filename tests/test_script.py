"""The scenario-script parser (tcpedu/scenario/script.py), checked against the line format of
the README and the project's issue: every command and setting, and every kind of bad line.

A bad line must give one ``ScenarioError`` whose text is ``FILE:LINE: what is wrong``; nothing
else may escape ``parse`` (the command line turns ScenarioError into one line on stderr, and
anything else into a traceback).
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rfc9293 import RFC_STATES

from tcpedu.core import State
from tcpedu.scenario import ScenarioError, parse
from tcpedu.scenario.script import Call, Configure, Expect, ExpectRefused, Inject, NetworkAction, Wait

FILE = "mine.tcp"
SEQ_SPACE = 2**32  # RFC 9293 3.4: sequence numbers are 32-bit
HEADER_BITS = {"FIN": 0x01, "SYN": 0x02, "RST": 0x04, "PSH": 0x08, "ACK": 0x10, "URG": 0x20}  # RFC 9293 3.1


def only(text: str):
    """The single command of a one-command script."""
    commands = parse(text, FILE).commands
    assert len(commands) == 1, commands
    return commands[0]


def error_of(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        parse(text, FILE)
    return info.value


def checks_of(line: str) -> list[tuple[str | None, str, object]]:
    command = only(line)
    assert isinstance(command, Expect)
    return [(check.side, check.name, check.expected) for check in command.checks]


# ----------------------------------------------------------------------------------------------
# Layout: comments, blank lines, spaces, title


def test_comments_blank_lines_and_extra_spaces_are_ignored_and_lines_keep_their_numbers():
    text = "# title\n\n   \n  client   connect    # go\n\t deliver\t\n# the end\n\nwait 1 #\n"
    commands = parse(text, FILE).commands
    assert [command.line for command in commands] == [4, 5, 8]
    assert isinstance(commands[0], Call) and (commands[0].side, commands[0].call) == ("client", "connect")
    assert isinstance(commands[1], NetworkAction) and commands[1].verb == "deliver"
    assert isinstance(commands[2], Wait) and commands[2].duration_us == 1_000_000
    assert "go" not in commands[0].text


def test_a_file_of_only_comments_and_blank_lines_has_no_commands():
    assert parse("# a\n\n# b\n   \n", FILE).commands == ()
    assert parse("", FILE).commands == ()


def test_windows_line_endings_are_ordinary_line_ends():
    commands = parse("server listen\r\nclient connect\r\n\r\ndeliver\r\n", FILE).commands
    assert [command.line for command in commands] == [1, 2, 4]


def test_first_comment_line_is_the_title_and_the_next_ones_the_description():
    script = parse("# The title\n# first part\n#\n# second part\n\nserver listen  # not description\n", FILE)
    assert script.title == "The title"
    assert "first part" in script.description and "second part" in script.description
    assert "not description" not in script.description
    assert script.filename == FILE


def test_a_hash_inside_quoted_text_is_data_not_a_comment():
    command = only('client send "a # b"   # a real comment')
    assert isinstance(command, Call) and command.data == b"a # b"


# ----------------------------------------------------------------------------------------------
# Settings


@pytest.mark.parametrize(
    ("line", "name", "value", "side"),
    [
        ("client isn 1000", "isn", "1000", "client"),
        ("server isn 5000", "isn", "5000", "server"),
        ("client isn 0", "isn", "0", "client"),
        ("server isn 4294967295", "isn", "4294967295", "server"),
        ("client isn auto", "isn", "auto", "client"),
        ("server window 1000", "window", "1000", "server"),
        ("client window 65535", "window", "65535", "client"),
        ("msl 120", "msl", "120", None),
        ("msl 0.5", "msl", "0.5", None),
        ("rto 1", "rto", "1", None),
        ("retries 6", "retries", "6", None),
        ("retries 0", "retries", "0", None),
        ("mss 536", "mss", "536", None),
        ("seed 7", "seed", "7", None),
    ],
)
def test_every_setting_parses(line, name, value, side):
    command = only(line)
    assert isinstance(command, Configure)
    assert (command.name, command.value, command.side) == (name, value, side)


def test_settings_may_appear_on_any_line_between_actions():
    commands = parse("server listen\nclient isn 1000\nclient connect\nmsl 1\ndeliver\n", FILE).commands
    assert [type(command) for command in commands] == [Call, Configure, Call, Configure, NetworkAction]


@given(st.integers(min_value=-(2**34), max_value=2**34))
@example(-1)
@example(0)
@example(SEQ_SPACE - 1)
@example(SEQ_SPACE)
def test_client_isn_is_accepted_exactly_for_0_to_2_to_the_32_minus_1(n):
    text = f"client isn {n}"
    if 0 <= n < SEQ_SPACE:
        command = only(text)
        assert isinstance(command, Configure) and int(command.value) == n
    else:
        error = error_of(text)
        assert error.line == 1 and "isn" in error.message


# ----------------------------------------------------------------------------------------------
# Calls


@pytest.mark.parametrize(
    ("line", "side", "call", "data"),
    [
        ("server listen", "server", "listen", None),
        ("client connect", "client", "connect", None),
        ("client send 10", "client", "send", 10),
        ('server send "hello"', "server", "send", b"hello"),
        ("client send 'hi there'", "client", "send", b"hi there"),
        ('client send "\\"q\\""', "client", "send", b'"q"'),
        ('client send "é"', "client", "send", "é".encode()),
        ("client close", "client", "close", None),
        ("server abort", "server", "abort", None),
        ("server crash", "server", "crash", None),
    ],
)
def test_every_call_parses_for_either_side(line, side, call, data):
    command = only(line)
    assert isinstance(command, Call)
    assert (command.side, command.call, command.data) == (side, call, data)


# ----------------------------------------------------------------------------------------------
# Network actions


@pytest.mark.parametrize(
    ("line", "verb", "every", "sender", "nth"),
    [
        ("deliver", "deliver", False, None, 1),
        ("deliver server 2", "deliver", False, "server", 2),
        ("deliver client", "deliver", False, "client", 1),
        ("deliver 3", "deliver", False, None, 3),
        ("deliver all", "deliver", True, None, 1),
        ("drop", "drop", False, None, 1),
        ("drop client", "drop", False, "client", 1),
        ("drop server 3", "drop", False, "server", 3),
        ("drop all", "drop", True, None, 1),
        ("duplicate", "duplicate", False, None, 1),
        ("duplicate client", "duplicate", False, "client", 1),
        ("duplicate 2", "duplicate", False, None, 2),
    ],
)
def test_every_network_action_and_selector_parses(line, verb, every, sender, nth):
    command = only(line)
    assert isinstance(command, NetworkAction)
    assert (command.verb, command.every, command.sender, command.nth) == (verb, every, sender, nth)


# ----------------------------------------------------------------------------------------------
# inject


def test_inject_builds_the_crafted_segment_of_the_issue_example():
    command = only("inject server RST,ACK seq=1001 ack=5001 len=0")
    assert isinstance(command, Inject) and command.side == "server"
    segment = command.segment
    assert (segment.seq, segment.ack, segment.len) == (1001, 5001, 0)
    assert int(segment.flags) == HEADER_BITS["RST"] | HEADER_BITS["ACK"]


def test_inject_takes_wnd_len_and_quoted_data():
    assert only("inject client SYN,ACK seq=5000 ack=1001 wnd=100").segment.wnd == 100
    assert only("inject server ACK seq=1 ack=2 len=10").segment.len == 10
    segment = only('inject server ACK seq=1 ack=2 data="hey you"').segment
    assert segment.data == b"hey you" and segment.len == 7


def test_inject_sequence_numbers_cover_the_whole_32_bit_space():
    segment = only(f"inject server ACK seq={SEQ_SPACE - 1} ack={SEQ_SPACE - 1}").segment
    assert (segment.seq, segment.ack) == (SEQ_SPACE - 1, SEQ_SPACE - 1)
    assert only("inject server RST seq=0").segment.seq == 0


@settings(max_examples=60)
@given(
    st.lists(st.sampled_from(sorted(HEADER_BITS)), min_size=1, max_size=6, unique=True),
    st.sampled_from([",", "+", "|"]),
    st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_inject_flags_parse_in_any_order_case_and_separator_to_the_header_bits(names, separator, lower):
    written = separator.join(
        name.lower() if low else name for name, low in zip(names, lower[: len(names)], strict=True)
    )
    segment = only(f"inject server {written} seq=7 ack=9").segment
    assert int(segment.flags) == sum(HEADER_BITS[name] for name in names)


# ----------------------------------------------------------------------------------------------
# wait


@pytest.mark.parametrize(("line", "us"), [("wait 1.5", 1_500_000), ("wait 0", 0), ("wait 240", 240_000_000)])
def test_wait_takes_seconds(line, us):
    command = only(line)
    assert isinstance(command, Wait) and command.duration_us == us


def test_wait_next_is_a_wait_to_the_next_timer():
    command = only("wait next")
    assert isinstance(command, Wait) and command.duration_us is None


@given(st.integers(min_value=0, max_value=10_000_000 * 10**6))
def test_wait_takes_any_decimal_number_of_seconds_to_the_microsecond(us):
    command = only(f"wait {us // 10**6}.{us % 10**6:06d}")
    assert command.duration_us == us


# ----------------------------------------------------------------------------------------------
# expect


def test_expect_states_of_both_sides():
    assert checks_of("expect client ESTABLISHED server ESTABLISHED") == [
        ("client", "state", State.ESTABLISHED),
        ("server", "state", State.ESTABLISHED),
    ]


@pytest.mark.parametrize("name", RFC_STATES)
def test_expect_knows_every_rfc_state_name(name):
    [(_, _, state)] = checks_of(f"expect client {name}")
    assert state.value == name


@pytest.mark.parametrize(("written", "meant"), [("SYN-RCVD", "SYN-RECEIVED"), ("ESTAB", "ESTABLISHED")])
def test_expect_knows_the_figures_abbreviations(written, meant):
    [(_, _, state)] = checks_of(f"expect server {written}")
    assert state.value == meant


def test_expect_tcb_variables_inflight_and_time_of_the_readme_example():
    assert checks_of("expect client snd.nxt=1001 rcv.nxt=5001 server received=0 inflight=0 time=1.5") == [
        ("client", "snd.nxt", 1001),
        ("client", "rcv.nxt", 5001),
        ("server", "received", 0),
        (None, "inflight", 0),
        (None, "time", 1_500_000),
    ]


@pytest.mark.parametrize("variable", ["iss", "irs", "snd.una", "snd.nxt", "snd.wnd", "rcv.nxt", "rcv.wnd", "received"])
def test_expect_knows_every_documented_tcb_variable(variable):
    assert checks_of(f"expect server {variable}=42") == [("server", variable, 42)]


def test_expect_variable_none_means_no_value():
    assert checks_of("expect client irs=none") == [("client", "irs", None)]


def test_expect_refused_names_the_call_that_must_be_refused():
    command = only("expect refused client send 10")
    assert isinstance(command, ExpectRefused)
    assert (command.side, command.call, command.data) == ("client", "send", 10)


# ----------------------------------------------------------------------------------------------
# Case


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("CLIENT CONNECT", Call),
        ("Server Listen", Call),
        ("DELIVER ALL", NetworkAction),
        ("Drop Server 2", NetworkAction),
        ("WAIT NEXT", Wait),
        ("Client Isn Auto", Configure),
        ("MSL 1", Configure),
        ("EXPECT CLIENT established SERVER Syn-Received", Expect),
        ("inject server rst,ack seq=1 ack=2", Inject),
    ],
)
def test_words_flags_and_state_names_are_read_in_any_case(line, kind):
    assert isinstance(only(line), kind)


def test_quoted_text_keeps_its_case():
    assert only('CLIENT SEND "Hello"').data == b"Hello"


# ----------------------------------------------------------------------------------------------
# Bad lines: one ScenarioError naming FILE:LINE and what is wrong

BAD_LINES = [
    # unknown words
    ("foo", "unknown command 'foo'"),
    ("conect", "unknown command 'conect'"),
    ("client fly", "'fly'"),
    ("deliver nobody", "'nobody'"),
    ("drop everyone", "'everyone'"),
    ("duplicate first", "'first'"),
    ("inject server SYN seq=1 colour=red", "unknown field 'colour'"),
    ("expect client foo=1", "unknown variable 'foo'"),
    # missing arguments
    ("client", "what should the client do"),
    ("client isn", "isn takes one value"),
    ("msl", "msl takes one value"),
    ("client send", "send takes one argument"),
    ("wait", "wait takes one value"),
    ("expect", "expect what"),
    ("expect client", "expect what"),
    ("expect refused", "expect refused SIDE CALL"),
    ("expect refused client", "expect refused SIDE CALL"),
    ("inject", "inject SIDE FLAGS"),
    ("inject server", "inject SIDE FLAGS"),
    ("inject server SYN", "inject needs seq=N"),
    ("inject server ACK seq=1", "ack=N"),
    ("expect snd.nxt=1", "whose snd.nxt"),
    ("expect ESTABLISHED", "whose state is ESTABLISHED"),
    # extra arguments
    ("server listen now", "listen takes no argument"),
    ("client close 1", "close takes no argument"),
    ("client send 1 2", "send takes one argument"),
    ("client isn 1 2", "isn takes one value"),
    ("msl 1 2", "msl takes one value"),
    ("wait 1 2", "wait takes one value"),
    ("deliver all now", "'deliver all' takes nothing after it"),
    ("drop client 1 2", "too many words"),
    ("deliver 1 2", "too many words"),
    # numbers out of range or not numbers
    ("client isn 4294967296", "isn must be between 0 and 4294967295"),
    ("client isn -1", "isn must be between 0 and 4294967295"),
    ("server isn 2**32", "isn must be a whole number"),
    ("client isn 1.5", "isn must be a whole number"),
    ("msl 0", "msl must be between"),
    ("msl -1", "msl must be between"),
    ("msl soon", "msl must be a number of seconds"),
    ("rto 0", "rto must be between"),
    ("retries -1", "retries must be between 0 and 100"),
    ("retries 101", "retries must be between 0 and 100"),
    ("mss 0", "mss must be between 1 and 65535"),
    ("client window -1", "window must be between 0 and 65535"),
    ("client window 65536", "window must be between 0 and 65535"),
    ("seed 1.5", "seed must be a whole number"),
    ("client send 0", "send must be between 1"),
    ("client send -3", "send must be a whole number"),
    ("deliver 0", "deliver's count must be between 1"),
    ("deliver server 0", "deliver's count must be between 1"),
    ("deliver client two", "deliver's count must be a whole number"),
    ("inject server SYN seq=4294967296", "seq must be between 0 and 4294967295"),
    ("inject server SYN seq=-1", "seq must be a whole number"),
    ("inject server ACK seq=1 ack=4294967296", "ack must be between 0 and 4294967295"),
    ("inject server SYN seq=1 wnd=65536", "wnd must be between 0 and 65535"),
    ("wait -1", "wait must be between 0"),
    ("wait soon", "wait must be a number of seconds"),
    ("wait inf", "wait must be a finite number"),
    ("expect client snd.nxt=4294967296", "snd.nxt must be between 0 and 4294967295"),
    ("expect inflight=-1", "inflight must be a whole number"),
    ("expect time=soon", "time must be a number of seconds"),
    # bad flags
    ("inject server SYN,FOO seq=1", "unknown flag 'FOO'"),
    ("inject server , seq=1", "no flags given"),
    ("inject server seq=1", "unknown flag 'seq=1'"),
    # bad state names
    ("expect client OPEN", "unknown state 'OPEN'"),
    ("expect server SYN-RECIEVED", "unknown state 'SYN-RECIEVED'"),
    # settings with the wrong kind of side
    ("isn 5", "isn is set per side"),
    ("window 5", "window is set per side"),
    ("client msl 5", "msl applies to both sides"),
    # text
    ('client send "unterminated', "unterminated quote"),
    ('client send ""', "the text is empty"),
    ('client send "x"y', "quoted text"),
    ('inject server ACK seq=1 ack=2 len=1 data="x"', "not both"),
    ("inject server SYN seq=1 seq=2", "seq is given twice"),
    ("inject server SYN seq", "expected field=value"),
    # numbers no range reaches (Python reads no int of over 4,300 digits) and text built from operators
    ("client isn " + "9" * 5000, "isn must be between 0 and 4294967295, not 999999999999... (5000 characters)"),
    ("client send " + "1" * 5000, "send must be between 1 and 10000000"),
    ("seed " + "7" * 4400, "seed must be between 0 and 9223372036854775807"),
    ("inject server SYN seq=" + "1" * 5000, "must be between"),
    ("expect client rcv.nxt=" + "1" * 5000, "rcv.nxt must be between 0 and 4294967295"),
    ("wait " + "1" * 5000, "wait must be between 0 and 10000000 seconds"),
    ("expect time=1e400", "time must be between 0 (the clock starts at 0) and 1000000000000 seconds, not 1e400"),
    ('client send "a"+' + "-" * 50_000 + '"b"', 'a quoted text like "hello", not "a"+--------... (50007 characters)'),
    ('client send "a""b"', "quoted text"),
    # the range's ends written as the script writes them (seconds)
    ("rto 500", "rto must be between 0.001 and 120 s, not 500"),
    ("msl 100000", "msl must be between 0.001 and 86400 s, not 100000"),
]


@pytest.mark.parametrize(("line", "fragment"), BAD_LINES)
def test_a_bad_line_is_one_scenario_error_naming_file_line_and_the_problem(line, fragment):
    error = error_of(f"# a title\nserver listen\n{line}   # with a comment\nclient connect\n")
    assert error.filename == FILE and error.line == 3
    assert str(error).startswith(f"{FILE}:3: ")
    assert fragment in error.message
    assert "\n" not in str(error)


def test_unknown_command_suggests_the_close_word():
    assert "did you mean 'connect'" in error_of("client conect").message


def test_the_whole_file_is_checked_before_anything_runs_an_error_on_the_last_line_stops_it():
    good = "client isn 1000\nserver listen\nclient connect\ndeliver all\nexpect client ESTABLISHED\n"
    error = error_of(good + "deliver everything\n")
    assert error.line == 6


@settings(max_examples=60)
@given(st.integers(min_value=0, max_value=8), st.from_regex(r"\A[a-z]{3,8}\Z"))
def test_an_unknown_word_is_reported_at_its_own_line_wherever_it_is(position, word):
    vocabulary = {"client", "server", "deliver", "drop", "duplicate", "inject", "wait", "expect"}
    vocabulary |= {"msl", "rto", "retries", "mss", "seed", "isn", "window"}
    if word in vocabulary:
        word = "x" + word
    lines = ["server listen", "client connect", "deliver all", "expect client ESTABLISHED"] * 2
    lines.insert(position, word)
    error = error_of("\n".join(lines))
    assert error.line == position + 1
    assert repr(word) in error.message


# ----------------------------------------------------------------------------------------------
# Generated valid scripts

_side = st.sampled_from(["client", "server"])
_action_lines = st.one_of(
    st.builds("{} isn {}".format, _side, st.integers(0, SEQ_SPACE - 1)),
    st.builds("{} window {}".format, _side, st.integers(1, 65535)),
    st.builds("msl {}".format, st.integers(1, 600)),
    st.builds("retries {}".format, st.integers(0, 100)),
    st.builds("{} {}".format, _side, st.sampled_from(["listen", "connect", "close", "abort", "crash"])),
    st.builds("{} send {}".format, _side, st.integers(1, 100_000)),
    st.builds("{} {}".format, st.sampled_from(["deliver", "drop", "duplicate"]), st.sampled_from(["", "all", "2"])),
    st.builds("deliver {} {}".format, _side, st.integers(1, 9)),
    st.builds("wait {}".format, st.sampled_from(["next", "0.5", "1", "240"])),
    st.builds("expect {} {}".format, _side, st.sampled_from(RFC_STATES)),
    st.builds("inject {} RST,ACK seq={} ack={}".format, _side, st.integers(0, SEQ_SPACE - 1), st.integers(0, 9)),
)
_filler_lines = st.sampled_from(["", "   ", "# a comment", "   # indented comment"])


@settings(max_examples=80)
@given(
    st.lists(st.tuples(st.one_of(_action_lines, _filler_lines), st.sampled_from(["", "  # why", "   "])), max_size=25)
)
def test_a_generated_valid_script_parses_and_its_commands_keep_their_1_based_line_numbers(lines):
    text = "\n".join(f"  {line}{suffix}" if line.strip() else line for line, suffix in lines)
    script = parse(text, FILE)
    expected = [
        (number, line.strip())
        for number, (line, _) in enumerate(lines, start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert [(command.line, command.text) for command in script.commands] == expected


# ----------------------------------------------------------------------------------------------
# Bugs: lines that must be ScenarioErrors (or be read right), not crashes


@pytest.mark.parametrize("line", ["client send ²", "deliver ²", "deliver client ³", "expect inflight=²"])
def test_a_superscript_digit_is_a_bad_number_not_a_crash(line):
    # str.isdigit() is True for '²' but int('²') fails: the ValueError must not escape parse().
    error = error_of(line)
    assert error.line == 1


def test_text_that_cannot_be_encoded_as_utf8_is_a_bad_line_not_a_crash():
    # "\ud800" is a lone surrogate: literal_eval accepts it, encoding it to UTF-8 fails.
    error = error_of('client send "\\ud800"')
    assert error.line == 1


@pytest.mark.parametrize("line", ["wait 1e1000000", "msl 1e1000000", "rto 1e1000000", "expect time=1e1000000"])
def test_a_huge_number_of_seconds_is_out_of_range_not_a_crash(line):
    # Decimal("1e1000000") * 1_000_000 raises decimal.Overflow, which is not a ValueError.
    error = error_of(line)
    assert error.line == 1


def test_expect_a_negative_time_is_out_of_range():
    # The clock starts at 0 and only moves forward: "expect time=-1" can never hold.
    error = error_of("expect time=-1")
    assert error.line == 1 and "time" in error.message


def test_expect_a_side_with_nothing_to_check_for_it_is_a_missing_argument():
    # The learner meant to check the server too; silently checking only the client is wrong.
    error = error_of("expect client ESTABLISHED server")
    assert error.line == 1 and "server" in error.message


def test_expect_refused_with_a_setting_does_not_suggest_the_same_word():
    error = error_of("expect refused client isn 5")
    assert error.line == 1
    assert "did you mean 'isn'" not in error.message


@pytest.mark.parametrize("separator", ["\x0c", "\x0b", "\x1c", "\x85", "\u2028", "\u2029"])
def test_a_form_feed_or_unicode_line_separator_in_a_comment_does_not_start_a_new_line(separator):
    # A file's lines end at "\n" (as editors, grep -n and the FILE:LINE messages count them);
    # str.splitlines() also splits at these characters, so the comment's rest became a command.
    text = f"server listen   # page one{separator}server close\nclient connect\nfoo\n"
    error = error_of(text)
    assert error.line == 3 and "'foo'" in error.message


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1,=#-_ \t\x0b\x0c\x1c\x85\u00a0\u2003\u3000한")) | st.characters()))
@example("client send 100   # a comment # with more")
@example("\u00a0deliver\u2003all\u3000")
def test_a_line_without_quotes_splits_as_the_quote_aware_scan_splits_it(line):
    # The quote-free fast path and the full scan agree on tokens, text and comment.
    from tcpedu.scenario.script import _tokens, _tokens_with_quotes

    line = line.replace('"', "").replace("'", "").replace("\n", "")
    assert _tokens(line) == _tokens_with_quotes(line)
