"""Write the variables part of every role's README.md from its meta/argument_specs.yml.

argument_specs.yml is the one description of a role's variables (ansible-doc -t role shows it, the role
enforces it): the README repeats it, generated, between the two markers below. Text outside the markers
is hand-written and kept; a role without a README gets one with only the generated part (Galaxy's
importer refuses a role without a README).

    python3 scripts/gen-role-readmes.py           rewrite the READMEs that are out of date
    python3 scripts/gen-role-readmes.py --check   list them and exit 1, change nothing (the unit tests do this)
"""
import argparse
import glob
import json
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN = "<!-- BEGIN generated from meta/argument_specs.yml by scripts/gen-role-readmes.py: do not edit by hand -->"
END = "<!-- END generated -->"

# Ansible's documentation markup (https://docs.ansible.com/ansible/latest/dev_guide/ansible_markup.html)
# in Markdown: code for names and values, emphasis for I() and B(), links for U() and L().
MARKUP = [
    (re.compile(r"\b(?:RV|[CVOEMP])\(([^)]*)\)"), r"`\1`"),
    (re.compile(r"I\(([^)]*)\)"), r"*\1*"),
    (re.compile(r"B\(([^)]*)\)"), r"**\1**"),
    (re.compile(r"U\(([^)]*)\)"), r"<\1>"),
    (re.compile(r"L\(([^,)]*),\s*([^)]*)\)"), r"[\1](\2)"),
]


def markdown(text):
    for pattern, replacement in MARKUP:
        text = pattern.sub(replacement, text)
    return text


def paragraphs(description):
    if description is None:
        return []
    return [markdown(" ".join(str(item).split())) for item in (description if isinstance(description, list) else [description])]


def cell(text):
    """One Markdown table cell: no line break, no bare column separator."""
    return " ".join(text.split()).replace("|", "\\|")


def show_default(option):
    if "default" not in option:
        return ""
    value = option["default"]
    shown = value if isinstance(value, str) else json.dumps(value)
    if shown == "":
        shown = '""'
    return "`%s`" % shown.replace("`", "'")


def show_type(option):
    kind = option.get("type", "str")
    if kind == "list" and option.get("elements"):
        kind = "list of %s" % option["elements"]
    if option.get("choices"):
        kind += ": " + ", ".join("`%s`" % choice for choice in option["choices"])
    return kind


def option_rows(options, prefix=""):
    rows = []
    for name in sorted(options):
        option = options[name] or {}
        description = " ".join(paragraphs(option.get("description")))
        if option.get("required"):
            description = "**Required.** " + description
        rows.append("| `%s%s` | %s | %s | %s |" % (prefix, name, cell(show_type(option)), cell(show_default(option)), cell(description)))
        if option.get("options"):
            rows.extend(option_rows(option["options"], prefix="%s%s." % (prefix, name)))
    return rows


def generated_part(role, specs):
    lines = [BEGIN, ""]
    main_options = (specs.get("main") or {}).get("options")
    for entry_point in sorted(specs, key=lambda name: (name != "main", name)):
        spec = specs[entry_point] or {}
        if entry_point == "main":
            lines.append("## Entry point `main`")
        else:
            lines.append("## Entry point `%s` (`tasks_from: %s`)" % (entry_point, entry_point))
        lines.append("")
        if spec.get("short_description"):
            lines.extend([markdown(spec["short_description"].strip()) + ".", ""])
        for paragraph in paragraphs(spec.get("description")):
            lines.extend([paragraph, ""])
        options = spec.get("options") or {}
        if options and entry_point != "main" and options == main_options:
            lines.append("Its variables are those of `main`.")
        elif options:
            lines.extend(["| Variable | Type | Default | Description |", "| --- | --- | --- | --- |"])
            lines.extend(option_rows(options))
        else:
            lines.append("No variables.")
        lines.append("")
    lines.append("`ansible-doc -t role clawops.openclaw.%s` shows the same." % role)
    lines.extend(["", END])
    return "\n".join(lines) + "\n"


def expected_readme(role_dir):
    """(path, the README as it should be, the README as it is or None)."""
    role = os.path.basename(role_dir)
    with open(os.path.join(role_dir, "meta", "argument_specs.yml")) as handle:
        specs = yaml.safe_load(handle)["argument_specs"]
    path = os.path.join(role_dir, "README.md")
    current = None
    if os.path.exists(path):
        with open(path) as handle:
            current = handle.read()
    part = generated_part(role, specs)
    if current is None:
        return path, "# clawops.openclaw.%s\n\n%s" % (role, part), None
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        return path, head + part.rstrip("\n") + tail, current
    return path, current.rstrip("\n") + "\n\n" + part, current


def role_dirs():
    return sorted(os.path.dirname(os.path.dirname(spec)) for spec in glob.glob(os.path.join(ROOT, "roles", "*", "meta", "argument_specs.yml")))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a README is out of date, write nothing")
    args = parser.parse_args()
    stale = []
    for role_dir in role_dirs():
        path, wanted, current = expected_readme(role_dir)
        if wanted == current:
            continue
        stale.append(os.path.relpath(path, ROOT))
        if not args.check:
            with open(path, "w") as handle:
                handle.write(wanted)
    for path in stale:
        print("%s %s" % ("out of date:" if args.check else "written:", path))
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
