# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import math
import pickle
import random
import re
import time

import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils import _json5
from ansible_collections.clawops.openclaw.plugins.module_utils._json5 import loads, JSON5DecodeError

INF = float('inf')
NAN = float('nan')


def assert_same(actual, expected, path='$'):
    """Stricter than ==: also compares types (True vs 1, 1 vs 1.0), NaN and the sign of zero."""
    assert type(actual) is type(expected), '%s: %r is not %r' % (path, actual, expected)
    if isinstance(expected, dict):
        assert list(actual) == list(expected), '%s: keys or key order differ' % path
        for key in expected:
            assert_same(actual[key], expected[key], '%s.%s' % (path, key))
    elif isinstance(expected, list):
        assert len(actual) == len(expected), '%s: lengths differ' % path
        for index, (left, right) in enumerate(zip(actual, expected)):
            assert_same(left, right, '%s[%d]' % (path, index))
    elif isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(actual), path
    elif isinstance(expected, float):
        assert actual == expected and math.copysign(1, actual) == math.copysign(1, expected), '%s: %r != %r' % (path, actual, expected)
    else:
        assert actual == expected, '%s: %r != %r' % (path, actual, expected)


# A config in the style OpenClaw's docs show for ~/.openclaw/openclaw.json.
OPENCLAW_CONFIG = """\ufeff// ~/.openclaw/openclaw.json -- managed by Ansible
{
  /* Agent defaults */
  agents: {
    defaults: {
      workspace: "~/.openclaw/workspace",
      model: { primary: 'anthropic/claude-opus-4-5', fallbacks: ["openai/gpt-5.2",], },
      heartbeat: { every: "2h" },  // was 30m
    },
  },
  channels: {
    whatsapp: { allowFrom: ["+15555550123", '+15555550124',], },
    telegram: {
      enabled: false,
      botToken: "${TELEGRAM_BOT_TOKEN}",
    },
  },
  gateway: {
    port: 18789,
    bind: 'loopback',
    auth: { mode: "token", token: "s3cr3t\\"quoted\\"" },
    reload: { debounceMs: 0x1F4, },
  },
  "session": { scope: "per-sender", idleMinutes: 60, resetRatio: .5 },
  tools: { web: { search: { enabled: true, maxResults: +5 } } },
  logging: { level: 'info', file: null },
}
"""

OPENCLAW_EXPECTED = {
    'agents': {
        'defaults': {
            'workspace': '~/.openclaw/workspace',
            'model': {'primary': 'anthropic/claude-opus-4-5', 'fallbacks': ['openai/gpt-5.2']},
            'heartbeat': {'every': '2h'},
        },
    },
    'channels': {
        'whatsapp': {'allowFrom': ['+15555550123', '+15555550124']},
        'telegram': {'enabled': False, 'botToken': '${TELEGRAM_BOT_TOKEN}'},
    },
    'gateway': {
        'port': 18789,
        'bind': 'loopback',
        'auth': {'mode': 'token', 'token': 's3cr3t"quoted"'},
        'reload': {'debounceMs': 500},
    },
    'session': {'scope': 'per-sender', 'idleMinutes': 60, 'resetRatio': 0.5},
    'tools': {'web': {'search': {'enabled': True, 'maxResults': 5}}},
    'logging': {'level': 'info', 'file': None},
}

VALID = [
    # literals and containers
    ('null', None),
    ('true', True),
    ('false', False),
    ('{}', {}),
    ('[]', []),
    ('[[], {}, [[]]]', [[], {}, [[]]]),
    # integers stay int
    ('42', 42),
    ('-7', -7),
    ('+7', 7),
    ('0', 0),
    ('-0', 0),
    ('123456789012345678901234567890', 123456789012345678901234567890),
    ('0x1F', 31),
    ('0X1f', 31),
    ('-0xff', -255),
    ('+0x10', 16),
    ('0x0', 0),
    # everything else is float
    ('1.5', 1.5),
    ('.5', 0.5),
    ('5.', 5.0),
    ('+.5', 0.5),
    ('-.5e1', -5.0),
    ('1e3', 1000.0),
    ('1E-2', 0.01),
    ('5.e2', 500.0),
    ('0.0', 0.0),
    ('-0.0', -0.0),
    ('1e999', INF),
    ('Infinity', INF),
    ('-Infinity', -INF),
    ('+Infinity', INF),
    ('NaN', NAN),
    ('-NaN', NAN),
    ('+NaN', NAN),
    # strings
    ('"double"', 'double'),
    ("'single'", 'single'),
    ("'it\\'s'", "it's"),
    ('"it\'s"', "it's"),
    ("'say \"hi\"'", 'say "hi"'),
    ('"say \\"hi\\""', 'say "hi"'),
    ('"\\b\\f\\n\\r\\t\\v\\0"', '\b\f\n\r\t\v\0'),
    ('"\\/\\\\"', '/\\'),
    ('"\\0a"', '\x00a'),
    ('"\\x41\\x7e\\xE9"', 'A~\xe9'),
    ('"\\u00e9\\u20AC"', '\xe9\u20ac'),
    ('"\\uD83D\\uDE00"', '\U0001f600'),
    ('"\\ud800x"', '\ud800x'),
    ('"\\q\\a\\ \\$"', 'qa $'),
    ('"ab\\\ncd"', 'abcd'),
    ('"ab\\\r\ncd"', 'abcd'),
    ('"ab\\\rcd"', 'abcd'),
    ('"ab\\\u2028cd"', 'abcd'),
    ('"ab\\\u2029cd"', 'abcd'),
    ('"a\u2028b\u2029c"', 'a\u2028b\u2029c'),
    ('"tab\there"', 'tab\there'),
    ('"\U0001f600 \xe9"', '\U0001f600 \xe9'),
    ('"// not a comment /* either */"', '// not a comment /* either */'),
    # comments
    ('// leading\n1', 1),
    ('1 // trailing, no newline', 1),
    ('/* a */ 1 /* b */', 1),
    ('/* multi\nline ** / */[1]', [1]),
    ('/* // */ 1', 1),
    ('// */\n1', 1),
    ('[1, /* x */ 2 // y\n]', [1, 2]),
    ('{/**/a/**/:/**/1/**/,/**/}', {'a': 1}),
    ('1 // ended by a lone CR\r', 1),
    # whitespace
    ('\v\f\xa0\ufeff\u2028\u2029\u3000\u2003 1 \t\r\n', 1),
    # trailing commas
    ('[1,]', [1]),
    ('[1, 2, 3, ]', [1, 2, 3]),
    ('{a: 1,}', {'a': 1}),
    ('[[], {}, ]', [[], {}]),
    ('{a: [1,], b: {c: 2,},}', {'a': [1], 'b': {'c': 2}}),
    # keys
    ('{a: 1}', {'a': 1}),
    ('{$_a1: 1, _: 2, $: 3}', {'$_a1': 1, '_': 2, '$': 3}),
    ("{'single': 1}", {'single': 1}),
    ('{"": 1}', {'': 1}),
    ('{\xfcn\xefc\xf8d\xe9: 1}', {'\xfcn\xefc\xf8d\xe9': 1}),
    ('{\\u0061b: 1, a\\u0062c: 2}', {'ab': 1, 'abc': 2}),
    ('{a\u200cb: 1, e\u0301: 2, x\u0663: 3, \u01c5: 4}', {'a\u200cb': 1, 'e\u0301': 2, 'x\u0663': 3, '\u01c5': 4}),
    ('{true: 1, null: 2, Infinity: 3, NaN: 4}', {'true': 1, 'null': 2, 'Infinity': 3, 'NaN': 4}),
    ('{a:1}', {'a': 1}),
    # duplicate keys: last one wins, first position kept (as JSON.parse and json.loads)
    ('{"a": 1, "b": 2, "a": 3}', {'a': 3, 'b': 2}),
    ("{a: 1, 'a': 2, \"a\": 3}", {'a': 3}),
    # the OpenClaw sample
    (OPENCLAW_CONFIG, OPENCLAW_EXPECTED),
]


@pytest.mark.parametrize('text, expected', VALID, ids=[repr(text)[:40] for text, dummy in VALID])
def test_valid_documents(text, expected):
    assert_same(loads(text), expected)
    # Plain JSON takes the json.loads fast path; a comment sends it through the JSON5 parser too.
    assert_same(loads(text + '\n// not plain JSON'), expected)


def test_objects_are_plain_ordered_dicts():
    result = loads('{z: 1, a: {y: 2, b: 3}, m: 4, // comment\n}')
    assert result.__class__ is dict
    assert result['a'].__class__ is dict
    assert list(result) == ['z', 'a', 'm']
    assert list(result['a']) == ['y', 'b']


def test_bytes_are_decoded_as_utf8():
    assert loads('{k: "\xe9"}'.encode('utf-8')) == {'k': '\xe9'}
    assert loads(bytearray(b'[1,]')) == [1]


@pytest.mark.parametrize('value', [None, 1, ['[]']])
def test_non_text_input_is_a_type_error(value):
    with pytest.raises(TypeError):
        loads(value)


ERRORS = [
    # (document, message fragment, line, column)
    ('', 'empty input', 1, 1),
    ('  \n  ', 'empty input', 2, 3),
    ('/* only a comment */', 'empty input', 1, 21),
    ('[,]', "expected a value but found ','", 1, 2),
    ('{,}', "expected a property name or '}' but found ','", 1, 2),
    ('[1,,]', "expected a value but found ','", 1, 4),
    ('{a: 1,,}', "expected a property name or '}' but found ','", 1, 7),
    ('[1 2]', "expected ',' or ']' but found a digit", 1, 4),
    ('{\n  a: 1\n  b: 2\n}', "expected ',' or '}' but found a letter", 3, 3),
    ('{"a" 1}', "expected ':' after a property name but found a digit", 1, 6),
    ('{a}', "expected ':' after a property name but found '}'", 1, 3),
    ('{a-b: 1}', "expected ':' after a property name but found '-'", 1, 3),
    ('{1: 2}', "expected a property name or '}' but found a digit", 1, 2),
    ('{\\u0030a: 1}', "escaped character is not valid in an identifier", 1, 2),
    ('{\\x61: 1}', 'invalid escape in identifier', 1, 2),
    ('"abc', 'unterminated string', 1, 1),
    ("[1, 'abc]", 'unterminated string', 1, 5),
    ('"abc\\', 'unterminated string', 1, 1),
    ('"ab\ncd"', 'line break inside string', 1, 4),
    ('{\n  "a": "x\r\n"}', 'line break inside string', 2, 10),
    ('"\\1"', "invalid escape sequence (octal escapes are not allowed)", 1, 2),
    ('"ok\\9"', "invalid escape sequence", 1, 4),
    ('"\\01"', "invalid escape sequence (octal escapes are not allowed)", 1, 2),
    ('"\\x4g"', "invalid escape sequence (expected 2 hexadecimal digits)", 1, 2),
    ('"\\u12G4"', "invalid escape sequence (expected 4 hexadecimal digits)", 1, 2),
    ('"\\u{1F600}"', 'expected 4 hexadecimal digits', 1, 2),
    ('01', "invalid number: leading zeros are not allowed", 1, 1),
    ('-01', "invalid number: leading zeros", 1, 1),
    ('[1, 007]', "invalid number: leading zeros", 1, 5),
    ('00.5', 'leading zeros', 1, 1),
    ('0x', "invalid number", 1, 1),
    ('0x1G', "invalid number", 1, 1),
    ('1e', "invalid number", 1, 1),
    ('1.2.3', "invalid number", 1, 1),
    ('1a', "invalid number", 1, 1),
    ('0b101', "invalid number", 1, 1),
    ('+', "invalid number", 1, 1),
    ('- 1', "invalid number", 1, 1),
    ('.', "invalid number", 1, 1),
    ('-infinity', "invalid number", 1, 1),
    ('{} x', "found a letter after the end of the JSON5 value", 1, 4),
    ('[1]]', "found ']' after the end", 1, 4),
    ('1 2', "found a digit after the end", 1, 3),
    ('{}\n// fine\n,', "found ',' after the end", 3, 1),
    ('{', 'unterminated object', 1, 1),
    ('{"a"', 'unterminated object', 1, 1),
    ('{"a":', 'unterminated object', 1, 1),
    ('[1, 2', 'unterminated array', 1, 1),
    ('[1, 2,', 'unterminated array', 1, 1),
    ('{"a": [1, {"b": 2', 'unterminated object', 1, 11),
    ('\n\n  [\n', 'unterminated array', 3, 3),
    ('/* never closed', 'unterminated block comment', 1, 1),
    ('[1, /* x', 'unterminated block comment', 1, 5),
    ('[foo]', "unexpected unquoted word (string values must be quoted)", 1, 2),
    ('{a: yes}', "unexpected unquoted word", 1, 5),
    ('True', "unexpected unquoted word", 1, 1),
    ('None', "unexpected unquoted word", 1, 1),
    ('[truex]', "unexpected unquoted word", 1, 2),
    ('[\\u0074rue]', "unexpected unquoted word", 1, 2),
    ('[/ x]', "unexpected '/'", 1, 2),
    ('[\u20ac]', "expected a value but found", 1, 2),
    # line counting: CRLF, lone CR and U+2028 each end a line
    ('[\r\n  1,\r\n  2\r\n  3]', "expected ',' or ']' but found a digit", 4, 3),
    ('[\r1,\r2 3]', "found a digit", 3, 3),
    ('[1,\u20282\u2029 3]', "found a digit", 3, 2),
]


@pytest.mark.parametrize('text, message, lineno, colno', ERRORS, ids=[repr(case[0])[:40] for case in ERRORS])
def test_errors(text, message, lineno, colno):
    with pytest.raises(JSON5DecodeError) as caught:
        loads(text)
    err = caught.value
    assert message in err.msg
    assert (err.lineno, err.colno) == (lineno, colno), str(err)
    assert str(err) == '%s at line %d column %d' % (err.msg, lineno, colno)


SECRET = "SENTINEL-sk-or-v1-0123456789abcdef"


@pytest.mark.parametrize("text", [
    '{token: %s}' % SECRET,                      # unquoted value
    '{"a": 1, "%s"}' % SECRET,                   # a value taken for a property name
    '{"a": 1 %s}' % SECRET,                      # junk after a member
    '{"key": 0%s}' % SECRET[9:].replace("-", ""),  # an invalid number
    '{"key": "%s\\01"}' % SECRET,             # an invalid escape inside the secret
    '{"key": "\\x%s"}' % SECRET,
    '{} %s' % SECRET,
    '{%s: 1 2}' % SECRET.replace("-", "_"),
    '{"a": 1}\n%s' % SECRET,
])
def test_errors_never_quote_the_document(text):
    """issue 11: parse errors reach facts, doctor reports and preflight messages; a broken config holds tokens."""
    with pytest.raises(JSON5DecodeError) as caught:
        loads(text)
    message = str(caught.value)
    for fragment in (SECRET, SECRET[9:], SECRET[-8:], SECRET[9:].replace("-", ""), "0123456789", "abcdef", "SENTINEL", "sk-or"):
        assert fragment not in message
    assert " at line " in message


def test_error_type_and_attributes():
    with pytest.raises(ValueError) as caught:
        loads('{\n  port: 18789\n  bind: "loopback"\n}')
    err = caught.value
    assert isinstance(err, JSON5DecodeError)
    assert err.msg == "expected ',' or '}' but found a letter"
    assert (err.lineno, err.colno, err.pos) == (3, 3, 18)
    assert str(err) == "expected ',' or '}' but found a letter at line 3 column 3"
    clone = pickle.loads(pickle.dumps(err))
    assert (type(clone), str(clone), clone.lineno, clone.colno) == (JSON5DecodeError, str(err), 3, 3)


def test_huge_integer_is_a_decode_error_not_a_crash():
    # Python >= 3.11 limits int() to 4300 digits by default; older versions just convert.
    text = '[1' + '0' * 5000 + ', // json5\n]'
    try:
        result = loads(text)
    except JSON5DecodeError as err:
        assert 'cannot convert number' in err.msg
        assert (err.lineno, err.colno) == (1, 2)
    else:
        assert result == [10 ** 5000]


# --- nesting depth --------------------------------------------------------


@pytest.mark.parametrize('opener, leaf, closer', [('[', '', ']'), ('{"a":', '1', '}'), ('{a:', '1', '}')])
@pytest.mark.parametrize('suffix', ['', ' // forces the JSON5 parser'])
def test_depth_limit(opener, leaf, closer, suffix):
    limit = _json5.MAX_DEPTH
    value = loads(opener * limit + leaf + closer * limit + suffix)
    for dummy in range(limit - 1):
        value = value[0] if isinstance(value, list) else value['a']
    assert value in ([], {'a': 1})

    # One level deeper is refused at the bracket that exceeds the limit, even
    # for plain JSON that the json.loads fast path alone would have accepted.
    with pytest.raises(JSON5DecodeError) as caught:
        loads(opener * (limit + 1) + leaf + closer * (limit + 1) + suffix)
    assert caught.value.msg.startswith('nesting too deep')
    assert (caught.value.lineno, caught.value.colno) == (1, limit * len(opener) + 1)


@pytest.mark.parametrize('text', [
    '[' * 10000 + ']' * 10000,
    '[' * 10000,
    '{"a":' * 10000 + '1' + '}' * 10000,
    '{a:' * 10000 + '1' + '}' * 10000,
    '[' * 100000 + ']' * 100000 + ' // json5',
])
def test_very_deep_nesting_raises_decode_error_not_recursion_error(text):
    with pytest.raises(JSON5DecodeError, match='nesting too deep'):
        loads(text)


# --- round trips -----------------------------------------------------------

_ALPHABET = (
    'abcXYZ019 _-$.,:"\'\\/{}[]\b\f\n\r\t\v\x00\x1f\x7f'
    + '\xa0\xe9\u20ac\u2028\u2029\ufeff\ud800\U0001f600\U00010000'
)


def _random_string(rng):
    return ''.join(rng.choice(_ALPHABET) for dummy in range(rng.randint(0, 10)))


def _random_number(rng):
    return rng.choice([
        rng.randint(-1000, 1000),
        rng.randint(-2 ** 70, 2 ** 70),
        rng.uniform(-1e6, 1e6),
        rng.random(),
        float(rng.randint(-100, 100)),
        rng.choice([0.0, -0.0, 5e-324, 1.7976931348623157e308, 1e-7, INF, -INF]),
    ])


def _random_value(rng, depth=0):
    kind = rng.randint(0, 9 if depth < 4 else 5)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind <= 2:
        return _random_number(rng)
    if kind <= 5:
        return _random_string(rng)
    if kind <= 7:
        return [_random_value(rng, depth + 1) for dummy in range(rng.randint(0, 5))]
    return dict((_random_string(rng), _random_value(rng, depth + 1)) for dummy in range(rng.randint(0, 5)))


_RANDOM_VALUES = [_random_value(random.Random(seed)) for seed in range(300)]


@pytest.mark.parametrize('options', [{}, {'ensure_ascii': False}, {'indent': 2}, {'separators': (',', ':')}])
def test_round_trip_json_dumps(options):
    for value in _RANDOM_VALUES:
        text = json.dumps(value, **options)
        assert_same(loads(text), value)
        # The same document through the JSON5 parser rather than the json.loads fast path.
        assert_same(loads(text + '\n// comment'), value)


_IDENTIFIER = re.compile(r'^[A-Za-z_$][A-Za-z0-9_$]*$')
# Characters whose escape is not special (note: \b is backspace, so 'b' is not here).
_ESCAPABLE_AS_ITSELF = frozenset('acXYZ $.,:{}[]/\xe9\u20ac')


def _json5_string(text, rng):
    """Quote ``text`` as JSON5, picking randomly among the equivalent spellings."""
    quote = rng.choice('"\'')
    out = [quote]
    for index, char in enumerate(text):
        spellings = []
        if char not in (quote, '\\', '\n', '\r'):
            spellings.append(char)
        if char in _ESCAPABLE_AS_ITSELF or char in '"\'\\':
            spellings.append('\\' + char)
        if char == '\x00' and text[index + 1:index + 2] not in tuple('0123456789'):
            spellings.append('\\0')
        if ord(char) < 0x100:
            spellings.append('\\x%02x' % ord(char))
        if ord(char) < 0x10000:
            spellings.append('\\u%04X' % ord(char))
        else:
            code = ord(char) - 0x10000
            spellings.append('\\u%04x\\u%04x' % (0xd800 + (code >> 10), 0xdc00 + (code & 0x3ff)))
        for simple, escape in (('\n', '\\n'), ('\r', '\\r'), ('\t', '\\t'), ('\b', '\\b'), ('\f', '\\f'), ('\v', '\\v')):
            if char == simple:
                spellings.append(escape)
        out.append(rng.choice(spellings))
        if rng.random() < 0.05:
            out.append(rng.choice(['\\\n', '\\\r\n', '\\\r', '\\\u2028']))
    out.append(quote)
    return ''.join(out)


def _json5_number(value, rng):
    if isinstance(value, int):
        spellings = [str(value), hex(value), hex(value).upper().replace('X', 'x')]
        if value >= 0:
            spellings += ['+' + str(value), '+' + hex(value)]
        return rng.choice(spellings)
    if math.isinf(value):
        return rng.choice(['Infinity', '+Infinity'] if value > 0 else ['-Infinity'])
    text = repr(value)
    if text.endswith('.0') and rng.random() < 0.5:
        text = text[:-1]  # "5." form
    if re.match(r'^-?0\.[0-9]', text) and rng.random() < 0.5:
        text = text.replace('0.', '.', 1)  # ".5" form
    return text


def _json5_dumps(value, rng):
    """Serialize ``value`` as JSON5 using comments, odd whitespace, trailing commas and the other extensions."""
    def gap():
        return rng.choice(['', ' ', '\n', '\t', '\r\n', '\xa0', '\u2028', ' /* c */ ', ' // c\n', '/**/'])

    if value is None or isinstance(value, bool):
        return {None: 'null', True: 'true', False: 'false'}[value]
    if isinstance(value, (int, float)):
        return _json5_number(value, rng)
    if isinstance(value, str):
        return _json5_string(value, rng)
    if isinstance(value, list):
        items = [gap() + _json5_dumps(item, rng) + gap() for item in value]
    else:
        items = []
        for key, item in value.items():
            name = key if _IDENTIFIER.match(key) and rng.random() < 0.7 else _json5_string(key, rng)
            items.append(gap() + name + gap() + ':' + gap() + _json5_dumps(item, rng) + gap())
    body = ','.join(items)
    if items and rng.random() < 0.5:
        body += ',' + gap()
    return ('[%s]' if isinstance(value, list) else '{%s}') % (body or gap())


def _with_identifier_keys(value, rng):
    """Rename some keys to identifiers so that unquoted keys get exercised."""
    if isinstance(value, list):
        return [_with_identifier_keys(item, rng) for item in value]
    if isinstance(value, dict):
        return dict((rng.choice([key, 'k%d' % index, '$_' + str(index)]), _with_identifier_keys(item, rng))
                    for index, (key, item) in enumerate(value.items()))
    return value


def test_round_trip_json5_spellings():
    rng = random.Random(5)
    for value in _RANDOM_VALUES:
        value = _with_identifier_keys(value, rng)
        for dummy in range(3):
            text = _json5_dumps(value, rng)
            assert_same(loads(text), value)


# --- performance -------------------------------------------------------------


def _big_document(size):
    rng = random.Random(7)
    doc = {'items': []}
    while len(json.dumps(doc)) < size:
        doc['items'].extend({
            'id': rng.randint(0, 10 ** 9),
            'name': _random_string(rng),
            'score': rng.random(),
            'tags': ['a', 'b', '\xe9'],
            'enabled': rng.random() < 0.5,
            'parent': None,
        } for dummy in range(500))
    return doc


# Timed: coverage tracing would slow the parser several times over.
@pytest.mark.no_cover
def test_one_megabyte_of_plain_json_is_fast():
    doc = _big_document(1 << 20)
    text = json.dumps(doc, indent=2)
    start = time.time()
    result = loads(text)
    assert time.time() - start < 1.0
    assert result == doc


# Timed: coverage tracing would slow the parser several times over.
@pytest.mark.no_cover
def test_one_megabyte_of_json5_has_no_quadratic_blowup():
    doc = _big_document(1 << 20)
    text = '// not plain JSON any more\n' + json.dumps(doc)
    start = time.time()
    result = loads(text)
    assert time.time() - start < 5.0
    assert result == doc


# --- cross-check with the reference implementation, when available -------------

CROSS_CHECK = [
    OPENCLAW_CONFIG,
    "{unquoted: 'and you can quote me on that', singleQuotes: 'I can use \"double quotes\" here',}",
    '{lineBreaks: "Look, Mom! \\\nNo \\\\n\'s!", hexadecimal: 0xdecaf, leadingDecimalPoint: .8675309, andTrailing: 8675309.,}',
    '{positiveSign: +1, trailingComma: \'in objects\', andIn: [\'arrays\',], "backwardsCompatible": "with JSON",}',
    '[Infinity, -Infinity, +Infinity, 1e3, -0x10, "\\x41\\u0042\\0"]',
    '/* c */ {a: {b: [1, 2, {c: null}]}, $d_: true} // end',
]


@pytest.mark.parametrize('text', CROSS_CHECK)
def test_matches_reference_json5_package(text):
    json5 = pytest.importorskip('json5')
    assert_same(loads(text), json5.loads(text))
