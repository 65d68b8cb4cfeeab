"""`flext serve`: the engine behind an HTTP API (see docs/api.md)."""

from flext.router.spec import BOOL, FLOAT, INT, Hints, Node, Opt

NODES = [
    Node(
        "serve", "Serve the engine over HTTP: pipelines, services, auth, metrics, schedules",
        description="Runs in the foreground until SIGTERM or Ctrl-C, which stop it gracefully: no new "
        "connections, in-flight requests finish, detached pipeline runs keep running. Routes are under "
        "/api/v1 (OpenAPI at /api/v1/openapi.json), plus GET /health and GET /metrics (Prometheus). "
        "Every route but /health, /api/v1/openapi.json and login needs a bearer token; the server of a "
        "workspace also runs its pipelines' cron schedules (one server per workspace schedules).",
        opts=[
            Opt("host", "Address to listen on", default="127.0.0.1", metavar="HOST"),
            Opt("port", "Port to listen on (0: any free port, printed on start)", type=INT, default=8081),
            Opt("bootstrap-admin", "Create the first admin and print its token once (refused if an admin exists)",
                type=BOOL),
            Opt("workers", "Worker threads (requests handled at once)", type=INT, default=64, metavar="N"),
            Opt("max-body", "Largest request body in bytes", type=INT, default=1048576, metavar="BYTES",
                hidden=True),
            Opt("read-timeout", "Seconds a client has to send a whole request", type=FLOAT, default=10.0,
                metavar="S", hidden=True),
        ],
        examples=["flext serve", "flext serve --host 0.0.0.0 --port 8081",
                  "flext serve --bootstrap-admin > admin-token.txt", "flext -C ~/team-workspace serve --port 9000"],
        hints=Hints("serve"),
        handler="flext.server.cli:serve",
    ),
]
