"""moto in server mode (S3, STS, Athena) for tests and ``bench/``.

Clients reach it the way users reach any endpoint: through boto3's ``AWS_ENDPOINT_URL`` (docs/sources.md),
so the code under test creates its clients exactly as in production. Use the ``moto_server``
session fixture (see ``tests/events/conftest.py``) or ``MotoServer`` directly::

    with MotoServer() as moto:
        env = moto.env()      # AWS_ENDPOINT_URL + fake credentials + region
        moto.reset()          # wipe state between tests
        moto.seed_athena_results(rows, column_names)   # next Athena query's result set
"""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Sequence
from typing import Any

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIAFAKEFORTESTS0002",
    "AWS_SECRET_ACCESS_KEY": "fake-secret-key-for-moto-tests",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MotoServer:
    def __init__(self, port: int | None = None) -> None:
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per request otherwise
        self.port = port or free_port()
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> MotoServer:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def env(self) -> dict[str, str]:
        return {"AWS_ENDPOINT_URL": self.url, **FAKE_ENV}

    def reset(self) -> None:
        """Forget every bucket, query, role… (moto's reset API)."""
        self._post("/moto-api/reset", {})

    def seed_athena_results(
        self,
        rows: Sequence[Sequence[str | None]],
        column_names: Sequence[str],
        *,
        account: str = "123456789012",
        region: str = "us-east-1",
        header: bool = True,
    ) -> None:
        """Queue one result set: the next Athena query in ``account``/``region`` returns it.

        moto returns the rows as given (Athena's first row is the header row for SELECT queries),
        see http://docs.getmoto.org/en/latest/docs/services/athena.html.
        """
        data_rows: list[dict[str, Any]] = []
        if header:
            data_rows.append({"Data": [{"VarCharValue": c} for c in column_names]})
        for row in rows:
            data_rows.append({"Data": [{"VarCharValue": v} if v is not None else {} for v in row]})
        body = {
            "account_id": account,
            "region": region,
            "results": [
                {
                    "rows": data_rows,
                    "column_info": [
                        {
                            "CatalogName": "AwsDataCatalog",
                            "SchemaName": "default",
                            "TableName": "cloudtrail",
                            "Name": c,
                            "Label": c,
                            "Type": "varchar",
                            "Precision": 0,
                            "Scale": 0,
                            "Nullable": "UNKNOWN",
                            "CaseSensitive": True,
                        }
                        for c in column_names
                    ],
                }
            ],
        }
        self._post("/moto-api/static/athena/query-results", body)

    def _post(self, path: str, body: dict[str, Any]) -> None:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
