"""The `ims` command. Server and report code is imported lazily, inside the commands that need it."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from models.enums import Role

Handler = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """A one-line problem to print before exiting non-zero."""


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
    except CliError as exc:
        print(f"ims: error: {exc}", file=sys.stderr)
        return 1
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
