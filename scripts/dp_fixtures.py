#!/usr/bin/env python3
"""Reference values for the Rust RDP accountant (src/privacy/accountant.rs), from Google's
`dp-accounting` package; writes tests/fixtures/dp_accounting.json, which tests/suite/dp_accountant.rs
checks the Rust numbers against.

For every (sigma, q) of the grid it records the package's one-step RDP at each of its default orders
(`_compute_rdp_poisson_subsampled_gaussian`, integer and fractional orders alike; null where the
package gives inf because the fractional-order series did not converge), and for every
(sigma, q, steps, delta) the epsilon and optimal order that `RdpAccountant` reports after composing
`steps` Poisson-sampled Gaussian events.

Usage (needs `pip install dp-accounting`; a venv is fine):
    python3 scripts/dp_fixtures.py [--out tests/fixtures/dp_accounting.json]
"""

import argparse
import importlib.metadata
import itertools
import json
import math
import os
import platform
import sys

import dp_accounting
from dp_accounting.rdp import rdp_privacy_accountant as rdp

# Realistic DP-SGD settings: noise multipliers from weak to strong, sampling rates from a
# tiny batch to full-batch (q = 1 is the plain Gaussian), one step to long trainings,
# and the two deltas in use (1e-5, and 1/n for n = 25,000 users).
SIGMAS = [0.5, 0.8, 1.1, 2.0, 5.0]
RATES = [0.001, 0.01, 0.05, 0.2, 1.0]
STEPS = [1, 100, 1000, 10000]
DELTAS = [1e-5, 1 / 25000]


def epsilon_and_order(sigma, q, steps, delta):
    accountant = rdp.RdpAccountant()  # default orders, add-or-remove-one neighbours
    event = dp_accounting.PoissonSampledDpEvent(q, dp_accounting.GaussianDpEvent(sigma))
    accountant.compose(event, steps)
    eps, order = accountant.get_epsilon_and_optimal_order(delta)
    return float(eps), float(order)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join(root, "tests", "fixtures", "dp_accounting.json"))
    args = parser.parse_args()

    orders = [float(a) for a in rdp.DEFAULT_RDP_ORDERS]
    mechanisms = []
    for sigma, q in itertools.product(SIGMAS, RATES):
        values = rdp._compute_rdp_poisson_subsampled_gaussian(q, sigma, orders)
        # An order whose fractional series did not converge has RDP = inf in the package (it is
        # left out of the minimum); JSON has no infinity, so it is written as null.
        values = [float(v) if math.isfinite(v) else None for v in values]
        mechanisms.append({"noise_multiplier": sigma, "sampling_rate": q, "rdp": values})

    cases = []
    for sigma, q, steps, delta in itertools.product(SIGMAS, RATES, STEPS, DELTAS):
        eps, order = epsilon_and_order(sigma, q, steps, delta)
        if not math.isfinite(eps):
            sys.exit(f"non-finite epsilon at sigma={sigma} q={q} steps={steps} delta={delta}")
        cases.append({"noise_multiplier": sigma, "sampling_rate": q, "steps": steps,
                      "delta": delta, "epsilon": eps, "order": order})

    out = {
        "generated_by": "scripts/dp_fixtures.py",
        "package": "dp-accounting",
        "version": importlib.metadata.version("dp-accounting"),
        "numpy": importlib.metadata.version("numpy"),
        "scipy": importlib.metadata.version("scipy"),
        "python": platform.python_version(),
        "orders": orders,
        "mechanisms": mechanisms,
        "cases": cases,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"{args.out}: {len(cases)} cases, {len(mechanisms)} RDP curves, "
          f"dp-accounting {out['version']}")


if __name__ == "__main__":
    main()
