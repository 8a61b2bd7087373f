"""`railwatch serve`: the REST API (OpenAPI at /openapi.json) and the dashboard at /."""

from __future__ import annotations

import typer

from railwatch.cli.app import app, console
from railwatch.cli.options import DbOption


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    db: str = DbOption,
    token: str = typer.Option(None, "--token", envvar="RAILWATCH_TOKEN",
                              help="Bearer token for writes (without it, writes are refused)."),
    read_token: str = typer.Option(None, "--read-token", help="Bearer token for reads too (default: open)."),
    cors: list[str] = typer.Option(None, "--cors", help="Allow this browser origin (repeatable)."),
    max_upload_mb: float = typer.Option(200, "--max-upload-mb", help="Largest upload accepted (413 above)."),
) -> None:
    """Serve the API and the dashboard over the store."""
    import uvicorn

    from railwatch.server import create_app

    api = create_app(db, token=token, read_token=read_token, cors_origins=cors or None,
                     max_upload_mb=max_upload_mb)
    if token is None:
        console.print("no --token: write endpoints (POST) are refused")
    console.print(f"railwatch dashboard on http://{host}:{port}/ (API docs at /docs)")
    uvicorn.run(api, host=host, port=port, log_level="warning")
