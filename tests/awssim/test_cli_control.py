"""``python -m awssim <command>``: the control API from the command line."""

from __future__ import annotations

import json
import socket

import pytest

from awssim.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, object, str]:
    """main(argv); returns (exit code, printed JSON or None, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def test_seed_then_fleets_and_stats_show_the_seeded_fleet(sim, capsys):
    code, summary, _ = run(
        capsys,
        "seed",
        "--endpoint",
        sim.endpoint_url,
        "account_id=111122223333",
        "region=eu-west-1",
        "workspaces:=12",
        "pools:=1",
        "sessions_per_pool:=3",
    )
    assert code == 0 and summary["workspaces"] == 12
    code, fleets, _ = run(capsys, "fleets", "--endpoint", sim.endpoint_url)
    assert code == 0
    assert [(f["account_id"], f["region"], f["workspaces"]) for f in fleets["fleets"]] == [
        ("111122223333", "eu-west-1", 12)
    ]
    code, stats, _ = run(capsys, "stats", "--endpoint", sim.endpoint_url)
    assert code == 0 and "calls" in stats


def test_config_without_arguments_shows_it_and_with_arguments_changes_it(sim, capsys):
    code, changed, _ = run(
        capsys, "config", "--endpoint", sim.endpoint_url, "latency_ms:=7", "throttle_fraction:=0.5"
    )
    assert code == 0 and changed["latency_ms"] == 7 and changed["throttle_fraction"] == 0.5
    assert sim.faults.config()["latency_ms"] == 7
    code, shown, _ = run(capsys, "config", "--endpoint", sim.endpoint_url)
    assert code == 0 and shown == sim.faults.config()


def test_mutate_changes_the_fleet_the_next_describe_sees(sim, capsys):
    sim.seed("111122223333", "eu-west-1", workspaces=10)
    code, result, _ = run(
        capsys,
        "mutate",
        "--endpoint",
        sim.endpoint_url,
        "--json",
        '{"account_id": "111122223333", "region": "eu-west-1"}',
        "remove:=2",
        "add:=5",
    )
    assert code == 0
    assert sim.fleets()[0]["workspaces"] == 13, result


def test_the_endpoint_defaults_to_aws_endpoint_url(sim, capsys, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", sim.endpoint_url)
    code, health, _ = run(capsys, "health")
    assert code == 0 and health == {"ok": True, "endpoint_url": sim.endpoint_url}


def test_an_error_answer_is_printed_and_exits_1(sim, capsys):
    code, answer, _ = run(
        capsys, "mutate", "--endpoint", sim.endpoint_url, "account_id=999999999999", "add:=1"
    )
    assert code == 1
    assert "no fleet seeded for 999999999999/eu-west-1" in answer["error"]


def test_no_simulator_running_says_how_to_start_one_and_exits_2(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    code, answer, err = run(capsys, "stats", "--endpoint", f"http://127.0.0.1:{port}")
    assert code == 2 and answer is None
    assert f"No simulator answers at http://127.0.0.1:{port}" in err
    assert "python -m awssim" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["seed", "workspaces"], "expected key=value or key:=json"),
        (["seed", "workspaces:=ten"], "the value after := is not JSON"),
        (["seed", "--json", "[1]"], "--json must be a JSON object"),
        (["stats", "action=x"], "stats takes no arguments"),
    ],
)
def test_bad_control_arguments_are_refused_before_any_call(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--endpoint", "http://127.0.0.1:9"])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_an_unknown_command_lists_the_commands(capsys):
    assert main(["stast"]) == 2
    err = capsys.readouterr().err
    assert "unknown command 'stast'" in err
    assert "reset-stats" in err and "mutate" in err


def test_help_lists_the_serving_flags_and_the_control_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "--seed-workspaces" in out
    assert "control commands" in out and "mutate" in out
