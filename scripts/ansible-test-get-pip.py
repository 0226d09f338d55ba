"""Stand-in for ansible-test's get-pip.py bootstrap script.

ansible-test downloads get-pip.py from a CI host that these machines cannot reach; it runs
the script inside a fresh virtualenv with pip-install arguments. We honour the same contract
with the standard library's ensurepip and then the real pip (from PyPI, which is reachable).
"""
import ensurepip
import os
import subprocess
import sys

ensurepip.bootstrap(upgrade=True)
# ensurepip sets PIP_CONFIG_FILE=/dev/null in our environment; the real install must see
# the machine's pip configuration (CA bundle, indexes) again.
env = dict(os.environ)
env.pop("PIP_CONFIG_FILE", None)
args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args, env=env))
