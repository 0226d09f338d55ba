# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json

from ansible_collections.clawops.openclaw.plugins.filter.redact import FilterModule

S = "SENTINEL-9a0c"


def test_redact_filter_strings_and_trees():
    redact = FilterModule().filters()["redact"]
    assert redact("openclaw doctor: Authorization: Bearer %s rejected" % S) == "openclaw doctor: Authorization: Bearer <redacted> rejected"
    out = redact([{"id": "x", "message": "fetch https://u:%s@h/?key=%s" % (S, S), "apiKey": S}])
    assert S not in json.dumps(out) and out[0]["id"] == "x"
    assert redact(None) is None and redact(3) == 3


def test_redact_a_log_of_json_lines_for_the_diagnostics_bundle():
    """remediate's hung bundle keeps the gateway's log tail: secrets inside its JSON lines are masked by key and shape."""
    redact = FilterModule().filters()["redact"]
    log = "\n".join([
        json.dumps({"time": "t1", "msg": "remote model catalog refresh failed", "url": "http://127.0.0.1:9/v1?key=%s" % S}),
        json.dumps({"time": "t2", "provider": {"apiKey": S, "headers": {"Authorization": "Bearer %s" % S}}, "level": "warn"}),
        "plain text line: Authorization: Bearer %s" % S,
        "{not json",
        "",
    ])
    out = redact(log, lines=True)
    assert S not in out
    lines = out.split("\n")
    assert len(lines) == 5 and json.loads(lines[0])["msg"] == "remote model catalog refresh failed"
    assert json.loads(lines[1])["level"] == "warn" and lines[3] == "{not json"
