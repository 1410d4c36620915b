"""AWS simulator for tests, the demo and benchmarks: moto's server app plus our own layer.

A tool around the product, not part of it: no Django here, and the product
never imports it (moto is a development requirement, requirements/local.txt).
One WSGI app (``app.SimulatorApp``) sits in front of moto's
``DomainDispatcherApplication``:

* ``X-Amz-Target: WorkspacesService.<Op>`` for DescribeWorkspaces,
  DescribeWorkspaceBundles, DescribeWorkspaceImages, DescribeWorkspacesPools
  and DescribeWorkspacesPoolSessions is answered from our own store
  (``store``/``seeding``/``workspaces_api``), validated against botocore's
  model; other WorkSpaces operations go to moto after the permission check.
* ``sts:AssumeRole`` is checked (role exists, trust principal, ExternalId,
  RoleSessionName/ExternalId/DurationSeconds constraints) before moto issues
  the keys; calls made with those keys are checked against the role's
  policies (``auth``). Plain keys (e.g. ``testing``) act as their account's
  administrator (moto's default account 123456789012) and are not restricted.
* Every AWS call is counted per action and delayed by ``latency_ms``;
  WorkSpaces calls can be throttled (``ThrottlingException``) and any action
  can get an injected error (``faults``). ``/_sim/...`` is the control API
  (``control``).

In-process::

    with Simulator.start() as sim:            # 127.0.0.1, free port, daemon thread
        sim.seed("111122223333", "eu-west-1", workspaces=1000, pools=2, sessions_per_pool=20)
        role_arn = sim.create_customer_role(external_id="...")   # trusts 123456789012
        boto3.client("sts", endpoint_url=sim.endpoint_url, ...)

Server: ``python -m awssim --port 5055`` prints
``endpoint_url=``, ``role_arn=``, ``external_id=`` and serves until SIGINT/SIGTERM.
``python -m awssim stats`` (``config``, ``seed``, ``mutate``, ``reset``...) calls a
running simulator's control API (``cli``).

State: fleets, fault config, counters and the assumed-key map belong to one
``Simulator``. moto's backends (IAM roles and policies, STS sessions, every
other service) are process-wide: two simulators in one process see the same
roles, and ``reset(moto=True)`` wipes them for everyone. Keys assumed through
one simulator are unknown to another (UnrecognizedClientException).

Simplifications: AWS-owned bundles are seeded per (account, region) rather
than shared by the region; images behind AWS-owned bundles are not returned
by DescribeWorkspaceImages (as in AWS); every seeded WorkSpace has a
ComputerName and IpAddress, ERROR ones included; policy conditions support
the String* operators and Null; session policies and permission boundaries
are ignored. Werkzeug closes the connection after each response.

Measured on this 2-vCPU machine (``python -m awssim.bench``),
Python 3.11, moto 5.2.5, boto3 1.44.8, assumed-role credentials, Limit 25:

* seeding: 10,000 WorkSpaces 0.10-0.15 s; 50,000 WorkSpaces 0.67-1.15 s.
* paging 10,000 WorkSpaces with the boto3 paginator (400 calls) at latency 0,
  server in the same process: median 1.32 s over 5 runs (min 1.27, max 1.44;
  other 5-run medians 1.63 s and 1.97 s), i.e. 3.3-4.9 ms per call. Server
  started by the CLI in another process: median 1.87 s (min 1.33, max 2.47).
* same at ``latency_ms=20``: median 10.78 s (27 ms per call).
* 50,000 WorkSpaces (2,000 calls) at latency 0: 7.4 s and 10.8 s (single runs).
* server-side cost of one DescribeWorkspaces (WSGI app called directly,
  role check included): 0.2-0.4 ms, the same for 1,000 and 50,000 WorkSpaces.
"""

from .auth import FIVE_ACTIONS
from .server import (
    DEFAULT_APP_ACCOUNT,
    DEFAULT_CUSTOMER_ACCOUNT,
    DEFAULT_ROLE_NAME,
    Simulator,
    main,
)

__all__ = [
    "FIVE_ACTIONS",
    "DEFAULT_APP_ACCOUNT",
    "DEFAULT_CUSTOMER_ACCOUNT",
    "DEFAULT_ROLE_NAME",
    "Simulator",
    "main",
]
