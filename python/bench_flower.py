"""Benchmark: plain FedAvg, SecAggPlusWorkflow (3, 2) and GradsealWorkflow in one Flower 1.42
simulation session, at N clients x D parameters, then again with 10 % of the clients
dropping mid-round (after training, before sending their update).

    python python/bench_flower.py --clients 100 --params 100000 --rounds 2

Model: the digits softmax regression (650 parameters) padded with zeros to D parameters
(clients return the padding unchanged), so every byte of a D-parameter model is trained on,
encrypted, masked or sent. Seconds per round: wall time between the centralized evaluations
of consecutive rounds (the whole fit round, all stages); the first round of gradseal also
enrols the SuperNodes, so the steady-state figure is the mean over rounds after the first.
CPU seconds per round: over the same interval, of the whole simulation (this process, Ray
and its workers; ``flower_digits.session_cpu``): on a machine shared with other work they
vary less than wall time, so compare runs on them too.
Bytes uploaded per client per round: every reply's arrays and byte fields, summed over all
stages, divided by the clients that replied at least once and by the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent / "examples"))
import flower_digits as fd  # noqa: E402

from gradseal.flower import GradsealMod, GradsealWorkflow  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--params", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    from flwr.server.workflow import SecAggPlusWorkflow

    extra = max(0, args.params - 650)
    # A one-round warm-up (not reported): starts the Ray actors and imports in them.
    runs = [fd.Run("warm-up", None, 1, fit_config={"drop": 0})]
    for drop in (False, True):
        tag = " + 10% dropout" if drop else ""
        cfg = {"drop": int(drop)}
        runs += [
            fd.Run("FedAvg" + tag, None, args.rounds, fit_config=dict(cfg)),
            fd.Run("SecAgg+ (3, 2)" + tag, lambda: SecAggPlusWorkflow(3, 2), args.rounds, fit_config=dict(cfg)),
            fd.Run("gradseal" + tag, GradsealWorkflow, args.rounds, fit_config=dict(cfg)),
        ]
    mods = [
        fd.dropout_mod(lambda ctxt: int(ctxt.node_config["partition-id"]) % 10 == 3),
        GradsealMod(),
        fd.secagg_router,
    ]
    load0 = os.getloadavg()
    t0 = time.perf_counter()
    fd.simulate(runs, args.clients, extra_params=extra, mods=mods)
    total = time.perf_counter() - t0
    load1 = os.getloadavg()
    rows = []
    for r in runs[1:]:
        # A round "completed" if it changed the global model (SecAgg+ logs "halted" and
        # returns without aggregating; gradseal's failed rounds leave the model unchanged).
        completed = sum(r.changed)
        up = [b for b in r.upload.values()]
        per_client = float(np.mean(up)) / args.rounds if up else 0.0
        steady = r.round_seconds[1:] or r.round_seconds
        rows.append({
            "run": r.name,
            "rounds": args.rounds,
            "completed": completed,
            "seconds_per_round": r.round_seconds,
            "cpu_seconds_per_round": r.round_cpu,
            "steady_seconds_per_round": float(np.mean(steady)) if steady else None,
            "upload_bytes_per_client_per_round": per_client,
            "final_accuracy": r.accuracy[-1] if r.accuracy else None,
            "error": r.error,
            "failures": [str(rep.failure) for rep in getattr(r.workflow, "reports", []) if rep.failure],
            "gradseal_stage_seconds": [rep.stage_seconds for rep in getattr(r.workflow, "reports", [])],
        })
    print(f"\n{args.clients} clients x {args.params} parameters, {args.rounds} rounds per run, "
          f"session {total:.1f} s, load average before {load0[0]:.2f}, after {load1[0]:.2f} "
          f"({os.cpu_count()} CPUs)")
    print("| run | s / round (each) | CPU s / round (each) | bytes uploaded / client / round | final accuracy | outcome |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        secs = ", ".join(f"{s:.2f}" for s in row["seconds_per_round"])
        cpu = ", ".join(f"{s:.2f}" for s in row["cpu_seconds_per_round"])
        acc = f"{100 * row['final_accuracy']:.2f}%" if row["final_accuracy"] is not None else "-"
        outcome = row["error"] or "; ".join(row["failures"]) or (
            "all rounds aggregated" if row["completed"] == row["rounds"]
            else f"{row['rounds'] - row['completed']} of {row['rounds']} rounds aggregated nothing")
        print(f"| {row['run']} | {secs} | {cpu} | {row['upload_bytes_per_client_per_round']:,.0f} | {acc} | {outcome} |")
    for row in rows:
        for i, st in enumerate(row["gradseal_stage_seconds"]):
            stages = ", ".join(f"{k} {v:.2f}" for k, v in st.items())
            print(f"{row['run']}, round {i + 1} stages (s): {stages}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "load": [load0, load1], "session_s": total}, indent=1))


if __name__ == "__main__":
    main()
