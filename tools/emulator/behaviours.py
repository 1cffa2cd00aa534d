"""The catalogue of AWS behaviours the emulator can show, and how the launcher switches them on.

moto is kinder than AWS where it matters most to a provision or a teardown: it never throttles, a new
role or key is usable at once, nothing is ever busy, nothing lingers. Each behaviour here makes the
emulator answer as AWS does in one of those places (see each class's docstring for the AWS document or
public issue that shows it), for principals under test only (layer.py). Which ones are on, and for how
many calls each lasts (its K), is one option:

    --behave all                       every behaviour, with its default K
    --behave none                      none (the default: the tests' emulator is as it was)
    --behave throttling,lambda_enis=5  those, lambda_enis for 5 calls
    --behave all,-throttling,rds_busy=1

with `--throttle-rate` (share of calls throttled) and `--seed` (for the throttling draw).
"""

from busy import CloudMapInUse, LambdaUpdates, RdsBusy
from layer import Layer
from lingering import LambdaEnis, LateAccessLogs
from propagation import NewKeys, NewRoles
from throttling import Throttling

# In the order the layer asks them: throttling first, as AWS refuses a throttled call before it looks
# at what the call asks.
CATALOGUE = (Throttling, NewRoles, LambdaUpdates, LateAccessLogs, RdsBusy, CloudMapInUse, LambdaEnis, NewKeys)
BY_NAME = {behaviour.name: behaviour for behaviour in CATALOGUE}
# What the Rust tests turn on with `--behave default`: everything but throttling, whose random
# refusals belong in the runs that ask for them with a rate.
DEFAULT = tuple(name for name in BY_NAME if name != Throttling.name)


def parse_switches(text):
    """{name: K or None (its default)} from a `--behave` value; raises ValueError on unknown names."""
    chosen = {}
    for item in filter(None, (part.strip() for part in (text or "none").split(","))):
        if item in ("all", "default"):
            chosen.update({name: None for name in (BY_NAME if item == "all" else DEFAULT)})
        elif item == "none":
            chosen.clear()
        elif item.startswith("-"):
            chosen.pop(item[1:], None)
            if item[1:] not in BY_NAME:
                raise ValueError(f"unknown behaviour {item[1:]!r} (known: {', '.join(BY_NAME)})")
        else:
            name, _, calls = item.partition("=")
            if name not in BY_NAME:
                raise ValueError(f"unknown behaviour {name!r} (known: {', '.join(BY_NAME)})")
            chosen[name] = int(calls) if calls else None
    return chosen


def build(app, switches="none", throttle_rate=0.05, seed=0, act_on_test_keys=False):
    """moto's `app` with the chosen behaviours in front of it, in the catalogue's order; `app`
    itself when none is chosen."""
    chosen = parse_switches(switches) if isinstance(switches, str) else dict(switches)
    if not chosen:
        return app
    behaviours = []
    for behaviour in CATALOGUE:
        if behaviour.name not in chosen:
            continue
        options = {"rate": throttle_rate, "seed": seed} if behaviour is Throttling else {}
        behaviours.append(behaviour(chosen[behaviour.name], **options))
    describe = {
        "seed": seed,
        "actOnTestKeys": act_on_test_keys,
        "disabled": [name for name in BY_NAME if name not in chosen],
    }
    return Layer(app, behaviours, act_on_test_keys=act_on_test_keys, describe=describe)


def add_arguments(parser):
    """The launcher's options for this layer."""
    parser.add_argument(
        "--behave", metavar="LIST", default="none",
        help="AWS behaviours to show principals under test: all, default (all but throttling), none, or "
        f"a comma list of names, each optionally NAME=K calls, -NAME to leave one out ({', '.join(BY_NAME)})",
    )
    parser.add_argument("--throttle-rate", type=float, default=0.05, metavar="P",
                        help="share of calls the throttling behaviour refuses (default 0.05)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the throttling draw (default 0)")
    parser.add_argument("--behave-on-test-keys", action="store_true",
                        help="also act on requests signed with the tests' own keys (test, testing)")
    parser.add_argument("--behaviours-report", metavar="FILE",
                        help="write the behaviours' counters (GET /_behaviours) to FILE when the emulator stops")


def from_arguments(app, arguments):
    return build(app, arguments.behave, arguments.throttle_rate, arguments.seed, arguments.behave_on_test_keys)
