"""The `ims` command. Server and report code is imported lazily, inside the commands that need it."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from models.enums import Role

Handler = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """A one-line problem to print before exiting non-zero (`exit_code`)."""

    exit_code = 1


class BadInput(CliError):
    """A refused setting or argument: nothing was written; exit 2 like a usage error."""

    exit_code = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `ims` command line."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `ims rules list | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except CliError as exc:
        print(f"ims: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # one line, never a traceback, for errors with a stable code
        from sync.errors import ImsError

        if isinstance(exc, ImsError):
            print(f"ims: error: {exc.message}", file=sys.stderr)
            return 1
        raise


def build_parser() -> argparse.ArgumentParser:
    """Describe every subcommand."""
    parser = argparse.ArgumentParser(
        prog="ims", description="Field IMS: offline-first incident management for workplaces."
    )
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    server = sub.add_parser("server", help="run the central server (API at /api/v1, web app at /)")
    _store_options(server)
    server.add_argument("--host", help="address to bind (IMS_HOST, default 127.0.0.1)")
    server.add_argument("--port", type=int, help="port (IMS_PORT, default 8550)")
    server.add_argument("--no-web", action="store_true", help="serve the API only")
    server.set_defaults(handler=cmd_server)

    db = sub.add_parser("db", help="database schema").add_subparsers(title="db commands", metavar="ACTION")
    upgrade = db.add_parser("upgrade", help="apply the migrations to the central store")
    _store_options(upgrade)
    upgrade.set_defaults(handler=cmd_db_upgrade)

    site = sub.add_parser("site", help="sites").add_subparsers(title="site commands", metavar="ACTION")
    site_add = site.add_parser("add", help="add a site (establishment)")
    _store_options(site_add)
    site_add.add_argument("code", help="short unique code, e.g. SHA")
    site_add.add_argument("--name", required=True, help="establishment name")
    site_add.add_argument("--country", default="US", help="ISO country code (default US)")
    site_add.add_argument("--timezone", default="UTC", help="IANA time zone, e.g. Asia/Kuala_Lumpur")
    site_add.set_defaults(handler=cmd_site_add)
    targets = site.add_parser("targets", help="show or set a site's response targets (minutes per priority)")
    _store_options(targets)
    targets.add_argument("code", help="site code, e.g. HOU")
    targets.add_argument(
        "pairs",
        nargs="*",
        metavar="P1=MIN",
        help="minutes to acknowledge; P1=default goes back to the policy",
    )
    _by_option(targets)
    targets.set_defaults(handler=cmd_site_targets)

    user = sub.add_parser("user", help="users").add_subparsers(title="user commands", metavar="ACTION")
    user_add = user.add_parser("add", help="add a user; the password is asked for (or IMS_PASSWORD)")
    _store_options(user_add)
    user_add.add_argument("username")
    user_add.add_argument("--name", default="", help="display name")
    user_add.add_argument("--email", default="")
    user_add.add_argument("--language", default="en", choices=["en", "ms", "id", "hi", "ar"])
    user_add.add_argument(
        "--role",
        action="append",
        required=True,
        metavar="ROLE[@SITE]",
        help=f"one of {', '.join(r.value for r in Role)}, optionally at a site code; repeatable",
    )
    user_add.set_defaults(handler=cmd_user_add)

    app = sub.add_parser("app", help="run the field app (desktop window, or --web in a browser)")
    app.add_argument("--web", action="store_true", help="serve the app for a browser instead of a window")
    app.add_argument("--port", type=int, default=8551, help="port for --web (default 8551)")
    app.add_argument("--server", help="central server URL (IMS_SERVER_URL, default http://127.0.0.1:8550)")
    app.set_defaults(handler=cmd_app)

    demo = sub.add_parser("demo", help="create a demo site, users and incidents, then serve on :8550")
    demo.add_argument("--data-dir", type=Path, default=Path("ims-data/demo"), help="default ims-data/demo")
    demo.add_argument("--port", type=int, default=8550)
    demo.add_argument("--seed-only", action="store_true", help="create the demo data and exit")
    demo.set_defaults(handler=cmd_demo)

    audit = sub.add_parser("audit", help="the tamper-evident audit trail").add_subparsers(
        title="audit commands", metavar="ACTION"
    )
    verify = audit.add_parser("verify", help="walk the hash chain; fail naming the first bad event")
    _store_options(verify)
    verify.set_defaults(handler=cmd_audit_verify)

    jobs = sub.add_parser("jobs", help="background jobs").add_subparsers(
        title="jobs commands", metavar="ACTION"
    )
    run_once = jobs.add_parser("run-once", help="escalate, remind and deliver notifications once, then exit")
    _store_options(run_once)
    run_once.set_defaults(handler=cmd_jobs_run_once)

    osha = sub.add_parser("osha", help="OSHA recordkeeping (29 CFR 1904)").add_subparsers(
        title="osha commands", metavar="ACTION"
    )
    classify = osha.add_parser("classify", help="classify a case file (JSON) and print the result as JSON")
    classify.add_argument("case_file", metavar="CASE.json", help="the case file; - reads standard input")
    classify.set_defaults(handler=cmd_osha_classify)

    report = sub.add_parser("report", help="make a form or report of a site's year, or of one incident")
    _store_options(report)
    report.add_argument("kind", metavar="KIND", help=f"one of: {', '.join(REPORT_KINDS)}")
    report.add_argument("--site", help="site code, e.g. HOU")
    report.add_argument("--year", type=int, help="calendar year, e.g. 2025")
    report.add_argument("--incident", metavar="REF", help="incident reference (jkkp6, incident)")
    report.add_argument("--case", metavar="N", help="osha-301: only this case number (or incident reference)")
    report.add_argument("--ltifr-base", type=int, help="metrics: hours base of the LTIFR (default 1,000,000)")
    report.add_argument("-o", "--output", required=True, help="file to write; - writes standard output")
    report.set_defaults(handler=cmd_report)

    metrics = sub.add_parser("metrics", help="print the safety metrics of a site's year")
    _store_options(metrics)
    metrics.add_argument("--site", required=True, help="site code, e.g. HOU")
    metrics.add_argument("--year", type=int, required=True, help="calendar year, e.g. 2025")
    metrics.add_argument("--ltifr-base", type=int, help="hours base of the LTIFR (default 1,000,000)")
    metrics.set_defaults(handler=cmd_metrics)

    rules = sub.add_parser("rules", help="the adjustable rules table (deadlines, thresholds, codes)")
    rule_cmds = rules.add_subparsers(title="rules commands", metavar="ACTION")
    rules_list = rule_cmds.add_parser("list", help="every rule in effect, with its overrides")
    _store_options(rules_list)
    rules_list.add_argument("--site", help="site code (default: the table every site starts from)")
    rules_list.add_argument(
        "--jurisdiction", metavar="XX", help="only this jurisdiction's rules, e.g. US, ALL"
    )
    rules_list.add_argument("--json", action="store_true", help="print JSON")
    rules_list.set_defaults(handler=cmd_rules_list)
    rules_set = rule_cmds.add_parser(
        "set", help="override fields of a rule: value, authority, trigger, citation, confidence, note"
    )
    _store_options(rules_set)
    rules_set.add_argument("rule", metavar="CODE", help="rule code, e.g. osha.severe_injury_24h")
    rules_set.add_argument(
        "pairs", nargs="+", metavar="FIELD=VALUE", help="value is read as JSON when it parses (12, '[\"a\"]')"
    )
    rules_set.add_argument("--site", help="site code (default: every site)")
    _by_option(rules_set)
    rules_set.add_argument("--note", help="why the rule is changed (kept with the override)")
    rules_set.set_defaults(handler=cmd_rules_set)
    rules_reset = rule_cmds.add_parser("reset", help="remove an override of a rule")
    _store_options(rules_reset)
    rules_reset.add_argument("rule", metavar="CODE", help="rule code")
    rules_reset.add_argument("--site", help="site code (default: the override for every site)")
    _by_option(rules_reset)
    rules_reset.set_defaults(handler=cmd_rules_reset)

    notify = sub.add_parser("notify", help="where a site's notifications go, per role")
    notify_cmds = notify.add_subparsers(title="notify commands", metavar="ACTION")
    notify_list = notify_cmds.add_parser("list", help="list the notification routes")
    _store_options(notify_list)
    notify_list.add_argument("--site", help="site code (default: every site)")
    notify_list.set_defaults(handler=cmd_notify_list)
    notify_add = notify_cmds.add_parser("add", help="send a site's events for a role by e-mail or webhook")
    _store_options(notify_add)
    notify_add.add_argument("--site", required=True, help="site code")
    notify_add.add_argument("--role", required=True, help=f"one of {', '.join(r.value for r in Role)}")
    channel = notify_add.add_mutually_exclusive_group(required=True)
    channel.add_argument("--email", metavar="ADDRESS", help="e-mail address")
    channel.add_argument("--webhook", metavar="URL", help="http(s) URL taking Slack-style JSON")
    notify_add.add_argument("--events", default="", help="comma-separated event names (default: all)")
    _by_option(notify_add)
    notify_add.set_defaults(handler=cmd_notify_add)
    notify_remove = notify_cmds.add_parser("remove", help="remove a notification route")
    _store_options(notify_remove)
    notify_remove.add_argument("id", metavar="ID", help="route id (see ims notify list)")
    _by_option(notify_remove)
    notify_remove.set_defaults(handler=cmd_notify_remove)
    return parser


REPORT_KINDS = (
    "osha-300",
    "osha-300-privacy",
    "osha-300a",
    "osha-301",
    "ita-summary-csv",
    "ita-cases-csv",
    "jkkp6",
    "jkkp8",
    "incident",
    "metrics",
)
"""The kinds `ims report` makes (sync.server.exports.KINDS holds what each needs)."""


def cmd_osha_classify(args: argparse.Namespace) -> int:
    """Classify one case file with models.recordability and print the result as JSON."""
    import json

    from models.recordability import CaseError, classify

    name = "standard input" if args.case_file == "-" else args.case_file
    try:
        text = sys.stdin.read() if args.case_file == "-" else Path(args.case_file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {name}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        case = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(
            f"{name} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    try:
        result = classify(case)
    except CaseError as exc:
        raise CliError(f"{exc} [{exc.code}]") from None
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Make one document from the central store and write it to a file (or standard output)."""
    from models import utcnow
    from sync.server import exports
    from sync.server.blobs import BlobStore
    from sync.server.db import session_factory
    from sync.server.run import open_store

    settings = _settings(args)
    sessions = session_factory(open_store(settings))
    with sessions() as session:
        request = exports.prepare(
            session=session,
            kind=args.kind,
            site_code=args.site,
            year=args.year,
            incident_ref=args.incident,
            case=args.case,
        )
        document = exports.render(
            session=session,
            request=request,
            now=utcnow(),
            blobs=BlobStore(settings.blob_dir),
            ltifr_base=args.ltifr_base,
        )
    if args.output == "-":
        sys.stdout.buffer.write(document.content)
        sys.stdout.flush()
        return 0
    try:
        Path(args.output).write_bytes(document.content)
    except OSError as exc:
        raise CliError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(f"{document.filename}: {len(document.content):,} bytes written to {args.output}")
    return 0


def cmd_metrics(args: argparse.Namespace) -> int:
    """Print the safety metrics of a site's year as a table."""
    from models import utcnow
    from reports.metrics import compute, table_text
    from sync.server import exports
    from sync.server.db import session_factory
    from sync.server.run import open_store

    sessions = session_factory(open_store(_settings(args)))
    with sessions() as session:
        site = exports.find_site(session=session, code=args.site)
        data = exports.metrics_input(
            session=session, site=site, year=args.year, now=utcnow(), ltifr_base=args.ltifr_base
        )
    print(table_text(compute(data)), end="")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Verify the audit chain; exit 1 naming the first altered, removed or inserted event."""
    from sync.server import audit, migrate
    from sync.server.db import session_factory
    from sync.server.run import open_store

    engine = open_store(_settings(args), upgrade=False)
    if migrate.current_revision(engine) is None:
        where = engine.url.render_as_string(hide_password=True)
        raise CliError(f"no Field IMS store at {where}: check --db / --data-dir (or run `ims db upgrade`)")
    sessions = session_factory(engine)
    with sessions() as session:
        verdict = audit.verify(session)
    if not verdict.ok:
        raise CliError(f"audit chain broken at event {verdict.bad_seq}: {verdict.problem}")
    print(f"audit chain intact: {verdict.events} events, head {verdict.head}")
    return 0


def cmd_jobs_run_once(args: argparse.Namespace) -> int:
    """Run the background jobs once."""
    from sync.server import jobs
    from sync.server.db import session_factory
    from sync.server.run import open_store

    settings = _settings(args)
    report = jobs.run_once(session_factory(open_store(settings)), settings)
    print(f"jobs: {report}")
    return 0


def _by_option(parser: argparse.ArgumentParser) -> None:
    """The `--by USERNAME` of a settings change: who makes it (checked and audited)."""
    parser.add_argument("--by", metavar="USERNAME", help="the admin or HSE manager making the change")


def _store_options(parser: argparse.ArgumentParser) -> None:
    """Options that choose the central store."""
    parser.add_argument("--db", help="database URL (IMS_DATABASE_URL; default SQLite under the data dir)")
    parser.add_argument("--data-dir", type=Path, help="data directory (IMS_DATA_DIR, default ./ims-data)")


def _settings(args: argparse.Namespace, **extra: Any) -> Any:
    """Server settings from the environment, overridden by command-line options."""
    from sync.server.settings import ServerSettings

    return ServerSettings.from_env(database_url=args.db, data_dir=args.data_dir, **extra)


def cmd_server(args: argparse.Namespace) -> int:
    """Run the server."""
    from sync.server.run import serve

    settings = _settings(args, host=args.host, port=args.port, web_ui=False if args.no_web else None)
    serve(settings)
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Apply migrations."""
    from sync.server import migrate
    from sync.server.run import open_store

    engine = open_store(_settings(args))
    print(f"database is at revision {migrate.current_revision(engine)}")
    return 0


def cmd_site_add(args: argparse.Namespace) -> int:
    """Add a site."""
    from models import Site
    from sync.server.db import session_factory
    from sync.server.run import open_store

    sessions = session_factory(open_store(_settings(args)))
    with sessions.begin() as session:
        session.add(
            Site(
                code=args.code,
                name=args.name,
                country=args.country.upper(),
                jurisdiction=args.country.upper(),
                timezone=args.timezone,
            )
        )
    print(f"site {args.code} added")
    return 0


def cmd_site_targets(args: argparse.Namespace) -> int:
    """Print a site's response targets; with P1=MIN pairs, set them first (audited)."""
    from models import utcnow
    from sync.server import admin_settings

    changes = _pairs(args.pairs, json_for=None)
    sessions = _admin_sessions(args)
    if changes:
        with sessions.begin() as session, _refused():
            targets = admin_settings.set_site_targets(
                session=session, site_code=args.code, changes=changes, by=args.by, now=utcnow()
            )
        print(f"response targets of {args.code} saved")
    else:
        with sessions() as session, _refused():
            targets = admin_settings.site_targets(session=session, site_code=args.code)
    print(f"response targets at {args.code} (minutes to acknowledge):")
    for target in targets:
        print(f"  {target.priority.value}  {target.minutes:>6g} min{'  (default)' if target.default else ''}")
    return 0


def cmd_rules_list(args: argparse.Namespace) -> int:
    """Print every rule in effect at a site (or the table every site starts from), with its overrides."""
    import json

    from sync.server import admin_settings

    with _admin_sessions(args)() as session, _refused():
        found = admin_settings.rules_in_effect(
            session=session, site_code=args.site, jurisdiction=args.jurisdiction
        )
    if args.json:
        print(json.dumps([line.to_dict() for line in found], indent=2, ensure_ascii=False))
        return 0
    header = ("RULE", "JUR", "VALUE", "CONF", "CITATION")
    rows = [
        (x.rule.code, x.rule.jurisdiction, _rule_value(x.rule), x.rule.confidence, x.rule.citation)
        for x in found
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        """One table row, columns padded to the widest cell."""
        return "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()

    print(line(header))
    for row, rule in zip(rows, found, strict=True):
        print(line(row))
        for override in rule.overrides:
            print(f"    {_override_text(override)}")
    return 0


def cmd_rules_set(args: argparse.Namespace) -> int:
    """Override fields of a rule for a site or every site, then move the unmet clocks."""
    from models import utcnow
    from sync.server import admin_settings

    changes = _pairs(args.pairs, json_for=("value",))
    with _admin_sessions(args).begin() as session, _refused():
        change = admin_settings.set_rule(
            session=session,
            code=args.rule,
            changes=changes,
            site_code=args.site,
            by=args.by,
            note=args.note,
            now=utcnow(),
        )
    _print_rule_change(change, "overridden" if change.changed else "unchanged (the override is already so)")
    return 0


def cmd_rules_reset(args: argparse.Namespace) -> int:
    """Remove an override of a rule, then move the unmet clocks."""
    from models import utcnow
    from sync.server import admin_settings

    with _admin_sessions(args).begin() as session, _refused():
        change = admin_settings.reset_rule(
            session=session, code=args.rule, site_code=args.site, by=args.by, now=utcnow()
        )
    _print_rule_change(change, "reset")
    return 0


def cmd_notify_list(args: argparse.Namespace) -> int:
    """Print the notification routes of a site (or of every site)."""
    from sync.server import admin_settings

    with _admin_sessions(args)() as session, _refused():
        found = admin_settings.routes(session=session, site_code=args.site)
    if not found:
        print("no notification routes" + (f" at {args.site}" if args.site else ""))
        return 0
    for route in found:
        print(_route_text(route))
    return 0


def cmd_notify_add(args: argparse.Namespace) -> int:
    """Add a notification route (audited)."""
    from models import utcnow
    from sync.server import admin_settings

    events = [name.strip() for name in args.events.split(",") if name.strip()]
    with _admin_sessions(args).begin() as session, _refused():
        route = admin_settings.add_route(
            session=session,
            site_code=args.site,
            role=args.role,
            email=args.email,
            webhook=args.webhook,
            events=events,
            by=args.by,
            now=utcnow(),
        )
    print(f"route added: {_route_text(route)}")
    return 0


def cmd_notify_remove(args: argparse.Namespace) -> int:
    """Remove a notification route (audited)."""
    from models import utcnow
    from sync.server import admin_settings

    with _admin_sessions(args).begin() as session, _refused():
        route = admin_settings.remove_route(session=session, route_id=args.id, by=args.by, now=utcnow())
    print(f"route removed: {_route_text(route)}")
    return 0


def _admin_sessions(args: argparse.Namespace) -> Any:
    """A session maker on the central store chosen by --db / --data-dir."""
    from sync.server.db import session_factory
    from sync.server.run import open_store

    return session_factory(open_store(_settings(args)))


@contextmanager
def _refused() -> Iterator[None]:
    """Turn a refused setting (a sync.errors class, RuleError or WorkflowError) into one line, exit 2."""
    from models.rules import RuleError
    from models.workflow import WorkflowError
    from sync.errors import ImsError

    try:
        yield
    except ImsError as exc:
        raise BadInput(f"{exc.message} [{exc.code}]") from None
    except (RuleError, WorkflowError) as exc:
        raise BadInput(f"{exc} [{exc.code}]") from None


def _pairs(texts: list[str], *, json_for: tuple[str, ...] | None) -> dict[str, Any]:
    """Parse NAME=VALUE arguments; values of the names in json_for (None: all) are read as JSON when
    they parse, the others are text."""
    import json

    found: dict[str, Any] = {}
    for text in texts:
        name, sep, raw = text.partition("=")
        name = name.strip()
        if not sep or not name:
            raise BadInput(f"{text!r} is not NAME=VALUE")
        if name in found:
            raise BadInput(f"{name} is given twice")
        found[name] = raw
        if json_for is None or name in json_for:
            try:
                found[name] = json.loads(raw)
            except ValueError:
                pass
    return found


def _rule_value(rule: Any) -> str:
    """A rule's value with its unit, short enough for a table (code lists are counted)."""
    if rule.unit == "codes":
        return f"{len(rule.value)} codes"
    if rule.unit == "month_day":
        return f"{rule.value} (MM-DD)"
    return f"{rule.value} {rule.unit}"


def _override_text(override: Any) -> str:
    """One line telling where and how a rule is overridden, and why."""
    import json

    scope = f"site {override.site}" if override.site else "all sites"
    fields = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in override.fields.items())
    by = f" by {override.changed_by}" if override.changed_by else ""
    when = f" on {override.changed_at:%Y-%m-%d}" if override.changed_at else ""
    return f"overridden for {scope}{by}{when}: {fields}" + (f" ({override.note})" if override.note else "")


def _print_rule_change(change: Any, what: str) -> None:
    """Print a rule as it now stands, and how many clocks moved."""
    rule = change.rule.rule
    print(f"{rule.code} {what}")
    print(f"  jurisdiction: {rule.jurisdiction} ({rule.authority})")
    value = ", ".join(map(str, rule.value)) if rule.unit == "codes" else _rule_value(rule)
    print(f"  value: {value}")
    print(f"  confidence: {rule.confidence}")
    print(f"  trigger: {rule.trigger}")
    print(f"  citation: {rule.citation}")
    if rule.note:
        print(f"  note: {rule.note}")
    for override in change.rule.overrides:
        print(f"  {_override_text(override)}")
    if change.changed:
        print(f"clocks moved: {change.clocks_moved} (open incidents checked: {change.incidents_checked})")


def _route_text(route: Any) -> str:
    """One line describing a notification route."""
    events = ",".join(route.events) or "all events"
    state = "" if route.active else "  (inactive)"
    return (
        f"{route.id}  {route.site}  {route.role.value}  {route.channel.value}  {route.target}  {events}"
        + state
    )


def cmd_user_add(args: argparse.Namespace) -> int:
    """Add a user with roles."""
    from sync.server.accounts import add_user
    from sync.server.db import session_factory
    from sync.server.run import open_store

    roles = [_parse_role(text) for text in args.role]
    password = os.environ.get("IMS_PASSWORD") or _ask_password()
    sessions = session_factory(open_store(_settings(args)))
    with sessions.begin() as session:
        add_user(
            session=session,
            username=args.username,
            password=password,
            display_name=args.name,
            roles=roles,
            email=args.email,
            language=args.language,
        )
    print(f"user {args.username} added")
    return 0


def _parse_role(text: str) -> tuple[str | None, Role]:
    """Parse ROLE or ROLE@SITE."""
    name, _, site = text.partition("@")
    try:
        return (site or None), Role(name)
    except ValueError:
        raise CliError(f"unknown role {name!r}: use one of {', '.join(r.value for r in Role)}") from None


def _ask_password() -> str:
    """Ask for a password twice on the terminal."""
    if not sys.stdin.isatty():
        raise CliError("no terminal to ask for the password: set IMS_PASSWORD")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise CliError("the two passwords differ")
    return first


def cmd_app(args: argparse.Namespace) -> int:
    """Run the field app."""
    import flet as ft

    from app.i18n import ASSETS
    from app.main import phone_main
    from app.settings import PhoneSettings

    env = dict(os.environ)
    if args.server:
        env["IMS_SERVER_URL"] = args.server
    settings = PhoneSettings.from_env(env)
    main_fn = phone_main(settings)
    if args.web:
        from sync.server.run import check_port_free

        check_port_free("127.0.0.1", args.port)
        print(f"field app on http://127.0.0.1:{args.port}/ (server {settings.server_url})")
        ft.run(
            main_fn,
            view=ft.AppView.WEB_BROWSER,
            host="127.0.0.1",
            port=args.port,
            no_cdn=True,
            assets_dir=str(ASSETS),
        )
    else:
        ft.run(main_fn, assets_dir=str(ASSETS))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Seed the demo and serve it."""
    from sync.server.demo import DEMO_LOGINS, seed
    from sync.server.run import check_port_free, open_store, serve
    from sync.server.settings import ServerSettings

    settings = ServerSettings.from_env({}, data_dir=args.data_dir, port=args.port)
    if not args.seed_only:
        check_port_free(settings.host, settings.port)
    engine = open_store(settings)
    created = seed(engine, settings)
    print("demo data ready" + (f" ({created} incidents created)" if created else " (already there)"))
    if args.seed_only:
        return 0
    print(f"\nField IMS demo: http://{settings.host}:{settings.port}/   API docs: /docs\n")
    print("Demo logins (username / password):")
    for username, password, role in DEMO_LOGINS:
        print(f"  {username:<10} {password:<12} {role}")
    print()
    serve(settings, engine=engine)
    return 0


if __name__ == "__main__":
    sys.exit(main())
