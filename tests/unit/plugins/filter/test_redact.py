# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.clawops.openclaw.plugins.filter.redact import FilterModule

S = "SENTINEL-9a0c"


def test_redact_filter_strings_and_trees():
    redact = FilterModule().filters()["redact"]
    assert redact("openclaw doctor: Authorization: Bearer %s rejected" % S) == "openclaw doctor: Authorization: Bearer <redacted> rejected"
    out = redact([{"id": "x", "message": "fetch https://u:%s@h/?key=%s" % (S, S), "apiKey": S}])
    assert S not in json.dumps(out) and out[0]["id"] == "x"
    assert redact(None) is None and redact(3) == 3
