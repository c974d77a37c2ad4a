"""A PostgreSQL and a Kafka of the fault run's own (deploy/ scripts, a private state folder), so
restarting them disturbs nobody else's servers."""

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


@dataclass
class PrivateInfra:
    """Both servers live in `folder`; ports are picked free, away from the shared ones."""

    folder: Path

    def __post_init__(self) -> None:
        self.folder = self.folder.resolve()
        # The default state folders belong to whoever runs `make up` / `make test` here.
        for shared in (REPO / ".infra", Path("/work/main/.infra")):
            if self.folder == shared.resolve():
                raise ValueError(f"{self.folder} is a shared state folder; use a folder of its own")
        self.folder.mkdir(parents=True, exist_ok=True)

    def _run(self, script: str, command: str) -> str:
        env = {**os.environ, "GAPLESS_INFRA_DIR": str(self.folder)}
        done = subprocess.run(
            ["bash", str(DEPLOY / script), command],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{script} {command} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def up(self) -> dict[str, str]:
        """Start both; POSTGRES_DSN and KAFKA_BOOTSTRAP_SERVERS of the private servers."""
        lines = self._run("infra.sh", "up").splitlines()
        return dict(line.split("=", 1) for line in lines if "=" in line)

    def restart_kafka(self) -> None:
        self._run("kafka.sh", "stop")
        self._run("kafka.sh", "start")

    def restart_postgres(self) -> None:
        self._run("postgres.sh", "stop")
        self._run("postgres.sh", "start")

    def down(self) -> None:
        self._run("infra.sh", "down")
