"""Federated training of a softmax classifier on the 8x8 digits with Flower 1.42, gradseal
aggregation beside plain FedAvg (and optionally SecAgg+), in one Flower simulation session.

    python python/examples/flower_digits.py --clients 10 --rounds 10

The ServerApp runs each configuration in turn on the same SuperNodes (each from the same
zero-initialised model): plain FedAvg (``DefaultWorkflow()``), then FedAvg with
``GradsealWorkflow`` (clients use ``gradseal_mod``), and prints the test accuracy of each
after every round. Data: ``digits_task`` (non-IID, two shards of sorted labels per client).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import digits_task  # noqa: E402

from gradseal.flower import GradsealMod, GradsealWorkflow  # noqa: E402


@dataclass
class Run:
    """One configuration of a session and what it measured."""

    name: str
    make_workflow: Callable[[], Any] | None  # None: plain FedAvg
    rounds: int
    accuracy: list[float] = field(default_factory=list)
    round_seconds: list[float] = field(default_factory=list)
    #: Per round: CPU seconds of this process and every process it started (the ServerApp,
    #: the simulation engine, Ray and its ClientApp workers; Linux, else this process only).
    round_cpu: list[float] = field(default_factory=list)
    workflow: Any = None
    error: str | None = None
    fit_config: dict[str, Any] = field(default_factory=dict)
    upload: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    #: Per round: whether the global model changed (false: the round aggregated nothing).
    changed: list[bool] = field(default_factory=list)


class MeasuringGrid:
    """Wraps a Flower ``Grid``, counting the bytes of every reply's content per node
    (arrays and bytes in config records: what each SuperNode uploads)."""

    def __init__(self, grid: Any, upload: dict[int, int]) -> None:
        self._grid = grid
        self._upload = upload

    def __getattr__(self, name: str) -> Any:
        return getattr(self._grid, name)

    def send_and_receive(self, messages: Any, *, timeout: float | None = None) -> Any:
        """As ``Grid.send_and_receive``, counting reply sizes."""
        return self._count(list(self._grid.send_and_receive(messages, timeout=timeout)))

    def pull_messages(self, message_ids: Any) -> Any:
        """As ``Grid.pull_messages``, counting reply sizes."""
        return self._count(list(self._grid.pull_messages(message_ids)))

    def _count(self, replies: list[Any]) -> list[Any]:
        for m in replies:
            if m.has_error():
                continue
            size = sum(len(a.data) for rec in m.content.array_records.values() for a in rec.values())
            for rec in m.content.config_records.values():
                for v in rec.values():
                    if isinstance(v, bytes):
                        size += len(v)
                    elif isinstance(v, list):
                        size += sum(len(x) for x in v if isinstance(x, bytes))
            src = m.metadata.src_node_id
            self._upload[src] = self._upload.get(src, 0) + size
        return replies


def session_cpu() -> float:
    """CPU seconds (user + system) of this process and its live descendants (Ray's raylet,
    workers and ClientApp actors), from /proc; elsewhere, of this process only. On a shared
    machine a round's CPU seconds vary less than its wall time."""
    t = os.times()
    own = t.user + t.system
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return own
    tick = os.sysconf("SC_CLK_TCK")
    parent, cpu = {}, {}
    for d in proc.iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:  # exited meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parent[int(d.name)] = int(fields[1])
        cpu[int(d.name)] = (int(fields[11]) + int(fields[12])) / tick
    me, total = os.getpid(), own
    for pid, c in cpu.items():
        p = parent.get(pid, 0)
        while p > 1 and p != me:
            p = parent.get(p, 0)
        if p == me and pid != me:
            total += c
    return total


def dropout_mod(drop: Callable[[Any], bool]) -> Callable[[Any, Any, Any], Any]:
    """A ClientApp mod making the nodes ``drop(context)`` selects fail mid-round: after
    training, before their (masked or encrypted) update is sent: in gradseal's
    ``contribute`` stage, SecAgg+'s ``collect masked vectors`` stage, or a plain fit. A
    fit config carrying ``drop`` (the run's ``fit_config``) turns it off when false."""

    def mod(msg: Any, ctxt: Any, call_next: Any) -> Any:
        from flwr.app.message_type import MessageType

        if msg.metadata.message_type != MessageType.TRAIN or not drop(ctxt):
            return call_next(msg, ctxt)
        recs = msg.content.config_records
        fit_cfg = recs.get("fitins.config")
        if fit_cfg is not None and "drop" in fit_cfg and not fit_cfg["drop"]:
            return call_next(msg, ctxt)
        if "gradseal" in recs:
            mid = recs["gradseal"]["stage"] == "contribute"
        elif "secaggplus_configs" in recs:
            mid = recs["secaggplus_configs"]["stage"] == "collect_masked_vectors"
        else:
            mid = True
        if mid:
            call_next(msg, ctxt)  # it trains, then drops before replying
            raise RuntimeError("node dropped mid-round (simulated)")
        return call_next(msg, ctxt)

    return mod


def secagg_router(msg: Any, ctxt: Any, call_next: Any) -> Any:
    """Runs ``secaggplus_mod`` on SecAgg+ messages only (so one ClientApp serves all)."""
    from flwr.client.mod import secaggplus_mod

    if "secaggplus_configs" in msg.content.config_records:
        return secaggplus_mod(msg, ctxt, call_next)
    return call_next(msg, ctxt)


def make_apps(runs: list[Run], clients: int, epochs: int = 5, lr: float = 0.5,
              extra_params: int = 0, mods: list[Any] | None = None,
              fraction: float = 1.0) -> tuple[Any, Any]:
    """The ServerApp (running every configuration in ``runs`` in turn) and the ClientApp.

    ``extra_params`` pads the model with that many zero parameters the clients send back
    unchanged (benchmarks at a chosen model size)."""
    from flwr.client import ClientApp, NumPyClient
    from flwr.common import Context, ndarrays_to_parameters
    from flwr.server import LegacyContext, ServerApp, ServerConfig
    from flwr.server.strategy import FedAvg
    from flwr.server.workflow import DefaultWorkflow

    x_train, y_train, x_test, y_test = digits_task.load()
    parts = digits_task.partition(y_train, clients)

    def init() -> list[np.ndarray]:
        p = digits_task.init_params()
        return p + [np.zeros(extra_params, np.float32)] if extra_params else p

    class DigitsClient(NumPyClient):
        def __init__(self, pid: int) -> None:
            self.pid = pid

        def fit(self, parameters: list[np.ndarray], config: dict[str, Any]) -> Any:
            idx = parts[self.pid]
            rnd = int(config.get("round", 0))
            new = digits_task.train(parameters[:2], x_train[idx], y_train[idx], epochs, lr,
                                    seed=1000 * rnd + self.pid)
            return new + list(parameters[2:]), len(idx), {}

    def client_fn(context: Context) -> Any:
        return DigitsClient(int(context.node_config["partition-id"])).to_client()

    client_app = ClientApp(client_fn=client_fn, mods=mods or [])
    server_app = ServerApp()

    @server_app.main()
    def main(grid: Any, context: Context) -> None:
        for run in runs:
            def evaluate(rnd: int, params: list[np.ndarray], cfg: dict[str, Any], run: Run = run) -> Any:
                acc = digits_task.accuracy(params[:2], x_test, y_test)
                prev = getattr(run, "_prev", None)
                run._prev = [p.copy() for p in params[:2]]  # type: ignore[attr-defined]
                if rnd > 0:
                    run.changed.append(prev is None or not all(np.array_equal(a, b) for a, b in zip(prev, params[:2])))
                    run.accuracy.append(acc)
                    run.round_seconds.append(time.perf_counter() - run._t)  # type: ignore[attr-defined]
                    run.round_cpu.append(session_cpu() - run._cpu)  # type: ignore[attr-defined]
                run._cpu = session_cpu()  # type: ignore[attr-defined]
                run._t = time.perf_counter()  # type: ignore[attr-defined]
                return 0.0, {"accuracy": acc}

            strategy = FedAvg(
                fraction_fit=fraction,
                fraction_evaluate=0.0,
                min_fit_clients=max(2, int(fraction * clients)),
                min_available_clients=clients,
                initial_parameters=ndarrays_to_parameters(init()),
                evaluate_fn=evaluate,
                on_fit_config_fn=lambda rnd, run=run: {"round": rnd, **run.fit_config},
            )
            legacy = LegacyContext(context=context, config=ServerConfig(num_rounds=run.rounds),
                                   strategy=strategy)
            run.workflow = run.make_workflow() if run.make_workflow else None
            wf = DefaultWorkflow(fit_workflow=run.workflow) if run.workflow else DefaultWorkflow()
            started = time.perf_counter()
            try:
                wf(MeasuringGrid(grid, run.upload), legacy)
            except Exception as e:  # recorded (SecAgg+ may abort a whole run)
                run.error = f"{type(e).__name__}: {e}"
            run.seconds = time.perf_counter() - started

    return server_app, client_app


def simulate(runs: list[Run], clients: int, **kw: Any) -> list[Run]:
    """Runs ``runs`` in one Flower simulation session of ``clients`` SuperNodes."""
    from flwr.simulation import run_simulation

    server_app, client_app = make_apps(runs, clients, **kw)
    run_simulation(
        server_app=server_app,
        client_app=client_app,
        num_supernodes=clients,
        backend_config={"client_resources": {"num_cpus": 1, "num_gpus": 0.0},
                        "init_args": {"logging_level": logging.ERROR, "log_to_driver": False}},
    )
    return runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    runs = [
        Run("FedAvg (plain)", None, args.rounds),
        Run("FedAvg + gradseal", GradsealWorkflow, args.rounds),
    ]
    simulate(runs, args.clients, mods=[GradsealMod()])
    print(f"\nTest accuracy, {args.clients} non-IID clients (digits, softmax regression):")
    print("round " + " ".join(f"{r.name:>20}" for r in runs))
    for i in range(args.rounds):
        row = [f"{100 * r.accuracy[i]:19.2f}%" if i < len(r.accuracy) else f"{'-':>20}" for r in runs]
        print(f"{i + 1:5d} " + " ".join(row))
    for r in runs:
        if r.error:
            print(f"{r.name}: {r.error}")
    wf = runs[1].workflow
    if wf is not None:
        ok = sum(rep.completed for rep in wf.reports)
        up = np.mean([np.mean(list(rep.upload_bytes.values())) for rep in wf.reports])
        print(f"gradseal: {ok}/{len(wf.reports)} rounds completed and audited; "
              f"{up:.0f} B uploaded per client per round")


if __name__ == "__main__":
    os.environ.setdefault("RAY_DEDUP_LOGS", "0")
    main()
