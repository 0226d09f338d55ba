# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.clawops.openclaw.plugins.filter.expired_files import expired_files

NOW = 1_800_000_000
DAY = 86400


def found(*ages_in_days):
    """ansible.builtin.find's files, in find's (arbitrary) order."""
    return [{"path": "/etc/privoxy/config.%d~" % i, "mtime": NOW - age * DAY} for i, age in enumerate(ages_in_days)]


def paths(files):
    return [f["path"] for f in files]


def test_beyond_keep_newest_first_whatever_the_input_order():
    files = found(3, 1, 2, 5, 4)
    assert paths(expired_files(files, 2, 0, now=NOW)) == ["/etc/privoxy/config.0~", "/etc/privoxy/config.4~", "/etc/privoxy/config.3~"]


def test_older_than_max_age_expires_but_the_newest_always_stays():
    assert paths(expired_files(found(10, 100, 200), 5, 90, now=NOW)) == ["/etc/privoxy/config.1~", "/etc/privoxy/config.2~"]
    assert paths(expired_files(found(500, 400), 5, 90, now=NOW)) == ["/etc/privoxy/config.0~"]
    assert expired_files(found(500), 1, 1, now=NOW) == []
    assert expired_files([], 1, 1, now=NOW) == []


def test_no_age_limit_with_zero_and_string_numbers_from_templates():
    assert expired_files(found(1000, 2000), "5", "0", now=NOW) == []


@pytest.mark.parametrize("keep, age", [(0, 0), (-1, 0), (1, -1)])
def test_a_retention_that_would_remove_everything_is_refused(keep, age):
    with pytest.raises(AnsibleFilterError, match="keep must be at least 1"):
        expired_files(found(1, 2), keep, age, now=NOW)
