# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Differential fuzzing of the private JSON5 parser against the json5 package (the reference).

Seeded random documents written with every JSON5 feature the parser claims (comments, trailing commas,
unquoted and quoted keys, single quotes, escapes and line continuations, hex, leading and trailing decimal
points, signs, Infinity and NaN, JSON5's extra whitespace) must give the value they were written from,
in both parsers; mutations of them (characters dropped, inserted, doubled, swapped) must give the same
value in both or be refused by both. Every seed is a test id: a failure names the document."""

import math
import random

import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils._json5 import JSON5DecodeError, loads

json5 = pytest.importorskip("json5")

DOCUMENTS_PER_SEED = 60
MUTATIONS_PER_DOCUMENT = 8
SEEDS = range(12)

WHITESPACE = [" ", "\t", "\n", "\r\n", "\v", "\f", "\u00a0", "\u2028", "\ufeff", "\u3000"]
KEY_CHARS = "abcXYZ_$019"
STRING_CHARS = "aZ 09!#%&()*+,-./:;<=>?@[]^_`{|}~\u00e9\u4e2d\U0001f600"
ESCAPES = {"\\n": "\n", "\\t": "\t", "\\b": "\b", "\\f": "\f", "\\r": "\r", "\\v": "\v", "\\0": "\0", "\\\\": "\\",
           "\\/": "/", "\\x41": "A", "\\u00e9": "\u00e9", "\\'": "'", '\\"': '"', "\\\n": "", "\\\r\n": "", "\\q": "q"}
# What a mutation inserts: the characters that change JSON5's meaning.
SYNTAX = list("{}[],:'\"/*\\+-.0123456789eExXabINfn \n") + ["//", "/*", "*/", "Infinity", "NaN", "0x", "\\u", "\u2028"]


class Writer:
    """A random value and a JSON5 text for it."""

    def __init__(self, rng):
        self.rng = rng

    def space(self):
        rng = self.rng
        out = []
        for dummy in range(rng.choice([0, 0, 0, 1, 2])):
            kind = rng.random()
            if kind < 0.7:
                out.append(rng.choice(WHITESPACE))
            elif kind < 0.85:
                out.append("// note %d\n" % rng.randint(0, 9))
            else:
                out.append("/* block\n %d */" % rng.randint(0, 9))
        return "".join(out)

    def string(self):
        rng = self.rng
        quote = rng.choice(["'", '"'])
        value, text = [], []
        for dummy in range(rng.randint(0, 8)):
            if rng.random() < 0.3:
                escape = rng.choice(sorted(ESCAPES))
                text.append(escape)
                value.append(ESCAPES[escape])
            else:
                char = rng.choice(STRING_CHARS + ("'" if quote == '"' else '"'))
                if char.isdigit() and text and text[-1] == "\\0":
                    char = "a"  # \0 followed by a digit is not an escape JSON5 has
                text.append(char)
                value.append(char)
        return "".join(value), quote + "".join(text) + quote

    def key(self):
        rng = self.rng
        if rng.random() < 0.5:
            name = rng.choice("abcXYZ_$") + "".join(rng.choice(KEY_CHARS) for dummy in range(rng.randint(0, 5)))
            if name not in ("true", "false", "null", "Infinity", "NaN"):
                return name, name
        return self.string()

    def number(self):
        rng = self.rng
        kind = rng.randrange(7)
        sign = rng.choice(["", "", "-", "+"])
        negative = sign == "-"
        if kind == 0:
            n = rng.randint(0, 10 ** rng.randint(1, 20))
            value, text = n, str(n)
        elif kind == 1:
            n = rng.randint(0, 0xFFFFFF)
            value, text = n, rng.choice(["0x%x", "0X%X"]) % n
        elif kind == 2:
            whole, frac = rng.randint(0, 999), rng.randint(0, 999)
            text = "%d.%03d" % (whole, frac)
            value = float(text)
        elif kind == 3:
            frac = rng.randint(0, 999)
            text = ".%d" % frac
            value = float(text)
        elif kind == 4:
            whole = rng.randint(0, 999)
            text = "%d." % whole
            value = float(whole)
        elif kind == 5:
            mantissa, exponent = rng.randint(1, 99), rng.randint(-30, 30)
            text = "%d%s%+d" % (mantissa, rng.choice("eE"), exponent)
            value = float(text)
        else:
            special = rng.choice(["Infinity", "NaN"])
            text, value = special, float("inf") if special == "Infinity" else float("nan")
        if negative:
            value = -value
        return value, sign + text

    def value(self, depth=0):
        rng = self.rng
        kind = rng.randrange(8 if depth < 4 else 5)
        if kind == 0:
            literal = rng.choice(["true", "false", "null"])
            return {"true": True, "false": False, "null": None}[literal], literal
        if kind in (1, 2):
            return self.string()
        if kind in (3, 4):
            return self.number()
        if kind in (5, 6):
            value, parts = {}, []
            for dummy in range(rng.randint(0, 4)):
                key, key_text = self.key()
                item, item_text = self.value(depth + 1)
                value[key] = item
                parts.append("%s%s%s:%s%s%s" % (self.space(), key_text, self.space(), self.space(), item_text, self.space()))
            return value, "{%s%s%s}" % (",".join(parts), "," if parts and rng.random() < 0.3 else "", self.space())
        value, parts = [], []
        for dummy in range(rng.randint(0, 4)):
            item, item_text = self.value(depth + 1)
            value.append(item)
            parts.append(self.space() + item_text + self.space())
        return value, "[%s%s%s]" % (",".join(parts), "," if parts and rng.random() < 0.3 else "", self.space())

    def document(self):
        value, text = self.value()
        return value, self.space() + text + self.space()


def mutate(rng, text):
    pos = rng.randint(0, len(text))
    kind = rng.randrange(4)
    if kind == 0 and text:
        end = min(len(text), pos + rng.randint(1, 3))
        return text[:pos] + text[end:]
    if kind == 1:
        return text[:pos] + rng.choice(SYNTAX) + text[pos:]
    if kind == 2:
        end = min(len(text), pos + rng.randint(1, 6))
        return text[:end] + text[pos:]
    if len(text) > 1:
        pos = min(pos, len(text) - 2)
        return text[:pos] + text[pos + 1] + text[pos] + text[pos + 2:]
    return text + "}"


def same(a, b):
    """Equal, with NaN equal to NaN, ints and floats told apart (1 is not 1.0), key order ignored."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return set(a) == set(b) and all(same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def ours(text):
    try:
        return True, loads(text)
    except JSON5DecodeError:
        return False, None


def reference(text):
    try:
        return True, json5.loads(text)
    except ValueError:  # the reference raises ValueError for every malformed document
        return False, None


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_documents_mean_what_they_were_written_from(seed):
    rng = random.Random(seed)
    writer = Writer(rng)
    for dummy in range(DOCUMENTS_PER_SEED):
        value, text = writer.document()
        ok, parsed = ours(text)
        assert ok and same(parsed, value), "ours differs on %r" % text
        ok, parsed = reference(text)
        assert ok and same(parsed, value), "the reference differs on %r" % text


@pytest.mark.parametrize("seed", SEEDS)
def test_mutated_documents_give_the_same_value_or_are_refused_by_both(seed):
    rng = random.Random(1000 + seed)
    writer = Writer(rng)
    accepted = refused = 0
    for dummy in range(DOCUMENTS_PER_SEED):
        dummy, text = writer.document()
        for dummy in range(MUTATIONS_PER_DOCUMENT):
            text = mutate(rng, text)
            (ours_ok, ours_value), (ref_ok, ref_value) = ours(text), reference(text)
            assert ours_ok == ref_ok, "%s accepts %r, the other refuses it" % ("ours" if ours_ok else "the reference", text)
            assert not ours_ok or same(ours_value, ref_value), "different values for %r: %r, %r" % (text, ours_value, ref_value)
            accepted += ours_ok
            refused += not ours_ok
    # Both outcomes must be exercised, or the comparison says little.
    assert accepted > 20 and refused > 20, (accepted, refused)


def test_same_tells_apart_what_the_comparison_must():
    assert same({"a": [1, float("nan")]}, {"a": [1, float("nan")]})
    assert not same(1, 1.0)
    assert not same({"a": 1}, {"a": 1, "b": 2})
    assert not same([True], [1])
