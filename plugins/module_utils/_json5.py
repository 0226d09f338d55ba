# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Strict, dependency-free JSON5 parser.

Implements the JSON5 Data Interchange Format, version 1.0.0: https://spec.json5.org/
(its grammar refers to ECMAScript 5.1 for identifiers, numbers, strings and whitespace:
https://262.ecma-international.org/5.1/). Only parsing; nothing is ever serialised as JSON5.

OpenClaw accepts JSON5 for its configuration files (comments, trailing commas,
unquoted keys, ...), so modules that read an existing config must understand
JSON5. Managed hosts cannot be assumed to have a json5 library installed, hence
this small parser that only needs the Python standard library. The unit tests
fuzz it against the json5 package from PyPI (tests/unit/plugins/module_utils/test_json5_fuzz.py).

Only ``loads()`` and ``JSON5DecodeError`` are public.
"""

import json
import re
import unicodedata


# Deeper documents are rejected with a clean error rather than a RecursionError
# (from json.loads) or unbounded memory growth; real configs are a few levels deep.
MAX_DEPTH = 512

# JSON5 whitespace: JSON's four, plus \v, \f, NBSP, BOM, U+2028/2029 and the
# other Unicode "space separator" (Zs) characters, as ECMAScript 5.1 defines them.
_WHITESPACE = (
    '\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'
)
_SKIP_WS = re.compile('[%s]*' % _WHITESPACE)
_LINE_COMMENT = re.compile('//[^\n\r\u2028\u2029]*')
# Line terminators, used to turn an offset into line/column for error messages.
_NEWLINE = re.compile('\r\n|[\n\r\u2028\u2029]')

# Runs of string characters that need no special handling. U+2028/2029 are
# allowed unescaped in JSON5 strings; bare CR/LF are not.
_STRING_CHUNK = {
    '"': re.compile(r'[^"\\\n\r]*'),
    "'": re.compile(r"[^'\\\n\r]*"),
}
_SIMPLE_ESCAPES = {
    '"': '"', "'": "'", '\\': '\\', '/': '/',
    'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v',
}
_LINE_CONTINUATIONS = frozenset('\n\r\u2028\u2029')
_HEX_DIGITS = re.compile(r'[0-9A-Fa-f]*')
_HEX4 = re.compile(r'[0-9A-Fa-f]{4}')

# A number is only valid if it is not directly followed by another number or
# identifier character (ECMAScript forbids e.g. "1a", "0x1g", "5..").
_NUMBER = re.compile(r'''
    [+-]?
    (?:
        0[xX][0-9A-Fa-f]+                          # hexadecimal integer
      | (?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?
      | \.[0-9]+(?:[eE][+-]?[0-9]+)?
      | Infinity
      | NaN
    )''', re.VERBOSE)
_DIGITS = frozenset('0123456789')
_NUMBER_START = frozenset('0123456789+-.')
_NUMBER_FOLLOW_BAD = re.compile(r'[\w$.]')
# Rough extent of a malformed token, to quote it in an error message.
_BAD_TOKEN = re.compile(r'[\w$.+-]{1,40}')

_ASCII_IDENTIFIER = re.compile(r'[A-Za-z_$][A-Za-z0-9_$]*')
_ID_START_CATEGORIES = frozenset(('Lu', 'Ll', 'Lt', 'Lm', 'Lo', 'Nl'))
_ID_PART_CATEGORIES = _ID_START_CATEGORIES | frozenset(('Mn', 'Mc', 'Nd', 'Pc'))
_ZWNJ_ZWJ = '\u200c\u200d'

_LITERALS = {
    'true': True,
    'false': False,
    'null': None,
    'Infinity': float('inf'),
    'NaN': float('nan'),
}


class JSON5DecodeError(ValueError):
    """Raised for malformed JSON5; ``lineno`` and ``colno`` are 1-based, ``pos`` is the 0-based offset.

    The message says what is wrong and where (line, column), never the document's text: a broken
    config holds credentials, and the message reaches facts, reports and preflight errors."""

    def __init__(self, msg, doc, pos):
        self.msg = msg
        self.doc = doc
        self.pos = pos
        self.lineno, self.colno = _line_col(doc, pos)
        super().__init__('%s at line %d column %d' % (msg, self.lineno, self.colno))

    def __reduce__(self):
        return self.__class__, (self.msg, self.doc, self.pos)


def describe_char(char):
    """A character by its class; punctuation is shown as itself (it is what a reader needs to fix the file)."""
    if char in '{}[]:,"\'/*+-.':
        return repr(char)
    if char.isspace():
        return 'whitespace'
    if char.isdigit():
        return 'a digit'
    if char.isalpha():
        return 'a letter'
    if ord(char) < 0x20 or ord(char) == 0x7f:
        return 'a control character'
    return 'another character'


def _line_col(text, pos):
    lineno = 1
    line_start = 0
    for match in _NEWLINE.finditer(text, 0, pos):
        lineno += 1
        line_start = match.end()
    return lineno, pos - line_start + 1


def _is_id_start(char):
    if char < '\x80':
        return char.isalpha() or char in '$_'
    return unicodedata.category(char) in _ID_START_CATEGORIES


def _is_id_part(char):
    if char < '\x80':
        return char.isalnum() or char in '$_'
    return char in _ZWNJ_ZWJ or unicodedata.category(char) in _ID_PART_CATEGORIES


def _max_depth_exceeded(value):
    """Tell whether ``value`` (as built by json.loads) nests deeper than MAX_DEPTH."""
    stack = [(value, 1)]
    while stack:
        container, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = container.values() if isinstance(container, dict) else container
        for child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return False


class _Parser:
    """Iterative JSON5 parser: open containers live on an explicit stack, not the call stack."""

    def __init__(self, text):
        self.text = text
        self.pos = 0
        # One entry per open container: [container, pending key (objects only), offset of its opening bracket].
        self.stack = []

    # -- helpers ---------------------------------------------------------

    def error(self, msg, pos=None):
        return JSON5DecodeError(msg, self.text, self.pos if pos is None else pos)

    def describe_current(self):
        # Never the text itself: a broken config holds tokens, and messages reach reports and logs.
        return describe_char(self.text[self.pos]) if self.pos < len(self.text) else 'end of input'

    def expected_error(self, expected):
        """Report a missing token, blaming an unterminated container when the input simply ran out."""
        if self.pos >= len(self.text) and self.stack:
            container, start = self.stack[-1][0], self.stack[-1][2]
            kind = 'object' if isinstance(container, dict) else 'array'
            return self.error('unterminated %s (expected %s before the end of input)' % (kind, expected), start)
        return self.error('expected %s but found %s' % (expected, self.describe_current()))

    def skip_ignored(self):
        """Skip whitespace and comments."""
        text = self.text
        pos = self.pos
        while True:
            pos = _SKIP_WS.match(text, pos).end()
            if text.startswith('//', pos):
                pos = _LINE_COMMENT.match(text, pos).end()
            elif text.startswith('/*', pos):
                end = text.find('*/', pos + 2)
                if end < 0:
                    raise self.error('unterminated block comment', pos)
                pos = end + 2
            else:
                self.pos = pos
                return

    # -- document structure ----------------------------------------------

    def parse(self):
        self.skip_ignored()
        if self.pos >= len(self.text):
            raise self.error('empty input: expected a JSON5 value')
        value = self.parse_value()
        self.skip_ignored()
        if self.pos < len(self.text):
            raise self.error('found %s after the end of the JSON5 value' % self.describe_current())
        return value

    def parse_value(self):
        """Parse one value; nested values are handled by the loop, so Python recursion stays flat."""
        text = self.text
        stack = self.stack
        while True:
            # Here a value must start: either a scalar or an opening bracket.
            self.skip_ignored()
            char = text[self.pos:self.pos + 1]
            if char == '{' or char == '[':
                if len(stack) >= MAX_DEPTH:
                    raise self.error('nesting too deep (more than %d levels of objects/arrays)' % MAX_DEPTH)
                stack.append([{} if char == '{' else [], None, self.pos])
                self.pos += 1
                self.skip_ignored()
                if text.startswith('}' if char == '{' else ']', self.pos):
                    self.pos += 1
                    value = stack.pop()[0]
                elif char == '{':
                    stack[-1][1] = self.parse_member_name()
                    continue
                else:
                    continue
            else:
                value = self.parse_scalar()

            # A value is complete: store it in its parent and consume every
            # container that closes right after it.
            while stack:
                entry = stack[-1]
                container = entry[0]
                is_object = isinstance(container, dict)
                if is_object:
                    container[entry[1]] = value
                else:
                    container.append(value)
                closer = '}' if is_object else ']'
                self.skip_ignored()
                if text.startswith(',', self.pos):
                    self.pos += 1
                    self.skip_ignored()
                    if not text.startswith(closer, self.pos):
                        # Another member follows.
                        if is_object:
                            entry[1] = self.parse_member_name()
                        break
                elif not text.startswith(closer, self.pos):
                    raise self.expected_error("',' or '%s'" % closer)
                self.pos += 1
                value = stack.pop()[0]
            else:
                return value

    def parse_member_name(self):
        """Parse ``name :`` in an object, the current position being at the name."""
        char = self.text[self.pos:self.pos + 1]
        if char == '"' or char == "'":
            key = self.parse_string()
        elif char == '\\' or (char and _is_id_start(char)):
            key = self.parse_identifier()
        else:
            raise self.expected_error("a property name or '}'")
        self.skip_ignored()
        if not self.text.startswith(':', self.pos):
            raise self.expected_error("':' after a property name")
        self.pos += 1
        return key

    # -- scalars ---------------------------------------------------------

    def parse_scalar(self):
        char = self.text[self.pos:self.pos + 1]
        if char == '"' or char == "'":
            return self.parse_string()
        if char in _NUMBER_START:
            return self.parse_number()
        if char == '\\' or (char and _is_id_start(char)):
            start = self.pos
            self.parse_identifier()
            word = self.text[start:self.pos]
            if word in _LITERALS:
                return _LITERALS[word]
            raise self.error("unexpected unquoted word (string values must be quoted)", start)
        if char == '/':
            raise self.error("unexpected '/' (comments start with '//' or '/*')")
        raise self.expected_error('a value')

    def parse_number(self):
        text = self.text
        start = self.pos
        match = _NUMBER.match(text, start)
        end = match.end() if match else start
        if not match or _NUMBER_FOLLOW_BAD.match(text, end):
            token = _BAD_TOKEN.match(text, start).group()
            digits = token.lstrip('+-')
            if digits[:1] == '0' and digits[1:2] in _DIGITS:
                raise self.error('invalid number: leading zeros are not allowed', start)
            raise self.error('invalid number', start)
        number = match.group()
        self.pos = end
        unsigned = number.lstrip('+-')
        if unsigned in ('Infinity', 'NaN'):
            return float(number)
        try:
            if unsigned[:2] in ('0x', '0X'):
                return int(number, 16)
            if '.' in number or 'e' in number or 'E' in number:
                return float(number)
            return int(number)
        except ValueError as exc:
            # Python >= 3.11 refuses to convert huge integers (int_max_str_digits).
            raise self.error('cannot convert number (%d digits)' % len(unsigned), start) from exc

    def parse_string(self):
        text = self.text
        quote = text[self.pos]
        start = self.pos
        chunk = _STRING_CHUNK[quote]
        pos = start + 1
        parts = []
        while True:
            match = chunk.match(text, pos)
            parts.append(match.group())
            pos = match.end()
            char = text[pos:pos + 1]
            if char == quote:
                self.pos = pos + 1
                return ''.join(parts)
            if not char:
                raise self.error('unterminated string', start)
            if char != '\\':
                raise self.error('line break inside string (write it as \\n, or put a backslash before it to continue the string)', pos)
            pos, decoded = self.parse_escape(pos)
            parts.append(decoded)

    def parse_escape(self, pos):
        """Decode the escape sequence whose backslash is at ``pos``; return (next offset, text)."""
        text = self.text
        char = text[pos + 1:pos + 2]
        if char in _SIMPLE_ESCAPES:
            return pos + 2, _SIMPLE_ESCAPES[char]
        if char == 'u':
            code = self.hex_escape(4, pos)
            # Combine an escaped UTF-16 surrogate pair into one code point, as json.loads does.
            if 0xd800 <= code <= 0xdbff and text.startswith('\\u', pos + 6):
                match = _HEX4.match(text, pos + 8)
                if match:
                    low = int(match.group(), 16)
                    if 0xdc00 <= low <= 0xdfff:
                        return pos + 12, chr(0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00))
            return pos + 6, chr(code)
        if char == 'x':
            return pos + 4, chr(self.hex_escape(2, pos))
        if char == '0':
            if text[pos + 2:pos + 3] in _DIGITS:
                raise self.error("invalid escape sequence (octal escapes are not allowed)", pos)
            return pos + 2, '\0'
        if char in _DIGITS:
            raise self.error("invalid escape sequence (octal escapes are not allowed)", pos)
        if char in _LINE_CONTINUATIONS:
            # Line continuation: the backslash and the line terminator vanish.
            if text.startswith('\r\n', pos + 1):
                return pos + 3, ''
            return pos + 2, ''
        # Any other escaped character stands for itself. (A backslash at the very
        # end yields '' here; the caller then reports the unterminated string.)
        return pos + 2, char

    def hex_escape(self, width, pos):
        """Decode the ``width`` hex digits of the \\x or \\u escape whose backslash is at ``pos``."""
        digits = _HEX_DIGITS.match(self.text, pos + 2, pos + 2 + width).group()
        if len(digits) != width:
            raise self.error("invalid escape sequence (expected %d hexadecimal digits)" % width, pos)
        return int(digits, 16)

    def parse_identifier(self):
        """Parse an ECMAScript IdentifierName (used for unquoted keys and for literals)."""
        text = self.text
        start = self.pos
        match = _ASCII_IDENTIFIER.match(text, start)
        if match:
            following = text[match.end():match.end() + 1]
            if not following or (following != '\\' and following < '\x80'):
                self.pos = match.end()
                return match.group()
        # Slow path: non-ASCII letters or \uXXXX escapes.
        pos = start
        chars = []
        while pos < len(text):
            char = text[pos]
            escaped = char == '\\'
            if escaped:
                if not text.startswith('u', pos + 1):
                    raise self.error('invalid escape in identifier (only \\uXXXX is allowed)', pos)
                char = chr(self.hex_escape(4, pos))
            if not (_is_id_part(char) if chars else _is_id_start(char)):
                if escaped:
                    raise self.error('escaped character is not valid in an identifier', pos)
                break
            chars.append(char)
            pos += 6 if escaped else 1
        self.pos = pos
        return ''.join(chars)


def loads(text):
    """Parse a JSON5 document and return the corresponding Python object.

    Objects become ``dict`` (key order preserved, the last duplicate key wins),
    arrays become ``list``; integers stay ``int`` and other numbers are ``float``.
    Raises ``JSON5DecodeError`` on malformed input.
    """
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode('utf-8')
    if not isinstance(text, str):
        raise TypeError('the JSON5 document must be str or bytes, not %s' % type(text).__name__)
    # Fast path: most config files are plain JSON, which the C accelerated json
    # module parses far quicker. Everything it accepts is valid JSON5 with the
    # same meaning, except for nesting beyond MAX_DEPTH, which is re-checked.
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        pass
    else:
        if not isinstance(value, (dict, list)) or not _max_depth_exceeded(value):
            return value
    return _Parser(text).parse()
