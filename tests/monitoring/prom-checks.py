#!/usr/bin/env python3
"""Checks against a running Prometheus that scrapes a live Sixlink gateway (used by
tests/monitoring/check-live; python3 standard library only).

usage:
  prom-checks.py wait PROM_URL EXPR SECONDS      wait until EXPR returns a sample
  prom-checks.py rules PROM_URL RULE_FILE SECONDS the rule file loaded, every rule evaluated
                                                  with health ok, every alert documented, and
                                                  every metric it names has series
  prom-checks.py alerts PROM_URL SECONDS NAME=MEMBER...
                                                  each alert NAME is pending or firing for
                                                  member MEMBER; SixlinkGatewayDown is not
  prom-checks.py dashboard PROM_URL DASHBOARD_JSON SCRAPE_FILE
                                                  every expression of the dashboard (and every
                                                  template-variable query) parses and returns
                                                  data from the live server

Exit status 0 when every check holds; 1 with each failure named on stderr.
"""
import json
import math
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

# Grafana template variables and what they stand for in a direct query. `$__rate_interval`
# becomes 5m (longer than the whole check) so counters incremented early still show a rate.
SUBSTITUTIONS = [
    ("${__rate_interval}", "5m"), ("$__rate_interval", "5m"),
    ("${__interval}", "5m"), ("$__interval", "5m"),
    ("${__range}", "5m"), ("$__range", "5m"),
]
MULTI_VALUE_VARIABLES = ("member", "instance")  # "All" = .*, used with =~

# Metrics the lead adds to the gateway in parallel (process_*): a panel that needs one is
# reported as skipped, not failed, while the live gateway does not export it yet.
OPTIONAL_METRIC_PREFIXES = ("process_",)


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)


def api(base, path, params=None):
    url = base.rstrip("/") + path
    if params:
        url += "?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return json.loads(r.read().decode("utf-8"))
    except urllib.error.HTTPError as e:  # 400/422 carry a JSON error body
        try:
            return json.loads(e.read().decode("utf-8"))
        except ValueError:
            return {"status": "error", "error": f"HTTP {e.code}"}


def query(base, expr):
    return api(base, "/api/v1/query", {"query": expr})


def has_real_value(result):
    """True when at least one sample of an instant-vector/scalar result is a number."""
    for item in result:
        value = item.get("value")
        if value is None:
            continue
        try:
            if not math.isnan(float(value[1])):
                return True
        except (TypeError, ValueError):
            pass
    return False


def substitute(expr):
    for name, value in SUBSTITUTIONS:
        expr = expr.replace(name, value)
    for var in MULTI_VALUE_VARIABLES:
        expr = expr.replace("${" + var + "}", ".*").replace("$" + var, ".*")
    return expr


def metric_names(expr):
    """Metric names used as selectors: `name{…}` or `name[…]` (functions are followed by '(')."""
    names = set(re.findall(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{\[]", expr))
    return {n for n in names if n not in ("by", "without", "on", "ignoring", "group_left", "group_right")}


def scraped_names(scrape_file):
    names = set()
    with open(scrape_file, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            names.add(re.split(r"[{\s]", line, maxsplit=1)[0])
    return names


def cmd_wait(base, expr, seconds):
    deadline = time.monotonic() + float(seconds)
    last = None
    while time.monotonic() < deadline:
        try:
            last = query(base, expr)
            if last.get("status") == "success" and last["data"]["result"]:
                return 0
        except (OSError, ValueError) as e:
            last = str(e)
        time.sleep(0.5)
    fail(f"no sample for {expr} within {seconds} s (last answer: {last})")
    return 1


def cmd_rules(base, rule_file, seconds):
    """The rule file must be loaded and every rule evaluated without error."""
    with open(rule_file, encoding="utf-8") as f:
        expected = re.findall(r"^\s*-\s*alert:\s*(\S+)", f.read(), re.M)
    if not expected:
        fail(f"no alert found in {rule_file}")
        return 1
    deadline = time.monotonic() + float(seconds)
    while True:
        answer = api(base, "/api/v1/rules")
        rules = {}
        for g in answer.get("data", {}).get("groups", []):
            for r in g.get("rules", []):
                rules[r.get("name")] = r
        pending = [n for n in expected if n not in rules or rules[n].get("health") == "unknown"]
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    errors = 0
    for name in expected:
        r = rules.get(name)
        if r is None:
            fail(f"rule {name} is not loaded by Prometheus (/api/v1/rules)")
            errors += 1
            continue
        if r.get("health") != "ok" or r.get("lastError"):
            fail(f"rule {name}: health {r.get('health')!r}, error {r.get('lastError')!r}")
            errors += 1
        labels, annotations = r.get("labels", {}), r.get("annotations", {})
        if labels.get("severity") not in ("critical", "warning", "info"):
            fail(f"rule {name}: no severity label")
            errors += 1
        for key in ("summary", "description", "runbook_url"):
            if not annotations.get(key):
                fail(f"rule {name}: no {key} annotation")
                errors += 1
        # A misspelt metric would make the rule silently never fire: each must have series.
        for metric in sorted(metric_names(r.get("query", ""))):
            res = query(base, f'count({{__name__="{metric}"}})')
            if res.get("status") != "success" or not res["data"]["result"]:
                fail(f"rule {name}: metric {metric} has no series on the live gateway")
                errors += 1
    extra = sorted(set(rules) - set(expected))
    if extra:
        print(f"note: rules loaded that the file check did not expect: {extra}")
    print(f"rules: {len(expected)} alert rules loaded and evaluated (health ok)")
    return 1 if errors else 0


def cmd_alerts(base, seconds, wanted):
    deadline = time.monotonic() + float(seconds)
    while True:
        alerts = api(base, "/api/v1/alerts").get("data", {}).get("alerts", [])
        active = {(a["labels"].get("alertname"), a["labels"].get("member")): a["state"] for a in alerts}
        missing = [w for w in wanted if tuple(w.split("=", 1)) not in active]
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    errors = 0
    for w in missing:
        fail(f"alert {w.replace('=', ' for member ')} is neither pending nor firing (active: {sorted(active)})")
        errors += 1
    for (name, _member), state in active.items():
        if name == "SixlinkGatewayDown":
            fail(f"SixlinkGatewayDown is {state} although the gateway is up")
            errors += 1
    for w in wanted:
        if tuple(w.split("=", 1)) in active:
            name, member = w.split("=", 1)
            print(f"alert {name} for {member}: {active[(name, member)]}")
    return 1 if errors else 0


def dashboard_queries(dash):
    """(where, expression) for every panel target and every query template variable."""
    out = []

    def walk(panels):
        for p in panels:
            if p.get("type") == "row":
                walk(p.get("panels", []))
                continue
            for t in p.get("targets", []):
                out.append((f'panel "{p.get("title")}" target {t.get("refId")}', t.get("expr", "")))

    walk(dash.get("panels", []))
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") != "query":
            continue
        q = v.get("query")
        q = q.get("query", "") if isinstance(q, dict) else (q or "")
        m = re.fullmatch(r"\s*label_values\(\s*(.*)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*", q, re.S)
        if m:  # Grafana's label_values(SELECTOR, LABEL): the label's values on those series
            out.append((f'variable "{v.get("name")}"', f"count by ({m.group(2)}) ({m.group(1)})"))
        else:
            out.append((f'variable "{v.get("name")}"', q))
    return out


def cmd_dashboard(base, dashboard_file, scrape_file):
    with open(dashboard_file, encoding="utf-8") as f:
        dash = json.load(f)
    exported = scraped_names(scrape_file) | {"up"}
    errors = checked = skipped = 0
    for where, raw in dashboard_queries(dash):
        expr = substitute(raw)
        if "$" in expr:
            fail(f"{where}: unsubstituted template variable in {raw!r}")
            errors += 1
            continue
        needed = metric_names(expr)
        absent_optional = sorted(n for n in needed if n not in exported and n.startswith(OPTIONAL_METRIC_PREFIXES))
        if absent_optional:
            print(f"skip: {where}: {', '.join(absent_optional)} not exported by this gateway yet")
            skipped += 1
            continue
        res = query(base, expr)
        if res.get("status") != "success":
            fail(f"{where}: {expr}\n      error: {res.get('errorType')}: {res.get('error')}")
            errors += 1
            continue
        data = res["data"]
        result = data["result"]
        if data.get("resultType") == "scalar":
            result = [{"value": result}]
        if not result:
            unknown = sorted(n for n in needed if n not in exported)
            why = f" (not exported by the gateway: {', '.join(unknown)})" if unknown else ""
            fail(f"{where}: {expr}\n      returned no data{why}")
            errors += 1
        elif not has_real_value(result):
            fail(f"{where}: {expr}\n      returned only NaN ({len(result)} series)")
            errors += 1
        else:
            checked += 1
    print(f"dashboard: {checked} expressions returned data, {skipped} skipped, {errors} failed")
    return 1 if errors else 0


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "wait" and len(args) == 3:
        return cmd_wait(*args)
    if cmd == "rules" and len(args) == 3:
        return cmd_rules(*args)
    if cmd == "alerts" and len(args) >= 2:
        return cmd_alerts(args[0], args[1], args[2:])
    if cmd == "dashboard" and len(args) == 3:
        return cmd_dashboard(*args)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
